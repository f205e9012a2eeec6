"""Signing in and out, throttling, sessions and passwords."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eia.accounts import passwords
from eia.accounts.models import Role, SignInSession, SignInThrottle, User
from eia.accounts.signing_in import throttle_key
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from tests.conftest import sign_in_session
from tests.factories import PASSWORD, make_user


def sign_in(client, email, password, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def actions_for(db, user):
    query = select(AuditEntry.action).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
    return db.session.execute(query.order_by(AuditEntry.id)).scalars().all()


def test_sign_in_with_correct_password_lands_on_my_work(client, db):
    user = make_user(Role.EQUALITIES)
    response = sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "My work" in page and user.name in page
    assert actions_for(db, user) == ["signed_in"]
    assert db.session.get(User, user.id).last_sign_in_at is not None


def test_wrong_password_and_unknown_email_get_the_same_message(client, db):
    user = make_user()
    wrong = sign_in(client, user.email, "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@council.example", "whatever it is").get_data(as_text=True)
    for page in (wrong, unknown):
        assert "Enter a correct email address and password" in page
        assert "There is a problem" in page  # the GOV.UK error summary
    assert f'value="{user.email}"' in wrong  # the email typed is kept
    failed = db.session.execute(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).scalars().all()
    assert len(failed) == 2
    assert any("nobody@council.example" in (entry.detail or "") for entry in failed)


def test_empty_form_names_both_fields(client, db):
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "<title>Error: Sign in" in page


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db):
    user = make_user()
    for _ in range(4):
        assert "Enter a correct email address" in sign_in(client, user.email, "wrong password!").get_data(as_text=True)
    page = sign_in(client, user.email, "wrong password!").get_data(as_text=True)
    assert "This account is locked after 5 failed sign-in attempts" in page
    locked_until = throttle_for(db, user.email).locked_until
    assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)

    # Even the right password is refused while locked, and the refusal is logged.
    page = sign_in(client, user.email, PASSWORD).get_data(as_text=True)
    assert "This account is locked" in page
    assert client.get("/").status_code == 302
    assert actions_for(db, user) == ["sign_in_failed"] * 5 + ["account_locked", "sign_in_refused_locked"]


def throttle_for(db, email):
    return db.session.execute(select(SignInThrottle).where(SignInThrottle.key == throttle_key(email))).scalar_one()


def test_lock_runs_out_and_the_right_password_then_works(client, db):
    user = make_user()
    db.session.add(
        SignInThrottle(key=throttle_key(user.email), failures=0, locked_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert db.session.execute(select(SignInThrottle)).first() is None


def test_after_a_lock_runs_out_the_count_starts_again(client, db):
    user = make_user()
    db.session.add(
        SignInThrottle(key=throttle_key(user.email), failures=0, locked_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    page = sign_in(client, user.email, "wrong password!").get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    throttle = throttle_for(db, user.email)
    db.session.refresh(throttle)
    assert throttle.failures == 1 and throttle.locked_until is None


def test_unknown_addresses_lock_like_real_ones_and_nothing_typed_is_kept(client, db):
    """The answers reveal nothing about who has an account, and a password typed as an email is not logged."""
    for _ in range(5):
        sign_in(client, "nobody@council.example", "whatever it is")
    page = sign_in(client, "nobody@council.example", "whatever it is").get_data(as_text=True)
    assert "This account is locked after 5 failed sign-in attempts" in page
    sign_in(client, "my secret password 123", "x")
    details = db.session.execute(select(AuditEntry.detail).where(AuditEntry.action == "sign_in_failed")).scalars().all()
    assert "unknown address nobody@council.example" in details
    assert not any("my secret password" in (detail or "") for detail in details)
    assert db.session.execute(select(SignInThrottle.key)).scalars().all()  # hashes only
    assert all(len(key) == 64 and "@" not in key for key in db.session.execute(select(SignInThrottle.key)).scalars())


def test_a_success_resets_the_failure_count(client, db):
    user = make_user()
    for _ in range(4):
        sign_in(client, user.email, "wrong password!")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        sign_in(client, user.email, "wrong password!")
    throttle = throttle_for(db, user.email)
    assert throttle.locked_until is None and throttle.failures == 4


def test_disabled_account_is_refused_with_a_plain_message(client, db):
    user = make_user(is_enabled=False)
    page = sign_in(client, user.email, PASSWORD).get_data(as_text=True)
    assert "This account has been disabled" in page
    assert client.get("/").status_code == 302


def test_disabling_ends_an_open_session(client, db, login_as):
    user = login_as(Role.AUTHOR)
    assert client.get("/").status_code == 200
    db.session.execute(update(User).where(User.id == user.id).values(is_enabled=False))
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sign_out_needs_a_post_and_is_logged(client, db, login_as):
    user = login_as(Role.AUTHOR)
    assert client.get("/sign-out").status_code == 405
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert actions_for(db, user)[-1] == "signed_out"


def test_a_copied_cookie_is_useless_after_sign_out(app, client, db, login_as):
    login_as(Role.AUTHOR)
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/sign-out")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert thief.get("/").status_code == 302


def test_sessions_end_after_the_absolute_lifetime(client, db, login_as):
    user = login_as(Role.AUTHOR)
    assert client.get("/").status_code == 200
    db.session.execute(
        update(SignInSession).where(SignInSession.user_id == user.id).values(started_at=utcnow() - timedelta(hours=13))
    )
    db.session.commit()
    assert client.get("/").status_code == 302


def test_sign_in_only_redirects_within_the_site(client, db):
    user = make_user()
    response = sign_in(client, user.email, PASSWORD, query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = sign_in(client, user.email, PASSWORD, query_string={"next": "/account"})
    assert response.headers["Location"] == "/account"


def test_must_change_password_is_enforced_until_changed(client, db):
    user = make_user(Role.ADMIN, must_change_password=True)
    response = sign_in(client, user.email, PASSWORD)
    assert response.headers["Location"].startswith("/account/password")
    for url in ("/", "/admin/users/", "/account"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "my own new password",
            "confirm_password": "my own new password",
        },
    )
    assert client.get("/admin/users/").status_code == 200


def test_change_password_checks_current_and_strength(client, db, login_as):
    login_as(Role.AUTHOR)
    page = client.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "new_password": "a much better password",
            "confirm_password": "a much better password",
        },
    ).get_data(as_text=True)
    assert "Your current password is wrong" in page
    page = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    ).get_data(as_text=True)
    assert "Password must be 12 characters or more" in page
    page = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a much better password", "confirm_password": "different"},
    ).get_data(as_text=True)
    assert "The passwords do not match" in page


def test_changing_password_signs_out_other_sessions(app, client, db, login_as):
    user = login_as(Role.AUTHOR)
    other_device = app.test_client()
    sign_in_session(other_device, user)
    assert other_device.get("/").status_code == 200

    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much better password",
            "confirm_password": "a much better password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    assert other_device.get("/").status_code == 302  # the other one is signed out
    db.session.refresh(user)
    assert passwords.verify_password(user.password_hash, "a much better password")
    assert "password_changed" in actions_for(db, user)


@pytest.mark.parametrize(
    ("host", "secure"), [("127.0.0.1:5000", False), ("localhost", False), ("eia.council.example", True)]
)
def test_session_cookie_flags(client, db, host, secure):
    response = client.get("/sign-in", base_url=f"http://{host}")  # the form's CSRF token starts a session
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_idle_session_ends_and_keeps_what_was_typed(client, db, login_as):
    login_as(Role.ADMIN)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.post("/admin/service-areas/", data={"name": "Libraries and Museums", "parent_id": ""})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/sign-in?next=/admin/service-areas/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out because you had been inactive" in page
    assert "what you typed has been kept" in page

    admin = db.session.execute(select(User).where(User.role == Role.ADMIN)).scalars().first()
    response = client.post("/sign-in?next=/admin/service-areas/", data={"email": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/service-areas/"
    page = client.get("/admin/service-areas/").get_data(as_text=True)
    assert 'value="Libraries and Museums"' in page
    assert "We kept what you typed" in page
    # Shown once: reloading gives an empty form again.
    assert 'value="Libraries and Museums"' not in client.get("/admin/service-areas/").get_data(as_text=True)


def test_production_hashes_use_argon2id_at_full_cost_and_the_suite_alone_is_cheap(tmp_path):
    """Outside the test suite every password is hashed with argon2id at 64 MiB and 3 passes; the
    suite's own hashes are cheaper, and a sign-in in production would rehash one of them."""
    from argon2 import extract_parameters

    from eia import create_app
    from eia.accounts import passwords

    production = create_app(
        {"SECRET_KEY": "p" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}", "EIA_ENV": "demo"}
    )
    with production.app_context():
        assert production.config["EIA_FAST_PASSWORD_HASHES"] is False
        stored = passwords.hash_password("correct horse battery staple")
        parameters = extract_parameters(stored)
        assert stored.startswith("$argon2id$")
        assert (parameters.memory_cost, parameters.time_cost) == (65536, 3)
        cheap = passwords.FAST_FOR_TESTS.hash("correct horse battery staple")
        assert passwords.verify_password(cheap, "correct horse battery staple")
        assert passwords.needs_rehash(cheap) and not passwords.needs_rehash(stored)


def test_attempts_in_flight_at_once_check_at_most_five_passwords_and_the_right_one_is_then_refused(db):
    """Attempts are counted before the password is checked: with five wrong ones counted and not
    yet finished, a sixth attempt is refused unchecked, the right password included, with the lock
    message. (The old order read the lock, checked the password, then counted.)"""
    from eia.accounts.signing_in import SignInOutcome, begin_sign_in, finish_sign_in

    person = make_user(Role.AUTHOR)
    limits = {"max_failures": 5}
    in_flight = [begin_sign_in(person.email, **limits) for _ in range(5)]
    assert [a.allowed for a in in_flight] == [True] * 5 and [a.position for a in in_flight] == [1, 2, 3, 4, 5]
    late = begin_sign_in(person.email, **limits)
    assert late.allowed is False
    result = finish_sign_in(late, PASSWORD, **limits, lock_minutes=15)
    assert result.outcome is SignInOutcome.LOCKED and result.session_token is None
    outcomes = [finish_sign_in(a, "wrong password", **limits, lock_minutes=15).outcome for a in in_flight]
    assert outcomes == [SignInOutcome.BAD_CREDENTIALS] * 4 + [SignInOutcome.LOCKED]
    throttle = db.session.execute(
        select(SignInThrottle).where(SignInThrottle.key == throttle_key(person.email))
    ).scalar_one()
    assert throttle.locked_until is not None
    checked = db.session.execute(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).scalars().all()
    assert len(checked) == 5


def test_a_right_password_among_the_first_attempts_signs_in_and_clears_the_count(db):
    from eia.accounts.signing_in import SignInOutcome, begin_sign_in, finish_sign_in

    person = make_user(Role.AUTHOR)
    wrong = [begin_sign_in(person.email, max_failures=5) for _ in range(3)]
    right = begin_sign_in(person.email, max_failures=5)
    assert finish_sign_in(right, PASSWORD, max_failures=5, lock_minutes=15).outcome is SignInOutcome.OK
    for attempt in wrong:
        assert finish_sign_in(attempt, "nope", max_failures=5, lock_minutes=15).outcome is SignInOutcome.BAD_CREDENTIALS
    assert begin_sign_in(person.email, max_failures=5).position == 1
