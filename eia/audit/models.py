"""The append-only, hash-chained audit log, and the quality audits of random samples of EIAs."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    column,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eia.db_types import BigId, UTCDateTime, enum_column, utcnow
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
#: A timestamp as SQLAlchemy writes it into SQLite (UTC, naive, always with microseconds).
_SQLITE_TIME = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}").fullmatch
_json_text = json.encoder.encode_basestring  # what _CANONICAL writes strings with (ensure_ascii=False)


class RowHash:
    """:func:`entry_hash` for rows of :meth:`columns` as the database driver returns them, with none
    of SQLAlchemy's per-value type processing; checking the whole log spends its time here.

    :meth:`fast` writes the canonical JSON directly (keys in sorted order, strings through json's own
    encoder function, SQLite's timestamp text rearranged rather than parsed and formatted again) and
    gives up (``None``) on a value of a type it does not expect. :meth:`matches` hashes a row the
    exact way whenever the fast way does not give the stored hash, so its answer is always
    entry_hash's; the fast way only makes the common case cheap.
    """

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

    def fast(self, row: Sequence[Any]) -> str | None:
        _id, seq, occurred_at, actor_id, actor_label, action, entity_type, entity_id, detail, changes, ip, prev, _ = row
        if type(seq) is not int or (actor_id is not None and type(actor_id) is not int):
            return None
        if type(occurred_at) is str and _SQLITE_TIME(occurred_at):
            when = f"{occurred_at[:10]}T{occurred_at[11:]}Z"
        else:
            when = canonical_time(self.to_time(occurred_at))
        changes = "null" if changes is None or changes == "null" else _CANONICAL.encode(self.to_changes(changes))
        text = _json_text  # raises TypeError on anything but str
        canonical = (
            f'{{"action":{text(action)},"actor_id":{"null" if actor_id is None else actor_id},'
            f'"actor_label":{text(actor_label)},"changes":{changes},'
            f'"detail":{"null" if detail is None else text(detail)},'
            f'"entity_id":{"null" if entity_id is None else text(entity_id)},'
            f'"entity_type":{"null" if entity_type is None else text(entity_type)},'
            f'"ip_address":{"null" if ip is None else text(ip)},"occurred_at":{text(when)},'
            f'"prev_hash":{text(prev)},"seq":{seq}}}'
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def matches(self, row: Sequence[Any]) -> bool:
        """Whether the row's stored hash (its last column) is the one its content should carry."""
        try:
            if self.fast(row) == row[12]:
                return True
        except TypeError:  # a value the canonical strings above do not cover: the exact way decides
            pass
        return self.exact(row) == row[12]


def _as_is(value: Any) -> Any:
    return value


def _result_processor(table_column: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a column's raw values when it loads them on *dialect*."""
    return table_column.type.dialect_impl(dialect).result_processor(dialect, None) or _as_is


class Rubric(db.Model):
    """A version of the quality-audit rubric, loaded from forms/rubrics/; scores keep their version."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # [{"key", "title", "question", "guidance": {"0": ..., "1": ..., "2": ...}}, ...] in order.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def criterion(self, key: str) -> dict[str, Any] | None:
        return next((c for c in self.criteria if c["key"] == key), None)

    def __repr__(self) -> str:
        return f"<Rubric {self.key} v{self.version}>"


class Sample(db.Model):
    """A frozen random draw of completed EIAs: the seed and the ordered population are kept so
    anyone can draw it again and get the same EIAs."""

    __tablename__ = "samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_label: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    service_area_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every service area
    size_asked: Mapped[str] = mapped_column(String(12))  # "5" or "10%"
    per_service_area: Mapped[bool] = mapped_column(Boolean, default=False)
    exclude_months: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))
    seed: Mapped[str] = mapped_column(String(64))
    # [[reference, service_area_id], ...] sorted by reference: what the draw chose from.
    population: Mapped[list[list[Any]]] = mapped_column(JSON)
    population_hash: Mapped[str] = mapped_column(String(64))
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)  # audited too recently
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[SampleItem]] = relationship(
        back_populates="sample", order_by="SampleItem.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Sample {self.id} {self.period_label} seed={self.seed!r}>"


class SampleItem(db.Model):
    __tablename__ = "sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "eia_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the order the draw picked them in

    sample: Mapped[Sample] = relationship(back_populates="items")
    scores: Mapped[list[QualityScore]] = relationship(
        back_populates="item", order_by="QualityScore.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<SampleItem {self.id} sample={self.sample_id} eia={self.eia_id}>"


class Rating(StrEnum):
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class QualityScore(db.Model):
    """One scoring of a sampled EIA against a rubric; a re-test is a later scoring linked to it."""

    __tablename__ = "quality_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_items.id", ondelete="CASCADE"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    retest_of_id: Mapped[int | None] = mapped_column(ForeignKey("quality_scores.id"), unique=True)
    points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    summary: Mapped[str] = mapped_column(Text, default="")
    scored_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    item: Mapped[SampleItem] = relationship(back_populates="scores")
    rubric: Mapped[Rubric] = relationship()
    criteria: Mapped[list[CriterionScore]] = relationship(
        back_populates="score_of", order_by="CriterionScore.id", cascade="all, delete-orphan"
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="score", order_by="Finding.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<QualityScore {self.id} item={self.item_id} {self.rating}>"


class CriterionScore(db.Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("score_id", "criterion"),
        CheckConstraint("score BETWEEN 0 AND 2", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("quality_scores.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(40), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    score_of: Mapped[QualityScore] = relationship(back_populates="criteria", foreign_keys=[score_id])

    def __repr__(self) -> str:
        return f"<CriterionScore {self.criterion}={self.score}>"


class FindingStatus(StrEnum):
    OPEN = "open"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Finding(db.Model):
    """Something a quality audit found to put right: an action for its owner (usually the author)."""

    __tablename__ = "quality_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("quality_scores.id", ondelete="CASCADE"), index=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id"), index=True)
    criterion: Mapped[str | None] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[FindingStatus] = mapped_column(enum_column(FindingStatus), default=FindingStatus.OPEN)
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    score: Mapped[QualityScore] = relationship(back_populates="findings")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Finding {self.id} {self.status}>"


class FrozenSampleError(RuntimeError):
    """Raised on any attempt to change or delete a drawn sample or its items."""


@event.listens_for(Session, "before_flush")
def _samples_are_frozen(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Sample | SampleItem) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise FrozenSampleError(f"{obj!r} is frozen: a drawn sample cannot be changed")
    for obj in session.new:
        # An item added to a sample drawn earlier (the draw itself adds its items with the sample).
        if isinstance(obj, SampleItem) and obj.sample is not None and obj.sample not in session.new:
            raise FrozenSampleError(f"{obj.sample!r} is frozen: no assessments can be added to it")
