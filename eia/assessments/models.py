"""Equality impact assessments: the form templates they are written on, the characteristic register,
their sections, impacts, mitigations, snapshots and review comments."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eia.accounts.models import ServiceArea, User
from eia.assessments.states import (
    PUBLIC_STATES,
    SCREENING_SECTIONS,
    DecidingBody,
    DecisionOutcome,
    Direction,
    EiaKind,
    EiaState,
    MitigationStatus,
    SectionStatus,
    Severity,
)
from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model
from eia.working_days import add_working_days, uk_day
from forms.definitions import FormDefinition, Section, parse_definition


class FormTemplate(Model):
    """One version of the EIA form, kept whole so EIAs written on it stay readable."""

    __tablename__ = "form_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EiaKind] = mapped_column(enum_column(EiaKind))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The YAML as uploaded (empty for versions loaded before uploads were kept).
    source_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # New assessments use the newest published version; a published version never changes.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @cached_property
    def form(self) -> FormDefinition:
        return parse_definition(self.definition, self.source_name)

    def __repr__(self) -> str:
        return f"<FormTemplate {self.kind} v{self.version}>"


class ReferenceCounter(Model):
    """The last reference number given in a year (``EIA-2026-0042`` is number 42 of 2026): taken by
    one atomic UPDATE in the transaction that creates the assessment, so parallel starts never take
    the same number and a start that fails leaves no gap."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<ReferenceCounter {self.year}: {self.last_number}>"


class Characteristic(Model):
    """An entry of the characteristic register: the nine protected characteristics of the Equality
    Act 2010 (always on) and the council's local ones, which an administrator switches on or off."""

    __tablename__ = "characteristics"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    is_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Characteristic {self.key}>"


class Eia(Model):
    """An equality impact assessment. Its answers live in :class:`EiaSection` rows (one per section
    of its form template), its impacts and mitigations in their own tables."""

    __tablename__ = "eias"
    # Lists show the most recently changed first: read in that order instead of sorting them all.
    __table_args__ = (Index("ix_eias_updated_at_id", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[EiaKind] = mapped_column(enum_column(EiaKind))
    template_id: Mapped[int] = mapped_column(ForeignKey("form_templates.id"))
    state: Mapped[EiaState] = mapped_column(enum_column(EiaState), default=EiaState.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    proposal_type: Mapped[str | None] = mapped_column(String(40))
    service_area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("eias.id"), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(40))
    closed_at_screening: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day the equalities review of the latest submission is due (its target in working days
    # after submission): set whenever ``submitted_at`` is, so lists can filter on it.
    review_target_on: Mapped[date | None] = mapped_column(Date)
    # When the equalities team ended the review of the latest submission, approving or returning it.
    # Kept when a later step withdraws the approval, so the review's timing stays what it was.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The member of the equalities team the review is assigned to, if anyone.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When the draft was last handed to its author by someone else, and by whom (shown in My work).
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    template: Mapped[FormTemplate] = relationship()
    service_area: Mapped[ServiceArea] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    lead_officer: Mapped[User | None] = relationship(foreign_keys=[lead_officer_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    handed_over_by: Mapped[User | None] = relationship(foreign_keys=[handed_over_by_id])
    coauthors: Mapped[list[Coauthor]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="Coauthor.added_at", lazy="selectin"
    )
    previous: Mapped[Eia | None] = relationship(remote_side=[id])
    sections: Mapped[list[EiaSection]] = relationship(back_populates="eia", cascade="all, delete-orphan")
    impacts: Mapped[list[Impact]] = relationship(back_populates="eia", cascade="all, delete-orphan")
    mitigations: Mapped[list[Mitigation]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="Mitigation.id"
    )
    snapshots: Mapped[list[Snapshot]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="Snapshot.id"
    )
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="ReviewComment.id"
    )
    decision: Mapped[DecisionRecord | None] = relationship(
        back_populates="eia", cascade="all, delete-orphan", uselist=False, lazy="selectin"
    )
    reviewer: Mapped[User | None] = relationship(foreign_keys="Eia.reviewer_id")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def form(self) -> FormDefinition:
        return self.template.form

    def section(self, key: str) -> EiaSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def answers(self, key: str) -> dict[str, Any]:
        section = self.section(key)
        return dict(section.answers) if section else {}

    def need_of(self, section: Section) -> tuple[bool, str | None]:
        """Whether *section* is needed, and why when a rule of the template decides it: the one rule
        behind the task list and every rendering of the assessment. After a screening that found a
        full assessment not needed, only the screening sections are needed, and those a rule
        (``needed_when``, such as the Armed Forces Covenant functions) still asks for."""
        needed, reason = True, None
        if section.needed_when is not None:
            rule = section.needed_when
            needed = rule.holds(self.answers)
            if self.answers(rule.section).get(rule.condition.question) in (None, "", []):
                reason = "Your answers to the screening say whether this is needed"
            else:
                reason = rule.because if needed else rule.otherwise
        elif self.closed_at_screening and section.key not in SCREENING_SECTIONS:
            needed = False
        if needed and self.closed_at_screening and section.key not in SCREENING_SECTIONS and reason:
            reason = f"{reason}, even though a full assessment is not"
        return needed, reason

    @property
    def is_individual(self) -> bool:
        return self.kind is EiaKind.INDIVIDUAL

    @property
    def coauthor_ids(self) -> set[int]:
        return {c.user_id for c in self.coauthors}

    @property
    def writer_ids(self) -> set[int]:
        """Everyone who writes it: its author, lead officer and co-authors."""
        return {self.author_id, *self.coauthor_ids} | ({self.lead_officer_id} if self.lead_officer_id else set())

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES and self.published_at is not None and not self.is_individual

    def __repr__(self) -> str:
        return f"<Eia {self.reference} {self.state}>"


@event.listens_for(Eia.submitted_at, "set")
def _set_review_target(eia: Eia, value: datetime | None, _old: Any, _initiator: Any) -> None:
    eia.review_target_on = None if value is None else add_working_days(uk_day(value), review_target_days())


def review_target_days() -> int:
    """The working days the equalities team has to review a submission (10 unless configured)."""
    return current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"] if has_app_context() else 10


class DecisionRecord(Model):
    """The decision the assessment informs: who takes it and when (planned), then what was decided.

    Due regard is tested at the decision, so this is kept beside the assessment, whatever version of
    the form it was written on.
    """

    __tablename__ = "decision_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), unique=True)
    is_key_decision: Mapped[bool | None] = mapped_column(Boolean)
    forward_plan_reference: Mapped[str] = mapped_column(String(100), default="")
    deciding_body: Mapped[DecidingBody | None] = mapped_column(enum_column(DecidingBody))
    body_name: Mapped[str] = mapped_column(String(200), default="")  # the committee, or the officer's post
    decision_maker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date, index=True)
    report_reference: Mapped[str] = mapped_column(String(300), default="")
    taken_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[DecisionOutcome | None] = mapped_column(enum_column(DecisionOutcome))
    minutes_reference: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    eia: Mapped[Eia] = relationship(back_populates="decision")
    decision_maker: Mapped[User | None] = relationship(foreign_keys=[decision_maker_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_taken(self) -> bool:
        return self.taken_on is not None

    def __repr__(self) -> str:
        return f"<DecisionRecord of {self.eia_id}>"


class Coauthor(Model):
    """Someone the author asked to help write the assessment: they may edit it as the author does."""

    __tablename__ = "eia_coauthors"
    __table_args__ = (UniqueConstraint("eia_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    eia: Mapped[Eia] = relationship(back_populates="coauthors")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Coauthor {self.user_id} of {self.eia_id}>"


class EiaSection(Model):
    """The answers to one section. Each section has its own version counter, so two people saving
    different sections do not clash, and two saving the same one get a conflict page."""

    __tablename__ = "eia_sections"
    __table_args__ = (UniqueConstraint("eia_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[SectionStatus] = mapped_column(enum_column(SectionStatus), default=SectionStatus.NOT_STARTED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    eia: Mapped[Eia] = relationship(back_populates="sections")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<EiaSection {self.eia_id}:{self.key} {self.status}>"


class Impact(Model):
    """The effect of the proposal on people who share one characteristic."""

    __tablename__ = "impacts"
    __table_args__ = (UniqueConstraint("eia_id", "characteristic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    characteristic_id: Mapped[int] = mapped_column(ForeignKey("characteristics.id"), index=True)
    direction: Mapped[Direction | None] = mapped_column(enum_column(Direction))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity))
    who_affected: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    #: For an impact not known yet: what will be done to find out, and by when.
    finding_out: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    eia: Mapped[Eia] = relationship(back_populates="impacts")
    characteristic: Mapped[Characteristic] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_negative(self) -> bool:
        return self.direction == Direction.NEGATIVE

    @property
    def stated_severity(self) -> Severity | None:
        """Its severity as shown anywhere: a negative impact's only (one saved before the impacts came
        in two steps may still hold a severity on another direction; it is kept, never shown)."""
        return self.severity if self.is_negative else None

    @property
    def needs_detail(self) -> bool:
        """Whether it gets a page of its own (the real effect, who, evidence): any direction but neutral."""
        return self.direction is not None and self.direction is not Direction.NEUTRAL

    def __repr__(self) -> str:
        return f"<Impact {self.eia_id}:{self.characteristic_id} {self.direction}>"


class Mitigation(Model):
    """An action that reduces a negative impact, with an owner and a due date."""

    __tablename__ = "mitigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    characteristic_id: Mapped[int | None] = mapped_column(ForeignKey("characteristics.id"))
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[MitigationStatus] = mapped_column(
        enum_column(MitigationStatus), default=MitigationStatus.NOT_STARTED
    )
    measure: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    eia: Mapped[Eia] = relationship(back_populates="mitigations")
    characteristic: Mapped[Characteristic | None] = relationship()
    owner: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        return self.status is not MitigationStatus.DONE and self.due_on < today

    def __repr__(self) -> str:
        return f"<Mitigation {self.id} on {self.eia_id}>"


class Snapshot(Model):
    """The whole EIA as it stood when it was submitted, so a reviewer can see what changed."""

    __tablename__ = "eia_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: What the author declared when submitting it (the words they confirmed), if anything.
    declaration: Mapped[str | None] = mapped_column(Text)

    eia: Mapped[Eia] = relationship(back_populates="snapshots")
    taken_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Snapshot {self.id} of {self.eia_id}>"


class ReviewComment(Model):
    """A reviewer's comment on a section (or the whole EIA), and the comments that go with
    transitions such as returning. Never shown on the public register."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    transition: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The author marks a section's comment dealt with, with a reply if they like.
    dealt_with_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dealt_with_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply: Mapped[str | None] = mapped_column(Text)

    eia: Mapped[Eia] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    dealt_with_by: Mapped[User | None] = relationship(foreign_keys=[dealt_with_by_id])

    @property
    def is_dealt_with(self) -> bool:
        return self.dealt_with_at is not None

    def __repr__(self) -> str:
        return f"<ReviewComment {self.id} on {self.eia_id}>"


class PublishedTemplateError(RuntimeError):
    """Raised on any attempt to change or delete a published form template version."""


@event.listens_for(Session, "before_flush")
def _published_templates_never_change(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if not isinstance(obj, FormTemplate):
            continue
        history = inspect(obj).attrs.published_at.history
        before = [*history.deleted, *history.unchanged]
        if before and before[0] is not None and (obj in session.deleted or session.is_modified(obj)):
            raise PublishedTemplateError(f"{obj!r} is published: a published version never changes")
