"""The review and sign-off workflow of an EIA.

``draft → submitted → in review → (returned → resubmitted) | approved → signed off → published``,
then a new version when it is reviewed again. Each transition checks the state and the person,
asks for a comment where a person would expect one, and is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from eia.accounts.models import User
from eia.assessments.models import Eia, EiaSection, Impact, Mitigation, ReviewComment, Snapshot
from eia.assessments.queries import latest_template
from eia.assessments.snapshots import snapshot
from eia.assessments.states import EiaState, SectionStatus
from eia.assessments.submission import DECLARATION, SubmissionBlocked, submission_problems
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, WorkflowError
from eia.extensions import db
from eia.permissions import can, permit
from forms.versions import carried_answers


def _ready_to_submit(eia: Eia) -> None:
    problems = submission_problems(eia)
    if problems:
        raise SubmissionBlocked(f"{eia.reference} is not ready to submit", problems)


def _publishable(eia: Eia) -> None:
    if eia.is_individual:
        raise WorkflowError("Individual-action assessments are never published.")


def _on_submit(eia: Eia, by: User, now: datetime) -> None:
    eia.submitted_at = now
    eia.snapshots.append(
        Snapshot(taken_at=now, taken_by_id=by.id, reason="submitted", data=snapshot(eia), declaration=DECLARATION)
    )


def _on_approve(eia: Eia, by: User, now: datetime) -> None:
    eia.approved_at = now


def _on_withdraw(eia: Eia, by: User, now: datetime) -> None:
    eia.approved_at = None


def _on_sign_off(eia: Eia, by: User, now: datetime) -> None:
    eia.signed_off_at = now
    eia.signed_off_by_id = by.id


def _on_publish(eia: Eia, by: User, now: datetime) -> None:
    eia.published_at = now


@dataclass(frozen=True)
class Transition:
    """One step of the workflow, with everything about it: who may take it and from where, what a
    person must add (a comment, a confirmation), what must hold first, what changes on the way in,
    and the words for it."""

    name: str
    #: The button.
    label: str
    sources: tuple[EiaState, ...]
    target: EiaState
    permission: str
    #: "... so it cannot be {done} now".
    done: str
    #: Shown once it is done; {ref} is the reference.
    message: str
    needs_comment: bool = False
    #: The hint under the comment box.
    comment_hint: str = ""
    #: A box to tick (its words), and the message when it is not ticked.
    confirmation_label: str | None = None
    confirmation: str | None = None
    #: What will happen, shown on the page that asks the person to confirm the step.
    warning: str | None = None
    #: Whether the step's button is red (it takes something away or sends it back).
    destructive: bool = False
    #: Raises when the step cannot be taken now (ValidationFailed or WorkflowError).
    check: Callable[[Eia], None] | None = None
    #: What changes on the way in, besides the state.
    on_enter: Callable[[Eia, User, datetime], None] | None = None
    #: Whether the step applies to this kind of assessment at all.
    applies: Callable[[Eia], bool] = lambda eia: True

    @property
    def is_direct(self) -> bool:
        """A button that acts at once, with nothing to add or confirm first."""
        return not self.needs_comment and self.confirmation is None and self.warning is None


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            (EiaState.DRAFT, EiaState.RETURNED),
            EiaState.SUBMITTED,
            "eia.submit",
            done="submitted",
            message="{ref} has been sent to the equalities team for review.",
            confirmation_label=DECLARATION,
            confirmation="Confirm the declaration to submit the assessment",
            check=_ready_to_submit,
            on_enter=_on_submit,
        ),
        Transition(
            "withdraw_submission",
            "Withdraw the submission",
            (EiaState.SUBMITTED,),
            EiaState.DRAFT,
            "eia.submit",
            done="withdrawn",
            message="{ref} is a draft again. Submit it when it is ready.",
            warning="It goes back to being a draft, so the equalities team will not review it until you submit it "
            "again. You can only do this before their review starts.",
            comment_hint="Optional: say why, for the assessment's history.",
            on_enter=_on_withdraw,
        ),
        Transition(
            "start_review",
            "Start the review",
            (EiaState.SUBMITTED,),
            EiaState.IN_REVIEW,
            "eia.review",
            done="put under review",
            message="You are reviewing {ref}.",
        ),
        Transition(
            "return",
            "Return to the author",
            (EiaState.SUBMITTED, EiaState.IN_REVIEW),
            EiaState.RETURNED,
            "eia.review",
            done="returned",
            message="{ref} has been returned to its author with your comment.",
            needs_comment=True,
            comment_hint="Tell the author what needs to change and why.",
            destructive=True,
        ),
        Transition(
            "approve",
            "Approve",
            (EiaState.SUBMITTED, EiaState.IN_REVIEW),
            EiaState.APPROVED,
            "eia.review",
            done="approved",
            message="{ref} is approved and waits for the decision maker's sign-off.",
            warning="The decision maker is asked to sign it off. Its answers cannot change after this without "
            "a new review.",
            on_enter=_on_approve,
        ),
        Transition(
            "withdraw",
            "Make a change (sends it back for review)",
            (EiaState.APPROVED,),
            EiaState.DRAFT,
            "eia.submit",
            done="reopened for a change",
            message="{ref} is a draft again: make the change and submit it for review.",
            needs_comment=True,
            comment_hint="Say what will change: the assessment goes back for review.",
            warning="It goes back to being a draft: its approval is withdrawn and it needs a new review.",
            on_enter=_on_withdraw,
        ),
        Transition(
            "sign_off",
            "Sign off",
            (EiaState.APPROVED,),
            EiaState.SIGNED_OFF,
            "eia.sign_off",
            done="signed off",
            message="{ref} is signed off.",
            needs_comment=True,
            comment_hint="Record your decision and anything it depends on.",
            confirmation_label="I have read the adverse impacts and the mitigations proposed for them",
            confirmation="Confirm that you have read the adverse impacts and the mitigations",
            on_enter=_on_sign_off,
        ),
        Transition(
            "send_back_to_review",
            "Send back to the equalities team",
            (EiaState.APPROVED,),
            EiaState.IN_REVIEW,
            "eia.sign_off",
            done="sent back to the equalities team",
            message="{ref} has gone back to the equalities team with your reason.",
            needs_comment=True,
            comment_hint="What the equalities team should look at again before you can sign it off.",
            warning="Its approval is withdrawn and the equalities team reviews it again.",
            on_enter=_on_withdraw,
            destructive=True,
        ),
        Transition(
            "send_back_to_author",
            "Send back to the author",
            (EiaState.APPROVED,),
            EiaState.RETURNED,
            "eia.sign_off",
            done="sent back to the author",
            message="{ref} has gone back to its author with your reason.",
            needs_comment=True,
            comment_hint="What must change before you can sign it off: it will be reviewed again after.",
            warning="Its approval is withdrawn; the author changes it and it is reviewed again.",
            on_enter=_on_withdraw,
            destructive=True,
        ),
        Transition(
            "publish",
            "Publish",
            (EiaState.SIGNED_OFF,),
            EiaState.PUBLISHED,
            "eia.publish",
            done="published",
            message="{ref} is published on the public register.",
            warning="Anyone can then read it on the public register, with the evidence marked public. "
            "Reviewers' comments are never published.",
            check=_publishable,
            on_enter=_on_publish,
            applies=lambda eia: not eia.is_individual,
        ),
        Transition(
            "archive",
            "Archive",
            (EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE),
            EiaState.ARCHIVED,
            "eia.review",
            done="archived",
            message="{ref} is archived.",
            needs_comment=True,
            comment_hint="Why it is archived.",
            destructive=True,
        ),
        Transition(
            "abandon",
            "Abandon this draft",
            (EiaState.DRAFT, EiaState.RETURNED),
            EiaState.ABANDONED,
            "eia.abandon",
            done="abandoned",
            message="{ref} is abandoned. It is kept, and the equalities team can restore it.",
            needs_comment=True,
            comment_hint="Why it is no longer needed: the proposal was dropped, or another assessment covers it.",
            warning="It leaves the lists, the counts and the reminders. Nothing is deleted, and the equalities "
            "team can restore it.",
            destructive=True,
        ),
        Transition(
            "restore",
            "Restore this draft",
            (EiaState.ABANDONED,),
            EiaState.DRAFT,
            "eia.restore",
            done="restored",
            message="{ref} is a draft again.",
            comment_hint="Optional: why it is needed again.",
            warning="It becomes a draft again, back in its author's My work and in the lists.",
        ),
    )
}


def available_transitions(eia: Eia, user: User) -> list[Transition]:
    """The steps *user* may take on *eia* now, in workflow order."""
    return [
        step
        for step in TRANSITIONS.values()
        if eia.state in step.sources and step.applies(eia) and can(user, step.permission, eia)
    ]


def transition(eia: Eia, name: str, *, by: User, comment: str | None = None, confirmed: bool = False) -> None:
    """Move *eia* along the workflow by the step called *name*.

    :raises PermissionDenied: if *by* may not take this step on this EIA.
    :raises WorkflowError: if the EIA is not in a state this step starts from, or it does not apply.
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
    """A reviewer's comment on one section (or on the whole EIA when *section_key* is None)."""
    permit(by, "eia.review", eia)
    if eia.state not in (EiaState.SUBMITTED, EiaState.IN_REVIEW):
        raise WorkflowError(f"Comments are made while {eia.reference} is under review.")
    if section_key is not None and eia.form.section(section_key) is None:
        raise ValidationFailed("Choose a section", {"section_key": "Choose a section of this assessment"})
    body = body.strip()
    if not body:
        raise ValidationFailed("Enter a comment", {"body": "Enter a comment"})
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
        started_on=(today or utcnow().date()),
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
