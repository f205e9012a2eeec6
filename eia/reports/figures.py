"""The annual EIA report's figures, each counted by the database (GROUP BY), never by looping over
objects in Python. A financial year ``2025`` runs from 1 April 2025 to 31 March 2026 (UTC).

An assessment is *started* in the year it was created, *completed* in the year it was approved
(approved, signed off, published or due for review now), *published* in the year it was published.
Sections the plan tracker adds (EIAs planned, action-plan progress) come from providers registered
to the ``eia.signals.report_sections`` signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from eia import signals
from eia.accounts.models import ServiceArea
from eia.assessments.models import Characteristic, Eia, EiaSection, Impact, Mitigation
from eia.assessments.queries import financial_year_bounds
from eia.assessments.states import COMPLETED_STATES, PROPOSAL_TYPES, Direction, EiaKind, MitigationStatus
from eia.auditlog.models import AuditEntry
from eia.extensions import db
from eia.quality import scoring
from eia.quality.models import Rubric
from eia.signals import values_from

OUTCOMES = {
    "no_major_change": "No major change needed",
    "adjust": "Adjust the proposal",
    "continue": "Continue despite adverse impact",
    "stop": "Stop and remove the proposal",
}
SCREENED_OUT = "Screened out: a full assessment was not needed"


def outcome_words(outcome: str | None, closed_at_screening: bool = False) -> str:
    """An assessment's outcome in words; one closed at screening has none, and says why."""
    if outcome in OUTCOMES:
        return OUTCOMES[outcome]
    if closed_at_screening:
        return SCREENED_OUT
    return outcome.replace("_", " ").capitalize() if outcome else "Not recorded"


def _in_year(column, year: int):
    start, end = financial_year_bounds(year)
    return and_(column >= start, column < end)


@dataclass(frozen=True)
class Pipeline:
    label: str
    started: int
    completed: int
    published: int

    @property
    def publication_rate(self) -> float | None:
        return self.published / self.completed if self.completed else None


def _pipeline_counts(year: int, group_by) -> list[tuple[Any, int, int, int]]:
    completed = and_(Eia.state.in_(COMPLETED_STATES), _in_year(Eia.approved_at, year))
    rows = db.session.execute(
        select(
            group_by.label("grouped"),
            func.count().filter(_in_year(Eia.created_at, year)),
            func.count().filter(completed),
            func.count().filter(_in_year(Eia.published_at, year)),
        )
        .select_from(Eia)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .where(
            (_in_year(Eia.created_at, year)) | completed | (_in_year(Eia.published_at, year)),
        )
        # By the output column: PostgreSQL would not match a repeated expression with literals in it.
        .group_by("grouped")
        .order_by("grouped")
    ).all()
    return [tuple(row) for row in rows]


def pipeline_by_service_area(year: int) -> list[Pipeline]:
    """Started, completed and published per directorate (a team counts towards its directorate)."""
    directorate = func.coalesce(ServiceArea.parent_id, ServiceArea.id)
    names = dict(db.session.execute(select(ServiceArea.id, ServiceArea.name)).all())
    return [Pipeline(names.get(key, "?"), *counts) for key, *counts in _pipeline_counts(year, directorate)]


def pipeline_by_type(year: int) -> list[Pipeline]:
    kind = case((Eia.kind == "individual", "individual"), else_=func.coalesce(Eia.proposal_type, "not given"))
    labels = {**dict(PROPOSAL_TYPES), "individual": "Individual action (HR or legal)", "not given": "Not given"}
    return [Pipeline(labels.get(key, key), *counts) for key, *counts in _pipeline_counts(year, kind)]


def totals(rows: list[Pipeline], label: str = "All") -> Pipeline:
    return Pipeline(label, *(sum(getattr(r, f) for r in rows) for f in ("started", "completed", "published")))


def _completed_in(year: int):
    return and_(Eia.state.in_(COMPLETED_STATES), _in_year(Eia.approved_at, year))


def outcomes(year: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Eia.outcome, Eia.closed_at_screening, func.count())
        .where(_completed_in(year))
        .group_by(Eia.outcome, Eia.closed_at_screening)
    ).all()
    found: dict[str, int] = {}
    for outcome, screened, n in rows:
        label = outcome_words(outcome, screened)
        found[label] = found.get(label, 0) + n
    ordered = [(label, found.pop(label, 0)) for label in OUTCOMES.values()]
    return ordered + sorted(found.items())


@dataclass(frozen=True)
class ImpactRow:
    characteristic: str
    assessments: int  # completed assessments with a negative impact on it
    mitigations: int
    done: int
    overdue: int


def negative_impacts(year: int, today: date) -> list[ImpactRow]:
    """Per characteristic: completed assessments finding a negative impact, and the mitigations
    raised against it (done, and overdue: past due and not done)."""
    completed_ids = select(Eia.id).where(_completed_in(year))
    impacts = dict(
        db.session.execute(
            select(Impact.characteristic_id, func.count(func.distinct(Impact.eia_id)))
            .where(Impact.eia_id.in_(completed_ids), Impact.direction == Direction.NEGATIVE)
            .group_by(Impact.characteristic_id)
        ).all()
    )
    mitigations = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(
                Mitigation.characteristic_id,
                func.count(),
                func.count().filter(Mitigation.status == MitigationStatus.DONE),
                func.count().filter(Mitigation.status != MitigationStatus.DONE, Mitigation.due_on < today),
            )
            .where(Mitigation.eia_id.in_(completed_ids))
            .group_by(Mitigation.characteristic_id)
        ).all()
    }
    rows = []
    for characteristic in db.session.execute(select(Characteristic).order_by(Characteristic.position)).scalars():
        raised, done, overdue = mitigations.get(characteristic.id, (0, 0, 0))
        if impacts.get(characteristic.id) or raised:
            rows.append(ImpactRow(characteristic.name, impacts.get(characteristic.id, 0), raised, done, overdue))
    return rows


@dataclass(frozen=True)
class Considered:
    completed: int
    care_experience: int  # assessed the impact on care-experienced people
    care_experience_negative: int
    armed_forces: int  # answered the Armed Forces Covenant section
    armed_forces_relevant: int  # for a function the covenant duty covers


def considered(year: int) -> Considered:
    completed_ids = select(Eia.id).where(_completed_in(year))
    care = db.session.execute(
        select(
            func.count(func.distinct(Impact.eia_id)),
            func.count(func.distinct(Impact.eia_id)).filter(Impact.direction == Direction.NEGATIVE),
        )
        .join(Characteristic, Characteristic.id == Impact.characteristic_id)
        .where(Impact.eia_id.in_(completed_ids), Characteristic.key == "care_experience", Impact.direction.is_not(None))
    ).one()
    # The covered functions are asked in the Covenant section on form v1, in screening on v2.
    v1_functions = cast(EiaSection.answers["relevant_functions"], String)
    v2_functions = cast(EiaSection.answers["covenant_functions"], String)
    functions = case((EiaSection.key == "armed_forces", v1_functions), else_=v2_functions)
    # A missing answer is NULL on PostgreSQL and the text 'null' on SQLite (JSON_QUOTE of nothing).
    answered = and_(functions.is_not(None), functions != "null")
    armed = db.session.execute(
        select(func.count(), func.count().filter(functions.not_like('%"none"%'))).where(
            EiaSection.eia_id.in_(completed_ids), EiaSection.key.in_(("armed_forces", "screening")), answered
        )
    ).one()
    total = db.session.execute(select(func.count()).where(_completed_in(year))).scalar_one()
    return Considered(total, care[0], care[1], armed[0], armed[1])


def audit_log_entries(year: int) -> int:
    return db.session.execute(select(func.count()).where(_in_year(AuditEntry.occurred_at, year))).scalar_one()


def completed_list(year: int) -> list[tuple[str, str, str, str, bool]]:
    """The appendix: every assessment completed in the year, by reference, but individual actions
    (HR and legal), which only their author and the equalities team may see: those are counted
    (:func:`individual_completed`), never named, as the report goes to the whole of SLT."""
    parent = aliased(ServiceArea)
    area = case(
        (parent.name.is_not(None), parent.name + " > " + ServiceArea.name),
        else_=ServiceArea.name,
    )
    rows = db.session.execute(
        select(Eia.reference, Eia.title, area, Eia.outcome, Eia.published_at.is_not(None), Eia.closed_at_screening)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .outerjoin(parent, parent.id == ServiceArea.parent_id)
        .where(_completed_in(year), Eia.kind != EiaKind.INDIVIDUAL)
        .order_by(Eia.reference)
    ).all()
    return [(r[0], r[1], r[2], outcome_words(r[3], r[5]), bool(r[4])) for r in rows]


def individual_completed(year: int) -> int:
    """Individual-action assessments completed in the year (counted, not listed)."""
    return db.session.execute(
        select(func.count()).select_from(Eia).where(_completed_in(year), Eia.kind == EiaKind.INDIVIDUAL)
    ).scalar_one()


def _audited(year: int) -> int:
    from eia.quality.models import QualityScore

    return db.session.execute(
        select(func.count()).where(QualityScore.retest_of_id.is_(None), _in_year(QualityScore.scored_at, year))
    ).scalar_one()


def change_since(year: int, today: date, report: Report) -> list[tuple[str, int, int]]:
    """The headline measures of the previous financial year beside this one's."""
    before = negative_impacts(year - 1, today)
    before_considered = considered(year - 1)
    this_total = report.total
    return [
        ("Assessments started", report.previous.started, this_total.started),
        ("Assessments completed", report.previous.completed, this_total.completed),
        ("Assessments published", report.previous.published, this_total.published),
        (
            "Negative impacts found (assessment × characteristic)",
            sum(r.assessments for r in before),
            sum(r.assessments for r in report.impacts),
        ),
        ("Mitigations raised", sum(r.mitigations for r in before), sum(r.mitigations for r in report.impacts)),
        ("Care experience assessed", before_considered.care_experience, report.considered.care_experience),
        ("Armed Forces Covenant section answered", before_considered.armed_forces, report.considered.armed_forces),
        ("Assessments audited for quality", _audited(year - 1), _audited(year)),
    ]


#: The report's sections, for the contents list of the page and of the PDF.
CONTENTS = [
    ("commentary", "Commentary and recommendations"),
    ("assessments", "1. Assessments planned, started, completed and published"),
    ("timeliness", "2. Due regard before each decision"),
    ("screening", "3. Screening"),
    ("outcomes", "4. Outcomes"),
    ("impacts", "5. Negative impacts and mitigations"),
    ("considered", "6. Care experience and the Armed Forces Covenant"),
    ("quality", "7. Quality audits"),
    ("plans", "8. Action-plan progress"),
    ("open", "9. Open at the end of the year"),
    ("gaps", "10. Evidence gaps that recur"),
    ("change", "11. Change since last year"),
    ("appendix", "Appendix A: assessments completed"),
    ("integrity", "Appendix B: the audit log"),
]


@dataclass
class Report:
    year: int
    council: str
    today: date
    by_area: list[Pipeline]
    by_type: list[Pipeline]
    previous: Pipeline
    outcomes: list[tuple[str, int]]
    impacts: list[ImpactRow]
    considered: Considered
    quarters: list[Any]
    criteria: list[Any]
    findings: list[tuple[str, int]]
    audit_entries: int
    chain: Any  # eia.auditlog.checkpoints.Consistency
    appendix: list[tuple[str, str, str, str, bool]]
    appendix_withheld: int = 0  # individual actions: counted, not named
    change: list[tuple[str, int, int]] = field(default_factory=list)  # (measure, last year, this year)
    extra: dict[str, Any] = field(default_factory=dict)
    due: Any = None  # eia.reports.due_regard.DueRegard
    commentary: Any = None  # eia.reports.models.YearText, when the equalities team has written it
    timing_questions: dict[str, str] = field(default_factory=dict)
    outcome_labels: dict[str, str] = field(default_factory=lambda: dict(OUTCOMES))
    contents: list[tuple[str, str]] = field(default_factory=lambda: list(CONTENTS))

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def total(self) -> Pipeline:
        return totals(self.by_area, "All service areas")


def build(year: int, today: date, progress=None) -> Report:
    """Every figure of the report for financial year *year*. *progress* (optional) is called with a
    step name as each part is counted."""
    from eia.auditlog.checkpoints import check_since_latest
    from eia.dashboard.queries import questions
    from eia.quality import queries as sample_queries
    from eia.reports import due_regard
    from eia.reports.models import TextKind
    from eia.reports.queries import year_text

    step = progress or (lambda name: None)
    step("assessments")
    by_area = pipeline_by_service_area(year)
    previous = totals(pipeline_by_service_area(year - 1), f"{year - 1}/{year % 100:02d}")
    step("impacts")
    impacts = negative_impacts(year, today)
    step("quality audits")
    rubric = db.session.execute(select(Rubric).order_by(Rubric.version.desc()).limit(1)).scalar_one_or_none()
    rubric = rubric or scoring.current_rubric()
    step("audit log")
    # Only the entries since the latest signed checkpoint: the whole chain is walked by
    # `eia audit-log checkpoint` (from cron) and `eia audit-log verify`, never for a page view.
    chain = check_since_latest()
    report = Report(
        year=year,
        council=current_app.config["EIA_COUNCIL_NAME"],
        today=today,
        by_area=by_area,
        by_type=pipeline_by_type(year),
        previous=previous,
        outcomes=outcomes(year),
        impacts=impacts,
        considered=considered(year),
        quarters=sample_queries.quarterly_results(year, current_app.config["EIA_AUDITS_PER_QUARTER"], today),
        criteria=sample_queries.criterion_averages(year, rubric),
        findings=sample_queries.common_findings(year, rubric),
        audit_entries=audit_log_entries(year),
        chain=chain,
        appendix=completed_list(year),
        appendix_withheld=individual_completed(year),
    )
    report.change = change_since(year, today, report)
    step("due regard")
    report.due = due_regard.build(year, today)
    report.commentary = year_text(TextKind.REPORT_COMMENTARY, year)
    report.timing_questions = questions(current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"])
    step("action plans")
    for part in values_from(signals.report_sections.send(None, year=year, today=today)):
        report.extra.update(part)
    return report
