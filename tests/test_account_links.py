"""Invitations and password resets by email, through a real SMTP server on loopback: single-use
links stored only as hashes, 72 hours and 1 hour, the same answer for known and unknown addresses,
throttled per address and per client, and a used link ends every other session."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from eia.accounts import links
from eia.accounts.models import AccountLink, LinkPurpose, Role, SignInSession, User
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.logs import JsonFormatter
from tests.conftest import Inbox, sign_in_session
from tests.factories import PASSWORD, make_service_area, make_user
from tests.processes import free_port

NEW_PASSWORD = "a brand new passphrase 7"
LINK = re.compile(r"https://eia\.council\.example(/(?:invitation|sign-in/reset)/[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[Inbox]:
    port = free_port()
    inbox = Inbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "EIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", port)
    monkeypatch.setitem(app.config, "EIA_BASE_URL", "https://eia.council.example")
    yield inbox
    controller.stop()


def link_in(message) -> str:
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


def entries(db, action: str) -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def add_invited(client, email: str = "dana.whitfield@council.example"):
    area = make_service_area("Libraries", parent=make_service_area("Communities"))
    return client.post(
        "/admin/users/new",
        data={
            "name": "Dana Whitfield",
            "email": email,
            "role": "author",
            "service_area_id": str(area.id),
            "sign_in": "invite",
        },
    )


def test_an_invitation_sets_a_password_once_and_is_kept_only_as_a_hash(client, login_as, db, smtp):
    admin = login_as(Role.ADMIN)
    added = add_invited(client)
    assert added.status_code == 302
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "invited by email to choose a password. The link works for 72 hours." in page
    (mail,) = smtp.to("dana.whitfield@council.example")
    assert mail["Subject"] == "You have been invited to equality impact assessments"
    assert f"{admin.name} has given you an account" in mail.get_content()
    path = link_in(mail)
    secret = path.rsplit("/", 1)[1]
    person = db.session.execute(select(User).where(User.email == "dana.whitfield@council.example")).scalar_one()
    assert person.password_hash is None
    (link,) = db.session.execute(select(AccountLink).where(AccountLink.user_id == person.id)).scalars()
    assert link.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in link.secret_hash
    assert timedelta(hours=71, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=72)

    client.post("/sign-out")
    form = client.get(path).get_data(as_text=True)
    assert "Choose your password" in form and "Welcome, Dana Whitfield" in form
    weak = client.post(path, data={"password": "short", "confirm_password": "short"})
    assert weak.status_code == 200 and "Password must be 12 characters or more" in weak.get_data(as_text=True)
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been set" in client.get("/sign-in").get_data(as_text=True)
    signed_in = client.post("/sign-in", data={"email": person.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    client.post("/sign-out")

    again = client.get(path)
    assert again.status_code == 410 and "This link has already been used" in again.get_data(as_text=True)
    assert (
        client.post(path, data={"password": "another one 12345", "confirm_password": "another one 12345"}).status_code
        == 410
    )
    assert [e.detail for e in entries(db, "invitation_accepted")]


def test_an_expired_or_unknown_link_gets_a_clear_page(client, db):
    person = make_user(Role.AUTHOR)
    secret = links.issue_link(person, LinkPurpose.PASSWORD_RESET, by=None)
    db.session.execute(AccountLink.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = client.get(f"/sign-in/reset/{secret}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    unknown = client.get("/sign-in/reset/no-such-link")
    assert unknown.status_code == 404 and "This link does not work" in unknown.get_data(as_text=True)
    wrong_kind = client.get(f"/invitation/{secret}")
    assert wrong_kind.status_code == 404


def test_a_link_is_never_written_to_the_request_log(client, db, caplog):
    person = make_user(Role.AUTHOR)
    secret = links.issue_link(person, LinkPurpose.INVITATION, by=None)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="eia.requests"):
        assert client.get(f"/invitation/{secret}").status_code == 200
    (record,) = [r for r in caplog.records if r.name == "eia.requests"]
    line = JsonFormatter().format(record)
    assert secret not in line
    assert json.loads(line)["path"] == "/invitation/[secret]" and json.loads(line)["route"] == "/invitation/<secret>"


def test_a_reset_link_lasts_an_hour_and_using_it_ends_every_other_session(app, client, db, smtp):
    person = make_user(Role.AUTHOR)
    elsewhere = app.test_client()
    sign_in_session(elsewhere, person)
    assert elsewhere.get("/").status_code == 200
    asked = client.post("/sign-in/forgotten", data={"email": person.email.upper()})
    assert asked.status_code == 302
    (mail,) = smtp.arrived(person.email)
    assert mail["Subject"] == "Reset your password for equality impact assessments"
    path = link_in(mail)
    link = db.session.execute(select(AccountLink).where(AccountLink.user_id == person.id)).scalar_one()
    assert link.expires_at - link.created_at == timedelta(hours=1)
    page = client.get(path).get_data(as_text=True)
    assert "Choose a new password" in page and person.email in page
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    open_sessions = db.session.execute(
        select(func.count()).where(SignInSession.user_id == person.id, SignInSession.ended_at.is_(None))
    ).scalar_one()
    assert open_sessions == 0
    assert elsewhere.get("/").status_code == 302  # signed out there
    old = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert "Enter a correct email address and password" in old.get_data(as_text=True)


def test_the_answer_is_the_same_for_an_unknown_address_and_nothing_is_sent(client, db, smtp):
    known = make_user(Role.AUTHOR)
    answers = []
    for email in (known.email, "nobody@council.example"):
        asked = client.post("/sign-in/forgotten", data={"email": email})
        assert asked.status_code == 302
        page = client.get(asked.headers["Location"]).get_data(as_text=True)
        answers.append(page.replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert "we have sent it a link to reset the password" in answers[0]
    assert smtp.arrived(known.email)
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == known.email
    assert any(e.detail == "no link sent: unknown address" for e in entries(db, "password_reset_refused"))


def test_the_answer_does_not_wait_for_the_mail_server(client, db, smtp):
    """How long the answer takes must not tell a stranger that the address has an account: the link
    goes after the answer, so a slow mail server delays only the email."""
    person = make_user(Role.AUTHOR)
    smtp.hold = threading.Event()
    asked = client.post("/sign-in/forgotten", data={"email": person.email})
    assert asked.status_code == 302
    assert smtp.to(person.email) == []  # answered while the server still holds the message
    smtp.hold.set()
    (mail,) = smtp.arrived(person.email)
    assert mail["Subject"] == "Reset your password for equality impact assessments"


def test_requests_are_throttled_per_address_with_the_same_answer(client, db, smtp, app):
    person = make_user(Role.AUTHOR)
    limit = app.config["EIA_PASSWORD_RESETS_PER_ADDRESS"]
    for _ in range(limit + 2):
        asked = client.post("/sign-in/forgotten", data={"email": person.email})
        assert asked.status_code == 302
    assert len(smtp.arrived(person.email, count=limit)) == limit
    assert len(smtp.arrived(person.email, count=limit + 1, within=0.5)) == limit  # and no more
    assert sum(e.detail == "too many requests for one address" for e in entries(db, "password_reset_refused")) == 2
    # Only the newest link works: each new one ends the one before.
    usable = db.session.execute(
        select(func.count()).where(AccountLink.user_id == person.id, AccountLink.used_at.is_(None))
    ).scalar_one()
    assert usable == 1


def test_requests_are_throttled_per_client_with_a_plain_message(client, db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_PASSWORD_RESETS_PER_CLIENT", 2)
    for n in range(2):
        assert client.post("/sign-in/forgotten", data={"email": f"someone{n}@council.example"}).status_code == 302
    refused = client.post("/sign-in/forgotten", data={"email": "someone9@council.example"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Too many reset links have been asked for from your network" in page
    assert 'value="someone9@council.example"' in page
    assert any(e.detail == "too many requests from one client" for e in entries(db, "password_reset_refused"))


def test_a_new_invitation_replaces_the_old_link(client, login_as, db, smtp):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR, password_hash=None)
    for _ in range(2):
        sent = client.post(f"/admin/users/{person.id}/invite")
        assert sent.status_code == 302
    first, second = (link_in(m) for m in smtp.to(person.email))
    client.post("/sign-out")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_disabled_person_cannot_use_a_link(client, login_as, db, smtp):
    person = make_user(Role.AUTHOR)
    secret = links.issue_link(person, LinkPurpose.PASSWORD_RESET, by=None)
    person.is_enabled = False
    db.session.commit()
    answer = client.get(f"/sign-in/reset/{secret}")
    assert answer.status_code == 410 and "This account has been disabled" in answer.get_data(as_text=True)


def test_disabling_someone_ends_their_links(client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    secret = links.issue_link(person, LinkPurpose.INVITATION, by=None)
    db.session.commit()
    client.post(f"/admin/users/{person.id}/disable", data={"reason": "left"})
    client.post(f"/admin/users/{person.id}/enable")
    assert client.get(f"/invitation/{secret}").status_code == 410


def test_a_link_is_used_once_even_when_sent_twice(db):
    person = make_user(Role.AUTHOR)
    secret = links.issue_link(person, LinkPurpose.INVITATION, by=None)
    links.use_link(secret, LinkPurpose.INVITATION, NEW_PASSWORD)
    with pytest.raises(links.LinkUnusable) as refused:
        links.use_link(secret, LinkPurpose.INVITATION, NEW_PASSWORD + "x")
    assert refused.value.problem == "used"


def test_an_email_server_that_fails_still_adds_the_person_and_says_so(client, login_as, db, app, monkeypatch):
    login_as(Role.ADMIN)
    monkeypatch.setitem(app.config, "EIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", free_port())  # nothing listens there
    added = add_invited(client, email="lee.fox@council.example")
    assert added.status_code == 302
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "The invitation email to lee.fox@council.example could not be sent" in page
    assert "Email a link to choose a password" in page
