"""The GOV.UK timeout warning in a real browser, with an idle limit of 15 seconds: it opens as a
modal dialog before the sign-out, "Stay signed in" (or Escape) keeps the session, "Sign out" signs
out, and doing nothing ends the session; near the 12-hour limit (shortened here) it says staying
active will not help and offers only "Continue" and "Sign out". (What a page says without JavaScript is checked in
tests/test_session_timeout.py: Playwright's Chromium always parses <noscript> as if scripting were on.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from eia.accounts.models import Role
from eia.demo.people import DEMO_PASSWORD, PEOPLE
from tests.browser.conftest import assert_accessible, sign_in, visit

PERSON = next(person for person in PEOPLE if person.role is Role.EQUALITIES)
#: 15 seconds; the warning comes at half the limit when the limit is this short.
IDLE_MINUTES = 0.25
WAIT_MS = 20_000


@pytest.fixture
def short_idle_limit(live_app: Flask) -> Iterator[None]:
    before = live_app.config["EIA_SESSION_IDLE_MINUTES"]
    live_app.config["EIA_SESSION_IDLE_MINUTES"] = IDLE_MINUTES
    yield
    live_app.config["EIA_SESSION_IDLE_MINUTES"] = before


def test_the_warning_keeps_the_session_or_signs_out(page: Page, live_server: str, short_idle_limit: None):
    sign_in(page, live_server, PERSON.email, DEMO_PASSWORD)
    visit(page, f"{live_server}/eias/")
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_hidden()

    expect(dialog).to_be_visible(timeout=WAIT_MS)
    expect(dialog).to_contain_text("we will sign you out in")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(dialog.get_by_role("button", name="Continue")).to_be_hidden()
    expect(dialog.get_by_text("you signed in 12 hours ago")).to_be_hidden()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    # It comes back when the extended session nears its end: the server kept the session going.
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Equality impact assessments")

    expect(dialog).to_be_visible(timeout=WAIT_MS)
    dialog.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_doing_nothing_ends_the_session(page: Page, live_server: str, short_idle_limit: None):
    sign_in(page, live_server, PERSON.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("dialog")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", timeout=WAIT_MS)
    expect(page.get_by_text("You were signed out because you had been inactive")).to_be_visible()
    assert_accessible(page)


@pytest.fixture
def short_session_lifetime(live_app: Flask) -> Iterator[None]:
    before = live_app.config["PERMANENT_SESSION_LIFETIME"]
    live_app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=20)
    yield
    live_app.config["PERMANENT_SESSION_LIFETIME"] = before


def test_the_warning_before_the_absolute_limit_offers_no_extension(
    page: Page, live_server: str, short_session_lifetime: None
):
    sign_in(page, live_server, PERSON.email, DEMO_PASSWORD)
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    expect(dialog).to_contain_text("Save your work now")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_hidden()
    expect(dialog.get_by_role("button", name="Continue")).to_be_focused()
    assert_accessible(page)
    dialog.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", timeout=2 * WAIT_MS)
