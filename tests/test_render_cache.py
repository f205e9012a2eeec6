"""Rendered PDFs are made once for what they show: a second request is served from the cache, and a
request that arrives while another worker renders the same file is told it is being prepared."""

from __future__ import annotations

from eia import render_cache
from eia.accounts.models import Role
from tests.factories import make_eia


def test_a_file_is_rendered_once_per_key_and_replaced_when_the_key_moves_on(app, db):
    renders: list[str] = []

    def render(text: str) -> bytes:
        renders.append(text)
        return text.encode()

    with app.test_request_context():
        assert render_cache.cached("sample-report", "k1", lambda: render("first")) == b"first"
        assert render_cache.cached("sample-report", "k1", lambda: render("again")) == b"first"
        assert render_cache.cached("sample-report", "k2", lambda: render("second")) == b"second"
    assert renders == ["first", "second"]


def test_while_someone_else_renders_it_the_request_is_told_to_wait(app, db):
    with app.test_request_context(), render_cache.render_lock("sample-report") as mine:
        assert mine is True
        assert render_cache.cached("sample-report", "k3", lambda: b"never") is None


def test_the_report_pdf_being_rendered_elsewhere_gives_a_page_that_refreshes(client, login_as, db):
    login_as(Role.EQUALITIES)
    with render_cache.render_lock("eia-report-2025") as mine:
        assert mine
        response = client.get("/reports/2025.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "10"
    assert "is being prepared" in page and 'http-equiv="refresh"' in page
    assert response.mimetype == "text/html"


def test_an_assessment_pdf_is_served_from_the_cache_until_what_it_says_changes(client, login_as, db, monkeypatch):
    from eia.assessments import pdf

    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    renders: list[int] = []
    real = pdf.render_pdf

    def counting(html: str) -> bytes:
        renders.append(1)
        return real(html)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    first = client.get(f"/eias/{eia.reference}.pdf")
    again = client.get(f"/eias/{eia.reference}.pdf")
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert first.data.startswith(b"%PDF") and len(renders) == 1
    eia.title = "A new title"
    db.session.commit()
    assert client.get(f"/eias/{eia.reference}.pdf").data != first.data
    assert len(renders) == 2
