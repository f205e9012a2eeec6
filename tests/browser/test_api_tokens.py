"""A person makes an API token in the browser, a script uses it, the person revokes it; the API
documentation page is read without signing in. axe-core checks every page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from eia.demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in, visit


def test_make_use_and_revoke_a_token(page: Page, live_server: str):
    sign_in(page, live_server, "sam.patel@council.example", DEMO_PASSWORD)
    visit(page, f"{live_server}/account")
    page.get_by_role("link", name="Manage your API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)

    page.get_by_role("button", name="Make the token").click()  # no name: the error summary says so
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    assert_accessible(page)

    page.get_by_label("Name").fill("Budget dashboard")
    page.get_by_label("Read and write: also change what you can change").check()
    page.get_by_label("How long should it last?").select_option("30")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Token made")
    assert_accessible(page)
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("eia_")

    headers = {"Authorization": f"Bearer {secret}"}
    me = page.request.get(f"{live_server}/api/v1/me", headers=headers)
    assert me.status == 200 and me.json()["email"] == "sam.patel@council.example"
    assert me.json()["token"]["scope"] == "write"
    made = page.request.post(
        f"{live_server}/api/v1/eias/", headers=headers, data={"title": "Community transport grants"}
    )
    assert made.status == 201, made.text()
    reference = made.json()["reference"]
    visit(page, f"{live_server}/eias/{reference}")  # what the script made is there for people
    expect(page.locator("body")).to_contain_text("Community transport grants")
    page.goto(f"{live_server}/eias/{reference}/history")
    expect(page.locator("body")).to_contain_text("(API token eia_")

    page.goto(f"{live_server}/account/tokens")
    row = page.get_by_role("row").filter(has_text="Budget dashboard")
    expect(row).to_contain_text("Active")
    assert secret not in page.content()
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("no longer works")
    expect(page.get_by_role("row").filter(has_text="Budget dashboard")).to_contain_text("Revoked")
    assert_accessible(page)
    assert page.request.get(f"{live_server}/api/v1/me", headers=headers).status == 401


def test_the_api_documentation_page(page: Page, live_server: str):
    visit(page, f"{live_server}/api/v1/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API documentation")
    expect(page.get_by_role("heading", name="POST /api/v1/eias/{reference}/transitions")).to_be_visible()
    expect(page.locator("body")).to_contain_text("If-Match")
    page.get_by_role("link", name="/api/v1/openapi.json").click()
    assert "openapi" in page.content()
