"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eia.db_types import BigId, UTCDateTime
from eia.extensions import db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
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


def canonical_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


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
