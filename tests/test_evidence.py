"""Evidence: files checked by their bytes, links and notes, safe storage and downloads, removal,
the public register, and every way in for someone who should not see it."""

from __future__ import annotations

import gc
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from weasyprint import HTML

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.evidence.models import EvidenceItem
from tests.factories import complete_eia, make_eia, make_user


def real_pdf(text: str = "Disability monitoring data 2024-25") -> bytes:
    return HTML(string=f"<p>{text}</p>").write_pdf()


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<w/>")
    return buffer.getvalue()


def upload(client, eia, data: bytes | None, name: str = "report.pdf", **fields):
    form = {"title": "Borrower survey 2025", "description": "Kept in the form", **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(f"/eias/{eia.reference}/evidence/new/file", data=form, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["EIA_EVIDENCE_DIR"]).glob("*") if p.is_file()]


def count_items(db) -> int:
    return db.session.execute(select(func.count()).select_from(EvidenceItem)).scalar_one()


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    """Each test its own store, so 'nothing stored' means nothing stored by this test."""
    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path / "evidence"))


@pytest.fixture
def author_eia(login_as, db):
    author = login_as(Role.AUTHOR)
    return author, make_eia(author=author)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (real_pdf(), "survey.pdf", "application/pdf"),
        (office_file("docx"), "notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (office_file("xlsx"), "data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (office_file("odt"), "notes.odt", "application/vnd.oasis.opendocument.text"),
        (b"ward,visits\nEastbrook,1204\n", "visits.csv", "text/csv"),
        ("Notes from the drop-in at Eastbrook – café, 3pm\n".encode(), "notes.txt", "text/plain"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "chart.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "photo.jpg", "image/jpeg"),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "csv", "txt", "png", "jpeg"],
)
def test_allowed_files_are_stored_with_their_hash_and_detected_type(
    app, client, author_eia, db, data, name, content_type
):
    _author, eia = author_eia
    response = upload(client, eia, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    assert item.content_type == content_type and item.size == len(data) and item.file_name == name
    assert len(item.sha256) == 64 and item.stored_name != name and "." not in item.stored_name
    assert (Path(app.config["EIA_EVIDENCE_DIR"]) / item.stored_name).read_bytes() == data
    assert Path(app.config["EIA_EVIDENCE_DIR"]).resolve() not in Path(app.static_folder).resolve().parents


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "minutes.pdf", "The file is a program, not a document"),
        (b"<html><body><script>alert(1)</script></body></html>", "minutes.txt", "web page code"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
            "chart.png",
            "web page code",
        ),
        (real_pdf(), "../../etc/passwd.pdf", "The file name contains characters that are not allowed"),
        (real_pdf(), "report\x07.pdf", "The file name contains characters that are not allowed"),
        (b"", "empty.pdf", "The selected file is empty"),
        (None, None, "Select a file to upload"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", "Old Word and Excel formats"),
        (b"PK\x03\x04" + b"\x00" * 100, "bundle.zip", "compressed archive"),
    ],
    ids=[
        "exe-as-pdf",
        "html-with-script",
        "svg-with-script",
        "path-in-name",
        "control-char-in-name",
        "empty",
        "no-file-part",
        "old-office",
        "zip",
    ],
)
def test_attacks_on_the_upload_are_refused_and_nothing_is_stored(app, client, author_eia, db, data, name, message):
    _author, eia = author_eia
    response = upload(client, eia, data, name or "x")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert 'value="Borrower survey 2025"' in page and "Kept in the form" in page
    assert count_items(db) == 0 and stored_files(app) == []


def test_every_problem_with_new_evidence_is_reported_at_once(app, client, author_eia, db):
    _author, eia = author_eia
    impossible = {"evidence_date-day": "31", "evidence_date-month": "2", "evidence_date-year": "2025"}
    page = upload(client, eia, b"MZ\x90\x00" + b"\x00" * 200, "minutes.pdf", title="", **impossible)
    text = page.get_data(as_text=True)
    summary = text[text.index("govuk-error-summary") : text.index("</ul>", text.index("govuk-error-summary"))]
    for message in ("Enter a title for this evidence", "must be a real date", "The file is a program"):
        assert message in summary
    assert count_items(db) == 0 and stored_files(app) == []
    link = client.post(f"/eias/{eia.reference}/evidence/new/link", data={"title": "", "url": "ftp://x"})
    text = link.get_data(as_text=True)
    assert "Enter a title for this evidence" in text and "Enter a web address starting with https://" in text
    note = client.post(f"/eias/{eia.reference}/evidence/new/note", data={"title": "Ward walk", **impossible})
    text = note.get_data(as_text=True)
    assert "must be a real date" in text and "Enter the note" in text


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_the_cap_is_refused_before_it_is_read_whole(app, client, author_eia, db):
    _author, eia = author_eia
    cap = app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024
    response = upload(client, eia, b"%PDF-" + b"x" * cap, "huge.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The file is 20.1 MB. Files must be 20 MB or smaller." in page
    assert 'value="Borrower survey 2025"' in page
    assert count_items(db) == 0 and stored_files(app) == []
    del response
    gc.collect()  # the test client's spooled 20 MB body is collected here, not in a later test


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_30_mb_file_is_measured_and_refused_on_its_form_with_everything_kept(app, client, author_eia, db):
    """Over the request limit for other pages, but an upload page reads it, says its size and keeps
    the form (the old answer was a bare 413 page, or the browser's "exceeds the capacity limit")."""
    _author, eia = author_eia
    assert app.config["MAX_CONTENT_LENGTH"] < 30 * 1024 * 1024
    response = upload(client, eia, b"%PDF-" + b"x" * (30 * 1024 * 1024 - 5), "huge.pdf", source="Library survey")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file is 30 MB. Files must be 20 MB or smaller." in page
    assert 'value="Borrower survey 2025"' in page and "Kept in the form" in page and "Library survey" in page
    assert count_items(db) == 0 and stored_files(app) == []
    del response
    gc.collect()


# The test client spools this large body to a temporary file that the refused request never reads.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_body_over_the_upload_read_limit_gets_the_413_page_with_its_size(app, client, author_eia, db):
    _author, eia = author_eia
    limit = app.config["EIA_UPLOAD_READ_LIMIT_MB"] * 1024 * 1024
    response = upload(client, eia, b"%PDF-" + b"x" * limit, "huge.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file or form you sent is too large" in page
    assert "What you sent is 100.1 MB. Files must be 20 MB or smaller." in page
    del response
    gc.collect()  # collect the spooled body here, where its warning is expected


def test_the_same_file_twice_is_pointed_out(client, author_eia, db):
    _author, eia = author_eia
    data = real_pdf()
    assert upload(client, eia, data, "a.pdf").status_code == 302
    page = upload(client, eia, data, "copy-of-a.pdf", title="Again").get_data(as_text=True)
    assert "This file is already attached as &#39;Borrower survey 2025&#39;" in page
    assert count_items(db) == 1


def test_links_and_notes(client, author_eia, db):
    _author, eia = author_eia
    response = client.post(
        f"/eias/{eia.reference}/evidence/new/link",
        data={"title": "Census 2021 age profile", "url": "https://www.ons.gov.uk/census", "source": "ONS"},
    )
    assert response.status_code == 302
    page = client.post(
        f"/eias/{eia.reference}/evidence/new/link", data={"title": "Bad link", "url": "javascript:alert(1)"}
    ).get_data(as_text=True)
    assert "Enter a web address starting with https:// or http://" in page
    response = client.post(
        f"/eias/{eia.reference}/evidence/new/note",
        data={"title": "Drop-in at Eastbrook", "note": "Three people said the evening closure stops them studying."},
    )
    assert response.status_code == 302
    page = client.get(f"/eias/{eia.reference}/evidence/").get_data(as_text=True)
    assert "Census 2021 age profile" in page and "Three people said the evening closure" in page
    page = client.post(
        f"/eias/{eia.reference}/evidence/new/note",
        data={
            "title": "Future",
            "note": "x",
            "evidence_date-day": "1",
            "evidence_date-month": "1",
            "evidence_date-year": "2099",
        },
    ).get_data(as_text=True)
    assert "The evidence date cannot be in the future" in page


def test_evidence_linked_to_a_characteristic_shows_on_the_impacts_page_and_downloads_intact(client, author_eia, db):
    _author, eia = author_eia
    from eia.assessments.models import Characteristic

    disability = db.session.execute(select(Characteristic).where(Characteristic.key == "disability")).scalar_one()
    data = real_pdf()
    upload(
        client,
        eia,
        data,
        "disability.pdf",
        title="Disability monitoring 2024-25",
        characteristics=[str(disability.id)],
        sections=["impacts"],
    )
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    client.post(
        f"/eias/{eia.reference}/sections/impacts",
        data={"c_disability_direction": "negative", "version": str(eia.section("impacts").version)},
    )
    page = client.get(f"/eias/{eia.reference}/sections/impacts/disability").get_data(as_text=True)
    assert "Evidence behind this:" in page and "Disability monitoring 2024-25" in page
    assert f'value="{item.id}" checked' in page  # ticked among the evidence behind this impact
    response = client.get(f"/eias/{eia.reference}/evidence/{item.id}/download")
    body = response.data
    response.close()
    assert body == data
    assert (
        response.headers["Content-Disposition"].startswith("attachment;")
        and "disability.pdf" in response.headers["Content-Disposition"]
    )
    assert response.mimetype == "application/pdf" and response.headers["X-Content-Type-Options"] == "nosniff"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "evidence_added")).scalar_one()
    assert entry.changes["evidence.sha256"] == [None, item.sha256] and entry.changes["evidence.characteristics"] == [
        None,
        ["disability"],
    ]


def test_another_service_area_cannot_list_or_download_even_by_guessing(client, login_as, db):
    author = login_as(Role.AUTHOR)
    theirs = make_eia(author=author)
    upload(client, theirs, real_pdf(), "theirs.pdf")
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    mine = make_eia(author=make_user(Role.AUTHOR))
    login_as(Role.AUTHOR, service_area=mine.service_area)
    assert client.get(f"/eias/{theirs.reference}/evidence/").status_code == 403
    assert client.get(f"/eias/{theirs.reference}/evidence/{item.id}/download").status_code == 403
    assert client.get(f"/eias/{mine.reference}/evidence/{item.id}/download").status_code == 404  # wrong EIA
    assert client.post(f"/eias/{theirs.reference}/evidence/{item.id}/remove", data={"reason": "x"}).status_code == 403
    assert client.get(f"/register/{theirs.reference}/evidence/{item.id}").status_code == 404


def test_removal_needs_a_reason_keeps_the_bytes_and_is_logged_then_purged_after_retention(app, client, author_eia, db):
    _author, eia = author_eia
    upload(client, eia, real_pdf(), "old.pdf")
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    confirm = client.get(f"/eias/{eia.reference}/evidence/{item.id}/remove").get_data(as_text=True)
    warning = confirm[confirm.index("govuk-warning-text") :]
    assert "It will no longer count as evidence for this assessment" in warning  # what will happen, first
    page = client.post(f"/eias/{eia.reference}/evidence/{item.id}/remove", data={"reason": "  "}).get_data(as_text=True)
    assert "Enter why this evidence is being removed" in page
    assert (
        client.post(
            f"/eias/{eia.reference}/evidence/{item.id}/remove", data={"reason": "Superseded by the 2025 survey"}
        ).status_code
        == 302
    )
    db.session.refresh(item)
    assert item.removed_at and item.removal_reason == "Superseded by the 2025 survey"
    assert len(stored_files(app)) == 1  # kept for the retention period
    assert client.get(f"/eias/{eia.reference}/evidence/{item.id}/download").status_code == 404
    assert "Removed" in client.get(f"/eias/{eia.reference}/evidence/").get_data(as_text=True)
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "evidence_removed")).scalar_one()

    result = app.test_cli_runner().invoke(args=["evidence", "purge"])
    assert result.exit_code == 0 and "of 0 removed evidence files" in result.output
    db.session.execute(
        update(EvidenceItem).values(removed_at=utcnow() - timedelta(days=app.config["EIA_EVIDENCE_RETENTION_DAYS"] + 1))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["evidence", "purge"])
    assert "of 1 removed evidence file" in result.output
    assert stored_files(app) == []


def test_the_register_shows_only_public_evidence_of_a_published_eia(client, author_eia, db):
    author, eia = author_eia
    upload(client, eia, real_pdf("public data"), "public.pdf", title="Published survey", is_public="yes")
    upload(client, eia, real_pdf("internal data"), "internal.pdf", title="Internal working notes")
    items = {item.title: item for item in db.session.execute(select(EvidenceItem)).scalars()}
    public, internal = items["Published survey"], items["Internal working notes"]
    assert client.get(f"/register/{eia.reference}/evidence/{public.id}").status_code == 404  # not published yet
    complete_eia(eia, author)
    reviewer = make_user(Role.EQUALITIES)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="Agreed", confirmed=True)
    workflow.transition(eia, "publish", by=reviewer)
    db.session.commit()
    page = client.get(f"/register/{eia.reference}").get_data(as_text=True)
    assert "Published survey" in page and "Internal working notes" not in page
    response = client.get(f"/register/{eia.reference}/evidence/{public.id}")
    response.close()
    assert response.status_code == 200
    assert client.get(f"/register/{eia.reference}/evidence/{internal.id}").status_code == 404


def test_evidence_is_added_only_while_the_eia_is_editable(client, author_eia, db):
    from eia.assessments.states import EiaState

    _author, eia = author_eia
    eia.state = EiaState.APPROVED
    db.session.commit()
    assert upload(client, eia, real_pdf(), "late.pdf").status_code == 409


def test_the_service_attaches_evidence_to_any_subject_and_keeps_subjects_apart(app, db):
    """Plan progress updates will use the same service: evidence belongs to one subject only."""
    from eia.accounts.models import ServiceArea
    from eia.errors import NotFound
    from eia.evidence import queries, services
    from eia.evidence.storage import store_for

    author = make_user(Role.AUTHOR)
    subject = db.session.get(ServiceArea, author.service_area_id)  # stands in for a progress update
    other = make_eia(author=author)
    item = services.add_note(
        subject, {"title": "Quarterly return", "note": "Submitted on time."}, characteristics=[], by=author
    )
    stored = services.add_file(
        subject, {"title": "Return"}, stream=io.BytesIO(real_pdf()), file_name="return.pdf",
        characteristics=[], by=author, store=store_for(app), max_bytes=1024 * 1024,
    )  # fmt: skip
    db.session.commit()
    assert {i.id for i in queries.for_subject(subject)} == {item.id, stored.id}
    assert queries.for_subject(other) == []
    with pytest.raises(NotFound):
        queries.item_or_404(other, item.id)
    assert item.subject_type == "service_area" and stored.sha256


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_api_says_the_size_of_a_file_over_the_limit(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    response = author.post(
        f"/api/v1/eias/{eia.reference}/evidence",
        data={"title": "Visits", "file": (io.BytesIO(b"%PDF-" + b"x" * (30 * 1024 * 1024 - 5)), "visits.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["file"] == "The file is 30 MB. Files must be 20 MB or smaller."
    del response
    gc.collect()


def test_the_evidence_list_names_the_sections_by_their_titles(client, author_eia, db):
    _author, eia = author_eia
    response = client.post(
        f"/eias/{eia.reference}/evidence/new/note",
        data={
            "title": "Drop-in at Eastbrook",
            "note": "Three people said the evening closure stops them studying.",
            "sections": ["evidence", "impacts"],
        },
    )
    assert response.status_code == 302
    page = client.get(f"/eias/{eia.reference}/evidence/").get_data(as_text=True)
    titles = [eia.form.section("evidence").title, eia.form.section("impacts").title]
    assert f"Sections: {', '.join(titles)}" in page
    assert "Sections: evidence, impacts" not in page
