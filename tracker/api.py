"""The plan tracker's part of the JSON API: plans with their priorities and actions, progress
updates, the equalities team's corrections to an action, and the links from an assessment to the
actions it evidences, through the same services and permission checks as the pages.

Everyone signed in reads plans. An assessment's links follow the assessment's own rules: one the
token's owner may not see answers 404, one they see but may not edit 403.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from eia.accounts.models import User
from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import Shown, before_body, person, requires
from eia.api.schemas import PageArgs, page_of
from eia.assessments import queries as eia_queries
from eia.assessments.api import eia_first
from eia.assessments.models import Eia
from eia.assessments.services import check_editable
from eia.errors import NotFound, ValidationFailed
from eia.extensions import db
from eia.permissions import permit
from eia.web import paginate
from tracker import queries, services
from tracker.api_schemas import (
    ActionLinkInputSchema,
    ActionLinkSchema,
    PlanActionDetailSchema,
    PlanActionInputSchema,
    PlanDetailSchema,
    PlanListArgs,
    PlanSummarySchema,
    ProgressUpdateInputSchema,
    ProgressUpdateSchema,
)
from tracker.models import ActionStatus, EiaActionLink, Plan, PlanAction, Priority, ProgressUpdate

bp = api_blueprint(
    "action_plans", __name__, url_prefix="/plans", description="Equality action plans, their actions and progress"
)
links_bp = api_blueprint(
    "eia_links", __name__, url_prefix="/eias", description="The action-plan actions an assessment evidences"
)


def action_first(permission: str):
    """Load the action named in the URL (404) and check *permission* on it before the body is read;
    the view gets ``found`` instead of ``action_id``."""

    def check(action_id: int, **kwargs: Any) -> dict[str, Any]:
        found = queries.action_or_404(action_id)
        permit(api_user(), permission, found)
        return {"found": found, **kwargs}

    return before_body(check)


# Reading plans -------------------------------------------------------------------------------------


def _plans(organisation: str | None, active: bool | None) -> Select[Plan]:
    """Plans by organisation and title, with the list's filters."""
    query = select(Plan).order_by(Plan.organisation, Plan.title, Plan.id)
    if organisation and organisation.strip():
        query = query.where(func.lower(Plan.organisation) == organisation.strip().lower())
    if active is not None:
        query = query.where(Plan.is_active.is_(active))
    return query


def _plan_summaries(plans: list[Plan]) -> list[Shown]:
    """*plans* with their numbers of priorities, actions and completed actions (one GROUP BY)."""
    counts = {
        row.id: row
        for row in db.session.execute(
            select(
                Plan.id,
                func.count(func.distinct(Priority.id)).label("priorities"),
                func.count(PlanAction.id).label("actions"),
                func.count(PlanAction.id).filter(PlanAction.status == ActionStatus.COMPLETE).label("complete"),
            )
            .outerjoin(Priority, Priority.plan_id == Plan.id)
            .outerjoin(PlanAction, PlanAction.priority_id == Priority.id)
            .where(Plan.id.in_([plan.id for plan in plans]))
            .group_by(Plan.id)
        )
    }
    return [
        Shown(
            plan,
            priorities=counts[plan.id].priorities,
            actions=counts[plan.id].actions,
            complete=counts[plan.id].complete,
        )
        for plan in plans
    ]


def _plan_data(plan: Plan, viewer: User) -> Shown:
    """The plan as the API shows it (``PlanDetailSchema`` dumps it; its ETag covers all of it)."""
    actions = [action for priority in plan.priorities for action in priority.actions]
    counts = queries.link_counts([action.id for action in actions], viewer)
    names = eia_queries.user_names({a.owner_id for a in actions if a.owner_id})
    return Shown(
        plan,
        priorities=[
            Shown(
                priority,
                actions=[
                    Shown(action, owner=person(action.owner_id, names), eia_count=counts.get(action.id, 0))
                    for action in priority.actions
                ],
            )
            for priority in plan.priorities
        ],
    )


def _linked_eias(action_id: int, viewer: User) -> list[dict[str, Any]]:
    """The assessments evidencing an action that *viewer* may see, with the note of each link."""
    rows = db.session.execute(
        eia_queries.with_list_details(
            select(Eia, EiaActionLink.id.label("link_id"), EiaActionLink.note)
            .join(EiaActionLink, EiaActionLink.eia_id == Eia.id)
            .where(EiaActionLink.action_id == action_id, eia_queries.visible_to(viewer))
            .options(selectinload(Eia.author), selectinload(Eia.lead_officer))
            .order_by(Eia.reference)
        )
    ).all()
    return [{"link_id": row.link_id, "note": row.note, "eia": row.Eia} for row in rows]


def _updates_data(updates: list[ProgressUpdate], evidence: dict[int, list]) -> list[Shown]:
    names = eia_queries.user_names({update.by_id for update in updates})
    return [Shown(update, by=person(update.by_id, names), evidence=evidence.get(update.id, [])) for update in updates]


def _action_data(found: PlanAction, viewer: User) -> Shown:
    """The action as the API shows it (``PlanActionDetailSchema`` dumps it; its ETag covers it)."""
    eias = _linked_eias(found.id, viewer)
    return Shown(
        found,
        owner=person(found.owner_id, eia_queries.user_names({found.owner_id} if found.owner_id else set())),
        eia_count=len(eias),
        updates=_updates_data(found.updates, queries.update_evidence(found)),
        eias=eias,
    )


@bp.get("/")
@requires("plan.view")
@bp.arguments(PlanListArgs, location="query", as_kwargs=True)
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(PlanSummarySchema))
def plans(page: int, per_page: int, organisation: str | None = None, active: bool | None = None) -> Shown:
    """List action plans.

    By organisation and title, each with its numbers of priorities, actions and completed actions.
    """
    found = paginate(_plans(organisation, active), page=page, per_page=per_page)
    return Shown(found, items=_plan_summaries(found.items))


@bp.get("/<int:plan_id>")
@requires("plan.view")
@bp.etag
@bp.response(200, PlanDetailSchema)
def plan(plan_id: int):
    """Read a plan with its priorities and actions.

    Each action has its target as written, the due date read from it, its status, its owner and how
    many assessments the token's owner may see evidence it.
    """
    return _plan_data(queries.plan_or_404(plan_id), api_user())


@bp.get("/actions/<int:action_id>")
@requires("plan.view")
@bp.etag
@bp.response(200, PlanActionDetailSchema)
def action(action_id: int):
    """Read an action with its progress updates and the assessments evidencing it.

    Only the assessments the token's owner may see are listed. The ETag goes in If-Match to correct
    the action.
    """
    return _action_data(queries.action_or_404(action_id), api_user())


@bp.get("/actions/<int:action_id>/updates")
@requires("plan.view")
@bp.response(200, ProgressUpdateSchema(many=True))
def updates(action_id: int):
    """List an action's progress updates.

    Newest first, each with the evidence attached to it on the page.
    """
    found = queries.action_or_404(action_id)
    return _updates_data(found.updates, queries.update_evidence(found))


# Writing -------------------------------------------------------------------------------------------


@bp.post("/actions/<int:action_id>/updates")
@action_first("plan.update_progress")
@bp.arguments(ProgressUpdateInputSchema, location="json")
@bp.response(201, ProgressUpdateSchema)
def add_update(values: dict[str, Any], found: PlanAction):
    """Add a progress update to an action.

    A dated note, changing the action's status when ``status`` is given. For the action's lead
    service areas, its owner and the equalities team. Evidence files are added on the page.
    """
    update = services.add_progress_update(
        found, note=values["note"], status=values["status"], written_on=values["written_on"], by=api_user()
    )
    db.session.commit()
    return _updates_data([update], {})[0]


@bp.put("/actions/<int:action_id>")
@action_first("plan.edit")
@bp.etag
@bp.arguments(PlanActionInputSchema, location="json")
@bp.response(200, PlanActionDetailSchema)
def correct_action(values: dict[str, Any], found: PlanAction):
    """Correct an action.

    The equalities team replaces its wording, outcome, leads, target and success measures, and
    sets its owner when ``owner_id`` is sent. The status changes only through progress updates.
    """
    user = api_user()
    bp.check_etag(_action_data(found, user), PlanActionDetailSchema)
    change_owner = "owner_id" in values
    owner_id = values.pop("owner_id", None)
    services.update_action(found, values, expected_version=found.version, by=user)
    if change_owner:
        services.set_owner(found, owner_id, by=user)
    db.session.commit()
    return _action_data(queries.action_or_404(found.id), user)


# Links from an assessment to the actions it evidences ----------------------------------------------


def _links_data(links: list[EiaActionLink]) -> list[Shown]:
    names = eia_queries.user_names({link.created_by_id for link in links})
    return [Shown(link, created_by=person(link.created_by_id, names)) for link in links]


def _link(eia: Eia, link_id: int) -> EiaActionLink:
    link = db.session.get(EiaActionLink, link_id)
    if link is None or link.eia_id != eia.id:
        raise NotFound(f"{eia.reference} has no link {link_id}.")
    return link


def _linkable_action(action_id: int) -> PlanAction:
    """An action of an active plan, as the page offers them."""
    found = db.session.get(PlanAction, action_id)
    if found is None or not found.priority.plan.is_active:
        raise ValidationFailed("Unknown action", {"action_id": "Choose an action of an active plan"})
    return found


def eia_extras(_sender: Any, *, eia: Eia) -> dict[str, Any]:
    """The action links of ``GET /api/v1/eias/<reference>`` (the ``eia.signals.eia_api_extras`` signal)."""
    return {"action_links": ActionLinkSchema(many=True).dump(_links_data(queries.links_for_eia(eia.id)))}


@links_bp.get("/<reference>/links")
@eia_first()
@links_bp.response(200, ActionLinkSchema(many=True))
def eia_links(eia: Eia) -> list[Shown]:
    """List the plan actions an assessment evidences, and how."""
    return _links_data(queries.links_for_eia(eia.id))


@links_bp.post("/<reference>/links")
@eia_first("eia.edit")
@links_bp.arguments(ActionLinkInputSchema, location="json")
@links_bp.response(201, ActionLinkSchema)
def add_link(values: dict[str, Any], eia: Eia):
    """Link an assessment to a plan action it evidences.

    The action must belong to an active plan; the note says how the assessment evidences it.
    """
    check_editable(eia)
    link = services.link_eia(eia, _linkable_action(values["action_id"]), note=values["note"], by=api_user())
    db.session.commit()
    return _links_data([link])[0], {"Location": url_for("eia_links.link", reference=eia.reference, link_id=link.id)}


@links_bp.get("/<reference>/links/<int:link_id>")
@eia_first()
@links_bp.etag
@links_bp.response(200, ActionLinkSchema)
def link(eia: Eia, link_id: int) -> Shown:
    """Read a link of an assessment to a plan action.

    Its ETag goes in If-Match to remove it.
    """
    return _links_data([_link(eia, link_id)])[0]


@links_bp.delete("/<reference>/links/<int:link_id>")
@eia_first("eia.edit")
@links_bp.etag
@links_bp.response(204)
def remove_link(eia: Eia, link_id: int) -> None:
    """Remove a link of an assessment to a plan action."""
    found = _link(eia, link_id)
    links_bp.check_etag(_links_data([found])[0], ActionLinkSchema)
    services.unlink_eia(eia, found, by=api_user())
    db.session.commit()
