"""Reading plans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eia.accounts.models import User
from eia.assessments.models import Eia
from eia.errors import NotFound
from eia.extensions import db
from eia.notifications.services import Reminder, short_text
from eia.work import MOST, WorkGroup, WorkItem
from tracker import dashboard, programme
from tracker.models import ActionStatus, EiaActionLink, Plan, PlanAction, Priority


def plan_by_name(name: str, organisation: str | None = None) -> Plan:
    """A plan by its number or title (case-insensitive), with its priorities and actions loaded.

    :raises NotFound: if there is none, or several and no organisation to choose between them.
    """
    query = select(Plan).options(selectinload(Plan.priorities).selectinload(Priority.actions))
    if name.isascii() and name.isdigit():
        query = query.where(Plan.id == int(name))
    else:
        query = query.where(func.lower(Plan.title) == name.strip().lower())
    if organisation:
        query = query.where(func.lower(Plan.organisation) == organisation.strip().lower())
    found = db.session.execute(query).scalars().all()
    if not found:
        raise NotFound(f"There is no plan called {name!r}" + (f" for {organisation}" if organisation else "") + ".")
    if len(found) > 1:
        names = "; ".join(p.organisation for p in found)
        raise NotFound(f"Several organisations have a plan called {name!r} ({names}): add --organisation.")
    return found[0]


def plans() -> list[Plan]:
    return list(db.session.execute(select(Plan).order_by(Plan.organisation, Plan.title)).scalars())


def plan_or_404(plan_id: int) -> Plan:
    plan = db.session.execute(
        select(Plan).where(Plan.id == plan_id).options(selectinload(Plan.priorities).selectinload(Priority.actions))
    ).scalar_one_or_none()
    if plan is None:
        raise NotFound("There is no such plan.")
    return plan


def action_or_404(action_id: int) -> PlanAction:
    action = db.session.execute(
        select(PlanAction)
        .where(PlanAction.id == action_id)
        .options(selectinload(PlanAction.priority).selectinload(Priority.plan))
    ).scalar_one_or_none()
    if action is None:
        raise NotFound("There is no such action.")
    return action


def link_counts(action_ids: list[int], viewer: User) -> dict[int, int]:
    """How many EIAs that *viewer* may see evidence each action (one GROUP BY query)."""
    from eia.assessments.models import Eia
    from eia.assessments.queries import visible_to

    if not action_ids:
        return {}
    rows = db.session.execute(
        select(EiaActionLink.action_id, func.count())
        .join(Eia, Eia.id == EiaActionLink.eia_id)
        .where(EiaActionLink.action_id.in_(action_ids), visible_to(viewer))
        .group_by(EiaActionLink.action_id)
    ).all()
    return {action_id: count for action_id, count in rows}


def plan_summaries() -> list[dict]:
    """Each plan with its number of priorities, actions and completed actions (aggregated in SQL)."""
    rows = db.session.execute(
        select(
            Plan,
            func.count(func.distinct(Priority.id)).label("priorities"),
            func.count(PlanAction.id).label("actions"),
            func.count(PlanAction.id).filter(PlanAction.status == ActionStatus.COMPLETE).label("complete"),
        )
        .outerjoin(Priority, Priority.plan_id == Plan.id)
        .outerjoin(PlanAction, PlanAction.priority_id == Priority.id)
        .group_by(Plan.id)
        .order_by(Plan.organisation, Plan.title)
    ).all()
    return [{"plan": r[0], "priorities": r.priorities, "actions": r.actions, "complete": r.complete} for r in rows]


def links_for_eia(eia_id: int) -> list[EiaActionLink]:
    return list(
        db.session.execute(
            select(EiaActionLink)
            .where(EiaActionLink.eia_id == eia_id)
            .options(selectinload(EiaActionLink.action).selectinload(PlanAction.priority).selectinload(Priority.plan))
            .order_by(EiaActionLink.id)
        ).scalars()
    )


def eias_for_action(action_id: int, viewer: User) -> list[Eia]:
    """The EIAs evidencing an action that *viewer* may see."""
    from eia.assessments.models import Eia
    from eia.assessments.queries import visible_to, with_list_details

    query = (
        select(Eia)
        .join(EiaActionLink, EiaActionLink.eia_id == Eia.id)
        .where(EiaActionLink.action_id == action_id, visible_to(viewer))
        .order_by(Eia.reference)
    )
    return list(db.session.execute(with_list_details(query)).scalars())


def action_choices() -> list[tuple[str, str]]:
    """Every action of every active plan, labelled so people can find it in a long list."""
    rows = db.session.execute(
        select(
            PlanAction.id,
            PlanAction.ref,
            PlanAction.text,
            Priority.ref.label("priority"),
            Plan.title,
            Plan.organisation,
        )
        .join(Priority, Priority.id == PlanAction.priority_id)
        .join(Plan, Plan.id == Priority.plan_id)
        .where(Plan.is_active.is_(True))
        .order_by(Plan.organisation, Plan.title, Priority.position, PlanAction.position)
    ).all()
    return [
        (
            str(r.id),
            f"{r.organisation} – {r.title} – {r.priority} {r.ref}: {r.text[:90]}{'…' if len(r.text) > 90 else ''}",
        )
        for r in rows
    ]


def update_evidence(action: PlanAction) -> dict[int, list]:
    """Evidence attached to each progress update of *action* (one query)."""
    from eia.evidence.models import EvidenceItem

    ids = [u.id for u in action.updates]
    if not ids:
        return {}
    items = db.session.execute(
        select(EvidenceItem).where(
            EvidenceItem.subject_type == "progress_update",
            EvidenceItem.subject_id.in_(ids),
            EvidenceItem.removed_at.is_(None),
        )
    ).scalars()
    grouped: dict[int, list] = {}
    for item in items:
        grouped.setdefault(item.subject_id, []).append(item)
    return grouped


def my_actions(user: User) -> list[PlanAction]:
    """Actions of active plans that *user* owns or whose lead is their team or directorate, not yet
    complete, soonest due first (the rule of ``plan.update_progress``; leads are matched in Python,
    as SQLite cannot fold the case of non-ASCII names)."""
    from eia.permissions import works_in_lead

    candidates = db.session.execute(
        select(PlanAction.id, PlanAction.owner_id, PlanAction.leads)
        .join(Priority, Priority.id == PlanAction.priority_id)
        .join(Plan, Plan.id == Priority.plan_id)
        .where(Plan.is_active.is_(True), PlanAction.status != ActionStatus.COMPLETE)
    ).all()
    ids = [row.id for row in candidates if row.owner_id == user.id or works_in_lead(user, row.leads or [])]
    if not ids:
        return []
    return list(
        db.session.execute(
            select(PlanAction)
            .where(PlanAction.id.in_(ids))
            .options(selectinload(PlanAction.priority).selectinload(Priority.plan))
            .order_by(PlanAction.due_on.is_(None), PlanAction.due_on, PlanAction.id)
            .limit(MOST)
        ).scalars()
    )


# For the rest of the app, through eia.signals -------------------------------------------------------


def my_work_section(_sender: Any, *, user: User, today: date) -> WorkGroup:
    """The plan actions *user* owns or leads, for My work (the ``eia.signals.my_work`` signal)."""
    items = [
        WorkItem(
            text=f"{action.priority.ref} {action.ref}: {short_text(action.text)}",
            href=url_for("plans.action", action_id=action.id),
            context=action.priority.plan.title,
            due_on=action.due_on,
            status=action.status.label,
            note="" if action.due_on else (action.target_text or ""),
        )
        for action in my_actions(user)
    ]
    return WorkGroup("plan-actions", "Action-plan actions you own or lead", items, today, noun="actions")


def plan_reminders(_sender: Any, *, today: date) -> Iterator[Reminder]:
    """Reminders for ``eia remind``: owned actions of active plans, not complete, that are due within
    a week, overdue, or have had no progress update in 90 days (the ``eia.signals.reminders`` signal)."""
    for row in db.session.execute(
        dashboard.actions(dashboard.DashboardFilter(), today).where(PlanAction.owner_id.is_not(None))
    ):
        action = row.PlanAction
        due_soon = action.due_on is not None and action.due_on <= today + timedelta(days=7)
        if action.status is ActionStatus.COMPLETE or not (due_soon or row.stale):
            continue
        why = (
            f"target {action.target_text or action.due_on} passed"
            if row.overdue
            else f"due {action.due_on.day} {action.due_on:%B %Y}"
            if due_soon
            else "no progress update in 90 days"
        )
        yield Reminder(
            action.owner_id,
            f"plan_action:{action.id}",
            "plan_action",
            f"{row.priority_ref} {action.ref} of {row.plan}: {short_text(action.text)} ({why})",
            f"/plans/actions/{action.id}",
            action.due_on,
        )


def report_sections(_sender: Any, *, year: int, today: date) -> dict[str, Any]:
    """The plan tracker's part of the annual report (the ``eia.signals.report_sections`` signal): the programme's
    planned assessments and the progress by priority of the council's own plans (its equality objectives),
    with the EIAs evidencing each action."""
    own = dashboard.DashboardFilter(own_only=True)
    links: dict[int, list[str]] = {}
    for action_id, reference in db.session.execute(
        select(EiaActionLink.action_id, Eia.reference).join(Eia, Eia.id == EiaActionLink.eia_id).order_by(Eia.reference)
    ):
        links.setdefault(action_id, []).append(reference)
    actions = db.session.execute(dashboard.actions(own, today).where(PlanAction.id.in_(list(links) or [-1]))).all()
    return {
        "programme": programme.rates(year),
        "priorities": dashboard.priority_summaries(own, today),
        "evidenced": [(row.plan, row.priority_ref, row.PlanAction.ref, links[row.PlanAction.id]) for row in actions],
    }
