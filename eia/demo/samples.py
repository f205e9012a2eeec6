"""Demo quality audits: a sample drawn after each past quarter that had completed EIAs, one EIA scored
two weeks later with a finding where it fell short, so the quality-audit page has a history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from eia.accounts.models import Role, User
from eia.assessments.models import Eia
from eia.assessments.queries import financial_year_of
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.quality import sampling, scoring
from eia.quality.models import Sample

#: Criteria the demo audits found weak, by quarter number: (criterion, score, finding).
WEAK_SPOTS = {
    1: ("evidence", 1, "Say which data on disabled residents is missing and how it will be collected."),
    2: ("engagement", 0, "Record who was engaged on the equality impacts and what they said."),
    3: ("monitoring", 1, "Add how the actual impact will be monitored, and by whom."),
    4: ("intersectional", 1, "Consider the combined effect on older disabled residents."),
}


def load_demo_samples(today: date) -> int:
    """Draw and score the demo samples once (none when samples exist); returns how many were drawn."""
    if db.session.execute(select(func.count()).select_from(Sample)).scalar_one():
        return 0
    auditor = db.session.execute(select(User).where(User.role == Role.EQUALITIES).order_by(User.id)).scalars().first()
    if auditor is None:
        return 0
    rubric = scoring.current_rubric()
    drawn = 0
    this_year = financial_year_of(today)
    for year in (this_year - 2, this_year - 1):
        for number in range(1, 5):
            period = sampling.quarter(year, number)
            at = datetime.combine(period.end + timedelta(days=14), time(10), tzinfo=UTC)
            # Each quarter's sample is audited in the next quarter; skipping one leaves a quarter missed.
            if at.date() >= today or (year, number) == (this_year - 1, 1):
                continue
            try:
                sample = sampling.draw_sample(
                    period=period, size="1", seed=f"demo-{period.label}", exclude_months=12, by=auditor, at=at
                )
            except ValidationFailed:
                continue  # nothing completed that quarter
            item = sample.items[0]
            drawn += 1
            eia_author = db.session.get_one(Eia, item.eia_id).author_id
            if eia_author == auditor.id:
                continue  # auditors never score their own assessments
            key, score, finding = WEAK_SPOTS[number]
            scoring.score_item(
                item,
                rubric=rubric,
                scores={c["key"]: score if c["key"] == key else 2 for c in rubric.criteria},
                comments={key: finding},
                summary="A clear assessment; one area to strengthen.",
                findings=[
                    {
                        "text": finding,
                        "criterion": key,
                        "owner_id": eia_author,
                        "due_on": at.date() + timedelta(days=60),
                    }
                ],
                by=auditor,
                at=at + timedelta(days=7),
            )
    return drawn
