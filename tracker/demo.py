"""The demo loads the four councils' equality action plans from tracker/data/."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from eia.accounts.models import User
from eia.demo import STORY_DAYS
from eia.demo.story import on_day, told_at
from eia.extensions import db
from tracker import demo_links, importing, services
from tracker.models import ActionStatus, EiaActionLink, Plan, PlanAction, Priority

DATA_DIR = Path(__file__).resolve().parent / "data"


def seed_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


#: The seed councils' plans that have ended, by (organisation, title), with why we judge so
#: (tracker/data/README.md says more). They stay as reference plans, shown as ended.
ENDED = {
    ("Charnwood Borough Council", "Equality Strategy Action Plan 2020 - 2022"): "its title gives 2020 - 2022",
    ("Leicester City Council", "Equality action plan"): "its actions were for 2021 and 2022",
}


def load_demo_plans(*, by: Any) -> int:
    """Import every seed plan file as a reference plan under its own council's name, and mark the
    ended ones ended; returns how many files changed something (0 the second time)."""
    changed = 0
    for path in seed_files():
        preview = importing.preview_import(importing.read_rows(path.read_bytes()))
        if preview.has_changes:
            importing.apply_import(preview, by=by, source=path.name)
            changed += 1
    for plan in db.session.execute(select(Plan).where(Plan.is_active.is_(True))).scalars().all():
        if (plan.organisation, plan.title) in ENDED:
            services.update_plan(plan, title=plan.title, is_active=False, expected_version=plan.version, by=by)
    return changed


#: The demo council's own plans: (years before this financial year it starts, years it runs, whether
#: it has ended, [(priority ref, priority, [(outcome, action, lead, target years after the plan's
#: start (with the month), success measures, status)])]). The targets are years from the plan's start.
OWN_PLANS: list[tuple[int, int, bool, list[tuple[str, str, list[tuple[str, str, str, tuple[int, str], str, str]]]]]] = [
    (
        5,
        4,
        True,
        [
            (
                "Objective 1",
                "Know our communities and use that knowledge in every decision",
                [
                    (
                        "Services hold equality data on the people who use them",
                        "Add equality monitoring questions to the main service application forms",
                        "Equalities team; Customer Services",
                        (1, "March"),
                        "Monitoring questions on the housing, council tax and leisure forms",
                        "complete",
                    ),
                    (
                        "Decisions are informed by an assessment started early",
                        "Revise the EIA template and guidance, and train report authors",
                        "Equalities team",
                        (2, "September"),
                        "Revised template in use; 120 officers trained",
                        "complete",
                    ),
                ],
            ),
            (
                "Objective 2",
                "A workforce that reflects the borough",
                [
                    (
                        "Recruitment reaches under-represented groups",
                        "Publish the workforce profile each year and set recruitment targets",
                        "Human Resources",
                        (3, "March"),
                        "Workforce profile published each year",
                        "complete",
                    ),
                    (
                        "Disabled staff get the adjustments they need quickly",
                        "Introduce a reasonable adjustments passport",
                        "Human Resources",
                        (3, "September"),
                        "Passport in place; average time to put adjustments in place",
                        "off_track",
                    ),
                ],
            ),
        ],
    ),
    (
        1,
        4,
        False,
        [
            (
                "Objective 1",
                "Fair decisions: assess, consult and publish the equality impact of what we decide",
                [
                    (
                        "Every key decision has an assessment approved before it is taken",
                        "Keep an EIA programme for every service and report completion and publication rates quarterly",
                        "Equalities team",
                        (1, "March"),
                        "Completion and publication rates against the programme; no key decision without an approved assessment",
                        "on_track",
                    ),
                    (
                        "Assessments are good enough to rely on",
                        "Audit a random sample of completed assessments each quarter and feed the findings back",
                        "Equalities team",
                        (0, "Quarterly"),
                        "At least one assessment audited each quarter; findings put right within 60 days",
                        "on_track",
                    ),
                    (
                        "Armed forces families are treated fairly in housing",
                        "Add the Armed Forces Covenant duty to the EIA form and train housing staff on it",
                        "Equalities team; Housing Options",
                        (1, "September"),
                        "Covenant section answered in every housing assessment",
                        "complete",
                    ),
                ],
            ),
            (
                "Objective 2",
                "Care leavers have the start in adult life a good parent would give",
                [
                    (
                        "Care experience is treated as if it were a protected characteristic",
                        "Assess the effect on care-experienced people in every EIA",
                        "Equalities team; Children in Care and Care Leavers",
                        (1, "March"),
                        "Care experience answered in every assessment",
                        "on_track",
                    ),
                    (
                        "Care leavers set up home without debt",
                        "Exempt care leavers from council tax up to the age of 25",
                        "Revenues and Benefits",
                        (1, "April"),
                        "Take-up by eligible care leavers; council tax arrears of care leavers",
                        "complete",
                    ),
                ],
            ),
            (
                "Objective 3",
                "An inclusive employer",
                [
                    (
                        "Disabled staff get the adjustments they need quickly",
                        "Introduce a reasonable adjustments passport (carried over from the last plan)",
                        "Human Resources",
                        (2, "March"),
                        "Passport in place; average time to put adjustments in place",
                        "at_risk",
                    ),
                    (
                        "Care leavers and veterans reach interview",
                        "Guarantee an interview to care leavers and veterans who meet the essential criteria",
                        "Human Resources",
                        (1, "December"),
                        "Applications, interviews and appointments of both groups",
                        "complete",
                    ),
                ],
            ),
        ],
    ),
]


def own_plan_rows(council: str, today: date) -> list[dict[str, str]]:
    """The demo council's own plans as rows of the import format, dated from *today*."""
    from eia.assessments.queries import financial_year_of

    rows = []
    this_year = financial_year_of(today)
    for before, runs, _ended, priorities in OWN_PLANS:
        start = this_year - before
        title = f"Equality Action Plan {start}-{start + runs}"
        for number, (ref, priority, actions) in enumerate(priorities, 1):
            for n, (outcome, action, lead, (after, month), measures, status) in enumerate(actions, 1):
                target = (
                    month
                    if month == "Quarterly"
                    else f"{month} {start + after + (month in ('January', 'February', 'March'))}"
                )
                rows.append(
                    {
                        "plan": title,
                        "organisation": council,
                        "priority_ref": ref,
                        "priority": priority,
                        "outcome": outcome,
                        "action_ref": f"{number}.{n}",
                        "action": action,
                        "lead": lead,
                        "target": target,
                        "success_measures": measures,
                        "status": status,
                    }
                )
    return rows


def load_demo_own_plans(today: date, *, by: Any) -> int:
    """The demo council's current equality action plan and the one before it (ended), once: none
    when the council already has a plan. Returns how many plans were added."""
    import csv
    import io

    from flask import current_app

    council = current_app.config["EIA_COUNCIL_NAME"]
    if db.session.execute(select(Plan.id).where(Plan.organisation == council).limit(1)).first() is not None:
        return 0
    rows = own_plan_rows(council, today)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    preview = importing.preview_import(importing.read_rows(out.getvalue().encode()))
    importing.apply_import(preview, by=by, source="the demo council's plans")
    plans = db.session.execute(select(Plan).where(Plan.organisation == council).order_by(Plan.id)).scalars().all()
    for plan in plans[:1]:  # the older plan, ended
        services.update_plan(plan, title=plan.title, is_active=False, expected_version=plan.version, by=by)
    return len(plans)


#: Progress on a few actions of the demo council's current plan, so the dashboard has something to
#: show: (action ref, days before the demo was loaded, status after, note).
DEMO_PROGRESS = [
    ("1.1", 200, ActionStatus.ON_TRACK, "Programme agreed with every directorate; first quarter's rates reported."),
    (
        "1.1",
        30,
        ActionStatus.AT_RISK,
        "Completion rate below target this quarter: two planned assessments not started.",
    ),
    ("1.2", 45, ActionStatus.ON_TRACK, "Last quarter's sample audited; findings sent to the authors."),
    (
        "3.1",
        120,
        ActionStatus.AT_RISK,
        "Passport drafted; the staff disability network asked for changes before launch.",
    ),
    ("2.1", 20, ActionStatus.ON_TRACK, "Care experience asked in every assessment on version 2 of the form."),
]
DEMO_UPDATER = "priya.shah@council.example"


def load_demo_progress(today: date) -> int:
    """Add the demo progress updates to actions that have none yet; returns how many were added."""
    person = db.session.execute(select(User).where(User.email == DEMO_UPDATER)).scalar_one_or_none()
    if person is None:
        return 0
    from flask import current_app

    rows = db.session.execute(
        select(PlanAction)
        .join(Priority)
        .join(Plan)
        .where(Plan.organisation == current_app.config["EIA_COUNCIL_NAME"], Plan.is_active.is_(True))
        .options(selectinload(PlanAction.updates))
    ).scalars()
    actions = {action.ref: action for action in rows}
    fresh = {ref for ref, action in actions.items() if not action.updates}
    added = 0
    for ref, days_ago, status, note in DEMO_PROGRESS:
        if ref in fresh:
            written = today - timedelta(days=days_ago)
            with told_at(on_day(written, 14)):
                services.add_progress_update(actions[ref], note=note, status=status, written_on=written, by=person)
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
    from eia.assessments.models import DecisionRecord, Eia
    from eia.assessments.queries import financial_year_of
    from eia.assessments.states import COMPLETED_STATES, EiaKind
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
        # Put in the programme a fortnight before it was due to start; linked once it had begun.
        with told_at(on_day(min(start, eia.started_on) - timedelta(days=14))):
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
        with told_at(on_day(max(eia.started_on, start - timedelta(days=14)) + timedelta(days=1))):
            programme.link_planned(planned, eia, by=by)
        added += 1
    owners = {a.id: a for a in db.session.execute(select(User).where(User.is_enabled.is_(True))).scalars()}
    for title, path, days in PLANNED:
        area = service_area_by_name(path)
        if area is None:
            continue
        owner = next((u for u in owners.values() if u.service_area_id == area.id), None)
        with told_at(on_day(this_year - timedelta(days=14))):
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
    # The council set up its plans the day after it began keeping its assessments here.
    with told_at(on_day(today - timedelta(days=STORY_DAYS - 1))):
        own = load_demo_own_plans(today, by=by)
        plans = load_demo_plans(by=by)
    load_demo_progress(today)
    demo_links.load_demo_links(by=by)
    planned = load_demo_programme(today, by=by)
    lines = [f"Added the council's current equality action plan and the one before it ({own} plans)."] if own else []
    if plans:
        lines.append(
            f"Imported {plans} equality action plans from the councils' documents, as reference plans under "
            "their own councils' names."
        )
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
