"""Every table a page shows goes through the one scroll-region macro, so it can scroll sideways on
its own and the page still reflows at 320 px (WCAG 1.4.10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: Printed, not shown on a screen: the PDFs and emails.
NOT_ON_SCREEN = ("pdf/", "email/")
PAGES = sorted(
    path
    for path in TEMPLATES.rglob("*.html")
    if "<table" in path.read_text() and not str(path.relative_to(TEMPLATES)).startswith(NOT_ON_SCREEN)
)


def _unwrapped_tables(text: str) -> list[int]:
    """Line numbers of tables outside a ``{% call scroll_region(...) %}`` block."""
    depth, lines = 0, []
    for match in re.finditer(r"\{%-?\s*call scroll_region\(|\{%-?\s*endcall\s*-?%\}|<table\b", text):
        token = match.group()
        if "scroll_region" in token:
            depth += 1
        elif "endcall" in token:
            depth = max(0, depth - 1)
        elif depth == 0:
            lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


def test_the_check_finds_a_table_outside_a_region():
    assert _unwrapped_tables("<p>\n<table>") == [2]
    assert _unwrapped_tables('{% call scroll_region("x") %}<table></table>{% endcall %}<table>') == [1]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_table_on_a_page_sits_in_a_scroll_region(path: Path):
    assert _unwrapped_tables(path.read_text()) == []


def test_the_region_is_labelled_and_focusable(app):
    with app.test_request_context():
        template = app.jinja_env.get_template("_macros/scroll_region.html")
        html = template.module.scroll_region.__call__(label="Samples", caller=lambda: "<table></table>")
    assert '<div class="app-table-wrapper" tabindex="0" role="region" aria-label="Samples">' in html
