"""Version 2 of the form in a real browser, with axe-core on every page: an author whose change to
housing allocations is screened out is still asked for the Armed Forces Covenant section; the
follow-up question appears only under the answer that needs it, and without JavaScript it still shows."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments import services
from eia.assessments.models import Eia
from eia.demo.people import DEMO_PASSWORD
from eia.extensions import db
from tests.browser.conftest import assert_accessible, sign_in, visit

AUTHOR = "jo.okafor@council.example"


def answer_about(app: Flask, reference: str) -> None:
    """The About section is answered through the service; the screening is typed in the browser."""
    with app.app_context():
        eia = db.session.execute(select(Eia).where(Eia.reference == reference)).scalar_one()
        author = db.session.execute(select(User).where(User.email == AUTHOR)).scalar_one()
        about = {
            "title": eia.title,
            "proposal_type": "policy",
            "lead_officer": str(author.id),
            "decision_maker": "Cabinet Member for Housing",
            "decision_route": "delegated",
            "started_on": date(2026, 11, 2),
            "aims": "Make the band descriptions easier to understand.",
            "changes": "The wording of band B changes; nobody's band or priority changes.",
            "affects": "residents",
            "plain_summary": "We are rewording band B of the housing allocations scheme. Nobody's band changes.",
        }
        services.save_section(
            eia, "about", about, completed=True, expected_version=eia.section("about").version, by=author
        )
        db.session.commit()


def test_a_screened_out_housing_allocations_change_is_asked_for_the_covenant_section(
    browser: Browser, live_app: Flask, live_server: str
):
    page = browser.new_context().new_page()
    sign_in(page, live_server, AUTHOR, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert_accessible(page)
    page.get_by_role("button", name="Start an assessment").click()
    assert_accessible(page)
    page.get_by_label("A policy, function, service or budget proposal").check()
    page.get_by_label("Title of the proposal").fill("Housing allocations: wording of band B")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("You have completed 0 of 11 sections")).to_be_visible()
    assert_accessible(page)
    reference = page.locator(".govuk-caption-l").first.inner_text()
    answer_about(live_app, reference)

    # Screening is asked over two pages.
    visit(page, f"{live_server}/eias/{reference}/sections/screening")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_label("How many people are affected, and who are they?").fill("About 6,300 households.")
    page.get_by_label("How significant is the effect on them?").fill("None: only the wording changes.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert_accessible(page)
    reason = page.get_by_label("Why is a full assessment not needed?")
    expect(reason).to_be_hidden()  # revealed only by the answer that needs it
    page.get_by_text("Help with this question: Does the proposal touch any of these functions?").click()
    expect(page.get_by_text("If you tick any, you must complete the Armed Forces Covenant section")).to_be_visible()
    page.get_by_label("Housing: allocation of social housing (Part 6 of the Housing Act 1996)").check()
    page.get_by_role("group", name="Is a full assessment needed?").get_by_label("No", exact=True).check()
    expect(reason).to_be_visible()
    assert_accessible(page)
    reason.fill("Only the wording of band B changes; every applicant keeps their band and priority.")
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Screening saved.")).to_be_visible()
    assert_accessible(page)

    covenant = page.locator(".govuk-task-list__item", has_text="Armed Forces Covenant")
    expect(covenant).to_contain_text("Needed because screening found a function the Armed Forces Covenant duty covers")
    expect(page.locator(".govuk-task-list__item", has_text="Evidence and data")).to_contain_text(
        "Not needed after screening"
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("It cannot be submitted yet")).to_be_visible()
    expect(
        page.get_by_text("Complete the section 'Armed Forces Covenant' (needed because screening found")
    ).to_be_visible()
    assert_accessible(page)

    visit(page, f"{live_server}/eias/{reference}/sections/armed_forces")
    expect(page.get_by_text("the bereaved: the families of those who died in service")).to_be_visible()
    page.get_by_label("Veterans", exact=True).check()
    page.get_by_label("The bereaved").check()
    page.get_by_label("How have you had regard to the unique obligations").fill(
        "Service families move at short notice; the band B wording keeps their in-year route."
    )
    page.get_by_label("How have you had regard to the principle that it is desirable").fill(
        "Veterans and bereaved partners stay exempt from the local connection rule."
    )
    page.get_by_label("How have you had regard to the principle that special provision").fill(
        "Band A for veterans injured in service is unchanged."
    )
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Armed Forces Covenant saved.")).to_be_visible()
    expect(page.get_by_text("You have completed 3 of 3 sections")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    expect(page.get_by_text("It cannot be submitted yet")).to_have_count(0)
    assert_accessible(page)

    # Every page of version 2 passes axe, the stop check's follow-ups included once revealed.
    for key in (
        "about",
        "about/2",
        "consultation",
        "consultation/2",
        "local_duties",
        "rights",
        "mitigations",
        "mitigations/2",
        "impacts/across-groups",
    ):
        visit(page, f"{live_server}/eias/{reference}/sections/{key}")
    visit(page, f"{live_server}/eias/{reference}/sections/outcome")
    justification = page.get_by_label("What is the objective justification?")
    expect(justification).to_be_hidden()
    page.get_by_role("group", name="Could the proposal lead to unlawful discrimination?").get_by_label(
        "Yes", exact=True
    ).check()
    expect(justification).to_be_visible()
    expect(page.get_by_label("Indirect discrimination")).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_without_javascript_the_follow_up_question_still_shows(browser: Browser, live_server: str):
    # (axe needs scripts: these pages are checked with them in the test above)
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(AUTHOR)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_label("A policy, function, service or budget proposal").check()
    page.get_by_label("Title of the proposal").fill("Parks grounds maintenance")
    page.get_by_role("button", name="Start the assessment").click()
    reference = page.locator(".govuk-caption-l").first.inner_text()
    page.goto(f"{live_server}/eias/{reference}/sections/screening/2")
    expect(page.get_by_label("Why is a full assessment not needed?")).to_be_visible()
    page.context.close()
