"""In a real browser: an administrator uploads a new form template version with a mistake, sees it
named by line, fixes it, previews and publishes it; a second member of the equalities team
moderates a scoring. axe-core on every page."""

from __future__ import annotations

import yaml
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments import queries as eia_queries
from eia.assessments.states import EiaKind
from eia.demo.people import DEMO_PASSWORD
from eia.extensions import db
from eia.quality import sampling
from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.factories import make_eia, make_scored_sample


def _next_version_yaml(live_app: Flask) -> tuple[int, str]:
    """The newest published standard template as YAML, numbered as the next version."""
    with live_app.app_context():
        newest = eia_queries.latest_template(EiaKind.STANDARD)
        data = dict(newest.definition) | {"version": newest.version + 1}
    return newest.version + 1, yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_an_admin_uploads_fixes_previews_and_publishes_a_version(browser: Browser, live_server: str, live_app: Flask):
    number, good = _next_version_yaml(live_app)
    bad_lines = good.splitlines(keepends=True)
    wrong = next(n for n, line in enumerate(bad_lines) if line.strip() == "type: date")
    bad_lines[wrong] = bad_lines[wrong].replace("type: date", "type: calendar")
    bad = "".join(bad_lines)

    page = browser.new_context().new_page()
    sign_in(page, live_server, "alex.green@council.example", DEMO_PASSWORD)
    visit(page, f"{live_server}/admin/")
    page.get_by_role("link", name="Form templates").click()
    expect(page.get_by_role("table", name="Versions")).to_contain_text("Published")
    assert_accessible(page)
    page.get_by_role("button", name="Upload a new version").click()
    assert_accessible(page)

    upload = {"name": f"standard-v{number}.yaml", "mimeType": "application/yaml"}
    page.get_by_label("Template file (YAML)").set_input_files(upload | {"buffer": bad.encode()})
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#problem-list")).to_contain_text(f"Line {wrong + 1}:")
    expect(page.locator("#problem-list")).to_contain_text("unknown type 'calendar'")
    expect(page.get_by_role("alert")).to_contain_text(f"Line {wrong + 1}")  # the error summary
    assert_accessible(page)

    page.get_by_label("Template file (YAML)").set_input_files(upload | {"buffer": good.encode()})
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text(f"Version {number} of the standard template has no problems.")).to_be_visible()
    expect(page.get_by_text("Not published: new assessments do not use it yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Preview it as an author will see it").click()
    expect(page.get_by_text("Nothing typed here is saved.")).to_be_visible()
    expect(page.get_by_label("Title of the proposal")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name=f"Compare with version {number - 1}").click()
    expect(page.get_by_text("No section or question differs.")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text(f"Version {number} of the standard template is published")).to_be_visible()
    assert_accessible(page)
    with live_app.app_context():
        assert eia_queries.latest_template(EiaKind.STANDARD).version == number
    page.context.close()


def test_a_second_member_of_the_team_moderates_a_scoring(browser: Browser, live_server: str, live_app: Flask):
    with live_app.app_context():
        sample, item, _ = make_scored_sample(make_eia(title="Street lighting switch-off"))
        criteria = [c["key"] for c in item.scores[0].rubric.criteria]
        sample_id, item_id, area_id = sample.id, item.id, sample.service_area_ids[0]
        assert db.session.execute(select(User).where(User.email == "dev.rahman@council.example")).scalar_one()

    page = browser.new_context().new_page()
    sign_in(page, live_server, "dev.rahman@council.example", DEMO_PASSWORD)
    visit(page, f"{live_server}/samples/{sample_id}/items/{item_id}")
    page.get_by_role("link", name="Moderate this scoring").click()
    assert_accessible(page)
    page.get_by_label("No: I give my own scores below").check()
    page.get_by_role("button", name="Save the moderation").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why your scores differ")
    assert_accessible(page)
    for key in criteria:
        page.locator(f"input[name=score_{key}][value='{0 if key == 'evidence' else 2}']").check()
    page.get_by_label("Note").fill("The evidence section cites no data at all.")
    page.get_by_role("button", name="Save the moderation").click()
    expect(page.get_by_text("The first scores are kept.")).to_be_visible()
    expect(page.get_by_text("These moderated scores are the ones that count.")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Moderated score")).to_be_visible()
    assert_accessible(page)
    visit(page, f"{live_server}/samples/")
    expect(page.get_by_role("table", name="The quarterly target")).to_contain_text("Scorings moderated")
    # A risk-weighted sample shows its strata.
    with live_app.app_context():
        drawn = sampling.draw_sample(
            period=sampling.parse_period("2025-Q1"),
            size="1",
            service_area_ids=[area_id],
            exclude_months=0,
            strata=[{"key": "key_decision", "minimum": 1}],
            by=db.session.execute(select(User).where(User.email == "priya.shah@council.example")).scalar_one(),
        )
        db.session.commit()
        weighted = drawn.id
    visit(page, f"{live_server}/samples/{weighted}")
    expect(page.get_by_text("Risk-weighted (version 2)")).to_be_visible()
    expect(page.get_by_text("Key decisions: weight 1, at least 1 – 0 drawn of 0")).to_be_visible()
    page.context.close()
