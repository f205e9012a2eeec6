"""Reflow (WCAG 1.4.10): at 320 by 800 no page the browser tests visit scrolls sideways. A wide table
may scroll inside its own labelled, focusable region; the page itself may not. Each page is also
checked with axe at that width, and so are forms sent empty, in their error state, for each role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import func, select

from eia.accounts.models import Role, User
from eia.assessments.models import Eia, Mitigation
from eia.assessments.queries import financial_year_of
from eia.assessments.states import EiaState
from eia.demo.people import DEMO_PASSWORD, PEOPLE
from eia.extensions import db
from eia.quality.models import Sample, SampleItem
from eia.rounds.models import BudgetRound
from tests.browser.conftest import NARROW, assert_accessible, sign_in, too_wide
from tracker.models import Plan, PlanAction

PERSON_FOR = {person.role: person for person in reversed(PEOPLE)}


def _demo_urls(app: Flask) -> dict[str, Any]:
    """Addresses of real demo records: a published assessment, the one with most mitigations, a sample."""
    with app.app_context():
        published = db.session.scalars(
            select(Eia.reference).where(Eia.state == EiaState.PUBLISHED).order_by(Eia.id)
        ).first()
        mitigated = db.session.scalars(
            select(Eia.reference)
            .join(Mitigation, Mitigation.eia_id == Eia.id)
            .group_by(Eia.id, Eia.reference)
            .order_by(func.count(Mitigation.id).desc())
        ).first()
        sample = db.session.scalars(select(Sample.id).order_by(Sample.id)).first()
        item = db.session.scalars(
            select(SampleItem.id).where(SampleItem.sample_id == sample).order_by(SampleItem.id)
        ).first()
        plan = db.session.scalars(select(Plan.id).order_by(Plan.id)).first()
        action = db.session.scalars(select(PlanAction.id).order_by(PlanAction.id)).first()
        budget_round = db.session.scalars(select(BudgetRound.id).order_by(BudgetRound.id)).first()
    return {
        "round": budget_round,
        "last_year": financial_year_of(date.today()) - 1,
        "published": published,
        "mitigated": mitigated,
        "sample": sample,
        "item": item,
        "plan": plan,
        "action": action,
    }


def _pages(ids: dict[str, Any]) -> dict[Role | None, list[str]]:
    published, mitigated = ids["published"], ids["mitigated"]
    return {
        None: [
            "/sign-in",
            "/accessibility",
            "/register/",
            f"/register/{published}",
            "/register/audit-checkpoints",
            "/register/equality-information/",
            f"/register/equality-information/{ids['last_year']}",
            "/no/such/page",
        ],
        Role.EQUALITIES: [
            "/",
            "/eias/",
            "/eias/?page=2",
            "/eias/new",
            f"/eias/{published}",
            f"/eias/{published}/history",
            f"/eias/{published}/evidence/",
            f"/eias/{published}/review",
            f"/eias/{published}/decision",
            f"/eias/{published}/sections/impacts",
            f"/eias/{mitigated}/sections/mitigations",
            f"/eias/{mitigated}/actions/",
            "/plans/",
            "/plans/dashboard",
            "/dashboard",
            "/rounds/",
            "/rounds/new",
            f"/rounds/{ids['round']}",
            f"/reports/{ids['last_year']}/commentary",
            f"/register/equality-information/{ids['last_year']}/edit",
            f"/plans/{ids['plan']}",
            f"/plans/actions/{ids['action']}",
            "/programme/",
            "/samples/",
            f"/samples/{ids['sample']}",
            f"/samples/{ids['sample']}/items/{ids['item']}",
            "/reports/",
            "/audit-log/",
            "/audit-log/?q=robin",
            "/api/v1/",
            "/account",
            "/account/tokens",
            "/account/password",
            "/notifications",
        ],
        Role.ADMIN: [
            "/admin/",
            "/admin/users/",
            "/admin/users/new",
            "/admin/service-areas/",
            "/admin/characteristics/",
            "/admin/templates/",
        ],
    }


@pytest.mark.parametrize("role", [None, Role.EQUALITIES, Role.ADMIN], ids=lambda r: str(r or "public"))
def test_no_page_scrolls_sideways_at_320_pixels(page: Page, demo_server: str, demo_app: Flask, role: Role | None):
    page.set_viewport_size(NARROW)
    if role is not None:
        sign_in(page, demo_server, PERSON_FOR[role].email, DEMO_PASSWORD)
    wide: dict[str, str] = {}
    for path in _pages(_demo_urls(demo_app))[role]:
        response = page.goto(f"{demo_server}{path}")
        if path != "/no/such/page":
            assert response.status < 400, f"{path} answered {response.status}"
        width = too_wide(page)
        if width is not None:
            wide[path] = width
        assert_accessible(page)
    assert wide == {}, f"pages wider than 320 px: {wide}"


def test_the_annual_report_reflows(page: Page, demo_server: str):
    page.set_viewport_size(NARROW)
    sign_in(page, demo_server, PERSON_FOR[Role.EQUALITIES].email, DEMO_PASSWORD)
    page.goto(f"{demo_server}/reports/")  # redirects to this financial year
    assert "/reports/" in page.url
    assert too_wide(page) is None, f"the report is {too_wide(page)} px wide"
    assert_accessible(page)
    # Scaled down to 320 px a chart's labels would fall below 10 px: there it is hidden, its numbers
    # being in the table beside it; on a wide screen it is shown at full size.
    charts = page.locator("svg.app-chart")
    assert charts.count() >= 2
    assert all(not chart.is_visible() for chart in charts.all())
    page.set_viewport_size({"width": 1280, "height": 800})
    assert all(chart.is_visible() for chart in charts.all())
    page.set_viewport_size(NARROW)
    # Every report table scrolls in its own region, so the page does not.
    for table in page.locator("table.app-report-table").all():
        region = table.locator("xpath=..")
        assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


def _forms(app: Flask) -> dict[Role, list[str]]:
    """Forms each role can send empty, each answered with its error summary."""
    with app.app_context():
        draft = db.session.scalars(
            select(Eia.reference)
            .join(User, User.id == Eia.author_id)
            .where(User.email == PERSON_FOR[Role.AUTHOR].email, Eia.state == EiaState.DRAFT)
            .order_by(Eia.id)
        ).first()
    return {
        Role.AUTHOR: [f"/eias/{draft}/evidence/new/file", f"/eias/{draft}/evidence/new/link"],
        Role.EQUALITIES: ["/eias/new", "/rounds/new", "/plans/import", "/account/password", "/account/tokens"],
        Role.ADMIN: ["/admin/users/new", "/admin/service-areas/"],
    }


_SEND = "main form[method=post i] button.govuk-button:not(.govuk-button--secondary):not(.govuk-button--warning)"


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.EQUALITIES, Role.ADMIN], ids=str)
def test_forms_in_their_error_state_pass_axe_and_reflow(page: Page, demo_server: str, demo_app: Flask, role: Role):
    page.set_viewport_size(NARROW)
    sign_in(page, demo_server, PERSON_FOR[role].email, DEMO_PASSWORD)
    for path in _forms(demo_app)[role]:
        page.goto(f"{demo_server}{path}")
        with page.expect_navigation():
            page.locator(_SEND).first.click()
        assert page.locator(".govuk-error-summary").is_visible(), f"{path} sent empty shows no error summary"
        assert too_wide(page) is None, f"{path} in its error state is {too_wide(page)} wide"
        assert_accessible(page)
