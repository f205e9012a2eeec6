"""The public register shows published EIAs only, and nothing internal; EIA PDFs read back."""

from __future__ import annotations

import subprocess

import pytest

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.states import EiaKind, EiaState
from tests.factories import complete_eia, make_eia, make_user

SECRET_COMMENT = "Reviewer note: the evidence section is weak."


def published_eia(db, title="Library opening hours 2026", evidence=()):
    """A published assessment with a negative impact on age, and *evidence*: (title, public) links
    that support that impact."""
    from eia.assessments.evidence_services import add_evidence
    from eia.evidence.models import EvidenceKind
    from eia.evidence.storage import store_for

    author = make_user(Role.AUTHOR)
    reviewer = make_user(Role.EQUALITIES)
    eia = make_eia(author=author, title=title)
    complete_eia(eia, author, negative=("age",))
    for name, public in evidence:
        values = {"title": name, "url": "https://data.example/x", "is_public": public, "characteristics": ["age"]}
        add_evidence(eia, EvidenceKind.LINK, values, by=author, store=store_for(), max_bytes=0)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.add_comment(eia, "evidence", SECRET_COMMENT, by=reviewer)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(
        eia,
        "sign_off",
        by=make_user(Role.DECISION_MAKER, name="Chris Morgan"),
        comment="Agreed with conditions.",
        confirmed=True,
    )
    workflow.transition(eia, "publish", by=reviewer)
    db.session.commit()
    return eia


def test_the_register_names_the_public_evidence_behind_each_impact_and_nothing_else(client, db):
    eia = published_eia(db, evidence=[("Census 2021: age by ward", True), ("Staff notes on Mrs Smith", False)])
    page = client.get(f"/register/{eia.reference}").get_data(as_text=True)
    assert "Evidence behind it:</strong> Census 2021: age by ward" in page
    assert "Mrs Smith" not in page


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_register_lists_and_shows_a_published_eia_without_sign_in(client, db):
    eia = published_eia(db)
    page = client.get("/register/").get_data(as_text=True)
    assert eia.reference in page and "Library opening hours 2026" in page
    page = client.get(f"/register/{eia.reference}").get_data(as_text=True)
    assert "Impact on each characteristic" in page and "Effect on age: fewer weekday hours." in page
    assert "Keep Tuesday and Thursday mornings" in page and "Chris Morgan" in page
    assert SECRET_COMMENT not in page and "Agreed with conditions." not in page
    assert client.get("/register/?q=library").get_data(as_text=True).count(eia.reference) >= 1


@pytest.mark.parametrize("state", [s for s in EiaState if s is not EiaState.PUBLISHED], ids=str)
def test_nothing_unpublished_is_reachable_on_the_register(client, db, state):
    eia = make_eia(state=state, title=f"Unpublished in state {state}")
    assert eia.reference not in client.get("/register/").get_data(as_text=True)
    assert client.get(f"/register/{eia.reference}").status_code == 404
    assert client.get(f"/register/{eia.reference}.pdf").status_code == 404
    assert client.get(f"/register/{eia.reference.lower()}").status_code == 404


def test_individual_actions_never_reach_the_register(client, db):
    eia = make_eia(kind=EiaKind.INDIVIDUAL, title="Post room restructure", state=EiaState.PUBLISHED)
    assert "Post room restructure" not in client.get("/register/").get_data(as_text=True)
    assert client.get(f"/register/{eia.reference}").status_code == 404
    assert client.get(f"/register/{eia.reference}.pdf").status_code == 404


def test_register_pdf_reads_back_with_every_part(client, db, tmp_path):
    eia = published_eia(db)
    response = client.get(f"/register/{eia.reference}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{eia.reference}.pdf"'
    text = pdf_text(response.data, tmp_path)
    for expected in (
        "Testshire County Council",
        eia.reference,
        "version 1",
        "About the proposal",
        "Impact on each characteristic",
        "Effect on age: fewer weekday hours.",
        "Keep Tuesday and Thursday mornings",
        "Outcome",
        "Adjust the proposal",
        "Signed off by the decision maker",
        "Chris Morgan",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert SECRET_COMMENT not in text
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert f"Title:           {eia.reference}: Library opening hours 2026" in info
    assert "Author:          Testshire County Council" in info
    assert "Tagged:          yes" in info


def test_signed_in_pdf_follows_view_permission(client, login_as, db, tmp_path):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, title="Draft for the PDF")
    login_as(Role.AUTHOR)  # another service area
    assert client.get(f"/eias/{eia.reference}.pdf").status_code == 403
    login_as(Role.EQUALITIES)
    response = client.get(f"/eias/{eia.reference}.pdf")
    assert response.status_code == 200
    assert "Draft for the PDF" in pdf_text(response.data, tmp_path)


def published_many(count: int, title: str = "Published assessment") -> list:
    from datetime import UTC, datetime, timedelta

    author = make_user(Role.AUTHOR)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        make_eia(author=author, title=f"{title} {n}", state=EiaState.PUBLISHED, published_at=start + timedelta(days=n))
        for n in range(count)
    ]


def test_register_pages_fifty_at_a_time_keeping_the_search(client, db):
    eias = published_many(53, title="Leisure review")
    first = client.get("/register/").get_data(as_text=True)
    # Newest first: the three oldest are on page 2.
    assert "53 published assessments, 1 to 50 shown" in first and "Page 1 of 2" in first
    assert eias[52].reference in first and eias[2].reference not in first
    second = client.get("/register/?page=2").get_data(as_text=True)
    assert all(e.reference in second for e in eias[:3]) and eias[3].reference not in second
    searched = client.get("/register/?q=Leisure+review+5").get_data(as_text=True)
    assert "4 published assessments" in searched and "Page 1" not in searched  # 5, 50, 51, 52
    assert client.get("/register/?page=x").status_code == 400


def test_register_answers_304_until_something_changes(app, client, db):
    from eia.auditlog import services as audit

    eia = published_many(1)[0]
    audit.record("test_event", by=None, detail="before")
    db.session.commit()
    for url in ("/register/", f"/register/{eia.reference}"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
        assert first.headers["Cache-Control"] == "no-cache"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
    tag = client.get("/register/").headers["ETag"]
    eia.title = "Renamed assessment"
    audit.record("eia_updated", eia, by=None, changes={"title": ["old", "Renamed assessment"]})
    db.session.commit()
    changed = client.get("/register/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and "Renamed assessment" in changed.get_data(as_text=True)
    assert client.get("/register/?q=x", headers={"If-None-Match": tag}).status_code == 200  # another address


def test_register_is_kept_in_memory_for_visitors_until_the_log_moves(app, client, login_as, db, count_queries):
    from eia import page_cache
    from eia.auditlog import services as audit

    app.config["EIA_PAGE_CACHE"] = True
    page_cache.clear()
    try:
        eia = published_many(1)[0]
        audit.record("test_event", by=None, detail="before")
        db.session.commit()
        client.get("/register/")
        with count_queries() as counter:
            kept = client.get("/register/").get_data(as_text=True)
        assert counter.count == 1 and eia.reference in kept  # the data version only
        eia.title = "Renamed while kept"
        audit.record("eia_updated", eia, by=None)
        db.session.commit()
        assert "Renamed while kept" in client.get("/register/").get_data(as_text=True)
        login_as(Role.AUTHOR)  # signed in: the page is built for them (it shows their menu)
        with count_queries() as counter:
            page = client.get("/register/").get_data(as_text=True)
        assert counter.count > 1 and "Sign out" in page and "Sign out" not in kept
    finally:
        app.config["EIA_PAGE_CACHE"] = False
        page_cache.clear()


def test_a_worker_asks_whether_kept_register_pages_are_current_once_a_second_at_most(
    app, client, db, count_queries, monkeypatch
):
    """Between readings of the data version, a visitor's kept register page costs no query at all;
    a change shows once the held version is read again."""
    from eia import page_cache
    from eia.auditlog import services as audit

    now = [1000.0]
    monkeypatch.setattr(page_cache, "monotonic", lambda: now[0])
    app.config.update(EIA_PAGE_CACHE=True, EIA_PUBLIC_PAGE_SECONDS=1)
    page_cache.clear()
    try:
        eia = published_many(1)[0]
        client.get("/register/")
        with count_queries() as counter:
            kept = client.get("/register/")
        assert counter.count == 0 and eia.reference in kept.get_data(as_text=True)
        eia.title = "Renamed while held"
        audit.record("eia_updated", eia, by=None)
        db.session.commit()
        assert "Renamed while held" not in client.get("/register/").get_data(as_text=True)
        now[0] += 1.5  # the held version is old enough to be read again
        assert "Renamed while held" in client.get("/register/").get_data(as_text=True)
    finally:
        app.config.update(EIA_PAGE_CACHE=False, EIA_PUBLIC_PAGE_SECONDS=0)
        page_cache.clear()


COVENANT_NOT_NEEDED = "Not needed because screening found none of the functions the Armed Forces Covenant duty covers"


def _section(page: str, title: str) -> str:
    start = page.index(f">{title}</h2>")
    return page[start : page.index("<h2", start)]


def test_a_section_screening_found_not_needed_says_so_and_why_everywhere(client, login_as, db, tmp_path):
    """The Covenant section, left out because screening found no covered function, reads as not needed
    (with the task list's reason) on the register, in the PDF and on the author's check-answers page."""
    eia = published_eia(db)
    section = _section(client.get(f"/register/{eia.reference}").get_data(as_text=True), "Armed Forces Covenant")
    assert COVENANT_NOT_NEEDED in section and "Not answered" not in section

    text = " ".join(pdf_text(client.get(f"/register/{eia.reference}.pdf").data, tmp_path).split())
    covenant = text[text.index("Armed Forces Covenant") :]
    assert covenant.split("Armed Forces Covenant", 1)[1].strip().startswith(COVENANT_NOT_NEEDED)

    author = login_as(Role.AUTHOR)
    draft = make_eia(author=author, title="Library stock rotation")
    complete_eia(draft, author)
    check = client.get(f"/eias/{draft.reference}/transitions/submit").get_data(as_text=True)
    section = _section(check, "Armed Forces Covenant")
    assert COVENANT_NOT_NEEDED in section and "Not answered" not in section


def test_an_assessment_closed_at_screening_says_so_instead_of_an_outcome(client, db):
    """Screened out, an assessment has no outcome section: the register, the equality information and
    the report say it was screened out, not "Not recorded"."""
    from eia.assessments.queries import financial_year_of
    from eia.register.equality_information import published_in
    from eia.reports import figures

    eia = published_eia(db, title="Replacement of the payroll system")
    eia.outcome, eia.closed_at_screening = None, True
    db.session.commit()
    page = client.get(f"/register/{eia.reference}").get_data(as_text=True)
    concluded = page[page.index("What the assessment concluded") :][:300]
    assert figures.SCREENED_OUT in concluded and "Not recorded" not in concluded

    year = financial_year_of(eia.published_at.date())
    assert [row.outcome for row in published_in(year) if row.reference == eia.reference] == [figures.SCREENED_OUT]
    assert (figures.SCREENED_OUT, 1) in figures.outcomes(year)
    assert [row[3] for row in figures.completed_list(year) if row[0] == eia.reference] == [figures.SCREENED_OUT]
