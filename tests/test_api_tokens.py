"""Personal access tokens: made on the account page or with `eia users token`, shown once, stored
hashed, refused when expired, revoked or their owner disabled, limited per minute, audit-logged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eia.accounts.models import ApiToken, Role, TokenScope
from eia.accounts.tokens import secret_hash
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from tests.factories import make_user

SECRET = re.compile(r"eia_[A-Za-z0-9_-]{43}")


def _entries(db, action: str) -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_a_token_made_on_the_account_page_is_shown_once_and_kept_only_as_a_hash(client, login_as, db):
    user = login_as(Role.AUTHOR)
    page = client.get("/account").get_data(as_text=True)
    assert "You have 0 active tokens" in page
    response = client.post("/account/tokens", data={"name": "Quarterly figures", "scope": "write", "days": "30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Copy it now: it is not shown again" in html
    secret = SECRET.search(html).group(0)
    token = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    assert token.secret_hash == secret_hash(secret) and secret not in (token.hint, token.secret_hash)
    assert token.scope is TokenScope.WRITE
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    assert _entries(db, "api_token_created")[-1].changes["name"] == [None, "Quarterly figures"]

    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again  # never shown again
    assert token.hint in again and "Quarterly figures" in again and "Active" in again

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email and me.get_json()["token"]["scope"] == "write"


def test_the_token_form_keeps_input_and_names_the_problem(client, login_as, db):
    login_as(Role.AUTHOR)
    response = client.post("/account/tokens", data={"name": "", "scope": "write", "days": "9999"})
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter a name for the token" in html
    assert "Not a valid choice" in html
    assert not SECRET.search(html)


def test_revoking_a_token_stops_it_at_once(client, login_as, db, api_as):
    user = login_as(Role.AUTHOR)
    api = api_as(user=user)
    assert api.get("/api/v1/me").status_code == 200
    response = client.post(f"/account/tokens/{api.token.id}/revoke")
    assert response.status_code == 302
    assert "no longer works" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = api.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.get_json()["detail"] == "The token is not valid, has expired or has been revoked."
    assert _entries(db, "api_token_revoked")


def test_someone_else_cannot_revoke_my_token(client, login_as, db, api_as):
    mine = api_as(Role.AUTHOR)
    login_as(Role.EQUALITIES)
    assert client.post(f"/account/tokens/{mine.token.id}/revoke").status_code == 403
    assert mine.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer eia_" + "A" * 43,
        "Bearer eia_" + "é" * 10,
        "Bearer eia_" + "x" * 500,
    ],
)
def test_missing_or_unknown_tokens_get_401(client, db, header):
    response = client.get("/api/v1/eias/", headers={"Authorization": header} if header is not None else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="eia"'
    assert response.headers["Content-Type"] == "application/problem+json"


def test_expired_tokens_and_disabled_owners_get_the_same_401(db, api_as):
    expired = api_as(Role.AUTHOR)
    expired.token.expires_at = utcnow() - timedelta(seconds=1)
    disabled = api_as(Role.AUTHOR)
    disabled.user.is_enabled = False
    db.session.commit()
    answers = {api.get("/api/v1/me").get_json()["detail"] for api in (expired, disabled)}
    assert answers == {"The token is not valid, has expired or has been revoked."}


def test_a_session_cookie_is_not_enough_for_the_api(client, login_as, db):
    login_as(Role.ADMIN)
    assert client.get("/api/v1/eias/").status_code == 401


def test_requests_over_the_limit_get_429_with_retry_after(app, db, api_as, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_API_REQUESTS_PER_MINUTE", 3)
    api = api_as(Role.AUTHOR)
    other = api_as(Role.AUTHOR)
    statuses = [api.get("/api/v1/me").status_code for _ in range(5)]
    if statuses[3] == 200:  # a new minute began mid-run: the window restarted, so count again
        statuses = [api.get("/api/v1/me").status_code for _ in range(5)]
    assert 429 in statuses and statuses[0] == 200
    limited = api.get("/api/v1/me")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "too many requests" in limited.get_json()["detail"]
    assert other.get("/api/v1/me").status_code == 200  # per token


def test_the_first_use_of_a_token_each_day_is_in_the_audit_log(db, api_as):
    api = api_as(Role.AUTHOR)
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    used = [e for e in _entries(db, "api_token_used") if e.entity_id == str(api.token.id)]
    assert len(used) == 1
    assert used[0].actor_label.startswith(api.user.email)
    assert api.token.last_used_at is not None


def test_eia_users_token_prints_a_working_token_once(app, db, api_as):
    user = make_user(Role.EQUALITIES)
    result = app.test_cli_runner().invoke(args=["users", "token", user.email, "--scope", "write", "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = SECRET.search(result.output).group(0)
    token = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    assert token.scope is TokenScope.WRITE and token.secret_hash == secret_hash(secret)
    assert _entries(db, "api_token_created")[-1].actor_label.startswith("command line")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.get_json()["email"] == user.email

    revoked = app.test_cli_runner().invoke(args=["users", "revoke-token", str(token.id)])
    assert revoked.exit_code == 0, revoked.output
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    twice = app.test_cli_runner().invoke(args=["users", "revoke-token", str(token.id)])
    assert twice.exit_code == 1 and "already been revoked" in twice.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "token", "nobody@council.example"], "no user with the email address"),
        (["users", "token", "{email}", "--days", "0"], "0 is not in the range"),
        (["users", "token", "{email}", "--name", ""], "Enter a name"),
        (["users", "revoke-token", "99999"], "there is no token 99999"),
    ],
)
def test_token_commands_refuse_bad_input_in_one_line(app, db, args, message):
    user = make_user(Role.AUTHOR)
    result = app.test_cli_runner().invoke(args=[a.replace("{email}", user.email) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
