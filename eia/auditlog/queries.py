"""Reading the audit log: filtered lists and exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, Text, cast, func, or_, select

from eia.auditlog.models import AuditEntry, canonical_time
from eia.extensions import db


@dataclass(frozen=True)
class AuditFilter:
    """What a reader can narrow the log by; every field is optional."""

    text: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    since: date | None = None
    until: date | None = None
    up_to_id: int | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries(filters: AuditFilter | None = None) -> Select[AuditEntry]:
    """Entries matching *filters*, oldest first. ``until`` includes the whole of that day."""
    f = filters or AuditFilter()
    query = select(AuditEntry)
    if f.text:
        words = f.text.strip()  # "%" and "_" match themselves
        query = query.where(
            or_(
                AuditEntry.actor_label.icontains(words, autoescape=True),
                AuditEntry.detail.icontains(words, autoescape=True),
                AuditEntry.entity_id.icontains(words, autoescape=True),
                AuditEntry.action.icontains(words, autoescape=True),
                cast(AuditEntry.changes, Text).icontains(words, autoescape=True),
            )
        )
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.entity_type:
        query = query.where(AuditEntry.entity_type == f.entity_type)
    if f.entity_id:
        query = query.where(AuditEntry.entity_id == f.entity_id)
    if f.up_to_id is not None:
        query = query.where(AuditEntry.id <= f.up_to_id)
    if f.since:
        query = query.where(AuditEntry.occurred_at >= _start_of(f.since))
    if f.until and f.until < date.max:
        query = query.where(AuditEntry.occurred_at < _start_of(f.until + timedelta(days=1)))
    return query.order_by(AuditEntry.id)


def distinct_actions() -> Select[str]:
    return select(AuditEntry.action).distinct().order_by(AuditEntry.action)


EXPORT_HEADER = (
    "id",
    "occurred_at_utc",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "detail",
    "changes",
    "ip_address",
    "prev_hash",
    "hash",
)


def export_rows(filters: AuditFilter | None = None, batch: int = 2000) -> Iterator[tuple]:
    """The filtered entries as plain rows for CSV, streamed in batches."""
    result = db.session.execute(entries(filters).execution_options(yield_per=batch)).scalars()
    try:
        yield from (_export_row(entry) for entry in result)
    finally:
        result.close()


def newest_id() -> int:
    return db.session.execute(select(func.max(AuditEntry.id))).scalar() or 0


def _export_row(entry: AuditEntry) -> tuple:
    return (
        entry.id,
        canonical_time(entry.occurred_at),
        entry.actor_label,
        entry.action,
        entry.entity_type or "",
        entry.entity_id or "",
        entry.detail or "",
        json.dumps(entry.changes, sort_keys=True, ensure_ascii=False) if entry.changes else "",
        entry.ip_address or "",
        entry.prev_hash,
        entry.hash,
    )
