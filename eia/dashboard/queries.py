"""The dashboard's figures: each an aggregate query (or a short list with a fixed number of
queries), so the page costs the same whatever the number of assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, func, literal, select
from sqlalchemy.orm import aliased, selectinload

from eia.accounts.models import ServiceArea, User
from eia.assessments import decisions
from eia.assessments.models import DecisionRecord, Eia, Mitigation
from eia.assessments.queries import visible_to
from eia.assessments.states import EiaState, MitigationStatus
from eia.extensions import db
from eia.quality.queries import QuarterResult, quarterly_results
from eia.quality.sampling import quarter
from eia.working_days import uk_day, working_days_between

#: The states of the pipeline, in workflow order: those the list of assessments shows without asking
#: (abandoned drafts are left out, as there), so an area's total opens a list of as many.
PIPELINE_STATES = (
    EiaState.DRAFT,
    EiaState.SUBMITTED,
    EiaState.IN_REVIEW,
    EiaState.RETURNED,
    EiaState.APPROVED,
    EiaState.SIGNED_OFF,
    EiaState.PUBLISHED,
    EiaState.REVIEW_DUE,
    EiaState.ARCHIVED,
)
AT_RISK_DAYS = 28
LISTED = 20


@dataclass(frozen=True)
class AtRisk:
    """A decision due soon whose assessment is not yet approved."""

    eia: Eia
    decision_on: date
    body: str


def at_risk(user: User, today: date) -> tuple[int, list[AtRisk]]:
    """Decisions in the next 28 days whose assessment is not yet approved: how many, and the soonest."""
    condition = decisions.at_risk_sql(today, AT_RISK_DAYS)
    base = select(Eia).outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id).where(visible_to(user), condition)
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    planned = func.coalesce(DecisionRecord.planned_on, Eia.decision_date)
    rows = db.session.execute(
        base.add_columns(planned.label("planned"))
        .options(selectinload(Eia.service_area).selectinload(ServiceArea.parent))
        .order_by(planned, Eia.id)
        .limit(LISTED)
    ).all()
    return total, [AtRisk(eia, _as_date(on), _body(eia.decision)) for eia, on in rows]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _body(record: DecisionRecord | None) -> str:
    if record is None or record.deciding_body is None:
        return ""
    return record.body_name or record.deciding_body.label


@dataclass(frozen=True)
class PipelineRow:
    area_id: int
    area: str
    counts: dict[EiaState, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def pipeline(user: User) -> tuple[list[PipelineRow], dict[EiaState, int]]:
    """Assessments by service area and state (one GROUP BY), with the totals of each state."""
    parent = aliased(ServiceArea)
    rows = db.session.execute(
        select(ServiceArea.id, ServiceArea.name, parent.name, Eia.state, func.count(Eia.id))
        .join(Eia, Eia.service_area_id == ServiceArea.id)
        .outerjoin(parent, parent.id == ServiceArea.parent_id)
        .where(visible_to(user), Eia.state.in_(PIPELINE_STATES))
        .group_by(ServiceArea.id, ServiceArea.name, parent.name, Eia.state)
    ).all()
    areas: dict[int, PipelineRow] = {}
    for area_id, name, parent_name, state, count in rows:
        row = areas.setdefault(
            area_id,
            PipelineRow(area_id, f"{parent_name} > {name}" if parent_name else name, dict.fromkeys(PIPELINE_STATES, 0)),
        )
        row.counts[state] = count
    ordered = sorted(areas.values(), key=lambda r: r.area.casefold())
    totals = {state: sum(r.counts[state] for r in ordered) for state in PIPELINE_STATES}
    return ordered, totals


@dataclass(frozen=True)
class WaitingReview:
    eia: Eia
    submitted_on: date
    working_days: int
    target_on: date | None
    is_over: bool


@dataclass(frozen=True)
class Reviews:
    waiting: int
    over_target: int
    oldest: list[WaitingReview]


def reviews_waiting(user: User, today: date) -> Reviews:
    """Submitted assessments waiting for the equalities team: how many, how many past the target
    (10 working days, England and Wales bank holidays left out), and the longest waiting."""
    waiting = Eia.state.in_((EiaState.SUBMITTED, EiaState.IN_REVIEW))
    counts = db.session.execute(
        select(func.count(), func.count().filter(Eia.review_target_on < literal(today, Date))).where(
            visible_to(user), waiting
        )
    ).one()
    oldest = (
        db.session.execute(
            select(Eia)
            .where(visible_to(user), waiting)
            .options(selectinload(Eia.service_area).selectinload(ServiceArea.parent), selectinload(Eia.reviewer))
            .order_by(Eia.submitted_at, Eia.id)
            .limit(LISTED)
        )
        .scalars()
        .all()
    )
    listed = [
        WaitingReview(
            eia,
            uk_day(eia.submitted_at),
            working_days_between(uk_day(eia.submitted_at), today),
            eia.review_target_on,
            eia.review_target_on is not None and eia.review_target_on < today,
        )
        for eia in oldest
        if eia.submitted_at is not None
    ]
    return Reviews(counts[0], counts[1], listed)


@dataclass(frozen=True)
class OverdueMitigations:
    total: int
    by_area: list[tuple[str, int]]


def overdue_mitigations(user: User, today: date) -> OverdueMitigations:
    """Mitigations past their due date and not done, by service area (one GROUP BY)."""
    parent = aliased(ServiceArea)
    rows = db.session.execute(
        select(ServiceArea.name, parent.name, func.count(Mitigation.id))
        .join(Eia, Eia.id == Mitigation.eia_id)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(parent, parent.id == ServiceArea.parent_id)
        .where(
            visible_to(user),
            Mitigation.status != MitigationStatus.DONE,
            Mitigation.due_on < today,
            Eia.state.not_in((EiaState.ABANDONED, EiaState.ARCHIVED)),
        )
        .group_by(ServiceArea.id, ServiceArea.name, parent.name)
        .order_by(func.count(Mitigation.id).desc(), ServiceArea.name)
    ).all()
    by_area = [(f"{p} > {name}" if p else name, n) for name, p, n in rows]
    return OverdueMitigations(sum(n for _, n in by_area), by_area)


@dataclass(frozen=True)
class ReviewDates:
    review_due: int  # moved to "review due" (by eia daily)
    passed_not_moved: int  # finished, review date passed, not moved yet


def review_dates(user: User, today: date) -> ReviewDates:
    """Finished assessments whose review date has passed (one query)."""
    newer = aliased(Eia)
    current = ~select(newer.id).where(newer.previous_id == Eia.id).exists()
    row = db.session.execute(
        select(
            func.count().filter(Eia.state == EiaState.REVIEW_DUE),
            func.count().filter(Eia.state.in_((EiaState.SIGNED_OFF, EiaState.PUBLISHED))),
        ).where(visible_to(user), Eia.review_date < today, current)
    ).one()
    return ReviewDates(row[0], row[1])


@dataclass(frozen=True)
class TimingRow:
    key: str
    question: str
    counts: dict[str, int]  # by Timing value


def questions(target: int) -> dict[str, str]:
    """The question each timing answers, as the assessment page asks it."""
    return {
        "started": "Started before the decision",
        "review": f"Reviewed within {target} working days",
        "approved": "Approved and signed off before the decision",
        "decision": "Decision taken with an approved assessment",
    }


def timings(user: User, today: date, questions: dict[str, str]) -> list[TimingRow]:
    """How many assessments (the list's default: all but abandoned drafts) are on time, late or not
    yet known for each timing of due regard, in one query."""
    columns = [
        func.count().filter(decisions.timing_sql(key, today) == timing.value).label(f"{key}_{timing.value}")
        for key in decisions.TIMING_KEYS
        for timing in decisions.Timing
    ]
    row = db.session.execute(
        select(*columns)
        .select_from(Eia)
        .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        .where(visible_to(user), Eia.state != EiaState.ABANDONED)
    ).one()
    found = row._mapping
    return [
        TimingRow(key, questions[key], {t.value: found[f"{key}_{t.value}"] for t in decisions.Timing})
        for key in decisions.TIMING_KEYS
    ]


def sampling_progress(today: date, target: int) -> QuarterResult:
    """This quarter's quality-audit sampling against the target (two queries)."""
    year = today.year if today.month >= 4 else today.year - 1
    number = next(n for n in range(1, 5) if quarter(year, n).start <= today <= quarter(year, n).end)
    return quarterly_results(year, target, today)[number - 1]
