"""The steps of an assessment's review and sign-off workflow, as data.

``draft → submitted → in review → (returned → resubmitted) | approved → signed off → published``.
Each :class:`Transition` says who may take it and from which states, what a person must add (a comment,
a confirmation), what must hold first and what changes on the way in; :mod:`eia.assessments.workflow`
takes the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from eia.accounts.models import User
from eia.assessments.models import Eia, Snapshot
from eia.assessments.snapshots import snapshot
from eia.assessments.states import EiaState
from eia.assessments.submission import DECLARATION, SubmissionBlocked, submission_problems
from eia.auditlog import services as audit
from eia.errors import WorkflowError


def _ready_to_submit(eia: Eia) -> None:
    problems = submission_problems(eia)
    if problems:
        raise SubmissionBlocked(f"{eia.reference} is not ready to submit", problems)


def _publishable(eia: Eia) -> None:
    if eia.is_individual:
        raise WorkflowError("Individual-action assessments are never published.")


def _on_submit(eia: Eia, by: User, now: datetime) -> None:
    eia.submitted_at = now
    eia.reviewed_at = None  # the review of this submission has not ended yet
    eia.snapshots.append(
        Snapshot(taken_at=now, taken_by_id=by.id, reason="submitted", data=snapshot(eia), declaration=DECLARATION)
    )


def _on_start_review(eia: Eia, by: User, now: datetime) -> None:
    """Whoever starts a review that nobody was given is its reviewer (it is theirs in My work and on the
    dashboard); a review already given to someone stays theirs."""
    if eia.reviewer_id is None:
        eia.reviewer_id = by.id
        audit.record(
            "eia_reviewer_assigned", eia, by=by, detail=f"to {by.name}", changes={"reviewer_id": [None, by.id]}
        )


def _ends_review(eia: Eia, now: datetime) -> None:
    """The review of the submission ends the first time it is approved or returned (approved again
    after a decision maker sent it back, it keeps the first)."""
    if eia.reviewed_at is None:
        eia.reviewed_at = now


def _on_return(eia: Eia, by: User, now: datetime) -> None:
    _ends_review(eia, now)


def _on_approve(eia: Eia, by: User, now: datetime) -> None:
    eia.approved_at = now
    _ends_review(eia, now)


def _on_withdraw(eia: Eia, by: User, now: datetime) -> None:
    eia.approved_at = None


def _decided(eia: Eia) -> bool:
    return eia.decision is not None and eia.decision.taken_on is not None


def _not_decided_yet(eia: Eia) -> None:
    """Once the decision is taken, the assessment it was taken with is the record: no step withdraws
    its approval (a change goes into the next version, never into this one)."""
    taken = eia.decision.taken_on if eia.decision is not None else None
    if taken is not None:
        raise WorkflowError(
            f"The decision was taken on {taken.day} {taken:%B %Y} with {eia.reference} as it stands, so it cannot "
            "change now. Once it is signed off, start its next version for the change."
        )


def _on_withdraw_submission(eia: Eia, by: User, now: datetime) -> None:
    """Taken back before any review: nothing waits for the equalities team, so no review can be late."""
    eia.submitted_at = None


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
            on_enter=_on_withdraw_submission,
        ),
        Transition(
            "start_review",
            "Start the review",
            (EiaState.SUBMITTED,),
            EiaState.IN_REVIEW,
            "eia.review",
            done="put under review",
            message="You are reviewing {ref}.",
            on_enter=_on_start_review,
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
            on_enter=_on_return,
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
            check=_not_decided_yet,
            applies=lambda eia: not _decided(eia),
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
            check=_not_decided_yet,
            applies=lambda eia: not _decided(eia),
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
            check=_not_decided_yet,
            applies=lambda eia: not _decided(eia),
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
        # A returned assessment may be abandoned too: the proposal can be dropped while the author
        # is changing it, and it would otherwise wait in their work, and the reminders, for ever.
        Transition(
            "abandon",
            "Abandon this assessment",
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
