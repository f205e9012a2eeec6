"""The published checkpoints of the audit log, as anyone sees them, and the log checked against the
latest one on the Audit log page; every page checked with axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from eia.accounts.models import Role
from eia.demo.people import DEMO_PASSWORD, PEOPLE
from tests.browser.conftest import assert_accessible, sign_in, visit


def test_anyone_finds_the_checkpoints_and_the_public_key(page: Page, live_server: str):
    visit(page, f"{live_server}/register/")
    page.get_by_role("link", name="Audit log checkpoints").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log checkpoints")
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("newest first")
    first = table.locator("tbody tr").first
    expect(first.get_by_role("link")).to_contain_text("Checkpoint of")
    note = page.request.get(f"{live_server}{first.get_by_role('link').get_attribute('href')}")
    assert note.ok and note.text().splitlines()[0] == "testshire.example/eia-audit-log"
    key_link = page.get_by_role("link", name="The public key that checks the signatures")
    key = page.request.get(f"{live_server}{key_link.get_attribute('href')}")
    assert key.ok and key.text().startswith("testshire.example/eia-audit-log+")
    feed = page.request.get(f"{live_server}/register/audit-checkpoints/feed.json")
    assert feed.ok and feed.json()["checkpoints"][0]["note"] == note.text()


def test_the_audit_log_page_shows_the_log_against_its_latest_checkpoint(page: Page, live_server: str):
    person = next(p for p in PEOPLE if p.role is Role.EQUALITIES)
    sign_in(page, live_server, person.email, DEMO_PASSWORD)
    visit(page, f"{live_server}/audit-log/")
    expect(page.locator("#checkpoint-status")).to_contain_text("The audit log still holds its latest signed checkpoint")
    page.get_by_role("link", name="public register of audit log checkpoints").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log checkpoints")
