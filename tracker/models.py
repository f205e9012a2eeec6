"""Equality action plans: plans, their priorities (objectives) and actions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: str | None) -> ActionStatus:
        """``"On track"``, ``"on_track"`` or ``"ON TRACK"``; empty means not started.

        :raises ValueError: for anything else.
        """
        cleaned = (text or "").strip().lower().replace(" ", "_").replace("-", "_")
        return cls(cleaned) if cleaned else cls.NOT_STARTED


class Plan(Model):
    """An equality action plan of one organisation, e.g. Charnwood's Equality Strategy Action Plan."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("organisation", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    priorities: Mapped[list[Priority]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Priority.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.organisation}: {self.title}>"


class Priority(Model):
    """A priority or objective of a plan ("PEO 1", "Priority 2")."""

    __tablename__ = "plan_priorities"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="priorities")
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="priority", cascade="all, delete-orphan", order_by="PlanAction.position"
    )

    def __repr__(self) -> str:
        return f"<Priority {self.ref}>"


class PlanAction(Model):
    """An action of a plan. The target is kept exactly as the council wrote it; ``due_on`` is what
    could be read from it (none for "Ongoing" or "Quarterly", which are marked recurring)."""

    __tablename__ = "plan_actions"
    __table_args__ = (UniqueConstraint("priority_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("plan_priorities.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(30))
    ref_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    leads: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_text: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    is_recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    success_measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.NOT_STARTED)
    position: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    priority: Mapped[Priority] = relationship(back_populates="actions")
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ProgressUpdate.id.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<PlanAction {self.ref}>"


class EiaActionLink(Model):
    """An EIA that evidences a plan action, with a note on how."""

    __tablename__ = "eia_action_links"
    __table_args__ = (UniqueConstraint("eia_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[PlanAction] = relationship()

    def __repr__(self) -> str:
        return f"<EiaActionLink eia {self.eia_id} action {self.action_id}>"


class ProgressUpdate(Model):
    """A dated note on an action's progress, with an optional change of status (and evidence)."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    written_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    status_before: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    status_after: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[PlanAction] = relationship(back_populates="updates")

    def __repr__(self) -> str:
        return f"<ProgressUpdate {self.id} on {self.action_id}>"


class PlannedEia(Model):
    """An entry of the EIA programme: an assessment a service area plans to carry out, linked to
    the EIA once it is started (so completion and publication can be measured against the plan)."""

    __tablename__ = "planned_eias"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    service_area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_start: Mapped[date] = mapped_column(Date, index=True)
    decision_date: Mapped[date | None] = mapped_column(Date)
    eia_id: Mapped[int | None] = mapped_column(ForeignKey("eias.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PlannedEia {self.id} {self.title!r}>"
