"""The yearly equality information (Public Sector Equality Duty (Specific Duties and Public Authorities)
Regulations 2017, regulations 4 and 5): what the council publishes each year to show how it complied
with the duty, built from what the service holds: the assessments published in the financial year
with their outcomes and the decisions they informed, the equality objectives' progress, the annual
report's headline figures, and the equalities team's own narrative. Nothing unpublished appears;
individual-action assessments are counted, never named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, select

from eia import signals
from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import DecisionRecord, Eia
from eia.assessments.queries import financial_year_bounds, financial_year_of
from eia.assessments.states import COMPLETED_STATES, PUBLIC_STATES, EiaKind
from eia.extensions import db
from eia.notifications.services import Reminder
from eia.reports import figures
from eia.reports.models import TextKind, YearText
from eia.reports.queries import year_text
from eia.signals import values_from

#: Reminders go this many days before the publication date (8 and 2 weeks).
REMINDER_DAYS = (56, 14)


@dataclass(frozen=True)
class PublishedRow:
    reference: str
    title: str
    directorate: str
    outcome: str
    decision: str


@dataclass
class EqualityInformation:
    year: int
    council: str
    narrative: YearText
    published: list[PublishedRow]
    individual_completed: int
    headline: figures.Pipeline
    outcomes: list[tuple[str, int]]
    objectives: list[Any] = field(default_factory=list)  # tracker.dashboard.PrioritySummary

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


def published_in(year: int) -> list[PublishedRow]:
    """Standard assessments published in the financial year and still public, with the decision each informed."""
    start, end = financial_year_bounds(year)
    directorate = func.coalesce(ServiceArea.parent_id, ServiceArea.id)
    names = dict(db.session.execute(select(ServiceArea.id, ServiceArea.name)).all())
    rows = db.session.execute(
        select(Eia.reference, Eia.title, directorate, Eia.outcome, DecisionRecord, Eia.closed_at_screening)
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        .where(
            Eia.kind == EiaKind.STANDARD,
            Eia.state.in_(PUBLIC_STATES),
            and_(Eia.published_at >= start, Eia.published_at < end),
        )
        .order_by(Eia.published_at, Eia.reference)
    ).all()
    return [
        PublishedRow(
            ref,
            title,
            names.get(area, ""),
            figures.outcome_words(outcome, screened),
            decision_in_words(record),
        )
        for ref, title, area, outcome, record, screened in rows
    ]


def decision_in_words(record: DecisionRecord | None) -> str:
    """ "Cabinet or an executive member, 20 June 2025: agreed with amendments", or "Not yet taken"."""
    if record is None or record.taken_on is None:
        return "Not yet taken"
    body = record.deciding_body.label if record.deciding_body else "Decided"
    outcome = f": {record.outcome.label.lower()}" if record.outcome else ""
    return f"{body}, {record.taken_on.day} {record.taken_on:%B %Y}{outcome}"


def individual_completed(year: int) -> int:
    start, end = financial_year_bounds(year)
    return db.session.execute(
        select(func.count()).where(
            Eia.kind == EiaKind.INDIVIDUAL,
            Eia.state.in_(COMPLETED_STATES),
            Eia.approved_at >= start,
            Eia.approved_at < end,
        )
    ).scalar_one()


def build(year: int, today: date) -> EqualityInformation | None:
    """The year's equality information, or None before the equalities team has published it."""
    narrative = year_text(TextKind.EQUALITY_INFORMATION, year)
    if narrative is None:
        return None
    extra: dict[str, Any] = {}
    for part in values_from(signals.report_sections.send(None, year=year, today=today)):
        extra.update(part)
    return EqualityInformation(
        year=year,
        council=current_app.config["EIA_COUNCIL_NAME"],
        narrative=narrative,
        published=published_in(year),
        individual_completed=individual_completed(year),
        headline=figures.totals(figures.pipeline_by_service_area(year), "All directorates"),
        outcomes=figures.outcomes(year),
        objectives=extra.get("priorities", []),
    )


def due_date(today: date) -> date:
    """The next publication date on or after *today* (``EIA_EQUALITY_INFORMATION_DUE``, "DD-MM")."""
    day, month = (int(part) for part in current_app.config["EIA_EQUALITY_INFORMATION_DUE"].split("-"))
    due = date(today.year, month, day)
    return due if due >= today else date(today.year + 1, month, day)


def year_due(due: date) -> int:
    """The financial year whose information is published by *due*: the last one ended before it."""
    return financial_year_of(due) - 1


def publication_reminders(_sender: Any, *, today: date) -> Iterator[Reminder]:
    """8 and 2 weeks before the publication date, a reminder to each member of the equalities team
    (the ``eia.signals.reminders`` signal)."""
    due = due_date(today)
    left = (due - today).days
    if left not in REMINDER_DAYS:
        return
    year = year_due(due)
    label = f"{year}/{(year + 1) % 100:02d}"
    team = db.session.execute(select(User.id).where(User.role == Role.EQUALITIES, User.is_enabled.is_(True))).scalars()
    for user_id in team:
        yield Reminder(
            user_id,
            f"equality_information:{year}:{left}",
            "equality_information",
            f"The equality information for {label} is due to be published by {due.day} {due:%B %Y}, "
            f"in {left // 7} weeks",
            f"/register/equality-information/{year}/edit",
            due,
        )
