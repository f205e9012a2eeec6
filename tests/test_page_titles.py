"""A paged list says which page it is in its title, and a published assessment has the same title
on the public register as on the staff page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from eia.accounts.models import Role
from eia.assessments import views as assessment_views
from tests.test_register_and_pdf import published_eia


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1).strip()


@pytest.mark.parametrize(
    ("page", "pages", "text"), [(1, 1, ""), (2, 14, " (page 2 of 14)"), (1, 1200, " (page 1 of 1,200)")]
)
def test_the_words_after_the_title(app, page, pages, text):
    with app.test_request_context():
        macro = app.jinja_env.get_template("_macros/pagination.html").module.page_of
        assert str(macro(SimpleNamespace(page=page, pages=pages))) == text


def test_the_assessment_list_names_its_page(client, login_as, db, monkeypatch):
    login_as(Role.EQUALITIES)
    for n in range(3):
        published_eia(db, title=f"Library opening hours {n}")
    monkeypatch.setattr(assessment_views, "PAGE_SIZE", 2)
    assert _title(client.get("/eias/?page=2")).startswith("Equality impact assessments (page 2 of 2) –")


def test_the_register_and_the_staff_page_have_different_titles(client, login_as, db):
    # Two pages about one assessment, with different purposes: the tab and a screen reader's first
    # words say which one a person is on.
    eia = published_eia(db)
    public = _title(client.get(f"/register/{eia.reference}"))
    login_as(Role.EQUALITIES)
    staff = _title(client.get(f"/eias/{eia.reference}"))
    assert staff == f"{eia.reference}: {eia.title} – Equality impact assessments – Testshire County Council"
    assert public == (
        f"{eia.reference}: {eia.title} – Published equality impact assessments – Equality impact assessments – "
        "Testshire County Council"
    )
