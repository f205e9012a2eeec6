"""RowHash: the audit log's hash recomputed from raw driver rows must be exactly entry_hash's, for
every value the app writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import column, select, table, text

from eia.auditlog import services as audit
from eia.auditlog.models import CHAIN_COLUMNS, AuditEntry, RowHash, entry_hash, hash_of
from tests.factories import make_user

AWKWARD_TEXT = [
    "Café – “curly quotes”, an em dash and ½",
    'a "quoted" word, a back\\slash and a / slash',
    "line one\nline two\ttabbed\r\x01\x1f control characters",
    "emoji 🏳️‍🌈 and a lone high plane 𝔘",
    "",
]


def raw_rows(db, ids: list[int]) -> list:
    """Rows of CHAIN_COLUMNS as verify_chain reads them: driver values, no type processing."""
    query = (
        select(*RowHash.columns(db.session.connection().dialect))
        .select_from(table("audit_entries"))
        .where(column("id").in_(ids))
        .order_by(column("seq"))
    )
    return db.session.connection().execute(query).all()


def awkward_entries(db) -> list[AuditEntry]:
    person = make_user(name="Zoë O’Brien-Łukasiewicz")
    entries = [
        audit.record("odd_text", by=person, detail=value, entity_type="thing", entity_id=value[:60])
        for value in AWKWARD_TEXT
    ]
    entries += [
        audit.record("no_detail", by=None),
        audit.record("ip", by=None, ip_address="2001:db8::1", entity_type="eia", entity_id=42),
        audit.record(
            "changes",
            by=person,
            changes={
                "name": ["Før", "Efter “quoted”"],
                "zeta": [None, True],
                "alpha": [1, 2],
                "nested": {"b": [1, {"ü": None}], "a": "x\ny"},
                "sections.impacts": ["not_started", "completed"],
            },
        ),
        audit.record("changes_is_the_string_null", by=None, changes="null"),  # JSON "null", not null
        audit.record("empty_changes", by=None, changes={}),
    ]
    db.session.commit()
    return entries


def test_raw_rows_give_every_stored_hash(db):
    entries = awkward_entries(db)
    hasher = RowHash(db.session.connection().dialect)
    rows = raw_rows(db, [e.id for e in entries])
    assert len(rows) == len(entries)
    for row in rows:
        assert hasher.exact(row) == row[-1], row
        assert hasher.matches(row)


@pytest.mark.postgres  # SQLite keeps no time zone
def test_raw_rows_agree_in_any_postgresql_time_zone(app, db):
    entries = awkward_entries(db)
    db.session.execute(text("SET LOCAL TIME ZONE 'America/St_Johns'"))  # UTC-03:30, a half-hour offset
    rows = raw_rows(db, [e.id for e in entries])
    assert rows[0][2].utcoffset() is not None and rows[0][2].utcoffset().total_seconds() != 0
    hasher = RowHash(db.session.connection().dialect)
    assert all(hasher.exact(row) == row[-1] for row in rows)


def test_an_altered_field_never_matches(db):
    (entry,) = awkward_entries(db)[-3:-2]
    hasher = RowHash(db.session.connection().dialect)
    (row,) = raw_rows(db, [entry.id])
    for position in range(1, 12):  # every hashed column
        if CHAIN_COLUMNS[position] == "occurred_at":
            continue  # below: a different time is a different type of value on each database
        altered = list(row)
        if CHAIN_COLUMNS[position] == "changes":
            altered[position] = '{"name": ["F\\u00f8r", "altered"]}'  # JSON text on both databases
        else:
            altered[position] = 999 if isinstance(row[position], int) else "altered"
        assert not hasher.matches(altered), CHAIN_COLUMNS[position]


def test_values_of_unexpected_types_are_hashed_as_they_are(app, db):
    """A seq stored as text (SQLite would keep it) is hashed as JSON text, exactly as entry_hash does."""
    (entry,) = awkward_entries(db)[5:6]
    hasher = RowHash(db.session.connection().dialect)
    (row,) = raw_rows(db, [entry.id])
    as_text = list(row)
    as_text[1] = str(row[1])
    assert not hasher.matches(as_text)
    as_text[-1] = entry_hash(**{**_fields(entry), "seq": str(entry.seq)})
    assert hasher.matches(as_text)


@pytest.mark.sqlite  # PostgreSQL hands over datetimes, not text
def test_sqlite_times_in_another_text_form_still_hash_exactly(app, db):
    when = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
    hasher = RowHash(db.session.connection().dialect)
    for stored in ("2025-04-01 09:30:00", "2025-04-01 09:30:00.000000"):
        expected = entry_hash(**{**_fields(None), "occurred_at": when})
        row = [1, 1, stored, None, "system", "x", None, None, None, None, None, "0" * 64, expected]
        assert hasher.exact(row) == row[-1], stored
        assert hasher.matches(row)


def _fields(entry: AuditEntry | None) -> dict:
    if entry is None:
        return {
            "seq": 1,
            "occurred_at": None,
            "actor_id": None,
            "actor_label": "system",
            "action": "x",
            "entity_type": None,
            "entity_id": None,
            "detail": None,
            "changes": None,
            "ip_address": None,
            "prev_hash": "0" * 64,
        }
    return {name: getattr(entry, name) for name in CHAIN_COLUMNS[1:-1]}


def test_entry_hash_is_unchanged():
    """The canonical form is the stored format: a hash written before must verify for ever (this one
    was computed by the json.dumps version the log started with)."""
    content = _fields(None) | {
        "occurred_at": datetime(2025, 4, 1, 9, 30, 0, 123456, tzinfo=UTC),
        "actor_id": 7,
        "detail": "Café “x”\n",
        "changes": {"b": [None, 1], "a": ["é", True]},
    }
    assert entry_hash(**content) == "2464206523c00a05089c0d44cc8e1fc9eb41cb3cded31faaf2540c0b5b0e425e"


def test_hash_of_a_model_and_of_its_raw_row_agree(db):
    entries = awkward_entries(db)
    hasher = RowHash(db.session.connection().dialect)
    by_id = {row[0]: row for row in raw_rows(db, [e.id for e in entries])}
    assert all(hash_of(entry) == hasher.exact(by_id[entry.id]) == entry.hash for entry in entries)
