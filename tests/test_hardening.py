"""Regression tests for hostile or broken input to uploads and plan imports."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.auditlog.models import AuditEntry
from eia.evidence.filetypes import NotAllowed, detect
from eia.evidence.services import _read_capped
from tests.factories import make_eia, make_plan, make_user
from tracker import importing
from tracker.models import Plan, PlanAction
from tracker.targets import parse_target


def test_a_zip_bomb_is_refused_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\0" * (200 * 1024 * 1024))  # 200 MB that compresses to ~200 KB
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    with pytest.raises(NotAllowed):
        detect(data, "bomb.odt")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_a_corrupt_archive_is_refused_not_a_500():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" * 50)
    data = bytearray(buffer.getvalue())
    data[40:60] = b"\xff" * 20  # damage the compressed stream
    with pytest.raises(NotAllowed):
        detect(bytes(data), "broken.odt")


@pytest.mark.parametrize(
    "payload",
    [b"<img src=x onerror=alert(1)>", b"x" * 70000 + b"<script>alert(1)</script>", b"<p onclick = 'x()'>hi</p>"],
    ids=["img-onerror", "script-after-64k", "event-handler"],
)
def test_html_anywhere_in_text_is_refused(payload):
    with pytest.raises(NotAllowed, match="web page code"):
        detect(payload, "notes.html")


def test_a_file_is_downloaded_under_the_extension_of_what_it_is(client, login_as, db, app, tmp_path, monkeypatch):
    from eia.evidence.models import EvidenceItem

    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path))
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    client.post(
        f"/eias/{eia.reference}/evidence/new/file",
        data={"title": "Minutes", "file": (io.BytesIO(b"%PDF-1.4\n<html><script>x</script>"), "minutes.html")},
        content_type="multipart/form-data",
    )
    item = db.session.execute(select(EvidenceItem)).scalar_one()
    assert item.file_name == "minutes.pdf" and item.content_type == "application/pdf"
    response = client.get(f"/eias/{eia.reference}/evidence/{item.id}/download")
    response.close()
    assert "filename=minutes.pdf" in response.headers["Content-Disposition"]


def test_the_upload_is_read_in_chunks_up_to_the_cap_only():
    class Recording(io.BytesIO):
        asked = 0

        def read(self, size=-1):
            Recording.asked += size if size >= 0 else 10**9
            return super().read(size)

    stream = Recording(b"x" * 10_000_000)
    data = _read_capped(stream, 1_000_000)
    assert len(data) == 1_000_001 and Recording.asked <= 1_000_001


def rows(text: str):
    return importing.read_rows(text.encode())


HEADER = "plan,organisation,priority_ref,priority,action,action_ref,target\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + 'P,O,R,T,"Improve access to,1,\nP,O,R,T,Second action,2,\n', "not well-formed CSV"),
        (HEADER + "P,O,R,T,Bad\x0bcell,1,\n", "line 2, column action: the cell contains a control character"),
        (HEADER + "P,O,R,T," + "x" * 200_000 + ",1,\n", "The action is longer than 10,000 characters"),
    ],
    ids=["unterminated-quote", "control-character", "huge-cell"],
)
def test_broken_csv_gets_a_message_not_a_crash(content, message, db):
    with pytest.raises(importing.ImportFailed) as failed:
        importing.preview_import(rows(content))
    assert any(message in str(problem) for problem in failed.value.problems), failed.value.problems


def test_a_damaged_workbook_gets_a_message(db):
    with pytest.raises(importing.ImportFailed) as failed:
        importing.read_rows(b"PK\x03\x04" + b"not really a workbook" * 10)
    assert "not a readable CSV or Excel (XLSX) workbook" in str(failed.value.problems[0])


def test_impossible_dates_in_targets_are_not_due_dates():
    assert parse_target("March 0000") == (None, False)


def test_positions_keep_export_then_import_lossless(app, db, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "P,O,R,T,First,,\nP,O,R,T,Second,,\n", encoding="utf-8")
    extra = tmp_path / "extra.csv"
    extra.write_text(HEADER + "P,O,R,T,Extra,X,\n", encoding="utf-8")
    runner = app.test_cli_runner()
    runner.invoke(args=["plans", "import", str(first)])
    runner.invoke(args=["plans", "import", str(extra)])
    out = tmp_path / "out.csv"
    runner.invoke(args=["plans", "export", "P", "--out", str(out)])
    assert "0 new actions, 0 changed actions" in runner.invoke(args=["plans", "import", str(out)]).output
    assert [a.text for a in db.session.execute(select(PlanAction).order_by(PlanAction.position)).scalars()] == [
        "First",
        "Second",
        "Extra",
    ]


def test_line_breaks_survive_an_xlsx_round_trip(app, db, tmp_path):
    source = tmp_path / "crlf.csv"
    source.write_bytes((HEADER + 'P,O,R,T,"line one\r\nline two",1,\n').encode())
    runner = app.test_cli_runner()
    runner.invoke(args=["plans", "import", str(source)])
    book = tmp_path / "out.xlsx"
    runner.invoke(args=["plans", "export", "P", "--format", "xlsx", "--out", str(book)])
    assert "0 changed actions" in runner.invoke(args=["plans", "import", str(book)]).output


def test_a_changed_priority_text_is_logged(app, db, tmp_path):
    runner = app.test_cli_runner()
    before = tmp_path / "a.csv"
    before.write_text(HEADER + "P,O,R,Old wording,Act,1,\n", encoding="utf-8")
    after = tmp_path / "b.csv"
    after.write_text(HEADER + "P,O,R,New wording,Act,1,\n", encoding="utf-8")
    runner.invoke(args=["plans", "import", str(before)])
    runner.invoke(args=["plans", "import", str(after)])
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "plan_priority_updated")).scalar_one()
    assert entry.changes == {"R.text": ["Old wording", "New wording"]}
    assert db.session.execute(select(Plan)).scalar_one().priorities[0].text == "New wording"


def test_only_one_pending_upload_per_person(client, login_as, db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path))
    login_as(Role.EQUALITIES)
    for n in range(3):
        data = (HEADER + f"Plan {n},O,R,T,Act,1,\n").encode()
        client.post("/plans/import", data={"file": (io.BytesIO(data), "p.csv")}, content_type="multipart/form-data")
    assert len(list((tmp_path / "pending-imports").iterdir())) == 1


def test_plan_counts_leave_out_eias_the_reader_cannot_see(client, login_as, db):
    from eia.assessments.states import EiaKind
    from tracker.models import EiaActionLink

    plan = make_plan()
    action = plan.priorities[0].actions[0]
    author = make_user(Role.AUTHOR)
    hidden = make_eia(author=author, kind=EiaKind.INDIVIDUAL, title="Confidential")
    db.session.add(EiaActionLink(eia_id=hidden.id, action_id=action.id, note="x", created_by_id=author.id))
    db.session.commit()
    login_as(Role.DECISION_MAKER)
    assert 'govuk-table__cell--numeric">1<' not in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    login_as(Role.EQUALITIES)
    assert 'govuk-table__cell--numeric">1<' in client.get(f"/plans/{plan.id}").get_data(as_text=True)
