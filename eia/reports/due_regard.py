"""The report's figures on due regard, for SLT and the Equality Working Group: when each assessment
was done against its decision, what was screened out and why, outcomes by directorate, the
decisions the assessments changed, what was still open at the year's end, and the evidence gaps
that recur. Each figure is one GROUP BY (or one list) over the year's assessments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, func, literal, or_, select

from eia.accounts.models import ServiceArea
from eia.assessments import decisions
from eia.assessments.models import Characteristic, DecisionRecord, Eia, EiaSection, Impact, Mitigation
from eia.assessments.queries import financial_year_bounds
from eia.assessments.states import (
    COMPLETED_STATES,
    PROPOSAL_TYPES,
    DecisionOutcome,
    Direction,
    EiaKind,
    EiaState,
    MitigationStatus,
)
from eia.extensions import db

#: Outcomes that changed the proposal, with what the report says changed.
CHANGING_OUTCOMES = {"adjust": "The proposal was adjusted", "stop": "The proposal was stopped"}


def _directorate() -> ColumnElement[Any]:
    """A team counts towards its directorate (the query joins :class:`ServiceArea`)."""
    return func.coalesce(ServiceArea.parent_id, ServiceArea.id)


def _directorate_names() -> dict[int, str]:
    return dict(db.session.execute(select(ServiceArea.id, ServiceArea.name)).all())


def _completed_in(year: int) -> ColumnElement[bool]:
    start, end = financial_year_bounds(year)
    return and_(Eia.state.in_(COMPLETED_STATES), Eia.approved_at >= start, Eia.approved_at < end)


def _decided_in(year: int) -> ColumnElement[bool]:
    """The assessment's decision (taken, else planned, else the date the form gives) falls in the year."""
    decided = func.coalesce(DecisionRecord.taken_on, DecisionRecord.planned_on, Eia.decision_date)
    return and_(decided >= literal(date(year, 4, 1), Date), decided < literal(date(year + 1, 4, 1), Date))


def year_end(year: int, today: date) -> date:
    """The last day of financial year *year*, or *today* while the year is running."""
    return min(date(year + 1, 3, 31), today)


@dataclass(frozen=True)
class TimelinessRow:
    directorate: str
    counts: dict[str, dict[str, int]]  # timing key -> Timing value -> count

    def count(self, key: str, timing: str) -> int:
        return self.counts[key][timing]


def timeliness(year: int, today: date) -> list[TimelinessRow]:
    """For the assessments whose decision falls in the year, by directorate: how many were on time,
    late or not yet known for each of the four timings of due regard (one query)."""
    columns = [
        func.count().filter(decisions.timing_sql(key, today) == timing.value)
        for key in decisions.TIMING_KEYS
        for timing in decisions.Timing
    ]
    rows = db.session.execute(
        select(_directorate().label("directorate"), *columns)
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        .where(_decided_in(year), Eia.state != EiaState.ABANDONED)
        .group_by("directorate")
    ).all()
    names = _directorate_names()
    found = []
    for directorate, *numbers in rows:
        values = iter(numbers)
        counts = {key: {t.value: next(values) for t in decisions.Timing} for key in decisions.TIMING_KEYS}
        found.append(TimelinessRow(names.get(directorate, "?"), counts))
    return sorted(found, key=lambda row: row.directorate)


def timeliness_total(rows: list[TimelinessRow]) -> TimelinessRow:
    return TimelinessRow(
        "All directorates",
        {
            key: {t.value: sum(r.count(key, t.value) for r in rows) for t in decisions.Timing}
            for key in decisions.TIMING_KEYS
        },
    )


@dataclass(frozen=True)
class ScreenedOut:
    reference: str
    title: str
    directorate: str
    reason: str


@dataclass
class Screening:
    completed: int = 0
    screened_out: int = 0
    by_type: list[tuple[str, int, int]] = field(default_factory=list)  # (type, completed, screened out)
    by_directorate: list[tuple[str, int, int]] = field(default_factory=list)
    reasons: list[ScreenedOut] = field(default_factory=list)


def screening(year: int) -> Screening:
    """Of the assessments completed in the year, how many were screened out (a full assessment was
    not needed), by type and by directorate, with the reason each recorded."""
    kind = func.coalesce(Eia.proposal_type, "not given")
    result = Screening()
    labels = dict(PROPOSAL_TYPES) | {"not given": "Not given"}
    for group, target in ((kind, result.by_type), (_directorate(), result.by_directorate)):
        rows = db.session.execute(
            select(group.label("grouped"), func.count(), func.count().filter(Eia.closed_at_screening.is_(True)))
            .select_from(Eia)
            .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
            .where(_completed_in(year), Eia.kind == EiaKind.STANDARD)
            .group_by("grouped")
        ).all()
        names = labels if group is kind else _directorate_names()
        target.extend(sorted((names.get(key, str(key)), total, out) for key, total, out in rows))
    result.completed = sum(total for _, total, _ in result.by_type)
    result.screened_out = sum(out for _, _, out in result.by_type)
    rows = db.session.execute(
        select(Eia.reference, Eia.title, _directorate(), EiaSection.answers)
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(EiaSection, and_(EiaSection.eia_id == Eia.id, EiaSection.key == "screening"))
        .where(_completed_in(year), Eia.kind == EiaKind.STANDARD, Eia.closed_at_screening.is_(True))
        .order_by(Eia.reference)
    ).all()
    names = _directorate_names()
    result.reasons = [
        ScreenedOut(ref, title, names.get(area, "?"), str((answers or {}).get("not_proportionate_reason") or ""))
        for ref, title, area, answers in rows
    ]
    return result


def outcomes_by_directorate(year: int) -> list[tuple[str, dict[str, int]]]:
    """Outcomes of the assessments completed in the year, per directorate (one query)."""
    rows = db.session.execute(
        select(_directorate().label("directorate"), Eia.outcome, func.count())
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .where(_completed_in(year))
        .group_by("directorate", Eia.outcome)
    ).all()
    names = _directorate_names()
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for directorate, outcome, count in rows:
        table[names.get(directorate, "?")][outcome or "not recorded"] += count
    return sorted((name, dict(counts)) for name, counts in table.items())


@dataclass(frozen=True)
class ChangedDecision:
    reference: str
    title: str
    directorate: str
    what_changed: str
    summary: str
    how_it_changed: str


def changed_decisions(year: int) -> list[ChangedDecision]:
    """Assessments completed in the year that changed the proposal ("adjust", "stop"), and those
    whose decision in the year was taken with amendments, each with its own words for a case study."""
    start, end = financial_year_bounds(year)
    amended = and_(
        DecisionRecord.outcome == DecisionOutcome.AMENDED,
        DecisionRecord.taken_on >= literal(start.date(), Date),
        DecisionRecord.taken_on < literal(end.date(), Date),
    )
    found = db.session.execute(
        select(Eia.id, Eia.reference, Eia.title, _directorate(), Eia.outcome, DecisionRecord.outcome)
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        .where(
            Eia.kind == EiaKind.STANDARD,
            or_(and_(_completed_in(year), Eia.outcome.in_(CHANGING_OUTCOMES)), amended),
        )
        .order_by(Eia.reference)
    ).all()
    answers: dict[tuple[int, str], dict[str, Any]] = {
        (eia_id, key): values or {}
        for eia_id, key, values in db.session.execute(
            select(EiaSection.eia_id, EiaSection.key, EiaSection.answers).where(
                EiaSection.eia_id.in_([row[0] for row in found]),
                EiaSection.key.in_(("about", "outcome", "consultation")),
            )
        ).all()
    }
    names = _directorate_names()
    cases = []
    for eia_id, reference, title, directorate, outcome, decided in found:
        changes = [CHANGING_OUTCOMES[outcome]] if outcome in CHANGING_OUTCOMES else []
        if decided is DecisionOutcome.AMENDED or decided == DecisionOutcome.AMENDED.value:
            changes.append("the decision was taken with amendments")
        what = "; ".join(changes)
        cases.append(
            ChangedDecision(
                reference,
                title,
                names.get(directorate, "?"),
                what[:1].upper() + what[1:],
                # The plain-English summary (form version 2), else the outcome's own summary.
                str(
                    answers.get((eia_id, "about"), {}).get("plain_summary")
                    or answers.get((eia_id, "outcome"), {}).get("summary")
                    or ""
                ),
                str(answers.get((eia_id, "consultation"), {}).get("how_it_changed") or ""),
            )
        )
    return cases


@dataclass(frozen=True)
class OpenRow:
    directorate: str
    overdue_reviews: int
    overdue_mitigations: int


def open_at_year_end(year: int, today: date) -> tuple[date, list[OpenRow]]:
    """By directorate, as the year ended (or today, while it runs): assessments whose review date had
    passed without their next version being done, and mitigations past due and not done."""
    end = year_end(year, today)
    reviews: dict[int, int] = dict(
        db.session.execute(
            select(_directorate().label("directorate"), func.count())
            .select_from(Eia)
            .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
            .where(
                Eia.state.in_((EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE)),
                Eia.review_date < end,
            )
            .group_by("directorate")
        ).all()
    )
    mitigations: dict[int, int] = dict(
        db.session.execute(
            select(_directorate().label("directorate"), func.count())
            .select_from(Mitigation)
            .join(Eia, Eia.id == Mitigation.eia_id)
            .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
            .where(
                Mitigation.status != MitigationStatus.DONE,
                Mitigation.due_on < end,
                Eia.state.not_in((EiaState.ABANDONED, EiaState.ARCHIVED)),
            )
            .group_by("directorate")
        ).all()
    )
    names = _directorate_names()
    rows = [
        OpenRow(names.get(key, "?"), reviews.get(key, 0), mitigations.get(key, 0))
        for key in set(reviews) | set(mitigations)
    ]
    return end, sorted(rows, key=lambda row: row.directorate)


@dataclass(frozen=True)
class GapRow:
    characteristic: str
    assessments: int
    examples: list[str]


def recurring_gaps(year: int, examples: int = 3) -> list[GapRow]:
    """Per characteristic, the assessments completed in the year that could not say what the impact
    would be ("not known"), most first, with a few of the things authors will do to find out."""
    rows = db.session.execute(
        select(Characteristic.name, Characteristic.position, Impact.finding_out)
        .join(Impact, Impact.characteristic_id == Characteristic.id)
        .join(Eia, Eia.id == Impact.eia_id)
        .where(_completed_in(year), Impact.direction == Direction.NOT_KNOWN)
        .order_by(Characteristic.position, Eia.reference)
    ).all()
    grouped: dict[tuple[int, str], list[str]] = defaultdict(list)
    for name, position, finding_out in rows:
        grouped[(position, name)].append((finding_out or "").strip())
    found = [
        GapRow(name, len(texts), [t for t in texts if t][:examples]) for (_, name), texts in sorted(grouped.items())
    ]
    return sorted(found, key=lambda row: -row.assessments)


@dataclass
class DueRegard:
    timeliness: list[TimelinessRow]
    screening: Screening
    outcomes: list[tuple[str, dict[str, int]]]
    changed: list[ChangedDecision]
    year_end: date
    open_rows: list[OpenRow]
    gaps: list[GapRow]

    @property
    def timeliness_total(self) -> TimelinessRow:
        return timeliness_total(self.timeliness)


def build(year: int, today: date) -> DueRegard:
    end, open_rows = open_at_year_end(year, today)
    return DueRegard(
        timeliness=timeliness(year, today),
        screening=screening(year),
        outcomes=outcomes_by_directorate(year),
        changed=changed_decisions(year),
        year_end=end,
        open_rows=open_rows,
        gaps=recurring_gaps(year),
    )
