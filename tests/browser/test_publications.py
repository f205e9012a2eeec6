"""What councils publish, in a real browser with axe: the register searched with its filters (and
the search kept in the address, so it can be shared), a published assessment opening with its
summary, and last year's equality information."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Page, expect

from eia.assessments.queries import financial_year_of
from tests.browser.conftest import assert_accessible


def test_a_resident_filters_the_register_and_shares_the_search(page: Page, demo_server: str):
    page.goto(f"{demo_server}/register/")
    assert_accessible(page)
    total = page.locator("caption").first.inner_text()
    page.get_by_label("Outcome").select_option(label="Adjust the proposal")
    page.get_by_role("button", name="Show assessments").click()
    assert "outcome=adjust" in page.url
    assert_accessible(page)
    narrowed = page.locator("caption").first.inner_text()
    assert narrowed != total
    # The address alone brings the same search back.
    shared = page.url
    page.goto(f"{demo_server}/register/")
    page.goto(shared)
    expect(page.get_by_label("Outcome")).to_have_value("adjust")
    page.get_by_role("link", name="Clear the filters").click()
    assert page.locator("caption").first.inner_text() == total
    # A published assessment opens with its summary, its outcome and the decision.
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", name="In short")).to_be_visible()
    expect(page.get_by_text("What the assessment concluded")).to_be_visible()
    assert_accessible(page)


def test_last_years_equality_information_is_published(page: Page, demo_server: str, demo_app: Flask):
    year = financial_year_of(date.today()) - 1
    page.goto(f"{demo_server}/register/")
    page.get_by_role("link", name="equality information").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Equality information {year}/{(year + 1) % 100:02d}").click()
    expect(page.get_by_role("heading", name=f"Equality information {year}/{(year + 1) % 100:02d}")).to_be_visible()
    expect(page.get_by_text("Last published")).to_be_visible()
    expect(page.get_by_role("heading", name="Progress on our equality objectives")).to_be_visible()
    assert_accessible(page)
