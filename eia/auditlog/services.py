"""Writing to and checking the audit log.

Every service that changes something calls :func:`record` before it flushes, so the entry is written
in the same transaction as the change: both are committed together or neither is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_app_context, has_request_context
from sqlalchemy import insert, inspect, select, text

from eia.auditlog import checkpoints
from eia.auditlog.chain import ChainReport, count_entries, verify_chain
from eia.auditlog.models import GENESIS_HASH, AuditEntry, entry_hash
from eia.db_types import utcnow
from eia.extensions import db

__all__ = [
    "ChainReport",
    "check_chain",
    "command_line_actor",
    "count_entries",
    "field_changes",
    "record",
    "record_many",
    "verify_chain",
]

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
    entry = AuditEntry(
        occurred_at=utcnow(),
        actor_id=getattr(by, "id", None),
        actor_label=_actor_label(by),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        detail=detail,
        changes=plain(changes) if changes else None,
        ip_address=ip_address if ip_address is not None else _request_ip(),
    )
    held = _held.get()
    if held is not None:
        held.append(entry)
    else:
        _append([entry])
    return entry


def _append(entries: list[AuditEntry]) -> None:
    """Chain *entries* on to the log in their order, write them, and sign the checkpoints due."""
    seq, previous = _chain_tail()
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, previous
        entry.hash = previous = entry.compute_hash()
    db.session.add_all(entries)
    db.session.flush()
    for entry in entries:
        checkpoints.after_append(entry)


#: Entries recorded inside ``held_in_time_order``, waiting to be appended.
_held: ContextVar[list[AuditEntry] | None] = ContextVar("eia_audit_held", default=None)


@contextmanager
def held_in_time_order() -> Iterator[None]:
    """Keep back the entries recorded inside the block and, when it ends without an error, append
    them in the order of their times (entries of the same time in the order recorded).

    For the demo, which writes each part of its story on the day the story puts it
    (``eia.db_types.story_at``) but not in the order of those days: appended as recorded, the log's
    times would jump back and forth.
    """
    if _held.get() is not None or has_request_context():
        raise RuntimeError("entries are held back only by a loader like the demo, once, outside a request")
    held: list[AuditEntry] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held:
        _append(sorted(held, key=lambda e: e.occurred_at))


def record_many(entries: Iterable[dict[str, Any]], *, by: Any, chunk: int = 5000) -> int:
    """Append many entries at once, for loaders (``eia demo --scale``): the chain is computed here and
    the rows written with multi-row INSERTs, instead of one locked read and one INSERT per entry.

    Each item of *entries* gives ``action`` and any of ``entity_type``, ``entity_id``, ``detail`` and
    ``changes``; all are recorded as done now by *by*. No automatic checkpoint is signed inside the
    batch (``eia audit-log checkpoint`` covers it). Returns how many entries were written.
    """
    seq, prev_hash = _chain_tail()
    actor_id, actor_label, ip_address = getattr(by, "id", None), _actor_label(by), _request_ip()
    occurred_at = utcnow()
    rows: list[dict[str, Any]] = []
    written = 0
    for item in entries:
        seq += 1
        entity_id = item.get("entity_id")
        row = {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": item["action"],
            "entity_type": item.get("entity_type"),
            "entity_id": None if entity_id is None else str(entity_id),
            "detail": item.get("detail"),
            "changes": plain(item["changes"]) if item.get("changes") else None,
            "ip_address": ip_address,
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = entry_hash(**row)
        rows.append(row)
        if len(rows) == chunk:
            db.session.execute(insert(AuditEntry), rows)
            written += len(rows)
            rows = []
    if rows:
        db.session.execute(insert(AuditEntry), rows)
        written += len(rows)
    return written


def check_chain(*, by: Any, progress: Callable[[int], None] | None = None) -> ChainReport:
    """:func:`verify_chain`, recorded in the audit log after the check (so not among the entries
    counted): the Audit log page, ``eia audit-log verify`` and the API."""
    report = verify_chain(progress)
    record_check(report, by=by)
    return report


def record_check(report: ChainReport, *, by: Any, against: str | None = None) -> AuditEntry:
    """Record a check of the whole chain (and what it was compared with, if anything)."""
    outcome = "intact" if report.is_intact else f"broken: {report.problem}"
    detail = f"{report.entries} entries; {outcome}" + (f"; {against}" if against else "")
    return record("audit_log_verified", by=by, entity_type="audit_log", detail=detail)


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
