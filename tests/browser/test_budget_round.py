"""A budget round in a real browser, with axe-core on every page: the equalities team reaches budget
rounds from the dashboard and creates one; three proposals join it; the round's page shows the
matrix in its own scroll region (the page never widens) with age flagged; the members' pack
downloads as PDF and Word."""

from __future__ import annotations

import io

import docx
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.extensions import db
from eia.rounds import services
from eia.rounds.models import BudgetRound
from tests.browser.conftest import assert_accessible
from tests.browser.test_eia_journey import AUTHOR, REVIEWER, as_person
from tests.factories import complete_eia, make_eia

ROUND = "Budget 2098/99"
TITLES = ("Fortnightly home library visits", "Garden waste charge", "Community alarm charges")


def proposals_join(app: Flask) -> None:
    with app.app_context():
        author = db.session.execute(select(User).where(User.email == AUTHOR)).scalar_one()
        budget_round = db.session.execute(select(BudgetRound).where(BudgetRound.name == ROUND)).scalar_one()
        for title in TITLES:
            eia = complete_eia(make_eia(author=author, title=title, proposal_type="budget"), author, negative=("age",))
            services.join_round(eia, budget_round, by=author)
        db.session.commit()


def test_a_budget_round_its_matrix_and_the_members_pack(browser: Browser, live_app: Flask, live_server: str):
    page = as_person(browser, live_server, REVIEWER)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="budget rounds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget rounds")
    assert_accessible(page)

    page.get_by_role("link", name="Create a budget round").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create the round").click()  # nothing typed: the errors show
    expect(page.get_by_role("alert")).to_contain_text("Enter a name")
    assert_accessible(page)
    page.get_by_label("Name of the round").fill(ROUND)
    page.get_by_label("Day").fill("24")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    expect(page.get_by_text("No proposal has joined this round yet.")).to_be_visible()
    assert_accessible(page)

    proposals_join(live_app)
    page.set_viewport_size({"width": 1024, "height": 800})
    page.reload()
    expect(page.get_by_text("Age: hit by 3 or more proposals.")).to_be_visible()
    matrix = page.get_by_role("region", name="Impacts of each proposal on each group")
    expect(matrix).to_be_visible()
    expect(matrix.get_by_role("link", name="Negative (medium) for age")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    with page.expect_download() as pdf:
        page.get_by_role("button", name="Download the members' pack (PDF)").click()
    assert pdf.value.suggested_filename == "members-pack-budget-2098-99.pdf"
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as word:
        page.get_by_role("button", name="Download the members' pack (Word)").click()
    with open(word.value.path(), "rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Cumulative findings" in headings
    assert any(TITLES[0] in heading for heading in headings)

    matrix.get_by_role("link", name="Negative (medium) for age").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Impact on age: negative")
    assert_accessible(page)
