"""A live server on loopback with the demo data, and Debian's chromium driven by Playwright.

Every page a test visits is checked with axe-core, at 320 by 800 pixels for anything that makes the
page scroll sideways (WCAG 1.4.10), and for error-summary links that lead to no input; any of them
fails the test.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from eia import create_app
from eia.auditlog import checkpoints
from eia.auditlog.services import command_line_actor
from eia.auditlog.signing import SigningKey, write_key_file
from eia.db_types import utcnow
from eia.demo.council import load_demo_council
from eia.demo.people import load_demo
from eia.extensions import db
from eia.signals import load_shipped
from tracker.demo import load_demo_plans

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def build_live_app(tmp_path_factory: pytest.TempPathFactory, *, assessments: bool = False) -> Flask:
    """An app on its own SQLite file with the demo people and plans, and with *assessments* the demo's
    assessments and quality-audit samples too (as `eia demo` loads them)."""
    path = tmp_path_factory.mktemp("live") / "live.sqlite"
    key_file = tmp_path_factory.mktemp("live-key") / "audit-log-signing.key"
    write_key_file(key_file, SigningKey.generate("testshire.example/eia-audit-log"))
    app = create_app(
        {
            "TESTING": False,
            "EIA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test-secret-key-long-enough",
            "EIA_COUNCIL_NAME": "Testshire County Council",
            "EIA_EVIDENCE_DIR": str(tmp_path_factory.mktemp("live-evidence")),
            "EIA_REPORT_DIR": str(tmp_path_factory.mktemp("live-reports")),
            "EIA_AUDIT_SIGNING_KEY_FILE": str(key_file),
        }
    )
    with app.app_context():
        upgrade()
        if assessments:  # everything `eia demo` loads
            load_demo_council(utcnow().date(), by=command_line_actor())
        else:
            load_shipped(by=command_line_actor())
            load_demo(by=command_line_actor())
            load_demo_plans(by=command_line_actor())
        db.session.commit()
        checkpoints.make_checkpoint()
        db.session.commit()
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve *app* on a free loopback port for as long as the block lasts; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return build_live_app(tmp_path_factory)


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    with serving(live_app) as base:
        yield base


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """A second live app holding the whole demo: assessments in every state, samples, reports."""
    return build_live_app(tmp_path_factory, assessments=True)


@pytest.fixture(scope="session")
def demo_server(demo_app: Flask) -> Iterator[str]:
    with serving(demo_app) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # A refused page (403, 404) is logged as "Failed to load resource"; failed assets are caught below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            errors.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", on_response)
    yield page
    context.close()
    # A CSP violation, a broken script or a missing stylesheet fails the test.
    assert errors == [], errors


_axe = Axe()
_NAVIGATING = re.compile(r"documentElement|Execution context was destroyed|navigat")
NARROW = {"width": 320, "height": 800}

#: What sticks out past the right edge, or spills its text past it, outside any scrolling region: a
#: few of the innermost elements.
_OVERFLOWING = """() => {
  const edge = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("[role=region][tabindex='0']")) continue;
    // Past the edge itself, or its text spills out of it past the edge (a long word).
    const right = el.getBoundingClientRect().right + Math.max(0, el.scrollWidth - el.clientWidth);
    if (right <= edge + 0.5) continue;
    if ([...el.children].some((child) => child.getBoundingClientRect().right > edge + 0.5)) continue;
    out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
  }
  return out.slice(0, 5);
}"""


def too_wide(page: Page) -> str | None:
    """The document's width, and what makes it so, when it is wider than the viewport; else None."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= viewport:
        return None
    return f"{width} px: {', '.join(page.evaluate(_OVERFLOWING))}"


def _too_wide_at_320(page: Page) -> str | None:
    """:func:`too_wide` with the viewport at 320 by 800 for a moment (the test's own size is put back)."""
    size = page.viewport_size
    if size == NARROW:
        return too_wide(page)
    page.set_viewport_size(NARROW)
    try:
        return too_wide(page)
    finally:
        if size is not None:
            page.set_viewport_size(size)


#: Error-summary links whose target is not a box, a list or a text area on the page (so following
#: one would leave focus on the link).
_SUMMARY_LINKS_TO_NOTHING = """() => [...document.querySelectorAll(".govuk-error-summary a[href^='#']")]
  .filter((link) => {
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    return !target || !["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
  })
  .map((link) => `${link.textContent.trim()} -> ${link.hash}`)"""


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page once it has loaded and fail on any violation, when the page is
    wider than a 320-pixel viewport, or when an error-summary link points at anything but an input.

    A click that navigates returns before the next page arrives; axe started in between finds no
    document (or its context destroyed), so it runs again on the page that then loads.
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page)
            wide = _too_wide_at_320(page)
            unlinked = page.evaluate(_SUMMARY_LINKS_TO_NOTHING)
            break
        except PlaywrightError as exc:
            if attempt == 2 or not _NAVIGATING.search(str(exc)):
                raise
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    assert wide is None, f"{page.url} scrolls sideways at 320 pixels: {wide}"
    assert unlinked == [], f"{page.url}: error-summary links that move focus to no input: {unlinked}"


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def nav_items(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Menu")
    return [text.strip() for text in nav.locator(".govuk-service-navigation__item").all_inner_texts()]


def visit(page: Page, url: str) -> Any:
    response = page.goto(url)
    assert_accessible(page)
    return response
