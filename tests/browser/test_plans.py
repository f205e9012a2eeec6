"""Action plans in a real browser: the plans, a plan, an action, and linking an EIA to an action;
axe-core on every page."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from eia.demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in, visit


def test_browse_plans_and_link_an_eia_to_an_action(browser: Browser, live_server: str):
    page = browser.new_context().new_page()
    sign_in(page, live_server, "sam.patel@council.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Action plans").click()
    assert_accessible(page)
    page.get_by_role("link", name="Equality Strategy Action Plan 2020 - 2022").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", name="PEO 1")).to_be_visible()
    expect(page.get_by_text("This plan is no longer active")).to_be_visible()  # Charnwood's 2020-2022 plan
    page.get_by_role("link", name="Audit Equality Impact Assessment (EIA) completion").click()
    assert_accessible(page)
    expect(page.get_by_text("Annual EIA Report submitted to Equality Working Group")).to_be_visible()

    visit(page, f"{live_server}/eias/new")
    page.get_by_label("A policy, function, service or budget proposal").check()
    page.get_by_label("Title of the proposal").fill("Temporary accommodation placements policy")
    page.get_by_role("button", name="Start the assessment").click()
    reference = page.locator(".govuk-caption-l").first.inner_text()
    page.get_by_role("link", name="Links to the action plan").click()
    assert_accessible(page)
    page.get_by_role("link", name="Choose the actions this assessment evidences").click()
    assert_accessible(page)
    # Only a plan still running takes links: Leicester's second plan, not Charnwood's ended one.
    assert page.locator("#action_id option", has_text="PEO 1 1.3:").count() == 0
    label = page.locator(
        "#action_id option", has_text="Develop an inclusive decision-making framework"
    ).first.inner_text()
    page.get_by_label("Which action does this assessment evidence?").select_option(label=label)
    page.get_by_label("How does it evidence the action?").fill("Its consultation was run under the new framework.")
    page.get_by_role("button", name="Link to this action").click()
    expect(page.get_by_text("Link to the action plan saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Equality action plan (2) – Priority 4").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_equalities_team_imports_a_plan_updates_it_and_links_an_eia(browser: Browser, live_server: str, tmp_path):
    plan = tmp_path / "community-safety-plan.csv"
    plan.write_text(
        "plan,organisation,priority_ref,priority,action_ref,action,lead,target,success_measures\n"
        "Community cohesion plan,Example Borough Council,Aim 1,Bring communities together,1.1,"
        "Run a hate crime awareness week,Community Safety,October 2026,Reports of hate crime rise as confidence grows\n",
        encoding="utf-8",
    )
    page = browser.new_context().new_page()
    sign_in(page, live_server, "priya.shah@council.example", DEMO_PASSWORD)
    visit(page, f"{live_server}/plans/")
    page.get_by_role("button", name="Import a plan").click()
    assert_accessible(page)
    page.get_by_label("Plan file").set_input_files(str(plan))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("1 new plan: Community cohesion plan (Example Borough Council)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Imported community-safety-plan.csv: 1 action added")).to_be_visible()
    expect(page.get_by_role("link", name="Community cohesion plan")).to_be_visible()
    assert_accessible(page)

    # The new plan on the dashboard: one action, not started, never updated.
    page.get_by_role("link", name="Community cohesion plan").click()
    expect(page.get_by_role("table", name="Actions under Aim 1").locator("td").last).to_have_text("0")
    page.get_by_role("link", name="Progress and actions needing attention").click()
    assert_accessible(page)
    summary = page.get_by_role("table", name="Progress by priority")
    expect(summary.get_by_role("row").nth(1)).to_contain_text("Aim 1")
    expect(page.locator("#figure-total")).to_have_text("1")
    expect(page.locator("#figure-stale")).to_have_text("1")

    # A progress update moves it on track and clears "no update".
    page.get_by_role("link", name="Aim 1 1.1: Run a hate crime awareness week").click()
    assert_accessible(page)
    page.get_by_label("What progress has been made?").fill("Venues booked and partners confirmed.")
    page.get_by_label("On track").check()
    page.get_by_role("button", name="Add progress update").click()
    expect(page.get_by_text("Progress update added.")).to_be_visible()
    expect(page.get_by_text("status not started → on track")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change the action").click()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Community cohesion plan").click()
    page.get_by_role("link", name="Progress and actions needing attention").click()
    expect(page.locator("#figure-stale")).to_have_text("0")
    cells = summary.get_by_role("row").nth(1).get_by_role("cell")
    expect(cells.nth(0)).to_have_text("0")  # not started
    expect(cells.nth(1)).to_have_text("1")  # on track

    # An assessment linked to the action shows in the plan's count.
    visit(page, f"{live_server}/eias/new")
    page.get_by_label("A policy, function, service or budget proposal").check()
    page.get_by_label("Title of the proposal").fill("Hate crime reporting centres")
    page.get_by_label("Service area").select_option(label="Neighbourhoods and Environment > Community Safety")
    page.get_by_role("button", name="Start the assessment").click()
    page.get_by_role("link", name="Links to the action plan").click()
    page.get_by_role("link", name="Choose the actions this assessment evidences").click()
    label = page.locator("#action_id option", has_text="Community cohesion plan").first.inner_text()
    page.get_by_label("Which action does this assessment evidence?").select_option(label=label)
    page.get_by_label("How does it evidence the action?").fill("The centres are part of the awareness week.")
    page.get_by_role("button", name="Link to this action").click()
    expect(page.get_by_text("Link to the action plan saved.")).to_be_visible()
    visit(page, f"{live_server}/plans/")
    page.get_by_role("link", name="Community cohesion plan").click()
    expect(page.get_by_role("table", name="Actions under Aim 1").locator("td").last).to_have_text("1")
    page.get_by_role("link", name="All plans").click()
    page.get_by_role("link", name="The EIA programme").click()
    expect(page.get_by_role("table", name="Completion and publication rates")).to_be_visible()
    assert_accessible(page)
    page.context.close()
