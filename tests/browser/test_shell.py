"""Sign in as each role in a real browser, see that role's navigation, and check every page with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from eia.accounts.models import Role
from eia.demo.people import DEMO_PASSWORD, PEOPLE
from tests.browser.conftest import assert_accessible, nav_items, sign_in, visit

PERSON_FOR = {person.role: person for person in reversed(PEOPLE)}

EXPECTED_NAV = {
    Role.AUTHOR: ["My work", "Assessments", "Action plans"],
    Role.DECISION_MAKER: [
        "My work",
        "Dashboard",
        "Assessments",
        "Action plans",
        "Quality audits",
        "Reports",
    ],
    Role.EQUALITIES: [
        "My work",
        "Dashboard",
        "Assessments",
        "Action plans",
        "Quality audits",
        "Reports",
        "Audit log",
    ],
    Role.ADMIN: [
        "My work",
        "Dashboard",
        "Assessments",
        "Action plans",
        "Quality audits",
        "Reports",
        "Audit log",
        "Admin",
    ],
}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_sees_its_navigation_and_every_page_passes_axe(page: Page, live_server: str, role: Role):
    person = PERSON_FOR[role]
    sign_in(page, live_server, person.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator(".govuk-header")).to_contain_text("Testshire County Council")
    expect(page.locator(".govuk-header")).to_contain_text("Equality impact assessments")
    assert nav_items(page) == EXPECTED_NAV[role]
    # The account links sit apart from the service's pages: the person's name, then Sign out.
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link")).to_have_text(f"{person.name} (your account)")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)

    for link in EXPECTED_NAV[role][1:]:
        page.get_by_role("navigation", name="Menu").get_by_role("link", name=link).click()
        assert_accessible(page)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit(page, f"{live_server}/account/password")
    visit(page, f"{live_server}/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    visit(page, f"{live_server}/accessibility")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")

    # A page the role may not see is refused with a readable page.
    response = visit(page, f"{live_server}/admin/users/")
    assert response.status == (200 if role is Role.ADMIN else 403)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_navigation_fits_on_one_line_at_1280_pixels_and_sign_out_looks_like_a_link(
    browser: Browser, live_server: str, role: Role
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    person = PERSON_FOR[role]
    sign_in(page, live_server, person.email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    items = page.locator(".govuk-service-navigation__item")
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))}
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} lines for {role}"
    # One line of the service navigation is under 70 pixels tall (two would be over 100).
    assert page.locator(".govuk-service-navigation").bounding_box()["height"] < 70

    # "Sign out" is a form's button but looks like the account link beside it.
    def look(locator):
        return locator.evaluate(
            "e => { const s = getComputedStyle(e); return [s.color, s.fontFamily, s.fontSize, s.fontWeight, "
            "s.backgroundColor, s.borderTopWidth, s.textDecorationLine]; }"
        )

    account = page.get_by_role("navigation", name="Your account")
    assert look(account.get_by_role("button", name="Sign out")) == look(account.get_by_role("link"))

    # My work shows the first few of each group, so it stays short: for the demo author (about
    # 40 overdue mitigations, findings, reviews due, drafts) about two and a half screens of 900
    # pixels, header and footer included, where it was over six before.
    main = page.locator("main").bounding_box()
    assert main["height"] < 2.2 * 900, f"My work is {main['height']:.0f} pixels tall for {role}"
    context.close()


def test_keyboard_only_sign_in(page: Page, live_server: str):
    person = PERSON_FOR[Role.EQUALITIES]
    page.goto(f"{live_server}/sign-in")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # From the skip link, Tab on through the page until the email field has focus.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def test_sign_in_errors_are_summarised_and_accessible(page: Page, live_server: str):
    sign_in(page, live_server, "", "")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter your email address")
    expect(page).to_have_title("Error: Sign in – Equality impact assessments – Testshire County Council")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()


def test_admin_adds_a_user_through_the_form(page: Page, live_server: str):
    sign_in(page, live_server, PERSON_FOR[Role.ADMIN].email, DEMO_PASSWORD)
    visit(page, f"{live_server}/admin/users/new")
    page.get_by_label("Full name").fill("Robin Ellis")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_label("Service manager (author)").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address in the correct format")
    expect(page.get_by_label("Full name")).to_have_value("Robin Ellis")  # nothing typed is lost
    assert_accessible(page)

    page.get_by_label("Email address").fill("robin.ellis@council.example")
    page.get_by_label("Service area").select_option(label="Housing > Tenancy Management")
    page.get_by_label("Set a temporary password and tell them it yourself").check()
    page.get_by_label("Temporary password", exact=True).fill("a temporary password")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("Robin Ellis can now sign in")).to_be_visible()
    assert_accessible(page)
    visit(page, f"{live_server}/admin/service-areas/")
    visit(page, f"{live_server}/audit-log/?q=robin")
    expect(page.locator("table")).to_contain_text("User created")


def test_error_pages_are_accessible(page: Page, live_server: str):
    response = visit(page, f"{live_server}/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_a_hidden_button_stays_hidden(page: Page, live_server: str):
    # app.js shows and hides some buttons with the hidden attribute ("Copy the paragraph" until the
    # clipboard can be used, the timeout warning's "Stay signed in"): .govuk-button must not undo it.
    page.goto(f"{live_server}/sign-in")
    page.evaluate(
        """() => {
          const button = document.createElement("button");
          button.className = "govuk-button govuk-button--secondary";
          button.hidden = true;
          button.textContent = "Copy the paragraph";
          document.querySelector("main").append(button);
        }"""
    )
    expect(page.get_by_role("button", name="Copy the paragraph")).to_be_hidden()
