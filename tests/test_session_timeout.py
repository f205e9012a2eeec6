"""Before the idle sign-out and the 12-hour limit a signed-in page warns, and can keep the session
going; without JavaScript it says when the session ends, in UK time."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from eia.accounts.models import Role
from eia.accounts.sessions import when_text


def _last_seen(client) -> float:
    with client.session_transaction() as session:
        return float(session["last_seen"])


def _set(client, **values: float) -> None:
    with client.session_transaction() as session:
        session.update(values)


def _dialog(page: str) -> dict[str, str]:
    match = re.search(r'<dialog id="timeout-warning"(.*?)>', page, re.S)
    assert match, "no timeout warning on the page"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1)))


def test_a_signed_in_page_carries_the_warning_and_says_when_the_session_ends(client, db, login_as):
    login_as(Role.AUTHOR)
    _set(client, signed_in_at=time.time())
    page = client.get("/").get_data(as_text=True)
    data = _dialog(page)
    assert 29 * 60 <= int(data["idle-seconds"]) <= 30 * 60
    assert 11 * 3600 < int(data["absolute-seconds"]) <= 12 * 3600
    assert data["warning-seconds"] == "120"
    assert data["extend-url"] == "/session/extend"
    assert 'aria-labelledby="timeout-warning-heading"' in page and "Stay signed in" in page
    noscript = page[page.index("<noscript>") : page.index("</noscript>")]
    assert "If you do nothing for 30 minutes you will be signed out" in noscript
    assert "(UK time)" in noscript and "12 hours after you signed in" in noscript


def test_nobody_signed_in_gets_no_warning(client, db):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "timeout-warning" not in page and "you will be signed out" not in page


def test_near_the_12_hour_limit_the_page_says_staying_active_will_not_help(client, db, login_as):
    login_as(Role.AUTHOR)
    _set(client, signed_in_at=time.time() - 12 * 3600 + 5 * 60)
    page = client.get("/").get_data(as_text=True)
    assert int(_dialog(page)["absolute-seconds"]) <= 5 * 60
    noscript = page[page.index("<noscript>") : page.index("</noscript>")]
    assert "12 hours after you signed in. Save your work before then." in noscript
    assert "If you do nothing" not in noscript


def test_stay_signed_in_restarts_the_idle_clock(client, db, login_as):
    login_as(Role.AUTHOR)
    _set(client, last_seen=time.time() - 28 * 60, signed_in_at=time.time() - 3600)
    response = client.post("/session/extend", headers={"X-CSRFToken": client.csrf_token()}, csrf=False)
    assert response.status_code == 200
    body = response.get_json()
    assert 30 * 60 - 2 <= body["idle_seconds"] <= 30 * 60 and body["warning_seconds"] == 120
    assert 10 * 3600 < body["absolute_seconds"] <= 11 * 3600  # the 12-hour limit does not move
    assert time.time() - _last_seen(client) < 5


def test_extending_needs_the_csrf_token_and_a_session(client, db, login_as):
    anonymous = client.post("/session/extend", headers={"X-CSRFToken": client.csrf_token()}, csrf=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    login_as(Role.AUTHOR)
    assert client.post("/session/extend", csrf=False).status_code == 400


def test_asking_how_long_is_left_does_not_extend_the_session(client, db, login_as):
    login_as(Role.AUTHOR)
    before = time.time() - 10 * 60
    _set(client, last_seen=before)
    body = client.get("/session/status").get_json()
    assert 19 * 60 < body["idle_seconds"] <= 20 * 60
    assert _last_seen(client) == before


def test_a_session_already_idle_too_long_cannot_be_extended(client, db, login_as):
    login_as(Role.AUTHOR)
    _set(client, last_seen=time.time() - 31 * 60)
    response = client.post("/session/extend", headers={"X-CSRFToken": client.csrf_token()}, csrf=False)
    assert response.status_code == 303 and response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 7, 1, 13, 35, tzinfo=UTC), "14:35"),  # British Summer Time
        (datetime(2026, 7, 1, 22, 59, tzinfo=UTC), "23:59"),
        (datetime(2026, 7, 2, 0, 10, tzinfo=UTC), "01:10 on 2 July 2026"),
    ],
)
def test_times_are_in_uk_time_with_the_date_when_it_is_not_today(moment, text):
    assert when_text(moment, now=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == text
