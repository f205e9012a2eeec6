"""The sign-in routes in a real browser, every page of ours checked with axe: through the council's
OpenID provider (a real one, oidc-provider on loopback) to the page that waits for a role, a refused
sign-in, a forgotten password through to the reset link, and an invitation through to signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from playwright.sync_api import Page, expect

from eia.accounts.models import Role
from eia.accounts.provider import init_provider
from eia.config import GroupRole
from eia.extensions import db
from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.conftest import Inbox
from tests.factories import PASSWORD, make_user
from tests.oidc_support import OidcProvider, run_provider
from tests.processes import free_port

NEW_PASSWORD = "a brand new passphrase 7"
LINK = re.compile(r"(https?://[^\s]+/(?:invitation|sign-in/reset)/[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def provider(live_server: str, tmp_path_factory) -> Iterator[OidcProvider]:
    yield from run_provider(tmp_path_factory.mktemp("oidc"), [f"{live_server}/sign-in/oidc/callback"])


@pytest.fixture
def with_provider(live_app: Flask, live_server: str, provider: OidcProvider, monkeypatch) -> Iterator[OidcProvider]:
    settings = {
        "EIA_BASE_URL": live_server,
        "EIA_OIDC_ISSUER": provider.url,
        "EIA_OIDC_CLIENT_ID": provider.client_id,
        "EIA_OIDC_CLIENT_SECRET": provider.client_secret,
        "EIA_OIDC_PROVIDER_NAME": "Testshire ID",
        "EIA_OIDC_SCOPES": "openid email profile groups",
        "EIA_OIDC_GROUP_ROLES": [GroupRole("eia-equalities", "equalities")],
    }
    for key, value in settings.items():
        monkeypatch.setitem(live_app.config, key, value)
    provider.set_mode("normal")
    init_provider(live_app)
    yield provider
    live_app.extensions.pop("eia.oidc", None)
    provider.set_mode("normal")


@pytest.fixture
def inbox(live_app: Flask, live_server: str, monkeypatch) -> Iterator[Inbox]:
    port = free_port()
    mail = Inbox(port)
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(live_app.config, "EIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(live_app.config, "EIA_SMTP_PORT", port)
    monkeypatch.setitem(live_app.config, "EIA_BASE_URL", live_server)
    yield mail
    controller.stop()


def at_provider(page: Page, login: str) -> None:
    """The provider's own pages (not ours, so not checked with axe): sign in, then agree."""
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()


def person(live_app: Flask, **values):
    with live_app.app_context():
        made = make_user(**values)
        db.session.commit()
        return made.email


def test_signing_in_with_the_provider_for_the_first_time_waits_for_a_role(page: Page, live_server: str, with_provider):
    visit(page, f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in with Testshire ID").click()
    at_provider(page, "first.timer")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have a role in this service yet")
    expect(page.get_by_text("first.timer@council.example")).to_be_visible()
    assert page.url == f"{live_server}/account/waiting"
    assert_accessible(page)
    visit(page, f"{live_server}/eias/")
    assert page.url == f"{live_server}/account/waiting"


def test_a_group_gives_the_role_straight_away(page: Page, live_server: str, with_provider):
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in with Testshire ID").click()
    at_provider(page, "equality.lead")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert_accessible(page)


def test_a_tampered_answer_gets_a_plain_page(page: Page, live_server: str, with_provider):
    with_provider.set_mode("tamper")
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in with Testshire ID").click()
    at_provider(page, "new.starter")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not check your sign-in")
    expect(page.get_by_text("Reference:")).to_be_visible()
    assert_accessible(page)


def test_a_forgotten_password_through_to_signing_in_with_the_new_one(
    page: Page, live_app: Flask, live_server: str, inbox: Inbox
):
    email = person(live_app, role=Role.AUTHOR)
    visit(page, f"{live_server}/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    assert_accessible(page)
    page.get_by_role("button", name="Send the link").click()  # nothing typed: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("we have sent it a link to reset the password")
    assert_accessible(page)
    (mail,) = inbox.arrived(email)
    link = LINK.search(mail.get_content()).group(1)
    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Password must be 12 characters or more")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been set")
    sign_in(page, live_server, email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.get_by_role("button", name="Sign out").click()
    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")


def test_an_invitation_through_to_signing_in(page: Page, browser, live_app: Flask, live_server: str, inbox: Inbox):
    admin = person(live_app, role=Role.ADMIN)
    sign_in(page, live_server, admin, PASSWORD)
    visit(page, f"{live_server}/admin/users/new")
    page.get_by_label("Full name").fill("Robin Vale")
    page.get_by_label("Email address").fill("robin.vale@council.example")
    page.get_by_label("Equalities team").check()
    page.get_by_label("Email them an invitation to choose their own password").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("invited by email to choose a password")
    assert_accessible(page)
    (mail,) = inbox.to("robin.vale@council.example")
    link = LINK.search(mail.get_content()).group(1)
    invited = browser.new_context().new_page()
    visit(invited, link)
    expect(invited.get_by_role("heading", level=1)).to_have_text("Choose your password")
    invited.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invited.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Set password").click()
    sign_in(invited, live_server, "robin.vale@council.example", NEW_PASSWORD)
    expect(invited.get_by_role("heading", level=1)).to_have_text("My work")
    invited.context.close()
