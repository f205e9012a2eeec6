"""A link in an error summary moves focus to the input it names: a group of radios to its first
radio, a date to its first box. The forms in their error state pass axe too."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.models import Eia
from eia.assessments.states import EiaState
from eia.demo.people import DEMO_PASSWORD, PEOPLE
from eia.extensions import db
from tests.browser.conftest import assert_accessible, sign_in, visit

PERSON = next(person for person in PEOPLE if person.role is Role.EQUALITIES)


def _in_review(app: Flask) -> str:
    with app.app_context():
        states = (EiaState.DRAFT, EiaState.SUBMITTED, EiaState.IN_REVIEW)
        reference = db.session.scalars(select(Eia.reference).where(Eia.state.in_(states)).order_by(Eia.id)).first()
    assert reference, "the demo has an assessment not yet decided"
    return reference


def test_error_links_move_focus_to_the_first_input(page: Page, demo_server: str, demo_app: Flask):
    sign_in(page, demo_server, PERSON.email, DEMO_PASSWORD)

    visit(page, f"{demo_server}/eias/new")
    page.get_by_role("button", name="Start the assessment").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what kind of assessment it is")
    assert_accessible(page)
    summary.get_by_role("link", name="Select what kind of assessment it is").click()
    expect(page.get_by_label("A policy, function, service or budget proposal")).to_be_focused()

    visit(page, f"{demo_server}/eias/{_in_review(demo_app)}/decision")
    page.locator("#planned_on-day").fill("31")
    page.locator("#planned_on-month").fill("2")
    page.locator("#planned_on-year").fill("2027")
    page.get_by_role("button", name="Save the decision record").click()
    expect(summary).to_contain_text("must be a real date")
    assert_accessible(page)
    summary.get_by_role("link", name="When is the decision due to be taken? must be a real date").click()
    expect(page.locator("#planned_on-day")).to_be_focused()
