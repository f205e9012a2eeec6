"""No page of the standard form is taller than about three screens at 1,280 x 900, with every
characteristic in the register switched on: each page of each section (a long one is asked over a few
pages), the directions of the impacts, an impact's own page, the effects across groups and a new
mitigation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser
from sqlalchemy import update

from eia.accounts.models import Role
from eia.assessments.models import Characteristic
from eia.extensions import db
from forms.sections import section_parts
from tests.browser.conftest import assert_accessible, build_live_app, serving, sign_in
from tests.factories import PASSWORD, complete_eia, make_eia, make_user

SCREEN = 900
#: "About three screens": a page may run a tenth past three before it is too tall.
MOST = 3.3 * SCREEN


@pytest.fixture(scope="module")
def every_characteristic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[str]]]:
    """A server whose register has every characteristic switched on, and a completed draft on the
    standard form: (its address, the draft's reference, the paths of its pages)."""
    app: Flask = build_live_app(tmp_path_factory)
    with app.app_context():
        db.session.execute(update(Characteristic).values(is_active=True))
        author = make_user(Role.AUTHOR, name="Tall Pages", email="tall.pages@council.example")
        eia = complete_eia(make_eia(author=author), author, negative=("age", "disability"))
        reference = eia.reference
        paths = [f"/eias/{reference}/sections/{section.key}" for section in eia.form.sections]
        paths += [
            f"/eias/{reference}/sections/{section.key}/{number}"
            for section in eia.form.sections
            if section.kind != "impacts"
            for number in range(2, len(section_parts(section)) + 1)
        ]
        paths += [
            f"/eias/{reference}/sections/impacts/age",
            f"/eias/{reference}/sections/impacts/across-groups",
            f"/eias/{reference}/mitigations/new",
        ]
        db.session.commit()
    with serving(app) as base:
        yield base, reference, paths


def test_no_page_of_the_standard_form_is_taller_than_about_three_screens(
    browser: Browser, every_characteristic: tuple[str, str, list[str]]
):
    base, _reference, paths = every_characteristic
    page = browser.new_context(viewport={"width": 1280, "height": SCREEN}).new_page()
    sign_in(page, base, "tall.pages@council.example", PASSWORD)
    page.wait_for_load_state()
    heights = {}
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
        heights[path.rsplit("/sections/", 1)[-1]] = page.evaluate("document.documentElement.scrollHeight")
    too_tall = {path: height for path, height in heights.items() if height > MOST}
    assert too_tall == {}, f"taller than {MOST:.0f} pixels at 1,280 x 900: {too_tall}"
    # The long sections are asked over more than one page.
    assert {"about/2", "consultation/2", "screening/2", "mitigations/2"} <= set(heights)
