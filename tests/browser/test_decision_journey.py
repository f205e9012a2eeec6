"""Review, decision and the committee report in a real browser, with axe-core on every page: the
reviewer reads the whole assessment on the review page, comments on two sections and returns it; the
author resubmits; the reviewer sees the marked change and approves; the decision maker sends it back
once, then signs off; the decision is recorded as amended and a new version is prompted. The
dashboard shows the decision at risk before approval and not after; the paragraph copies and the
Word document downloads."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import docx
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments import decisions, workflow
from eia.db_types import utcnow
from eia.extensions import db
from tests.browser.conftest import assert_accessible, visit
from tests.browser.test_eia_journey import AUTHOR, DECISION_MAKER, REVIEWER, as_person
from tests.factories import complete_eia, make_eia

TITLE = "Household waste recycling centre opening days"


def submitted_with_a_decision_due(app: Flask) -> str:
    """An assessment written and submitted through the services, its decision due in 14 days."""
    with app.app_context():
        author = db.session.execute(select(User).where(User.email == AUTHOR)).scalar_one()
        eia = complete_eia(make_eia(author=author, title=TITLE), author, negative=("age", "disability"))
        decisions.save_decision(
            eia,
            {
                "deciding_body": "committee",
                "body_name": "Environment Committee",
                "planned_on": utcnow().date() + timedelta(days=14),
            },
            expected_version=0,
            by=author,
        )
        workflow.transition(eia, "submit", by=author, confirmed=True)
        db.session.commit()
        return eia.reference


def at_risk_on_the_dashboard(page: Page, base: str) -> str:
    visit(page, f"{base}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equalities dashboard")
    table = page.locator("#decisions-at-risk")
    return table.inner_text() if table.count() else ""


def comment_on(page: Page, section: str, text: str) -> None:
    box = page.get_by_label(f"Comment on {section} (optional)")
    box.fill(text)
    page.get_by_role("button", name=f"Add the comment on {section}").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()


def test_review_decision_and_the_committee_report(browser: Browser, live_app: Flask, live_server: str):
    reference = submitted_with_a_decision_due(live_app)
    reviewer = as_person(browser, live_server, REVIEWER)
    expect(reviewer.get_by_role("link", name="Dashboard")).to_be_visible()
    assert TITLE in at_risk_on_the_dashboard(reviewer, live_server)
    reviewer.locator("#decisions-at-risk").get_by_role("link", name=reference).click()
    assert_accessible(reviewer)

    # The review page shows the whole assessment; opening it starts the review.
    reviewer.get_by_role("button", name="Review this assessment").click()
    expect(reviewer.get_by_role("heading", name="Review: " + TITLE)).to_be_visible()
    expect(reviewer.get_by_text("This is the first submission: every answer is new.")).to_be_visible()
    expect(reviewer.get_by_role("heading", name="The author's declaration")).to_be_visible()
    assert_accessible(reviewer)
    comment_on(reviewer, "evidence and data", "Add the visits by day of the week for each site.")
    comment_on(reviewer, "consultation and engagement", "Say what the Disability Forum said about Sundays.")
    # Typed but not added on its own: it goes with the return.
    reviewer.get_by_label("Comment on consultation and engagement (optional)").fill("Name the groups you met.")
    reviewer.get_by_role("button", name="Return to the author").click()
    expect(reviewer.get_by_role("link", name="Enter a comment explaining this decision")).to_be_visible()
    expect(reviewer.get_by_label("Comment on consultation and engagement (optional)")).to_have_value(
        "Name the groups you met."
    )
    assert_accessible(reviewer)
    reviewer.get_by_label("Or return it to the author").fill("Two sections need more before I can approve it.")
    reviewer.get_by_role("button", name="Return to the author").click()
    expect(reviewer.get_by_text("has been returned to its author")).to_be_visible()

    author = as_person(browser, live_server, AUTHOR)
    visit(author, f"{live_server}/eias/{reference}")
    expect(author.get_by_text("Two sections need more before I can approve it.")).to_be_visible()
    expect(author.get_by_text("Add the visits by day of the week for each site.")).to_be_visible()
    expect(author.get_by_text("Name the groups you met.")).to_be_visible()
    author.get_by_role("link", name="Evidence and data").first.click()
    assert_accessible(author)
    author.get_by_label("What do you know?").fill("Site visits 2024-25 by day: Sunday is the busiest, 24% of visits.")
    author.get_by_label("Yes, I have completed this section").check()
    author.get_by_role("button", name="Save and continue").click()
    author.get_by_role("button", name="Submit for review").click()
    author.get_by_label("I have considered the effect of the proposal").check()
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_text("has been sent to the equalities team for review")).to_be_visible()

    # The reviewer sees the change marked, with what it said before, and approves.
    visit(reviewer, f"{live_server}/eias/{reference}/review")
    expect(reviewer.get_by_text("1 answer changed since the last submission")).to_be_visible()
    changed = reviewer.locator(".govuk-summary-list__row", has=reviewer.get_by_text("Changed", exact=True))
    expect(changed).to_contain_text("Sunday is the busiest, 24% of visits")
    expect(changed.locator(".app-was")).to_contain_text("Before:")
    reviewer.get_by_label("Comment on evidence and data (optional)").fill("The figures by day answer it.")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("This comment is added when you approve it.")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("is approved")).to_be_visible()
    assert TITLE not in at_risk_on_the_dashboard(reviewer, live_server)

    # The decision maker sends it back once, with a reason, then signs it off.
    decision_maker = as_person(browser, live_server, DECISION_MAKER)
    visit(decision_maker, f"{live_server}/eias/{reference}")
    decision_maker.get_by_role("button", name="Send back to the equalities team").click()
    assert_accessible(decision_maker)
    decision_maker.get_by_label("Comment").fill("Check the mitigation for disabled residents with the Forum.")
    decision_maker.get_by_role("button", name="Send back to the equalities team").click()
    expect(decision_maker.get_by_text("has gone back to the equalities team")).to_be_visible()
    assert TITLE in at_risk_on_the_dashboard(decision_maker, live_server)

    visit(reviewer, f"{live_server}/eias/{reference}/review")
    expect(reviewer.get_by_text("The figures by day answer it.")).to_be_visible()
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("is approved")).to_be_visible()

    visit(decision_maker, f"{live_server}/eias/{reference}")
    decision_maker.get_by_role("button", name="Sign off").click()
    decision_maker.get_by_label("I have read the adverse impacts").check()
    decision_maker.get_by_label("Comment").fill("Agreed.")
    decision_maker.get_by_role("button", name="Sign off").click()
    expect(decision_maker.get_by_text("is signed off")).to_be_visible()
    assert TITLE not in at_risk_on_the_dashboard(decision_maker, live_server)

    # The paragraph for the committee report copies, and the whole assessment downloads as DOCX.
    visit(author, f"{live_server}/eias/{reference}")
    paragraph = author.locator("#equality-implications-text")
    expect(paragraph).to_contain_text("It found adverse impacts on age and disability.")
    expect(paragraph).to_contain_text("section 149 of the Equality Act 2010")
    author.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    author.get_by_role("button", name="Copy the paragraph").click()
    expect(author.get_by_role("status")).to_have_text("Paragraph copied")
    copied = author.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"An equality impact assessment ({reference}")
    with author.expect_download() as download:
        author.get_by_role("button", name=f"Download {reference} as a Word document (DOCX)").click()
    assert download.value.suggested_filename == f"{reference}.docx"
    document = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert document.paragraphs[0].text == TITLE
    assert "Equality implications" in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]

    # The decision is taken with amendments: a new version is prompted.
    author.get_by_role("link", name="Update the decision").click()
    assert_accessible(author)
    today = utcnow().date()
    author.locator('input[name="taken_on-day"]').fill(str(today.day))
    author.locator('input[name="taken_on-month"]').fill(str(today.month))
    author.locator('input[name="taken_on-year"]').fill(str(today.year))
    author.get_by_label("Agreed with amendments").check()
    author.get_by_role("button", name="Save the decision record").click()
    expect(author.get_by_text("start the next version of the assessment for the change").first).to_be_visible()
    expect(author.get_by_role("button", name="Start the next version for a review")).to_be_visible()
    assert_accessible(author)
    for page in (author, reviewer, decision_maker):
        page.context.close()
