"""A quality audit in a real browser: draw a sample, score an assessment with a finding, see the
quarterly results; axe-core on every page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments.states import EiaState
from eia.demo.people import DEMO_PASSWORD
from eia.extensions import db
from eia.quality import scoring
from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.factories import make_eia


def test_draw_a_sample_and_score_an_assessment(browser: Browser, live_server: str, live_app: Flask):
    with live_app.app_context():
        author = db.session.execute(select(User).where(User.email == "sam.patel@council.example")).scalar_one()
        for n in range(3):
            make_eia(
                author=author,
                title=f"Housing allocations review {n + 1}",
                state=EiaState.APPROVED,
                approved_at=datetime(2024, 8, 5 + n, tzinfo=UTC),
            )
        rubric = scoring.current_rubric()
        criteria = [c["key"] for c in rubric.criteria]
        db.session.commit()

    page = browser.new_context().new_page()
    sign_in(page, live_server, "priya.shah@council.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Quality audits").click()
    assert_accessible(page)
    page.get_by_role("button", name="Draw a sample").click()
    assert_accessible(page)
    page.get_by_label("Financial-year quarter").fill("2024-Q2")
    page.get_by_label("Sample size").fill("5")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text("The sample size (5) is larger than the population: 3 completed EIAs")).to_have_count(2)
    assert_accessible(page)
    page.get_by_label("Sample size").fill("1")
    page.get_by_label("Seed (optional)").fill("browser-test")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text("Sample drawn: 1 assessment. It is now frozen.")).to_be_visible()
    expect(page.get_by_text("browser-test")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Check the draw").click()
    expect(page.get_by_text("the same assessments")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("table", name="1 sampled assessment").get_by_role("link", name="Score").click()
    assert_accessible(page)
    for key in criteria:
        page.locator(f"input[name=score_{key}][value='{0 if key == 'engagement' else 2}']").check()
    page.get_by_label("Comment on engagement on equality impacts (optional)").fill("No engagement recorded.")
    page.get_by_label("Finding 1 (optional)").fill("Record who was engaged on the equality impacts.")
    page.get_by_label("Criterion of finding 1").select_option(label="Engagement on equality impacts")
    page.locator("#finding_1_due-day").fill("31")
    page.locator("#finding_1_due-month").fill("1")
    page.locator("#finding_1_due-year").fill("2027")
    page.get_by_role("button", name="Save the scores").click()
    expect(page.get_by_text("The assessment itself is unchanged.")).to_be_visible()
    expect(page.get_by_role("heading", name="Requires improvement, 34 of 36")).to_be_visible()  # rubric v2
    assert_accessible(page)
    page.get_by_role("link", name="Record who was engaged on the equality impacts.").click()
    assert_accessible(page)

    visit(page, f"{live_server}/samples/")
    expect(page.get_by_role("table", name="Most common findings")).to_contain_text("Engagement on equality impacts")
    assert_accessible(page)

    # The author sees the finding in My work.
    sam = browser.new_context().new_page()
    sign_in(sam, live_server, "sam.patel@council.example", DEMO_PASSWORD)
    expect(sam.get_by_role("table", name="Quality audit findings to put right")).to_contain_text(
        "Record who was engaged"
    )
    assert_accessible(sam)
    sam.context.close()
    page.context.close()
