"""Changing plans and actions through the app: links from assessments, progress updates, owners,
and the equalities team's corrections. Imports and exports are in :mod:`tracker.importing`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy import update as sa_update
from sqlalchemy.orm.attributes import set_committed_value

from eia.accounts.models import User
from eia.auditlog import services as audit
from eia.errors import ValidationFailed, check_version
from eia.extensions import db
from eia.working_days import uk_today
from tracker.models import ActionStatus, EiaActionLink, Plan, PlanAction, ProgressUpdate
from tracker.targets import ImpossibleDate, parse_target


def link_eia(eia: Any, action: PlanAction, *, note: str, by: Any, written_earlier: bool = False) -> EiaActionLink:
    """Record that *eia* evidences *action*, and how.

    *written_earlier* is for a loader writing down a link made while the assessment was being written
    (the demo, whose plans are loaded after its assessments); nothing else may link a finished one.

    :raises WorkflowError: if the assessment can no longer be edited.
    :raises ValidationFailed: if the link exists already or the note is missing.
    """
    from eia.assessments.services import check_editable

    if not written_earlier:
        check_editable(eia)
    note = note.strip()
    if not note:
        raise ValidationFailed("Say how", {"note": "Say how this assessment evidences the action"})
    exists = db.session.execute(
        select(EiaActionLink.id).where(EiaActionLink.eia_id == eia.id, EiaActionLink.action_id == action.id)
    ).first()
    if exists:
        raise ValidationFailed("Already linked", {"action_id": "This assessment is already linked to that action"})
    link = EiaActionLink(eia_id=eia.id, action_id=action.id, note=note, created_by_id=by.id)
    db.session.add(link)
    db.session.flush()
    audit.record(
        "eia_action_linked",
        eia,
        by=by,
        detail=f"{action.priority.plan.title} {action.priority.ref} {action.ref}",
        changes={"action_link.action_id": [None, action.id], "action_link.note": [None, note]},
    )
    return link


def unlink_eia(eia: Any, link: EiaActionLink, *, by: Any) -> None:
    from eia.assessments.services import check_editable

    check_editable(eia)
    audit.record("eia_action_unlinked", eia, by=by, changes={"action_link.action_id": [link.action_id, None]})
    db.session.delete(link)
    db.session.flush()


def add_progress_update(
    action: PlanAction,
    *,
    note: str,
    status: ActionStatus | None,
    written_on: Any,
    by: Any,
) -> ProgressUpdate:
    """Record progress on an action, changing its status when *status* differs.

    :raises ValidationFailed: without a note, or dated in the future.
    """

    note = note.strip()
    if not note:
        raise ValidationFailed("Describe the progress", {"note": "Describe the progress made"})
    if written_on > uk_today():
        raise ValidationFailed("Date in the future", {"written_on": "The date of the update cannot be in the future"})
    before = action.status
    after = status or before
    update = ProgressUpdate(written_on=written_on, note=note, status_before=before, status_after=after, by_id=by.id)
    action.updates.append(update)
    changes = {"progress.note": [None, note]}
    if after is not before:
        changes["status"] = [before.value, after.value]
        # A plain UPDATE that leaves the action's version alone: two people adding updates at once
        # never clash, nor does an update with a correction of the action's wording (whose form
        # does not carry the status).
        db.session.execute(sa_update(PlanAction).where(PlanAction.id == action.id).values(status=after))
        set_committed_value(action, "status", after)
    db.session.flush()
    audit.record(
        "plan_action_progress", action, by=by, detail=f"update {update.id} dated {written_on:%Y-%m-%d}", changes=changes
    )
    return update


def set_owner(action: PlanAction, owner_id: int | None, *, by: Any) -> None:
    """Give an action an owner (who sees it in My work), or none.

    :raises ValidationFailed: if the owner is not a person with an enabled account.
    """
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner_id is not None and (owner is None or not owner.is_enabled):
        raise ValidationFailed("Unknown owner", {"owner_id": "The owner must be a person with an enabled account"})
    old = action.owner_id
    action.owner_id = owner_id
    if old != action.owner_id:
        audit.record("plan_action_owner_set", action, by=by, changes={"owner_id": [old, action.owner_id]})
    db.session.flush()


def update_action(action: PlanAction, values: dict[str, Any], *, expected_version: int, by: Any) -> dict:
    """Change an action's wording, leads, target or success measures; returns the field changes.

    The due date and the recurring mark follow the target text by the import's rules. The status
    changes only through progress updates, so its history is never lost.

    :raises ConflictError: if someone saved the action after *expected_version* was read.
    """
    check_version(
        action,
        expected_version,
        f"Action {action.ref} was changed by someone else after you opened the page.",
    )
    try:
        due_on, recurring = parse_target(values["target_text"])
    except ImpossibleDate as exc:
        raise ValidationFailed(str(exc), {"target_text": f"{exc}: check the day and the month"}) from None
    action.outcome = values["outcome"]
    action.text = values["text"]
    action.leads = values["leads"]
    action.target_text = values["target_text"]
    action.due_on = due_on
    action.is_recurring = recurring
    action.success_measures = values["success_measures"]
    changes = audit.field_changes(action)
    if changes:
        db.session.flush()
        audit.record("plan_action_updated", action, by=by, detail=f"{action.ref} edited", changes=changes)
    return changes


def update_plan(plan: Plan, *, title: str, is_active: bool, expected_version: int, by: Any) -> dict:
    """Rename a plan or mark it active or inactive; returns the field changes.

    :raises ConflictError: if someone saved the plan after *expected_version* was read.
    :raises ValidationFailed: if the organisation already has a plan with that title.
    """
    check_version(
        plan, expected_version, f"The plan '{plan.title}' was changed by someone else after you opened the page."
    )
    clash = db.session.execute(
        select(Plan.id).where(Plan.organisation == plan.organisation, Plan.title == title, Plan.id != plan.id)
    ).scalar()
    if clash:
        raise ValidationFailed("Title taken", {"title": f"{plan.organisation} already has a plan called '{title}'"})
    plan.title = title
    plan.is_active = is_active
    changes = audit.field_changes(plan)
    if changes:
        audit.record("plan_updated", plan, by=by, changes=changes)
        db.session.flush()
    return changes
