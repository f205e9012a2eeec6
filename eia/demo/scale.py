"""``eia demo --scale N``: N more assessments over the last five financial years, for benchmarks.

Written in bulk (not through the services, which would take hours at 10,000): each assessment gets a
state, dates, an outcome, impacts on three characteristics, a mitigation for each negative one, its
Armed Forces answer, sometimes a link to a plan action, and audit-log entries (about ten per
assessment, on the real chain, computed here and written in bulk). Then a sample is drawn and scored
after every past quarter. The same N and seed give the same data on either database.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from eia import signals
from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import (
    Characteristic,
    Direction,
    Eia,
    EiaKind,
    EiaSection,
    EiaState,
    Impact,
    Mitigation,
    MitigationStatus,
    SectionStatus,
)
from eia.assessments.queries import financial_year_of, latest_template
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.quality import sampling, scoring
from eia.working_days import add_working_days

PREFIX = "EIA-S"
STATES = [EiaState.PUBLISHED] * 4 + [EiaState.SIGNED_OFF] * 2 + [EiaState.APPROVED, EiaState.DRAFT, EiaState.SUBMITTED]
OUTCOMES = ["no_major_change"] * 5 + ["adjust"] * 3 + ["continue", "stop"]
TYPES = ["policy", "service", "function", "budget"]
FUNCTIONS = [["none"], ["none"], ["housing_allocations"], ["homelessness", "disabled_facilities_grants"]]
AUDIT_ACTIONS = ["eia_created", "section_saved", "section_saved", "section_saved", "impacts_saved"]


def load_scale(count: int, *, seed: int = 2026, progress: Callable[[int], None] | None = None) -> int:
    """Add *count* scale assessments unless some are there already; returns how many were added."""
    if db.session.execute(select(func.count()).where(Eia.reference.like(f"{PREFIX}%"))).scalar_one():
        return 0
    rng = random.Random(seed)
    step = progress or (lambda n: None)
    template = latest_template(EiaKind.STANDARD)
    if template is None:
        raise LookupError("no standard form template is loaded")
    # Every list the random choices are made from is ordered, so both databases get the same data.
    teams = (
        db.session.execute(select(ServiceArea.id).where(ServiceArea.parent_id.is_not(None)).order_by(ServiceArea.id))
        .scalars()
        .all()
    )
    authors = db.session.execute(select(User.id).where(User.role == Role.AUTHOR).order_by(User.id)).scalars().all()
    auditor = db.session.execute(
        select(User).where(User.role == Role.EQUALITIES).order_by(User.id).limit(1)
    ).scalar_one()
    characteristics = db.session.execute(select(Characteristic.id).order_by(Characteristic.position)).scalars().all()
    this_year = financial_year_of(utcnow().date())
    years = [this_year - 4 + n for n in range(5)]

    eias = []
    for n in range(count):
        year = years[n % 5]
        created = datetime.combine(date(year, 4, 1) + timedelta(days=rng.randrange(300)), time(9), tzinfo=UTC)
        state = rng.choice(STATES)
        completed = state in (EiaState.APPROVED, EiaState.SIGNED_OFF, EiaState.PUBLISHED)
        approved = created + timedelta(days=rng.randrange(20, 60)) if completed else None
        eias.append(
            {
                "reference": f"{PREFIX}{year}-{n:05d}",
                "kind": EiaKind.STANDARD,
                "template_id": template.id,
                "state": state,
                "title": f"Scale assessment {n}",
                "proposal_type": rng.choice(TYPES),
                "service_area_id": rng.choice(teams),
                "author_id": rng.choice(authors),
                "created_at": created,
                "updated_at": approved or created,
                "submitted_at": created + timedelta(days=10) if state is not EiaState.DRAFT else None,
                "review_target_on": add_working_days((created + timedelta(days=10)).date(), 10)
                if state is not EiaState.DRAFT
                else None,
                "approved_at": approved,
                "reviewed_at": approved,
                "signed_off_at": approved + timedelta(days=5)
                if approved and state in (EiaState.SIGNED_OFF, EiaState.PUBLISHED)
                else None,
                "published_at": approved + timedelta(days=9) if approved and state is EiaState.PUBLISHED else None,
                "outcome": rng.choice(OUTCOMES) if completed else None,
                "review_date": (approved + timedelta(days=730)).date() if approved else None,
            }
        )
    for chunk in range(0, count, 2000):
        db.session.execute(insert(Eia), eias[chunk : chunk + 2000])
    rows = db.session.execute(
        select(Eia.id, Eia.author_id, Eia.state, Eia.approved_at)
        .where(Eia.reference.like(f"{PREFIX}%"))
        .order_by(Eia.id)
    ).all()

    impacts, mitigations, sections = [], [], []
    for eia_id, author_id, _state, approved in rows:
        for characteristic in rng.sample(characteristics, 3):
            direction = rng.choice([Direction.NEGATIVE, Direction.NEUTRAL, Direction.POSITIVE, Direction.NEUTRAL])
            impacts.append({"eia_id": eia_id, "characteristic_id": characteristic, "direction": direction})
            if direction is Direction.NEGATIVE:
                due = (approved or utcnow()).date() + timedelta(days=rng.randrange(-30, 200))
                mitigations.append(
                    {
                        "eia_id": eia_id,
                        "characteristic_id": characteristic,
                        "action": "Targeted support for the people affected",
                        "owner_id": author_id,
                        "due_on": due,
                        "status": rng.choice(list(MitigationStatus)),
                    }
                )
        sections.append(
            {
                "eia_id": eia_id,
                "key": "armed_forces",
                "answers": {"relevant_functions": rng.choice(FUNCTIONS)},
                "status": SectionStatus.COMPLETED,
            }
        )
    for table, values in ((Impact, impacts), (Mitigation, mitigations), (EiaSection, sections)):
        for chunk in range(0, len(values), 5000):
            db.session.execute(insert(table), values[chunk : chunk + 5000])
    _link_to_plans(rng, [r.id for r in rows])
    db.session.commit()

    def entries() -> Iterator[dict[str, Any]]:
        completed = ["eia_submitted", "eia_approved", "eia_signed_off", "eia_published"]
        for n, (eia_id, _author, state, _) in enumerate(rows, start=1):
            for action in AUDIT_ACTIONS + (completed if state is not EiaState.DRAFT else []):
                yield {"action": action, "entity_type": "eia", "entity_id": eia_id, "detail": "scale demo"}
            if n % 500 == 0:
                step(n)

    # The chain is computed here and written in bulk: through record() it is a locked read and an
    # INSERT per entry, which at 10,000 assessments (86,000 entries) takes minutes.
    audit.record_many(entries(), by=None)
    step(len(rows))
    db.session.commit()
    _audit_samples(auditor, years)
    db.session.commit()
    return len(rows)


def _link_to_plans(rng: random.Random, eia_ids: list[int]) -> None:
    signals.scale_loaded.send(None, rng=rng, eia_ids=eia_ids)


def _audit_samples(auditor: User, years: list[int]) -> None:
    rubric = scoring.current_rubric()
    today = utcnow().date()
    for year in years:
        for number in range(1, 5):
            period = sampling.quarter(year, number)
            at = datetime.combine(period.end + timedelta(days=10), time(10), tzinfo=UTC)
            if at.date() >= today:
                continue
            try:
                sample = sampling.draw_sample(
                    period=period, size="5", seed=f"scale-{period.label}", exclude_months=0, by=auditor, at=at
                )
            except ValidationFailed:
                continue
            for n, item in enumerate(sample.items):
                scoring.score_item(
                    item,
                    rubric=rubric,
                    scores={c["key"]: (n + i) % 3 for i, c in enumerate(rubric.criteria)},
                    comments={},
                    summary="",
                    findings=[],
                    by=auditor,
                    at=at + timedelta(days=3),
                )
