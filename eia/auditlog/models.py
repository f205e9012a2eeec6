"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    cast,
    column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from eia.db_types import BigId, UTCDateTime
from eia.extensions import Model

GENESIS_HASH = "0" * 64


class AuditEntry(Model):
    """One thing that happened. ``hash`` covers every field below plus ``prev_hash``, so altering or
    removing an entry breaks the chain from that point on, and ``seq`` tells which of the two it was."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_entity", "entity_type", "entity_id"),
        Index("ix_audit_entries_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Gapless position in the chain (1, 2, 3 ...), covered by the hash: a gap means entries were removed.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        return hash_of(self)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"


class AuditCheckpoint(Model):
    """A signed statement that the log had *size* entries with *head_hash* as the newest one's hash.

    Append-only like the log (the database refuses UPDATE and DELETE). What makes it worth something
    is that copies live elsewhere: the public register publishes every one and witnesses are
    emailed them, so a log cut short or rewritten later no longer matches them."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)  # entries attested: the newest one's seq
    head_hash: Mapped[str] = mapped_column(String(64))  # that entry's hash (the genesis hash for none)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str] = mapped_column(Text)  # the signed checkpoint, exactly as published
    # Where the chain was checked from before signing: 0 for the whole log, else the position of the
    # checkpoint it extends.
    checked_from: Mapped[int] = mapped_column(BigInteger)
    made_by: Mapped[str] = mapped_column(String(120))  # "eia audit-log checkpoint", "every 1,000 entries"

    def __repr__(self) -> str:
        return f"<AuditCheckpoint {self.id} size={self.size}>"


class CheckpointEmail(Model):
    """A checkpoint emailed to the witnesses (claimed before sending, removed if the send fails)."""

    __tablename__ = "audit_checkpoint_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(BigId, ForeignKey("audit_checkpoints.id"), unique=True)
    recipients: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CheckpointEmail {self.checkpoint_id} {self.sent_at}>"


def canonical_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: The one encoder behind the canonical form: ``json.dumps(..., sort_keys=True, separators=(",", ":"),
#: ensure_ascii=False)`` without building a new encoder for every entry.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    entity_type: str | None,
    entity_id: str | None,
    detail: str | None,
    changes: dict[str, Any] | None,
    ip_address: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 of the entry's canonical JSON form (sorted keys, no spaces, UTC microseconds)."""
    content = {
        "seq": seq,
        "occurred_at": canonical_time(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "detail": detail,
        "changes": changes,
        "ip_address": ip_address,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_CANONICAL.encode(content).encode("utf-8")).hexdigest()


def hash_of(entry: Any) -> str:
    """The hash an entry (a model or a row with the same fields) should carry."""
    return entry_hash(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        detail=entry.detail,
        changes=entry.changes,
        ip_address=entry.ip_address,
        prev_hash=entry.prev_hash,
    )


#: The columns :class:`RowHash` reads, in this order (the stored ``hash`` last).
CHAIN_COLUMNS = (
    "id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "detail",
    "changes",
    "ip_address",
    "prev_hash",
    "hash",
)


class RowHash:
    """:func:`entry_hash` for rows of :meth:`columns` as the database driver returns them, with
    SQLAlchemy's type processing applied only where the hash needs it (the time and the changes):
    checking a chain reads plain tuples, not ORM rows or objects."""

    def __init__(self, dialect: Dialect) -> None:
        self.to_time = _result_processor(AuditEntry.__table__.c.occurred_at, dialect)
        # ``changes`` always arrives as JSON text (see columns()), loaded as SQLAlchemy's JSON type would.
        self.to_changes = getattr(dialect, "_json_deserializer", None) or json.loads

    @staticmethod
    def columns(dialect: Dialect) -> list[Any]:
        """:data:`CHAIN_COLUMNS` to select: untyped, so values come as the driver gives them, and
        ``changes`` as its JSON text even where the driver would parse it (psycopg), since most are
        ``null`` and need no parsing."""
        chosen: list[Any] = [column(name) for name in CHAIN_COLUMNS]
        if dialect.supports_native_json_deserialization:
            chosen[CHAIN_COLUMNS.index("changes")] = cast(column("changes"), Text).label("changes")
        return chosen

    def exact(self, row: Sequence[Any]) -> str:
        _id, seq, occurred_at, actor_id, actor_label, action, entity_type, entity_id, detail, changes, ip, prev, _ = row
        return entry_hash(
            seq=seq,
            occurred_at=self.to_time(occurred_at),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            detail=detail,
            changes=None if changes is None else self.to_changes(changes),
            ip_address=ip,
            prev_hash=prev,
        )

    def matches(self, row: Sequence[Any]) -> bool:
        """Whether the row's stored hash (its last column) is the one its content should carry."""
        return self.exact(row) == row[12]


def _as_is(value: Any) -> Any:
    return value


def _result_processor(table_column: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a column's raw values when it loads them on *dialect*."""
    return table_column.type.dialect_impl(dialect).result_processor(dialect, None) or _as_is
