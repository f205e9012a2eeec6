"""One storage interface, two backends: evidence files and rendered PDFs in the local folders or in
an S3-compatible store (a real one: moto in server mode, on loopback), with purging, the readiness
check and a clear page when the store does not answer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from weasyprint import HTML

from eia import render_cache
from eia.accounts.models import Role
from eia.db_types import utcnow
from eia.evidence.models import EvidenceItem
from eia.storage import LocalFolderStore, S3Store, evidence_store, parse_storage_url, rendered_store, s3_client
from tests.factories import make_eia
from tests.processes import free_port
from tests.s3_support import S3Server, run_s3_server, use_s3


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    yield from run_s3_server(tmp_path_factory.mktemp("s3"))


@pytest.fixture
def s3(app, s3_server, monkeypatch, tmp_path) -> S3Server:
    """The app stores everything in a fresh bucket of the S3 server; the local folders stay empty."""
    use_s3(monkeypatch, s3_server)
    bucket = f"eia-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    s3_server.make_bucket(bucket)
    s3_server.bucket = bucket
    monkeypatch.setitem(app.config, "EIA_STORAGE_URL", f"s3://{bucket}/council")
    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setitem(app.config, "EIA_REPORT_DIR", str(tmp_path / "reports"))
    return s3_server


def real_pdf() -> bytes:
    return HTML(string="<p>Footfall survey, Eastbrook library</p>").write_pdf()


def upload(client, eia, data: bytes, name: str = "survey.pdf"):
    form = {"title": "Footfall survey", "description": "", "file": (io.BytesIO(data), name)}
    return client.post(f"/eias/{eia.reference}/evidence/new/file", data=form, content_type="multipart/form-data")


def test_the_storage_setting_is_read_or_refused_plainly():
    assert parse_storage_url("") is None
    location = parse_storage_url("s3://council-eia/live/")
    assert (location.bucket, location.prefix) == ("council-eia", "live/")
    assert parse_storage_url("s3://council-eia").prefix == ""
    for bad in ("/srv/eia", "s3://ab/x", "https://bucket/x"):
        with pytest.raises(ValueError, match="EIA_STORAGE_URL"):
            parse_storage_url(bad)


def test_without_the_setting_files_go_to_the_local_folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_STORAGE_URL", "")
    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path / "e"))
    store = evidence_store(app)
    assert isinstance(store, LocalFolderStore) and isinstance(rendered_store(app), LocalFolderStore)
    stored = store.put(iter([b"abc", b"def"]))
    assert (tmp_path / "e" / stored.name).read_bytes() == b"abcdef" and stored.size == 6
    assert store.names(stored.name[:6]) == [stored.name]
    with pytest.raises(ValueError):
        store.read("../escape")


def test_evidence_goes_to_the_bucket_and_downloads_intact(client, login_as, db, s3, app):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    data = real_pdf()
    assert upload(client, eia, data).status_code == 302
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    assert s3.keys(s3.bucket) == [f"council/evidence/{item.stored_name}"]
    assert not Path(app.config["EIA_EVIDENCE_DIR"]).exists()
    response = client.get(f"/eias/{eia.reference}/evidence/{item.id}/download")
    assert response.status_code == 200 and response.data == data
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_purge_deletes_removed_files_from_the_bucket_after_retention(client, login_as, db, s3, app):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    upload(client, eia, real_pdf(), "old.pdf")
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    client.post(f"/eias/{eia.reference}/evidence/{item.id}/remove", data={"reason": "Superseded"})
    runner = app.test_cli_runner()
    assert "of 0 removed evidence files" in runner.invoke(args=["evidence", "purge"]).output
    assert len(s3.keys(s3.bucket, "council/evidence/")) == 1  # kept for the retention period
    db.session.execute(
        update(EvidenceItem).values(removed_at=utcnow() - timedelta(days=app.config["EIA_EVIDENCE_RETENTION_DAYS"] + 1))
    )
    db.session.commit()
    result = runner.invoke(args=["evidence", "purge"])
    assert result.exit_code == 0 and "of 1 removed evidence file" in result.output
    assert s3.keys(s3.bucket, "council/evidence/") == []
    db.session.refresh(item)
    assert item.bytes_purged_at is not None and item.sha256  # the record stays


def test_rendered_pdfs_are_cached_in_the_bucket_and_older_keys_replaced(app, db, s3):
    renders: list[str] = []

    def render(text: str) -> bytes:
        renders.append(text)
        return text.encode()

    with app.test_request_context():
        assert render_cache.cached("eia-report-2025", "k1", lambda: render("first")) == b"first"
        assert render_cache.cached("eia-report-2025", "k1", lambda: render("again")) == b"first"
        assert render_cache.cached("eia-report-2025", "k2", lambda: render("second")) == b"second"
        assert render_cache.cached("eia-report-20250", "k1", lambda: render("other")) == b"other"
    assert renders == ["first", "second", "other"]
    assert s3.keys(s3.bucket, "council/rendered/") == [
        "council/rendered/eia-report-2025--k2.pdf",
        "council/rendered/eia-report-20250--k1.pdf",
    ]


def test_a_plan_file_waits_for_its_confirmation_in_the_bucket(client, login_as, db, s3, app, tmp_path):
    from tracker.models import Plan

    login_as(Role.EQUALITIES)
    data = b"plan,organisation,priority_ref,priority,action,action_ref,target\nP,O,R,T,Act,1,\n"
    preview = client.post(
        "/plans/import", data={"file": (io.BytesIO(data), "plan.csv")}, content_type="multipart/form-data"
    )
    assert preview.status_code == 200 and "Confirm the import" in preview.get_data(as_text=True)
    waiting = s3.keys(s3.bucket, "council/pending-imports/")
    assert len(waiting) == 1 and s3.client().get_object(Bucket=s3.bucket, Key=waiting[0])["Body"].read() == data
    assert not (tmp_path / "evidence").exists()  # nothing on this server's disk
    assert client.post("/plans/import/confirm").status_code == 302
    assert db.session.execute(select(Plan.title)).scalar_one() == "P"
    assert s3.keys(s3.bucket, "council/pending-imports/") == []


def test_an_upload_left_unconfirmed_for_a_day_is_removed_by_the_next_one(client, login_as, db, s3, app):
    login_as(Role.EQUALITIES)
    s3.client().put_object(Bucket=s3.bucket, Key=f"council/pending-imports/1700000000-{'a' * 32}", Body=b"old")
    data = b"plan,organisation,priority_ref,priority,action,action_ref,target\nQ,O,R,T,Act,1,\n"
    client.post("/plans/import", data={"file": (io.BytesIO(data), "q.csv")}, content_type="multipart/form-data")
    waiting = s3.keys(s3.bucket, "council/pending-imports/")
    assert len(waiting) == 1 and "1700000000-" not in waiting[0]


def test_the_store_interface_on_s3(app, s3):
    store = S3Store(s3_client(), s3.bucket, "council/evidence/")
    stored = store.put(iter([b"abc", b"def"]))
    assert store.exists(stored.name) and store.read(stored.name) == b"abcdef"
    assert store.read("missing") is None and not store.exists("missing")
    with pytest.raises(FileNotFoundError):
        store.open("missing")
    store.delete(stored.name)
    store.delete(stored.name)  # twice is fine
    assert not store.exists(stored.name)


def test_readiness_names_the_store_and_fails_when_the_bucket_is_gone(client, app, db, s3, monkeypatch):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}
    monkeypatch.setitem(app.config, "EIA_STORAGE_URL", "s3://no-such-bucket-here/council")
    refused = client.get("/readyz")
    assert refused.status_code == 503 and refused.get_json()["storage"] == "unavailable"


def test_a_store_that_does_not_answer_gives_a_clear_page_and_keeps_nothing(client, login_as, db, s3, monkeypatch):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    answer = upload(client, eia, real_pdf())
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert "Files cannot be stored or read at the moment" in page and "Traceback" not in page
    assert db.session.execute(select(EvidenceItem)).first() is None
