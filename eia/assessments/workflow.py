"""Taking the steps of an EIA's review and sign-off workflow (the steps themselves are in
:mod:`eia.assessments.transitions`), the reviewer's comments and the author's replies, the review
date coming due, and a new version when it is reviewed again. Each step checks the state and the
person, asks for a comment where a person would expect one, and is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from eia.accounts.models import User
from eia.assessments.models import Eia, EiaSection, Impact, Mitigation, ReviewComment
from eia.assessments.queries import latest_template
from eia.assessments.states import EiaState, SectionStatus
from eia.assessments.transitions import TRANSITIONS, Transition
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, WorkflowError
from eia.extensions import db
from eia.permissions import can, permit
from eia.working_days import uk_today
from forms.versions import carried_answers

#: The longest comment, as the comment boxes say.
COMMENT_LIMIT = 5000


def available_transitions(eia: Eia, user: User) -> list[Transition]:
    """The steps *user* may take on *eia* now, in workflow order."""
    return [
        step
        for step in TRANSITIONS.values()
        if eia.state in step.sources and step.applies(eia) and can(user, step.permission, eia)
    ]


def transition(
    eia: Eia,
    name: str,
    *,
    by: User,
    comment: str | None = None,
    confirmed: bool = False,
    section_comments: Mapping[str, str] | None = None,
) -> None:
    """Move *eia* along the workflow by the step called *name*.

    *section_comments* (by section key) are the reviewer's comments typed on the review page but not
    yet added: they are added first, with the step, so an approval or a return never loses them.

    :raises PermissionDenied: if *by* may not take this step on this EIA.
    :raises WorkflowError: if the EIA is not in a state this step starts from, or it does not apply,
        or there are section comments and it is not under review.
    :raises ValidationFailed: if a comment or a confirmation is missing, or the EIA is not ready.
    """
    step = TRANSITIONS.get(name)
    if step is None:
        raise WorkflowError(f"There is no step called {name!r}.")
    permit(by, step.permission, eia)
    if eia.state not in step.sources:
        raise WorkflowError(f"{eia.reference} is {eia.state.label.lower()}, so it cannot be {step.done} now.")
    if step.check is not None:  # first: an unfinished assessment is told what is missing
        step.check(eia)
    comment = (comment or "").strip()
    if step.needs_comment and not comment:
        raise ValidationFailed("A comment is needed", {"comment": "Enter a comment explaining this decision"})
    if step.confirmation and not confirmed:
        raise ValidationFailed(step.confirmation, {"confirmed": step.confirmation})
    for section_key, body in (section_comments or {}).items():
        if body.strip():
            add_comment(eia, section_key, body, by=by)

    old_state = eia.state
    now = utcnow()
    eia.state = step.target
    if step.on_enter is not None:
        step.on_enter(eia, by, now)
    if comment:
        eia.comments.append(ReviewComment(body=comment, author_id=by.id, transition=name, created_at=now))
    audit.record(
        f"eia_{name}",
        eia,
        by=by,
        detail=comment or None,
        changes={"state": [old_state.value, step.target.value]},
    )
    db.session.flush()


def add_comment(eia: Eia, section_key: str | None, body: str, *, by: User) -> ReviewComment:
    """A reviewer's comment on one section (or on the whole EIA when *section_key* is None). The first
    comment on a submitted assessment starts its review (the author can no longer withdraw it)."""
    permit(by, "eia.review", eia)
    if eia.state not in (EiaState.SUBMITTED, EiaState.IN_REVIEW):
        raise WorkflowError(f"Comments are made while {eia.reference} is under review.")
    if section_key is not None and eia.form.section(section_key) is None:
        raise ValidationFailed("Choose a section", {"section_key": "Choose a section of this assessment"})
    body = body.strip()
    if not body:
        raise ValidationFailed("Enter a comment", {"body": "Enter a comment"})
    if len(body) > COMMENT_LIMIT:
        section = eia.form.section(section_key) if section_key else None
        on = f"on {section.title.lower()} " if section else ""
        raise ValidationFailed(
            f"Your comment {on}must be 5,000 characters or fewer",
            {"body": "The comment must be 5,000 characters or fewer"},
        )
    start_review(eia, by=by)
    comment = ReviewComment(section_key=section_key, body=body, author_id=by.id, created_at=utcnow())
    eia.comments.append(comment)
    db.session.flush()
    # The text stays with the review (the author reads it once the EIA is returned), not in the log.
    audit.record(
        "eia_comment_added", eia, by=by, detail=f"comment {comment.id} on {section_key or 'the whole assessment'}"
    )
    return comment


def start_review(eia: Eia, *, by: User) -> None:
    """Opening a submitted assessment to review it starts the review (the author can no longer
    withdraw it); nothing happens when it is already under review."""
    if eia.state is EiaState.SUBMITTED:
        transition(eia, "start_review", by=by)


def assign_reviewer(eia: Eia, reviewer_id: int | None, *, by: User) -> None:
    """Give the review to a member of the equalities team (who finds it in My work), or to nobody.

    :raises ValidationFailed: for someone who is not in the equalities team, or wrote it.
    """
    permit(by, "eia.assign_reviewer", eia)
    person = db.session.get(User, reviewer_id) if reviewer_id is not None else None
    if reviewer_id is not None and (person is None or not can(person, "eia.review", eia)):
        raise ValidationFailed(
            "Cannot review it", {"reviewer_id": "Choose someone in the equalities team who did not write it"}
        )
    if eia.reviewer_id == reviewer_id:
        return
    old = eia.reviewer_id
    eia.reviewer_id = reviewer_id
    audit.record(
        "eia_reviewer_assigned",
        eia,
        by=by,
        detail=f"to {person.name}" if person else "to nobody",
        changes={"reviewer_id": [old, reviewer_id]},
    )
    db.session.flush()


def mark_dealt_with(comment: ReviewComment, *, reply: str, by: User) -> None:
    """The author says a reviewer's comment on a section is dealt with, with a reply if they like; the
    reviewer sees both when the assessment comes back.

    :raises WorkflowError: unless the assessment is with its author (a draft, or returned).
    """
    eia = comment.eia
    permit(by, "eia.edit", eia)
    if not eia.state.is_editable:
        raise WorkflowError(
            f"{eia.reference} is {eia.state.label.lower()}: comments are dealt with while it is with you."
        )
    comment.dealt_with_at = utcnow()
    comment.dealt_with_by_id = by.id
    comment.reply = reply.strip() or None
    audit.record("eia_comment_dealt_with", eia, by=by, detail=f"comment {comment.id} on {comment.section_key}")
    db.session.flush()


def mark_reviews_due(today: date, *, by: Any) -> list[Eia]:
    """Move signed-off and published assessments whose review date has come to *review due*, each
    with an audit entry, so their authors find them in My work and their digest. A version already
    reopened as a newer one is left alone (the newer one is the review). Running it again the same
    day moves nothing.

    :param by: who runs it (the command line's actor).
    """
    newer = aliased(Eia)
    due = list(
        db.session.execute(
            select(Eia)
            .where(
                Eia.state.in_((EiaState.SIGNED_OFF, EiaState.PUBLISHED)),
                Eia.review_date.is_not(None),
                Eia.review_date <= today,
                ~exists().where(newer.previous_id == Eia.id),
            )
            .order_by(Eia.review_date, Eia.id)
        ).scalars()
    )
    for eia in due:
        old_state = eia.state
        eia.state = EiaState.REVIEW_DUE
        audit.record(
            "eia_review_due",
            eia,
            by=by,
            detail=f"its review date, {eia.review_date}, has come",
            changes={"state": [old_state.value, EiaState.REVIEW_DUE.value]},
        )
    db.session.flush()
    return due


def reopen(eia: Eia, *, by: User, today: date | None = None) -> Eia:
    """Start the next version for a review: a draft copy linked to this one, which stays as it was.
    It is written on the newest form template of its kind, carrying every answer whose section and
    question still exist there (its page then lists the questions that are new).

    :raises WorkflowError: unless *eia* is signed off, published or due for review, and is the newest version.
    """
    permit(by, "eia.submit", eia)
    if eia.state not in (EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE):
        raise WorkflowError(f"{eia.reference} is {eia.state.label.lower()}: only a finished assessment is reopened.")
    if db.session.query(Eia.id).filter(Eia.previous_id == eia.id).first():
        raise WorkflowError(f"{eia.reference} has already been reopened as a newer version.")
    base = eia.reference.split("-V")[0]
    template = latest_template(eia.kind) or eia.template
    following = Eia(
        reference=f"{base}-V{eia.version_number + 1}",
        kind=eia.kind,
        template=template,
        state=EiaState.DRAFT,
        title=eia.title,
        proposal_type=eia.proposal_type,
        service_area_id=eia.service_area_id,
        author_id=by.id,
        lead_officer_id=eia.lead_officer_id,
        version_number=eia.version_number + 1,
        previous_id=eia.id,
        started_on=(today or uk_today()),
        decision_date=None,
        review_date=None,
        outcome=eia.outcome,
        closed_at_screening=eia.closed_at_screening,
    )
    previous_answers = {section.key: dict(section.answers) for section in eia.sections}
    for definition in template.form.sections:
        answers = carried_answers(template.form, definition.key, previous_answers.get(definition.key, {}))
        if definition.key == "about":
            answers["started_on"] = following.started_on.isoformat() if following.started_on else None
            answers.pop("decision_date", None)
        if definition.key == "outcome":
            answers.pop("review_date", None)  # the next review sets its own
        status = SectionStatus.IN_PROGRESS if answers else SectionStatus.NOT_STARTED
        following.sections.append(EiaSection(key=definition.key, answers=answers, status=status, updated_by_id=by.id))
    for impact in eia.impacts:
        following.impacts.append(
            Impact(
                characteristic_id=impact.characteristic_id,
                direction=impact.direction,
                severity=impact.severity,
                description=impact.description,
                who_affected=impact.who_affected,
                evidence=impact.evidence,
                finding_out=impact.finding_out,
            )
        )
    for mitigation in eia.mitigations:
        following.mitigations.append(
            Mitigation(
                characteristic_id=mitigation.characteristic_id,
                action=mitigation.action,
                owner_id=mitigation.owner_id,
                due_on=mitigation.due_on,
                status=mitigation.status,
                measure=mitigation.measure,
            )
        )
    db.session.add(following)
    db.session.flush()
    audit.record("eia_reopened", eia, by=by, detail=f"new version {following.reference}")
    audit.record(
        "eia_created",
        following,
        by=by,
        detail=f"version {following.version_number} of {base}, on the {template.kind} template v{template.version}",
    )
    return following
