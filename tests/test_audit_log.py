"""The hash-chained audit log: appends, verification, tampering, exports and the append-only rule."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from eia.accounts.models import Role
from eia.auditlog import services as audit
from eia.auditlog.models import GENESIS_HASH, AuditEntry
from eia.extensions import db as _db
from tests.conftest import is_postgres
from tests.factories import make_user


def append_entries(n: int, by=None) -> list[AuditEntry]:
    entries = [
        audit.record("test_event", by=by, entity_type="thing", entity_id=i, detail=f"event {i}") for i in range(n)
    ]
    _db.session.commit()
    return entries


def allow_tampering(app) -> None:
    """What a database administrator could do: switch off the append-only triggers (rolled back after the test)."""
    if is_postgres(app):
        _db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
    else:
        _db.session.execute(text("DROP TRIGGER audit_entries_no_update"))
        _db.session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def test_entries_chain_from_the_genesis_hash(db):
    first, second, third = append_entries(3)
    chain = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert chain[0].prev_hash == GENESIS_HASH
    assert [entry.seq for entry in chain] == list(range(1, len(chain) + 1))
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert all(entry.hash == entry.compute_hash() for entry in chain)
    assert first.occurred_at.tzinfo is not None


def test_entries_written_in_bulk_join_the_chain_between_single_ones(db):
    first = append_entries(1)[0]
    written = audit.record_many(
        (
            {"action": "test_event", "entity_type": "thing", "entity_id": i, "changes": {"n": [None, i]}}
            for i in range(7)
        ),
        by=None,
        chunk=3,
    )
    last = append_entries(1)[0]
    assert written == 7
    bulk = (
        db.session.execute(select(AuditEntry).where(AuditEntry.seq > first.seq).order_by(AuditEntry.seq))
        .scalars()
        .all()
    )
    assert [entry.seq for entry in bulk] == list(range(first.seq + 1, first.seq + 9))
    assert bulk[0].prev_hash == first.hash and last.prev_hash == bulk[-2].hash
    assert all(entry.hash == entry.compute_hash() for entry in bulk)
    assert bulk[3].changes == {"n": [None, 3]} and bulk[3].entity_id == "3"
    assert audit.verify_chain().is_intact


def test_verify_passes_on_an_intact_chain(app, db):
    append_entries(5)
    report = audit.verify_chain()
    assert report.is_intact and report.entries >= 5
    result = app.test_cli_runner().invoke(args=["audit-log", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit log intact" in result.output


def test_altered_entry_is_named_by_verify(app, db):
    entries = append_entries(5)
    allow_tampering(app)
    db.session.execute(
        text("UPDATE audit_entries SET detail = 'nothing happened' WHERE id = :id"), {"id": entries[2].id}
    )
    db.session.commit()

    report = audit.verify_chain()
    assert report.broken_at == entries[2].id
    result = app.test_cli_runner().invoke(args=["audit-log", "verify"])
    assert result.exit_code == 1
    assert f"audit log broken at entry #{entries[2].id}" in result.output
    assert "was altered" in result.output
    assert "Traceback" not in result.output
    # The check that found it is itself in the log, after the break.
    checks = db.session.execute(select(AuditEntry).where(AuditEntry.action == "audit_log_verified")).scalars().all()
    assert f"broken: entry #{entries[2].id} was altered" in checks[-1].detail


def test_deleted_entry_breaks_the_link_of_the_next(app, db):
    entries = append_entries(5)
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[1].id})
    db.session.commit()

    report = audit.verify_chain()
    assert report.broken_at == entries[2].id
    assert report.problem == f"1 entry was removed after entry #{entries[0].id}, before #{entries[2].id}"
    result = app.test_cli_runner().invoke(args=["audit-log", "verify"])
    assert result.exit_code == 1 and f"#{entries[2].id}" in result.output


def test_rehashed_alteration_is_still_caught_by_the_next_link(app, db):
    entries = append_entries(3)
    allow_tampering(app)
    forged = entries[1]
    forged.detail = "forged"
    forged.hash = forged.compute_hash()  # a careful forger recomputes this entry's own hash
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_at == forged.id
    assert (
        report.problem
        == f"entry #{forged.id} was altered and its hash recomputed: entry #{entries[2].id} no longer links to it"
    )


def test_removing_the_first_entries_is_caught(app, db):
    entries = append_entries(3)
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = 1"))
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_at is not None and "removed at the start of the log" in report.problem
    assert entries  # the rest are still there


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET action = 'x'", "DELETE FROM audit_entries"])
def test_database_refuses_to_change_the_log(db, statement):
    append_entries(1)
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))


def test_field_changes_hide_secrets_and_skip_unchanged(db):
    user = make_user(Role.AUTHOR, name="Before")
    assert user.name == "Before"  # loaded, as a service's object would be
    user.name = "After"
    user.password_hash = "x"
    user.email = user.email  # unchanged
    changes = audit.field_changes(user)
    assert changes == {"name": ["Before", "After"], "password_hash": ["(not shown)", "(not shown)"]}


def test_cli_export_writes_filtered_formula_safe_csv(app, db, tmp_path):
    audit.record("test_event", by=None, detail='=HYPERLINK("http://evil.example")')
    db.session.commit()
    out = tmp_path / "log.csv"
    result = app.test_cli_runner().invoke(
        args=["audit-log", "export", "--since", "2000-01-01", "--until", "2999-12-31", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    details = [row["detail"] for row in rows]
    assert '\'=HYPERLINK("http://evil.example")' in details
    assert all(len(row["hash"]) == 64 for row in rows)
    # The export itself is logged.
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "audit_log_exported")).first()

    empty = tmp_path / "none.csv"
    result = app.test_cli_runner().invoke(
        args=["audit-log", "export", "--since", "1990-01-01", "--until", "1990-12-31", "--csv", str(empty)]
    )
    assert result.exit_code == 0 and "Wrote 0 entries" in result.output
    result = app.test_cli_runner().invoke(args=["audit-log", "export", "--since", "01/04/2026", "--csv", str(empty)])
    assert result.exit_code == 2 and "use YYYY-MM-DD" in result.output


def test_audit_page_lists_filters_and_exports(client, login_as, db):
    login_as(Role.EQUALITIES)
    audit.record("test_event", by=None, detail="alpha happened")
    audit.record("other_event", by=None, detail="beta happened")
    db.session.commit()
    page = client.get("/audit-log/?action=test_event").get_data(as_text=True)
    assert "alpha happened" in page and "beta happened" not in page
    response = client.post("/audit-log/export.csv?q=beta")
    body = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["detail"] for row in rows] == ["beta happened"]
    assert client.get("/audit-log/?since=yesterday").status_code == 400


def test_verify_button_reports_intact_and_tampered(app, client, login_as, db):
    login_as(Role.ADMIN)
    entries = append_entries(3)
    page = client.post("/audit-log/verify", follow_redirects=True).get_data(as_text=True)
    assert "The audit log is intact" in page
    allow_tampering(app)
    db.session.execute(
        text("UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id"), {"id": entries[0].id}
    )
    db.session.commit()
    page = client.post("/audit-log/verify", follow_redirects=True).get_data(as_text=True)
    assert f"entry #{entries[0].id} was altered" in page


def test_the_database_refuses_a_fork_in_the_chain(db):
    """Two entries can never follow the same one: prev_hash is unique."""
    (last,) = append_entries(1)
    fork = AuditEntry(
        seq=last.seq + 1,
        occurred_at=last.occurred_at,
        actor_label="forger",
        action="fork",
        prev_hash=last.prev_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(fork)
        db.session.flush()


@pytest.mark.postgres
def test_two_transactions_appending_at_once_do_not_fork_the_chain(app):
    """Two connections append at the same moment; the advisory lock makes the second wait for the first."""
    assert is_postgres(app), "run with TEST_DATABASE_URL pointing at PostgreSQL (the SQLite run deselects this)"
    barrier = threading.Barrier(2)
    results: dict[str, AuditEntry | Exception] = {}

    def append(name: str, hold_seconds: float, delay: float) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                time.sleep(delay)
                entry = audit.record("concurrent_append", by=None, detail=name)
                time.sleep(hold_seconds)  # keep the transaction open while the other one tries
                _db.session.commit()
                results[name] = {"id": entry.id, "hash": entry.hash, "prev_hash": entry.prev_hash}
            except Exception as exc:  # reported below
                _db.session.rollback()
                results[name] = exc
            finally:
                _db.session.remove()

    threads = [
        threading.Thread(target=append, args=("first", 0.5, 0.0)),
        threading.Thread(target=append, args=("second", 0.0, 0.1)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(isinstance(r, Exception) for r in results.values()), results
        first, second = results["first"], results["second"]
        assert second["prev_hash"] == first["hash"]
        with app.app_context():
            assert audit.verify_chain().is_intact
    finally:
        with app.app_context(), _db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
            conn.execute(text("DELETE FROM audit_entries WHERE action = 'concurrent_append'"))
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))


def test_entries_are_held_back_only_once_and_never_inside_a_request(app, db):
    """Holding entries back is for a loader like the demo: not nested, not in a request; and the story
    clock likewise stays out of requests."""
    from datetime import UTC, datetime

    from eia.auditlog.services import held_in_time_order
    from eia.db_types import story_at

    with held_in_time_order(), pytest.raises(RuntimeError), held_in_time_order():
        pass
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError), held_in_time_order():
            pass
        with pytest.raises(RuntimeError), story_at(datetime(2025, 1, 6, 9, tzinfo=UTC)):
            pass
