"""verify_chain on raw rows must report exactly what the first version (SQLAlchemy-typed rows and
hash_of for each) reported, for an intact log and for every kind of tampering, in any batch size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from eia.auditlog import services as audit
from eia.auditlog.models import CHAIN_COLUMNS, GENESIS_HASH, AuditEntry, RowHash, hash_of
from eia.auditlog.services import ChainReport
from tests.conftest import is_postgres
from tests.test_audit_log import allow_tampering, append_entries


def first_version(batch: int = 5000) -> ChainReport:
    """The walk verify_chain did before it read raw rows, kept here as the reference."""
    columns = [getattr(AuditEntry, name) for name in CHAIN_COLUMNS]
    rows = audit.db.session.execute(select(*columns).order_by(AuditEntry.seq).execution_options(yield_per=batch))
    try:
        return _first_walk(rows)
    finally:
        rows.close()


def _first_walk(rows: Any) -> ChainReport:
    previous: Any = None
    count = 0
    for row in rows:
        count += 1
        head = (previous.id, previous.hash) if previous is not None else (None, None)
        if hash_of(row) != row.hash:
            problem = f"entry #{row.id} was altered: its content no longer matches its hash"
            return ChainReport(count, *head, broken_at=row.id, problem=problem)
        expected_seq = previous.seq + 1 if previous is not None else 1
        if row.seq != expected_seq:
            removed = row.seq - expected_seq
            what = "1 entry was" if removed == 1 else f"{removed} entries were"
            where = f"after entry #{previous.id}" if previous is not None else "at the start of the log"
            return ChainReport(count, *head, broken_at=row.id, problem=f"{what} removed {where}, before #{row.id}")
        expected_prev = previous.hash if previous is not None else GENESIS_HASH
        if row.prev_hash != expected_prev:
            if previous is None:
                problem = f"entry #{row.id} was altered and its hash recomputed: it does not start the chain"
                return ChainReport(count, *head, broken_at=row.id, problem=problem)
            problem = f"entry #{previous.id} was altered and its hash recomputed: entry #{row.id} no longer links to it"
            return ChainReport(count, *head, broken_at=previous.id, problem=problem)
        previous = row
    return ChainReport(count, *((previous.id, previous.hash) if previous is not None else (None, None)))


def assert_same_as_first_version(expect_broken_at: int | None) -> ChainReport:
    reference = first_version()
    assert reference.broken_at == expect_broken_at, reference
    for batch in (1, 2, 3, 5000):
        assert audit.verify_chain(batch=batch) == reference, batch
    return reference


def update(statement: str, **params: Any) -> None:
    audit.db.session.execute(text(statement), params)
    audit.db.session.commit()


def test_an_intact_log_reports_the_same(db):
    entries = append_entries(7)
    report = assert_same_as_first_version(None)
    assert report.head_id == entries[-1].id and report.head_hash == entries[-1].hash


def test_an_empty_log_is_intact(app, db):
    allow_tampering(app)
    update("DELETE FROM audit_entries")
    assert audit.verify_chain() == first_version() == ChainReport(0, None, None)


@pytest.mark.parametrize("which", [0, 3, 6])  # the first, one in the middle, the newest
@pytest.mark.parametrize(
    "change",
    [
        "detail = 'nothing happened'",
        "actor_label = 'someone else'",
        "entity_id = NULL",
        "ip_address = '10.0.0.1'",
        "occurred_at = occurred_at + INTERVAL '1 second'",
        'changes = \'{"state": ["draft", "approved"]}\'',
    ],
)
def test_an_altered_entry_reports_the_same(app, db, which, change):
    entries = append_entries(7)
    allow_tampering(app)
    if not is_postgres(app):
        change = change.replace("occurred_at + INTERVAL '1 second'", "'2020-02-02 02:02:02.000000'")
    update(f"UPDATE audit_entries SET {change} WHERE id = :id", id=entries[which].id)
    report = assert_same_as_first_version(entries[which].id)
    assert "was altered: its content no longer matches its hash" in report.problem


def test_a_removed_entry_reports_the_same(app, db):
    entries = append_entries(7)
    allow_tampering(app)
    update("DELETE FROM audit_entries WHERE id IN (:a, :b)", a=entries[3].id, b=entries[4].id)
    report = assert_same_as_first_version(entries[5].id)
    assert report.problem == f"2 entries were removed after entry #{entries[2].id}, before #{entries[5].id}"


def test_a_rehashed_forgery_reports_the_same(app, db):
    entries = append_entries(7)
    allow_tampering(app)
    forged = entries[4]
    forged.detail = "forged"
    forged.hash = forged.compute_hash()
    audit.db.session.commit()
    report = assert_same_as_first_version(forged.id)
    assert report.head_id == forged.id and f"entry #{entries[5].id} no longer links to it" in report.problem


def test_progress_counts_every_entry_checked(db):
    append_entries(5)
    calls: list[int] = []
    report = audit.verify_chain(progress=calls.append, batch=2)
    assert sum(calls) == report.entries and max(calls) <= 2


def test_the_session_connection_is_left_as_it_was(db):
    """The check reads through the session's own connection and leaves it as it was: no streaming
    option left set on it (on PostgreSQL every later statement would become a server-side cursor)."""
    append_entries(3)
    before = dict(db.session.connection().get_execution_options())
    audit.verify_chain(batch=2)
    assert dict(db.session.connection().get_execution_options()) == before
    assert db.session.execute(select(AuditEntry.id).limit(1)).scalar_one()


def test_an_error_during_the_walk_closes_the_cursor(db, monkeypatch):
    """The cursor is closed on the way out: on PostgreSQL a server-side cursor left open would
    refuse the next check in the same transaction (and warn when collected)."""
    append_entries(3)

    def broken(self, row):
        raise RuntimeError("checker failed")

    with monkeypatch.context() as patch:
        patch.setattr(RowHash, "matches", broken)
        with pytest.raises(RuntimeError, match="checker failed"):
            audit.verify_chain()
    assert audit.verify_chain().is_intact  # same transaction, same cursor name


def test_a_database_error_is_raised_as_sqlalchemy_raises_it(db):
    """Rows are read through the driver's own cursor; its errors still arrive as SQLAlchemy's, which
    the command line and the error pages handle (a traceback otherwise)."""
    append_entries(1)
    db.session.execute(text("ALTER TABLE audit_entries RENAME TO audit_entries_moved"))  # rolled back
    with pytest.raises((OperationalError, ProgrammingError), match="audit_entries"):
        audit.verify_chain()


def test_changes_still_pending_in_the_session_are_checked(app, db):
    """Rows are read below the ORM, so the session is flushed first, as the ORM query did."""
    entries = append_entries(3)
    allow_tampering(app)
    entries[1].detail = "changed in the session, not yet flushed"
    assert audit.verify_chain().broken_at == entries[1].id
