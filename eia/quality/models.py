"""Quality audits of random samples of completed EIAs: rubrics, samples, scores and findings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model


class Rubric(Model):
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


class Sample(Model):
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
    # Method v2: [{"key", "weight", "minimum"}, ...] in the order of sampling.STRATA; empty for v1.
    strata: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    seed: Mapped[str] = mapped_column(String(64))
    # [[reference, service_area_id], ...] sorted by reference: what the draw chose from (v2 adds each
    # EIA's strata: [[reference, service_area_id, ["budget", ...]], ...]).
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


class SampleItem(Model):
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


class QualityScore(Model):
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
    moderation: Mapped[Moderation | None] = relationship(
        back_populates="score", cascade="all, delete-orphan", uselist=False
    )

    @property
    def counted_points(self) -> int:
        """The points that count in averages and the report: the moderator's, where moderated."""
        return self.moderation.points if self.moderation else self.points

    @property
    def counted_max_points(self) -> int:
        return self.moderation.max_points if self.moderation else self.max_points

    @property
    def counted_rating(self) -> Rating:
        return self.moderation.rating if self.moderation else self.rating

    def __repr__(self) -> str:
        return f"<QualityScore {self.id} item={self.item_id} {self.rating}>"


class Moderation(Model):
    """A second member of the equalities team's view of a scoring: they agree, or give their own
    scores with a note. Where they differ, the moderated scores count; the first scoring is kept."""

    __tablename__ = "quality_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("quality_scores.id", ondelete="CASCADE"), unique=True)
    agrees: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    score: Mapped[QualityScore] = relationship(back_populates="moderation")
    criteria: Mapped[list[ModeratedCriterionScore]] = relationship(
        back_populates="moderation", order_by="ModeratedCriterionScore.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Moderation of {self.score_id} {'agrees' if self.agrees else self.rating}>"


class ModeratedCriterionScore(Model):
    """The moderator's own score on one criterion (None: not applicable); only where they differ."""

    __tablename__ = "moderated_criterion_scores"
    __table_args__ = (
        UniqueConstraint("moderation_id", "criterion"),
        CheckConstraint("score BETWEEN 0 AND 2", name="moderated_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("quality_moderations.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column(Integer)

    moderation: Mapped[Moderation] = relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"<ModeratedCriterionScore {self.criterion}={self.score}>"


class CriterionScore(Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("score_id", "criterion"),
        CheckConstraint("score BETWEEN 0 AND 2", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("quality_scores.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(40), index=True)
    score: Mapped[int | None] = mapped_column(Integer)  # None: not applicable (rubric v2)
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


class Finding(Model):
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
    new = session.new  # a fresh set on each access: read it once
    for obj in new:
        # An item added to a sample drawn earlier (the draw itself adds its items with the sample).
        if isinstance(obj, SampleItem) and obj.sample is not None and obj.sample not in new:
            raise FrozenSampleError(f"{obj.sample!r} is frozen: no assessments can be added to it")
