"""Writing to and checking the audit log.

Every service that changes something calls :func:`record` before it flushes, so the entry is written
in the same transaction as the change: both are committed together or neither is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_app_context
from sqlalchemy import Connection, column, inspect, select, table, text
from sqlalchemy.exc import DBAPIError

from eia.auditlog.models import GENESIS_HASH, AuditEntry, RowHash
from eia.db_types import utcnow
from eia.extensions import db

#: Arbitrary constant key for the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 4_242_001
#: Fields whose values never go into the log, only the fact that they changed.
SECRET_FIELDS = frozenset({"password_hash", "session_token"})
HIDDEN = "(not shown)"


def plain(value: Any) -> Any:
    """Turn a model value into something JSON keeps exactly (so the hash survives a round trip)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "id"):
        return value.id
    return str(value)


def field_changes(obj: Any, *, skip: Iterable[str] = ("version", "created_at")) -> dict[str, list[Any]]:
    """The pending column changes of *obj* as ``{field: [old, new]}``, read before the flush.

    A new object reports every set column with ``None`` as its old value. Call it straight after
    setting the attributes: a flush (or autoflush) in between resets what it can see.
    """
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    skipped = set(skip)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skipped or key == "id" or key in state.expired_attributes:
            continue
        with db.session.no_autoflush:
            history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if state.pending or state.transient:
            old = None
            if new is None:
                continue
        if old == new:
            continue
        if key in SECRET_FIELDS:
            changes[key] = [HIDDEN, HIDDEN]
        else:
            changes[key] = [plain(old), plain(new)]
    return changes


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _request_ip() -> str | None:
    return g.get("client_ip") if has_app_context() else None


def _actor_label(by: Any) -> str:
    if by is None:
        return "system"
    label = getattr(by, "email", None) or str(by)
    # Through the API, say which of the person's tokens acted (tokens are revoked one by one).
    token = g.get("api_token") if has_app_context() else None
    if token is not None and getattr(by, "id", None) == token.user_id:
        label = f"{label} (API token {token.hint}…)"
    return label[:254]


def _chain_tail() -> tuple[int, str]:
    """The newest entry's sequence number and hash, holding the chain lock on PostgreSQL until the
    transaction ends (so a parallel append waits instead of forking the chain)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    tail = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (tail.seq, tail.hash) if tail else (0, GENESIS_HASH)


def record(
    action: str,
    entity: Any = None,
    *,
    by: Any,
    changes: dict[str, Any] | None = None,
    detail: str | None = None,
    entity_type: str | None = None,
    entity_id: str | int | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append an entry to the audit log in the current transaction.

    :param entity: the model the action is about; its type and id are taken from it.
    :param by: the person acting (``None`` for the system itself).
    """
    if entity is not None:
        if getattr(entity, "id", None) is None:
            db.session.flush()
        entity_type = entity_type or _snake_case(entity.__class__.__name__)
        entity_id = entity.id
    tail_seq, prev_hash = _chain_tail()
    entry = AuditEntry(
        seq=tail_seq + 1,
        occurred_at=utcnow(),
        actor_id=getattr(by, "id", None),
        actor_label=_actor_label(by),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        detail=detail,
        changes=plain(changes) if changes else None,
        ip_address=ip_address if ip_address is not None else _request_ip(),
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the whole chain."""

    entries: int
    head_id: int | None
    head_hash: str | None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def is_intact(self) -> bool:
        return self.broken_at is None


def count_entries() -> int:
    return db.session.execute(select(db.func.count()).select_from(AuditEntry)).scalar_one()


def verify_chain(progress: Callable[[int], None] | None = None, batch: int = 5000) -> ChainReport:
    """Walk the log in order, recomputing each hash and checking each link and sequence number.

    Linear in the number of entries and streamed in batches, so memory stays flat; *progress* (if
    given) is called with the number of entries checked after each batch. Stops at the first
    problem and names the entry where the chain breaks:

    - an entry whose content no longer matches its own hash was altered;
    - a gap in the sequence means entries were removed;
    - an entry whose own hash is right but which does not link to the one before means that one was
      altered and its hash recomputed.
    """
    if db.session.autoflush:
        db.session.flush()  # as an ORM query would: changes still pending in the session are checked too
    connection = db.session.connection()
    with _chain_rows(connection, batch) as batches:
        return _walk(batches, RowHash(connection.dialect).matches, progress)


@contextmanager
def _chain_rows(connection: Connection, batch: int) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
    """The whole log in ``seq`` order, *batch* rows at a time, as the plain tuples the driver makes, in
    the session's own transaction. SQLAlchemy's Row objects would cost more than checking the rows
    (and twice the objects for the garbage collector to scan). On PostgreSQL a server-side cursor
    streams them, so memory stays flat."""
    dialect = connection.dialect
    query = select(*RowHash.columns(dialect)).select_from(table(AuditEntry.__tablename__)).order_by(column("seq"))
    sql = str(query.compile(dialect=dialect))
    dbapi_connection = connection.connection
    if dialect.driver in ("psycopg", "psycopg2"):
        cursor = dbapi_connection.cursor(name="eia_audit_chain")
    else:
        cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        yield iter(lambda: cursor.fetchmany(batch), [])
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it, so callers (and the error pages) see the usual exceptions.
        raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
    finally:
        cursor.close()


def _walk(
    batches: Iterable[Sequence[Any]], matches: Callable[[Any], bool], progress: Callable[[int], None] | None
) -> ChainReport:
    """Check rows of CHAIN_COLUMNS in ``seq`` order, from the start of the log."""
    count = 0
    head_id: int | None = None  # the last entry found sound
    head_hash: str | None = None
    expected_seq = 1
    expected_prev = GENESIS_HASH
    for rows in batches:
        for row in rows:
            count += 1
            entry_id, seq, prev_hash, own_hash = row[0], row[1], row[11], row[12]
            if not matches(row):
                return ChainReport(
                    count,
                    head_id,
                    head_hash,
                    broken_at=entry_id,
                    problem=f"entry #{entry_id} was altered: its content no longer matches its hash",
                )
            if seq != expected_seq:
                removed = seq - expected_seq
                what = "1 entry was" if removed == 1 else f"{removed} entries were"
                where = f"after entry #{head_id}" if head_id is not None else "at the start of the log"
                return ChainReport(
                    count, head_id, head_hash, broken_at=entry_id, problem=f"{what} removed {where}, before #{entry_id}"
                )
            if prev_hash != expected_prev:
                if head_id is None:
                    problem = f"entry #{entry_id} was altered and its hash recomputed: it does not start the chain"
                    return ChainReport(count, head_id, head_hash, broken_at=entry_id, problem=problem)
                problem = (
                    f"entry #{head_id} was altered and its hash recomputed: entry #{entry_id} no longer links to it"
                )
                return ChainReport(count, head_id, head_hash, broken_at=head_id, problem=problem)
            head_id, head_hash = entry_id, own_hash
            expected_seq, expected_prev = seq + 1, own_hash
        if progress is not None:
            progress(len(rows))
    return ChainReport(count, head_id, head_hash)


def check_chain(*, by: Any, progress: Callable[[int], None] | None = None) -> ChainReport:
    """:func:`verify_chain`, recorded in the audit log after the check (so not among the entries
    counted): the Audit log page, ``eia audit-log verify`` and the API."""
    report = verify_chain(progress)
    outcome = "intact" if report.is_intact else f"broken: {report.problem}"
    record("audit_log_verified", by=by, entity_type="audit_log", detail=f"{report.entries} entries; {outcome}")
    return report


@dataclass(frozen=True)
class SystemActor:
    """Who acts when no person is signed in: a command, a scheduled job."""

    email: str
    id: None = None


def command_line_actor() -> SystemActor:
    import getpass

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return SystemActor(email=f"command line ({who})")
