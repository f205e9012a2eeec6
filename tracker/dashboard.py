"""The plan dashboard: progress by priority and the actions that need attention, counted in SQL.

An action is *overdue* when its due date has passed and it is not complete. It has *no update in 90
days* when it is not complete and no progress update is dated within the last 90 days — an action
that has never had an update counts. Only active plans are shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Row, Select, String, and_, cast, func, or_, select

from eia.accounts.models import User
from eia.assessments.queries import people_choices
from eia.extensions import db
from tracker.models import ActionStatus, Plan, PlanAction, Priority, ProgressUpdate

STALE_AFTER_DAYS = 90
ATTENTION = {"overdue": "Overdue", "stale": f"No update in {STALE_AFTER_DAYS} days"}


@dataclass(frozen=True)
class DashboardFilter:
    plan_id: int | None = None
    lead: str | None = None
    owner_id: int | None = None
    status: ActionStatus | None = None
    attention: str | None = None  # a key of ATTENTION
    #: Only the council's own plans (``own_plans``): its equality objectives, not other organisations' reference plans.
    own_only: bool = False


@dataclass(frozen=True)
class PrioritySummary:
    plan_id: int
    plan: str
    organisation: str
    priority_ref: str
    priority: str
    counts: dict[ActionStatus, int]
    total: int
    overdue: int
    stale: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.counts[ActionStatus.COMPLETE] / self.total) if self.total else 0


def _last_update():
    return (
        select(ProgressUpdate.action_id, func.max(ProgressUpdate.written_on).label("last_on"))
        .group_by(ProgressUpdate.action_id)
        .subquery("last_update")
    )


def _flags(today: date, last_update):
    open_action = PlanAction.status != ActionStatus.COMPLETE
    overdue = and_(open_action, PlanAction.due_on < today)
    stale = and_(
        open_action,
        or_(last_update.c.last_on.is_(None), last_update.c.last_on < today - timedelta(days=STALE_AFTER_DAYS)),
    )
    return overdue, stale


def own_plans() -> Select[Plan]:
    """The council's own current plans: active, of the organisation named by ``EIA_COUNCIL_NAME``.

    These hold the council's equality objectives; plans of other organisations, loaded for reference,
    are never presented as its own.
    """
    council = current_app.config["EIA_COUNCIL_NAME"]
    return select(Plan).where(Plan.organisation == council, Plan.is_active.is_(True))


def _filtered(query: Select, filters: DashboardFilter, *, with_status: bool) -> Select:
    query = query.where(Plan.is_active.is_(True))
    if filters.own_only:
        query = query.where(Plan.id.in_(own_plans().with_only_columns(Plan.id)))
    if filters.plan_id:
        query = query.where(Plan.id == filters.plan_id)
    if filters.lead:
        # Leads are stored as a JSON list; an element matches by its JSON text, quotes included,
        # lower-cased on both sides so SQLite's and PostgreSQL's LIKE agree.
        leads_text = func.lower(cast(PlanAction.leads, String))
        query = query.where(leads_text.contains(json.dumps(filters.lead).lower(), autoescape=True))
    if filters.owner_id:
        query = query.where(PlanAction.owner_id == filters.owner_id)
    if with_status and filters.status:
        query = query.where(PlanAction.status == filters.status)
    return query


def priority_summaries(filters: DashboardFilter, today: date) -> list[PrioritySummary]:
    """Status counts, overdue and stale actions for each priority (one GROUP BY query).

    The status and attention filters narrow the list of actions, not these totals.
    """
    last_update = _last_update()
    overdue, stale = _flags(today, last_update)
    status_counts = [func.count(PlanAction.id).filter(PlanAction.status == s).label(s.name) for s in ActionStatus]
    query = (
        select(
            Plan.id,
            Plan.title,
            Plan.organisation,
            Priority.ref,
            Priority.text,
            *status_counts,
            func.count(PlanAction.id).label("total"),
            func.count(PlanAction.id).filter(overdue).label("overdue"),
            func.count(PlanAction.id).filter(stale).label("stale"),
        )
        .select_from(Priority)
        .join(Plan, Plan.id == Priority.plan_id)
        .join(PlanAction, PlanAction.priority_id == Priority.id)
        .outerjoin(last_update, last_update.c.action_id == PlanAction.id)
        .group_by(Plan.id, Plan.title, Plan.organisation, Priority.id, Priority.ref, Priority.text, Priority.position)
        .order_by(Plan.organisation, Plan.title, Priority.position)
    )
    rows = db.session.execute(_filtered(query, filters, with_status=False)).all()
    return [
        PrioritySummary(
            plan_id=row[0],
            plan=row.title,
            organisation=row.organisation,
            priority_ref=row.ref,
            priority=row.text,
            counts={s: getattr(row, s.name) for s in ActionStatus},
            total=row.total,
            overdue=row.overdue,
            stale=row.stale,
        )
        for row in rows
    ]


def actions(filters: DashboardFilter, today: date) -> Select:
    """The matching actions with their plan, priority, owner's name, last update date and flags."""
    last_update = _last_update()
    overdue, stale = _flags(today, last_update)
    query = (
        select(
            PlanAction,
            Priority.ref.label("priority_ref"),
            Plan.title.label("plan"),
            Plan.organisation,
            User.name.label("owner"),
            last_update.c.last_on,
            overdue.label("overdue"),
            stale.label("stale"),
        )
        .select_from(PlanAction)
        .join(Priority, Priority.id == PlanAction.priority_id)
        .join(Plan, Plan.id == Priority.plan_id)
        .outerjoin(User, User.id == PlanAction.owner_id)
        .outerjoin(last_update, last_update.c.action_id == PlanAction.id)
        .order_by(Plan.organisation, Plan.title, Priority.position, PlanAction.position, PlanAction.id)
    )
    if filters.attention == "overdue":
        query = query.where(overdue)
    elif filters.attention == "stale":
        query = query.where(stale)
    return _filtered(query, filters, with_status=True)


def matching_actions(filters: DashboardFilter, today: date) -> Select[PlanAction]:
    """The matching actions themselves, in the order of :func:`actions` (to page through)."""
    return actions(filters, today).with_only_columns(PlanAction)


def rows_for(found: list[PlanAction], today: date) -> list[Row]:
    """The rows of :func:`actions` for the actions *found* (a page of them), in the same order."""
    if not found:
        return []
    ids = [action.id for action in found]
    return list(db.session.execute(actions(DashboardFilter(), today).where(PlanAction.id.in_(ids))))


def lead_choices() -> list[str]:
    """Every lead named by an action of an active plan, for the filter."""
    leads: set[str] = set()
    for (names,) in db.session.execute(
        select(PlanAction.leads).join(Priority).join(Plan).where(Plan.is_active.is_(True))
    ):
        leads.update(names or [])
    return sorted(leads, key=str.lower)


def export_rows(filters: DashboardFilter, today: date) -> list[tuple]:
    return [
        (
            row.organisation,
            row.plan,
            row.priority_ref,
            row.PlanAction.ref,
            row.PlanAction.text,
            "; ".join(row.PlanAction.leads),
            row.owner or "",
            row.PlanAction.target_text,
            row.PlanAction.due_on.isoformat() if row.PlanAction.due_on else "",
            row.PlanAction.status.label,
            row.last_on.isoformat() if row.last_on else "",
            "yes" if row.overdue else "no",
            "yes" if row.stale else "no",
        )
        for row in db.session.execute(actions(filters, today))
    ]


EXPORT_HEADER = (
    "organisation",
    "plan",
    "priority_ref",
    "action_ref",
    "action",
    "lead",
    "owner",
    "target",
    "due_on",
    "status",
    "last_update_on",
    "overdue",
    f"no_update_in_{STALE_AFTER_DAYS}_days",
)


def totals(summaries: list[PrioritySummary]) -> dict[str, int]:
    """The headline figures over every priority shown."""
    return {
        "total": sum(s.total for s in summaries),
        "complete": sum(s.counts[ActionStatus.COMPLETE] for s in summaries),
        "overdue": sum(s.overdue for s in summaries),
        "stale": sum(s.stale for s in summaries),
    }


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """The choices of each of the dashboard's filters."""
    plans = db.session.execute(
        select(Plan).where(Plan.is_active.is_(True)).order_by(Plan.organisation, Plan.title)
    ).scalars()
    return {
        "plan": [(str(p.id), f"{p.title} ({p.organisation})") for p in plans],
        "lead": [(lead, lead) for lead in lead_choices()],
        "owner": people_choices(),
        "status": [(s.value, s.label) for s in ActionStatus],
        "attention": list(ATTENTION.items()),
    }
