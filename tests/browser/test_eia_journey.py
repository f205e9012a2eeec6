"""The whole journey of an EIA in a real browser, with axe-core on every page on the way:
an author starts and submits it, the equalities team returns it with a comment, the author fixes and
resubmits it, the reviewer sees the change and approves, the decision maker signs off, it is
published and the public register shows it."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments.models import Eia
from eia.demo.people import DEMO_PASSWORD
from eia.extensions import db
from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.factories import complete_eia

AUTHOR = "sam.patel@council.example"
REVIEWER = "priya.shah@council.example"
DECISION_MAKER = "chris.morgan@council.example"


def as_person(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, base, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert_accessible(page)
    return page


def finish_the_other_sections(app: Flask, reference: str) -> None:
    """The sections not typed in through the browser here are answered through the same services."""
    with app.app_context():
        eia = db.session.execute(select(Eia).where(Eia.reference == reference)).scalar_one()
        author = db.session.execute(select(User).where(User.email == AUTHOR)).scalar_one()
        complete_eia(eia, author, negative=("age",))


def test_an_eia_from_start_to_the_public_register(browser: Browser, live_app: Flask, live_server: str):
    author = as_person(browser, live_server, AUTHOR)
    author.get_by_role("button", name="Start an assessment").click()
    assert_accessible(author)
    author.get_by_label("A policy, function, service or budget proposal").check()
    author.get_by_label("Title of the proposal").fill("Community centre lettings charges")
    author.get_by_role("button", name="Start the assessment").click()
    expect(author.get_by_text("You have completed 0 of 11 sections")).to_be_visible()
    assert_accessible(author)
    reference = author.locator(".govuk-caption-l").first.inner_text()

    author.get_by_role("link", name="About the proposal").click()
    assert_accessible(author)
    author.get_by_role("button", name="Save and continue").click()  # on to its second page
    author.get_by_label("Yes, I have completed this section").check()  # with required answers missing
    author.get_by_role("button", name="Save and continue").click()
    expect(author.locator(".govuk-error-summary")).to_contain_text("Enter the aims and intended outcomes")
    # one missing from the first page is named with its page
    expect(author.locator(".govuk-error-summary")).to_contain_text(
        "Select what is being assessed (page 1 of this section)"
    )
    author.get_by_label("Aims and intended outcomes").fill("Set fair charges for letting community centre rooms.")
    author.get_by_label("No, I will come back to it later").check()
    author.get_by_role("button", name="Save and continue").click()
    expect(author.get_by_text("About the proposal saved.")).to_be_visible()

    finish_the_other_sections(live_app, reference)
    for key in ("impacts", "mitigations", "armed_forces"):
        visit(author, f"{live_server}/eias/{reference}/sections/{key}")
    visit(author, f"{live_server}/eias/{reference}")
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    assert_accessible(author)
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_text("Confirm the declaration to submit the assessment").first).to_be_visible()
    author.get_by_label("I have considered the effect of the proposal").check()
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_text("has been sent to the equalities team for review")).to_be_visible()
    assert_accessible(author)

    reviewer = as_person(browser, live_server, REVIEWER)
    reviewer.get_by_role("link", name=reference).first.click()
    # Opening the review starts it: the whole assessment on one page, a comment box under each section.
    reviewer.get_by_role("button", name="Review this assessment").click()
    expect(reviewer.get_by_role("heading", name=re.compile("Evidence and data"))).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_label("Comment on evidence and data (optional)").fill("Add last year's lettings by group type.")
    reviewer.get_by_role("button", name="Add the comment on evidence and data").click()
    expect(reviewer.get_by_text("Comment added.")).to_be_visible()
    reviewer.get_by_role("button", name="Return to the author").click()
    expect(reviewer.locator(".govuk-error-summary")).to_contain_text("Enter a comment explaining this decision")
    assert_accessible(reviewer)
    # Refused, the review page comes back with the message at the return comment.
    reviewer.get_by_label("Or return it to the author").fill(
        "The evidence needs the lettings data before we can agree it."
    )
    reviewer.get_by_role("button", name="Return to the author").click()
    expect(reviewer.get_by_text("has been returned to its author")).to_be_visible()

    visit(author, f"{live_server}/")
    expect(author.get_by_text("Returned to you for changes")).to_be_visible()
    author.get_by_role("link", name=reference).first.click()
    expect(author.get_by_text("The evidence needs the lettings data")).to_be_visible()
    assert_accessible(author)
    author.get_by_role("link", name="Evidence and data").first.click()
    author.get_by_label("What do you know?").fill(
        "Lettings 2024-25: 1,840 bookings, 62% by voluntary and faith groups."
    )
    author.get_by_label("Yes, I have completed this section").check()
    author.get_by_role("button", name="Save and continue").click()
    author.get_by_role("button", name="Submit for review").click()
    author.get_by_label("I have considered the effect of the proposal").check()
    author.get_by_role("button", name="Submit for review").click()

    visit(reviewer, f"{live_server}/eias/{reference}/review")
    expect(reviewer.get_by_text("1 answer changed since the last submission")).to_be_visible()
    changed = reviewer.locator(".govuk-summary-list__row", has=reviewer.get_by_text("Changed", exact=True))
    expect(changed).to_contain_text("62% by voluntary and faith groups")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("The decision maker is asked to sign it off")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("is approved")).to_be_visible()

    decision_maker = as_person(browser, live_server, DECISION_MAKER)
    decision_maker.get_by_role("link", name=reference).first.click()
    decision_maker.get_by_role("button", name="Sign off").click()
    expect(decision_maker.get_by_role("heading", name="Age: medium severity")).to_be_visible()
    assert_accessible(decision_maker)
    decision_maker.get_by_label("I have read the adverse impacts").check()
    decision_maker.get_by_label("Comment").fill("Agreed, with the morning sessions kept.")
    decision_maker.get_by_role("button", name="Sign off").click()
    expect(decision_maker.get_by_text("is signed off")).to_be_visible()

    visit(reviewer, f"{live_server}/eias/{reference}")
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.get_by_text("Anyone can then read it on the public register")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.get_by_text("is published on the public register")).to_be_visible()

    public = browser.new_context().new_page()
    visit(public, f"{live_server}/register/")
    public.get_by_role("link", name="Community centre lettings charges").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Community centre lettings charges")
    expect(public.get_by_text("62% by voluntary and faith groups")).to_be_visible()
    assert "Add last year's lettings" not in public.content()
    assert_accessible(public)
    for page in (author, reviewer, decision_maker, public):
        page.context.close()
