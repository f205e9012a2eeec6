"""Signing in through a real OpenID Connect provider (oidc-provider from npm, on loopback): a good
sign-in, and each way an answer is refused (a tampered ID token, one signed with a key the provider
does not publish, a wrong audience, an expired token, another sign-in's nonce, another issuer, a
replayed state, a disabled person) with a clear page, an audit entry and nothing created."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from eia.accounts.models import Role, SignInSession, User
from eia.accounts.provider import init_provider
from eia.auditlog.models import AuditEntry
from eia.config import GroupRole
from tests.conftest import sign_in_session
from tests.factories import PASSWORD, make_service_area, make_user
from tests.oidc_support import OidcProvider, run_provider, sign_in_at_provider

APP = "http://127.0.0.1:5000"


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[OidcProvider]:
    yield from run_provider(tmp_path_factory.mktemp("oidc"), [f"{APP}/sign-in/oidc/callback"])


@pytest.fixture
def oidc(app, db, provider, monkeypatch) -> Iterator[OidcProvider]:
    settings = {
        "EIA_BASE_URL": APP,
        "EIA_OIDC_ISSUER": provider.url,
        "EIA_OIDC_CLIENT_ID": provider.client_id,
        "EIA_OIDC_CLIENT_SECRET": provider.client_secret,
        "EIA_OIDC_PROVIDER_NAME": "Testshire ID",
        "EIA_OIDC_SCOPES": "openid email profile groups",
        "EIA_OIDC_GROUP_ROLES": [GroupRole("eia-equalities", "equalities")],
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    provider.set_mode("normal")
    init_provider(app)
    yield provider
    app.extensions.pop("eia.oidc", None)
    provider.set_mode("normal")


def through_provider(client, login: str, next_url: str | None = None):
    """Start at the app, sign in at the provider, come back: the app's answer and the callback URL."""
    start = client.get("/sign-in/oidc", query_string={"next": next_url} if next_url else None)
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    location = start.headers["Location"]
    assert "code_challenge_method=S256" in location and "nonce=" in location and "state=" in location
    back = sign_in_at_provider(location, login, app_prefix=f"{APP}/")
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}"), f"{parts.path}?{parts.query}"


def counts(db) -> tuple[int, int]:
    users = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    sessions = db.session.execute(select(func.count()).select_from(SignInSession)).scalar_one()
    return users, sessions


def last_entry(db, action: str) -> AuditEntry | None:
    return db.session.execute(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()).limit(1)
    ).scalar_one_or_none()


def test_the_sign_in_page_offers_the_provider(client, oidc):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with Testshire ID" in page and "Forgotten your password?" in page


def test_a_first_sign_in_makes_a_person_with_no_role_who_waits_for_one(client, oidc, db):
    answer, _ = through_provider(client, "new.starter", next_url="/eias/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/eias/"
    person = db.session.execute(select(User).where(User.email == "new.starter@council.example")).scalar_one()
    assert person.role is None and person.password_hash is None and person.name == "New Starter"
    assert person.oidc_issuer == oidc.url and person.oidc_subject == "new.starter"
    waiting = client.get("/eias/", follow_redirects=True)
    page = waiting.get_data(as_text=True)
    assert "You do not have a role in this service yet" in page and "new.starter@council.example" in page
    created = last_entry(db, "user_created")
    assert created.entity_id == str(person.id) and "first sign-in through Testshire ID" in created.detail
    assert last_entry(db, "signed_in").detail == "through Testshire ID"


def test_a_group_mapping_gives_the_role_and_a_second_sign_in_finds_the_same_person(client, oidc, db):
    answer, _ = through_provider(client, "equality.lead")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    person = db.session.execute(select(User).where(User.email == "equality.lead@council.example")).scalar_one()
    assert person.role is Role.EQUALITIES
    assert client.get("/").status_code == 200
    account = client.get("/account").get_data(as_text=True)
    assert "Signs in with</dt>" in account and "Testshire ID" in account and "Change your password" not in account
    client.post("/sign-out")
    users_before, _ = counts(db)
    again, _ = through_provider(client, "equality.lead")
    assert again.status_code == 302
    assert counts(db)[0] == users_before
    assert client.get("/").status_code == 200


def test_people_are_matched_by_subject_not_by_a_changed_email(client, oidc, db):
    person = make_user(Role.AUTHOR, email="renamed@council.example", oidc_issuer=oidc.url, oidc_subject="new.starter")
    answer, _ = through_provider(client, "new.starter")  # the provider now says new.starter@council.example
    assert answer.status_code == 302
    assert db.session.execute(select(func.count()).where(User.email == "new.starter@council.example")).scalar() == 0
    db.session.refresh(person)
    assert person.last_sign_in_at is not None


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("tamper", "ID token failed its checks"),
        ("wrong-key", "ID token failed its checks"),
        ("audience", "ID token failed its checks"),
        ("expired", "ID token failed its checks"),
        ("nonce", "ID token failed its checks"),
        ("issuer", "ID token failed its checks"),
    ],
)
def test_an_untrustworthy_id_token_is_refused_and_nothing_is_created(client, oidc, db, mode, reason):
    before = counts(db)
    oidc.set_mode(mode)
    answer, _ = through_provider(client, "new.starter")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "We could not check your sign-in" in page and "nothing has been changed" in page
    assert "Reference:" in page
    assert counts(db) == before
    entry = last_entry(db, "sign_in_refused")
    assert reason in entry.detail
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/").status_code == 302


def test_each_refusal_names_its_check_in_the_audit_log(client, oidc, db):
    expected = {
        "tamper": "BadSignature",
        "wrong-key": "BadSignature",
        "audience": "aud",
        "expired": "Expired",
        "nonce": "nonce",
        "issuer": "iss",
    }
    for mode, word in expected.items():
        oidc.set_mode(mode)
        through_provider(client, "new.starter")
        assert word.lower() in last_entry(db, "sign_in_refused").detail.lower(), mode


def test_a_replayed_state_is_refused(client, app, oidc, db):
    answer, callback = through_provider(client, "new.starter")
    assert answer.status_code == 302
    client.post("/sign-out")
    before = counts(db)
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "This sign-in link has already been used or has expired" in replay.get_data(as_text=True)
    other_browser = app.test_client()
    assert other_browser.get(callback).status_code == 400
    assert counts(db) == before
    assert "state" in last_entry(db, "sign_in_refused").detail


def test_a_disabled_person_is_refused_by_the_provider_route_and_nothing_is_created(client, oidc, db):
    make_user(
        Role.AUTHOR,
        email="elsewhere@council.example",
        oidc_issuer=oidc.url,
        oidc_subject="new.starter",
        is_enabled=False,
    )
    before = counts(db)
    answer, _ = through_provider(client, "new.starter")
    assert answer.status_code == 403
    assert "Your account has been disabled" in answer.get_data(as_text=True)
    assert counts(db) == before
    assert last_entry(db, "sign_in_refused_disabled").detail == "Testshire ID: account disabled"


def test_a_disabled_person_is_refused_by_the_password_route_too(client, oidc, db):
    person = make_user(Role.AUTHOR, is_enabled=False)
    page = client.post("/sign-in", data={"email": person.email, "password": PASSWORD}).get_data(as_text=True)
    assert "This account has been disabled" in page


def test_an_account_with_a_password_is_not_connected_by_an_unverified_email(client, oidc, db):
    make_user(Role.ADMIN, email="taken@council.example")
    before = counts(db)
    answer, _ = through_provider(client, "unverified")
    assert answer.status_code == 403
    assert "Your account is not connected to Testshire ID" in answer.get_data(as_text=True)
    assert counts(db) == before


def test_an_account_made_for_the_provider_is_connected_by_its_verified_email(client, oidc, db):
    area = make_service_area("Housing", parent=make_service_area("Place"))
    person = make_user(Role.AUTHOR, email="new.starter@council.example", password_hash=None, service_area=area)
    answer, _ = through_provider(client, "new.starter")
    assert answer.status_code == 302
    db.session.refresh(person)
    assert person.oidc_subject == "new.starter" and person.role is Role.AUTHOR
    assert last_entry(db, "provider_connected").entity_id == str(person.id)


def test_no_email_from_the_provider_is_refused(client, oidc, db):
    before = counts(db)
    answer, _ = through_provider(client, "no.email")
    assert answer.status_code == 403 and "did not tell us your email address" in answer.get_data(as_text=True)
    assert counts(db) == before


def test_with_local_sign_in_off_only_the_break_glass_administrator_uses_a_password(client, oidc, db, monkeypatch, app):
    admin = make_user(Role.ADMIN, email="break.glass@council.example")
    author = make_user(Role.AUTHOR)
    monkeypatch.setitem(app.config, "EIA_LOCAL_SIGN_IN", False)
    monkeypatch.setitem(app.config, "EIA_BREAK_GLASS_EMAIL", admin.email)
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Emergency administrator sign-in" in page and "Forgotten your password?" not in page
    refused = client.post("/sign-in", data={"email": author.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "Sign in with Testshire ID: this council does not use passwords" in refused.get_data(as_text=True)
    assert last_entry(db, "sign_in_refused").detail == "password sign-in is switched off"
    allowed = client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert allowed.status_code == 302 and allowed.headers["Location"] == "/"


def test_the_provider_being_down_gives_a_clear_page(client, app, db, monkeypatch):
    from tests.processes import free_port

    monkeypatch.setitem(app.config, "EIA_OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setitem(app.config, "EIA_OIDC_CLIENT_ID", "x")
    monkeypatch.setitem(app.config, "EIA_OIDC_CLIENT_SECRET", "y")
    init_provider(app)
    try:
        answer = client.get("/sign-in/oidc")
    finally:
        app.extensions.pop("eia.oidc", None)
    assert answer.status_code == 503 and "Sign-in is not working at the moment" in answer.get_data(as_text=True)


def test_an_administrator_gives_a_waiting_person_a_role(client, app, oidc, db):
    first, _ = through_provider(client, "new.starter")
    assert first.status_code == 302
    assert client.get("/", follow_redirects=True).request.path == "/account/waiting"
    person = db.session.execute(select(User).where(User.email == "new.starter@council.example")).scalar_one()
    admin_browser = app.test_client()
    sign_in_session(admin_browser, make_user(Role.ADMIN))
    listed = admin_browser.get("/admin/users/").get_data(as_text=True)
    assert "New Starter" in listed and "No role yet" in listed
    saved = admin_browser.post(
        f"/admin/users/{person.id}",
        data={
            "name": person.name,
            "email": person.email,
            "role": "decision_maker",
            "service_area_id": "",
            "version": person.version,
        },
    )
    assert saved.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/account/waiting").headers["Location"] == "/"
