"""Reading the quality audits: the quarterly target, average scores per criterion, common findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from eia.accounts.models import User
from eia.assessments.models import Eia
from eia.assessments.queries import user_names
from eia.extensions import db
from eia.quality.models import (
    CriterionScore,
    Finding,
    FindingStatus,
    ModeratedCriterionScore,
    Moderation,
    QualityScore,
    Rubric,
    Sample,
    SampleItem,
)
from eia.quality.sampling import Period, quarter
from eia.work import MOST, WorkGroup, WorkItem


def _within(column: Any, start: date, end: date) -> ColumnElement[bool]:
    """*column* (a UTC timestamp) falls on a day from *start* to *end* inclusive."""
    return and_(
        column >= datetime.combine(start, time.min, tzinfo=UTC),
        column < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _year(year: int) -> tuple[date, date]:
    return quarter(year, 1).start, quarter(year, 4).end


@dataclass(frozen=True)
class QuarterResult:
    period: Period
    samples: int
    audited: int  # distinct EIAs given a first scoring in the quarter (re-tests not counted)
    target: int
    today: date
    moderated: int = 0  # scorings given in the quarter (re-tests too) that a second person moderated

    @property
    def status(self) -> str:
        """met, missed, in progress (the quarter is not over) or not started (it is in the future)."""
        if self.audited >= self.target:
            return "met"
        if self.today > self.period.end:
            return "missed"
        return "in progress" if self.today >= self.period.start else "not started"


def quarterly_results(year: int, target: int, today: date) -> list[QuarterResult]:
    """For each quarter of financial year *year*: samples drawn and EIAs audited (one query each)."""
    quarters = [quarter(year, n) for n in range(1, 5)]
    audited = (
        select(
            *(
                func.count(func.distinct(SampleItem.eia_id))
                .filter(_within(QualityScore.scored_at, q.start, q.end))
                .label(f"q{n}")
                for n, q in enumerate(quarters, start=1)
            )
        )
        .select_from(QualityScore)
        .join(SampleItem, SampleItem.id == QualityScore.item_id)
        .where(QualityScore.retest_of_id.is_(None))
    )
    drawn = select(
        *(
            func.count(Sample.id).filter(_within(Sample.drawn_at, q.start, q.end)).label(f"q{n}")
            for n, q in enumerate(quarters, start=1)
        )
    )
    moderated = (
        select(
            *(
                func.count(Moderation.id).filter(_within(QualityScore.scored_at, q.start, q.end)).label(f"q{n}")
                for n, q in enumerate(quarters, start=1)
            )
        )
        .select_from(Moderation)
        .join(QualityScore, QualityScore.id == Moderation.score_id)
    )
    audited_row = db.session.execute(audited).one()
    drawn_row = db.session.execute(drawn).one()
    moderated_row = db.session.execute(moderated).one()
    return [
        QuarterResult(q, drawn_row[n], audited_row[n], target, today, moderated_row[n]) for n, q in enumerate(quarters)
    ]


def _year_scores(year: int) -> Select:
    return select(QualityScore.id).where(
        QualityScore.retest_of_id.is_(None), _within(QualityScore.scored_at, *_year(year))
    )


@dataclass(frozen=True)
class CriterionAverage:
    key: str
    title: str
    average: float
    scored: int


def criterion_averages(year: int, rubric: Rubric) -> list[CriterionAverage]:
    """The average first score per criterion in the year (AVG ... GROUP BY), in the rubric's order.
    A moderated scoring counts with the moderator's scores where they gave their own; "not
    applicable" counts neither in the average nor in how many were scored."""
    counted = case((Moderation.agrees.is_(False), ModeratedCriterionScore.score), else_=CriterionScore.score)
    rows = db.session.execute(
        select(CriterionScore.criterion, func.avg(counted), func.count(counted))
        .select_from(CriterionScore)
        .outerjoin(Moderation, Moderation.score_id == CriterionScore.score_id)
        .outerjoin(
            ModeratedCriterionScore,
            and_(
                ModeratedCriterionScore.moderation_id == Moderation.id,
                ModeratedCriterionScore.criterion == CriterionScore.criterion,
            ),
        )
        .where(CriterionScore.score_id.in_(_year_scores(year)))
        .group_by(CriterionScore.criterion)
    ).all()
    found = {key: (float(avg), count) for key, avg, count in rows if count}
    return [CriterionAverage(c["key"], c["title"], *found[c["key"]]) for c in rubric.criteria if c["key"] in found]


def common_findings(year: int, rubric: Rubric, limit: int = 5) -> list[tuple[str, int]]:
    """The criteria findings were most often raised against in the year's audits (re-tests left
    out, as in the averages), most first."""
    rows = db.session.execute(
        select(Finding.criterion, func.count().label("n"))
        .where(Finding.score_id.in_(_year_scores(year)))
        .group_by(Finding.criterion)
        .order_by(func.count().desc(), Finding.criterion)
        .limit(limit)
    ).all()
    titles = {c["key"]: c["title"] for c in rubric.criteria}
    return [
        (titles.get(key, "Not tied to one criterion") if key else "Not tied to one criterion", n) for key, n in rows
    ]


def samples() -> Select:
    return select(Sample).options(selectinload(Sample.items)).order_by(Sample.drawn_at.desc(), Sample.id.desc())


def sample_or_none(sample_id: int) -> Sample | None:
    """A sample with its items, their scores and moderations loaded (the sample page shows each
    item's latest)."""
    return db.session.execute(
        select(Sample)
        .where(Sample.id == sample_id)
        .options(
            selectinload(Sample.items)
            .selectinload(SampleItem.scores)
            .options(
                joinedload(QualityScore.rubric),
                selectinload(QualityScore.criteria),
                selectinload(QualityScore.findings),
                selectinload(QualityScore.moderation).selectinload(Moderation.criteria),
            )
        )
    ).scalar_one_or_none()


def item_with_scores(item_id: int) -> SampleItem | None:
    """A sampled item with every scoring, its criteria, findings, rubric and moderation loaded."""
    scores = selectinload(SampleItem.scores)
    return db.session.execute(
        select(SampleItem)
        .where(SampleItem.id == item_id)
        .options(
            scores.selectinload(QualityScore.criteria),
            scores.selectinload(QualityScore.findings),
            scores.selectinload(QualityScore.rubric),
            scores.selectinload(QualityScore.moderation).selectinload(Moderation.criteria),
        )
        .execution_options(populate_existing=True)  # the sample page's query loaded its scores already
    ).scalar_one_or_none()


def item_references(sample: Sample) -> dict[int, Eia]:
    ids = [item.eia_id for item in sample.items]
    return {e.id: e for e in db.session.execute(select(Eia).where(Eia.id.in_(ids))).scalars()} if ids else {}


def finding_page(found: Finding) -> dict[str, Any]:
    """What a finding's page shows besides the finding: the sampled item and the rubric it was scored
    on, and the names of its owner and its scorer."""
    score = found.score
    return {
        "sample_item": score.item,
        "rubric": score.rubric,
        "names": user_names({found.owner_id, score.scored_by_id}),
    }


def my_findings(user: User) -> list[tuple[Finding, str]]:
    """Open findings *user* owns, soonest due first, with their EIA's reference."""
    return list(
        db.session.execute(
            select(Finding, Eia.reference)
            .join(Eia, Eia.id == Finding.eia_id)
            .where(Finding.owner_id == user.id, Finding.status == FindingStatus.OPEN)
            .order_by(Finding.due_on, Finding.id)
            .limit(MOST)
        ).all()
    )


def my_work_section(_sender: Any, *, user: Any, today: date) -> WorkGroup:
    """Open quality-audit findings *user* owns, for My work (the ``eia.signals.my_work`` signal)."""
    items = [
        WorkItem(
            text=finding.text,
            href=url_for("samples.finding", finding_id=finding.id),
            context=reference,
            due_on=finding.due_on,
        )
        for finding, reference in my_findings(user)
    ]
    return WorkGroup("findings", "Quality audit findings to put right", items, today, noun="findings")
