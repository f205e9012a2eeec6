"""The demo loads the four councils' equality action plans from tracker/data/."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from eia.accounts.models import User
from eia.extensions import db
from tracker import importing, services
from tracker.models import ActionStatus, EiaActionLink, Plan, PlanAction, Priority

DATA_DIR = Path(__file__).resolve().parent / "data"


def seed_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


def load_demo_plans(*, by: Any) -> int:
    """Import every seed plan file; returns how many files changed something (0 the second time)."""
    changed = 0
    for path in seed_files():
        preview = importing.preview_import(importing.read_rows(path.read_bytes()))
        if preview.has_changes:
            importing.apply_import(preview, by=by, source=path.name)
            changed += 1
    return changed


#: Progress on a few Charnwood actions, so the dashboard has something to show:
#: (action ref, days before the demo was loaded, status after, note).
DEMO_PROGRESS = [
    ("1.1", 200, ActionStatus.ON_TRACK, "EIA template revised with the equalities team; guidance drafted."),
    ("1.1", 30, ActionStatus.COMPLETE, "Revised EIA template and guidance published on the intranet."),
    ("1.3", 150, ActionStatus.AT_RISK, "Completion rate below target: only two of the six planned EIAs are complete."),
    ("2.1", 20, ActionStatus.ON_TRACK, "Induction e-learning completion reported to managers each month."),
    ("3.1", 120, ActionStatus.OFF_TRACK, "Communications plan for equality awareness days not yet agreed."),
]
DEMO_PLAN = ("Charnwood Borough Council", "Equality Strategy Action Plan 2020 - 2022")
DEMO_UPDATER = "priya.shah@council.example"


def load_demo_progress(today: date) -> int:
    """Add the demo progress updates to actions that have none yet; returns how many were added."""
    person = db.session.execute(select(User).where(User.email == DEMO_UPDATER)).scalar_one_or_none()
    if person is None:
        return 0
    organisation, title = DEMO_PLAN
    rows = db.session.execute(
        select(PlanAction)
        .join(Priority)
        .join(Plan)
        .where(Plan.organisation == organisation, Plan.title == title)
        .options(selectinload(PlanAction.updates))
    ).scalars()
    actions = {action.ref: action for action in rows}
    fresh = {ref for ref, action in actions.items() if not action.updates}
    added = 0
    for ref, days_ago, status, note in DEMO_PROGRESS:
        if ref in fresh:
            services.add_progress_update(
                actions[ref], note=note, status=status, written_on=today - timedelta(days=days_ago), by=person
            )
            added += 1
    return added


#: Assessments this year's programme plans that nobody has started yet: (title, service area, days
#: from the day the demo is loaded to the planned start).
PLANNED = [
    ("Disabled Facilities Grants policy review", "Housing > Disabled Facilities Grants", 14),
    ("Public Spaces Protection Order: town centre", "Neighbourhoods and Environment > Community Safety", 28),
    ("Family hubs: Early Help in four localities", "Children's Services > Early Help", 45),
    ("Parks and open spaces strategy", "Neighbourhoods and Environment > Parks and Open Spaces", 60),
    ("Customer access strategy", "Corporate Resources > Customer Services", 75),
]


def load_demo_programme(today: date, *, by: Any) -> int:
    """The EIA programme, once: every demo assessment (not the individual cases, which no programme
    plans) open at some point this financial year or last,
    planned from when it started (carried into this year's programme when it was still open at the
    year's start), and the assessments planned for later this year; returns how many rows were added."""
    from eia.accounts.queries import service_area_by_name
    from eia.assessments.models import COMPLETED_STATES, DecisionRecord, Eia, EiaKind
    from eia.assessments.queries import financial_year_of
    from tracker import programme
    from tracker.models import PlannedEia

    if db.session.execute(select(PlannedEia.id).limit(1)).first() is not None:
        return 0
    year = financial_year_of(today)
    this_year, last_year = date(year, 4, 1), date(year - 1, 4, 1)
    decided = dict(
        db.session.execute(
            select(DecisionRecord.eia_id, func.coalesce(DecisionRecord.taken_on, DecisionRecord.planned_on))
        ).all()
    )
    added = 0
    eias = db.session.execute(
        select(Eia)
        .where(Eia.started_on >= last_year, Eia.kind == EiaKind.STANDARD, Eia.reference.not_like("EIA-S%"))
        .order_by(Eia.started_on)
    ).scalars()
    for eia in eias:
        assert eia.started_on is not None
        finished = eia.approved_at.date() if eia.approved_at and eia.state in COMPLETED_STATES else None
        start = eia.started_on
        if start < this_year and (finished is None or finished >= this_year):
            start = this_year  # carried over: still being written when the year began
        decision = decided.get(eia.id)
        planned = programme.add_planned(
            {
                "title": eia.title,
                "service_area_id": eia.service_area_id,
                "owner_id": eia.author_id,
                "planned_start": start,
                "decision_date": decision if decision and decision >= start else None,
            },
            by=by,
        )
        programme.link_planned(planned, eia, by=by)
        added += 1
    owners = {a.id: a for a in db.session.execute(select(User).where(User.is_enabled.is_(True))).scalars()}
    for title, path, days in PLANNED:
        area = service_area_by_name(path)
        if area is None:
            continue
        owner = next((u for u in owners.values() if u.service_area_id == area.id), None)
        programme.add_planned(
            {
                "title": title,
                "service_area_id": area.id,
                "owner_id": owner.id if owner else None,
                "planned_start": today + timedelta(days=days),
                "decision_date": today + timedelta(days=days + 90),
            },
            by=by,
        )
        added += 1
    return added


def load_demo(_sender: Any, *, today: date, by: Any) -> str | None:
    """The plans, their progress and the EIA programme for ``eia demo`` (the
    ``eia.signals.demo_loaded`` signal)."""
    plans = load_demo_plans(by=by)
    load_demo_progress(today)
    planned = load_demo_programme(today, by=by)
    lines = [f"Imported {plans} equality action plans from the councils' documents."] if plans else []
    if planned:
        lines.append(f"Added {planned} assessments to the EIA programme.")
    return "\n".join(lines) or None


def scale_links(_sender: Any, *, rng: random.Random, eia_ids: list[int]) -> None:
    """For ``eia demo --scale``: link every twentieth assessment to a random action (the
    ``eia.signals.scale_loaded`` signal)."""

    actions = db.session.execute(select(PlanAction.id).order_by(PlanAction.id)).scalars().all()
    author = db.session.execute(select(User.id).order_by(User.id).limit(1)).scalar_one()
    if actions:
        rows = [
            {"eia_id": eia_id, "action_id": rng.choice(actions), "note": "Scale demo link", "created_by_id": author}
            for eia_id in eia_ids[::20]
        ]
        db.session.execute(insert(EiaActionLink), rows)
