"""Evidence in a real browser: upload a PDF, link it to Disability, see it on the impacts page and
download the same bytes; axe-core on every page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from weasyprint import HTML

from eia.demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in, visit


def test_upload_link_see_and_download_a_pdf(browser: Browser, live_server: str, tmp_path: Path):
    pdf = tmp_path / "disability-monitoring.pdf"
    pdf.write_bytes(HTML(string="<h1>Disability monitoring 2024-25</h1><p>Hoist users: 38</p>").write_pdf())
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in(page, live_server, "jo.okafor@council.example", DEMO_PASSWORD)
    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_label("A policy, function, service or budget proposal").check()
    page.get_by_label("Title of the proposal").fill("Changing places toilets in parks")
    page.get_by_role("button", name="Start the assessment").click()
    reference = page.locator(".govuk-caption-l").first.inner_text()

    page.get_by_role("link", name=f"Evidence for {reference}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a file").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Disability monitoring 2024-25")
    page.get_by_label("File", exact=True).set_input_files(str(pdf))
    page.get_by_label("Disability", exact=True).check()
    page.get_by_label("Impact on each characteristic").check()
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("'Disability monitoring 2024-25' added to the evidence.")).to_be_visible()
    assert_accessible(page)

    visit(page, f"{live_server}/eias/{reference}/sections/impacts")
    page.get_by_role("group", name="Disability").get_by_label("Negative").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact on disability: negative")
    assert_accessible(page)
    expect(page.get_by_label("Disability monitoring 2024-25")).to_be_checked()
    behind = page.locator(".govuk-inset-text", has_text="Evidence behind this").first
    expect(behind).to_contain_text("Disability monitoring 2024-25")
    with page.expect_download() as download_info:
        behind.get_by_role("link", name="Disability monitoring 2024-25").click()
    download = download_info.value
    assert download.suggested_filename == "disability-monitoring.pdf"
    assert Path(download.path()).read_bytes() == pdf.read_bytes()
    page.context.close()
