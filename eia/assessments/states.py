"""The words an assessment is described in: its kinds and states, a section's status, an impact's
direction and severity, a decision's body and outcome, a mitigation's status, with the labels people
read. Plain enums, so forms, schemas and pages use them without the tables."""

from __future__ import annotations

from enum import StrEnum


class EiaKind(StrEnum):
    STANDARD = "standard"
    INDIVIDUAL = "individual"

    @property
    def label(self) -> str:
        return (
            "Individual actions (HR or legal)"
            if self is EiaKind.INDIVIDUAL
            else "Policy, function, service or proposal"
        )


class EiaState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    SIGNED_OFF = "signed_off"
    PUBLISHED = "published"
    REVIEW_DUE = "review_due"
    ARCHIVED = "archived"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_editable(self) -> bool:
        """Authors change the answers only in these states; later changes need a new version."""
        return self in (EiaState.DRAFT, EiaState.RETURNED)

    @property
    def is_completed(self) -> bool:
        return self in COMPLETED_STATES

    @property
    def tag_colour(self) -> str:
        """The GOV.UK tag colour the state is shown in."""
        return STATE_TAG_COLOURS[self]


#: What a proposal is, as the About section and the list filters name it.
PROPOSAL_TYPES = [
    ("policy", "Policy or strategy"),
    ("function", "Function"),
    ("service", "Service"),
    ("budget", "Budget proposal"),
    ("restructure", "Restructure (individual)"),
    ("disciplinary", "Disciplinary, capability or grievance (individual)"),
    ("redeployment", "Redeployment (individual)"),
    ("legal", "Legal action (individual)"),
    ("other", "Other individual action"),
]


#: Published, and still on the public register when its review comes.
PUBLIC_STATES = (EiaState.PUBLISHED, EiaState.REVIEW_DUE)
COMPLETED_STATES = (EiaState.APPROVED, EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE)

STATE_TAG_COLOURS = {
    EiaState.DRAFT: "grey",
    EiaState.SUBMITTED: "blue",
    EiaState.IN_REVIEW: "light-blue",
    EiaState.RETURNED: "orange",
    EiaState.APPROVED: "turquoise",
    EiaState.SIGNED_OFF: "green",
    EiaState.PUBLISHED: "purple",
    EiaState.REVIEW_DUE: "yellow",
    EiaState.ARCHIVED: "grey",
    EiaState.ABANDONED: "red",
}


class SectionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Direction(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return {"not_known": "Not known"}.get(self.value, self.value.capitalize())


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DecidingBody(StrEnum):
    CABINET = "cabinet"
    COMMITTEE = "committee"
    COUNCIL = "council"
    OFFICER = "officer"

    @property
    def label(self) -> str:
        return {
            "cabinet": "Cabinet or an executive member",
            "committee": "A committee",
            "council": "Full council",
            "officer": "An officer, under delegated powers",
        }[self.value]


class DecisionOutcome(StrEnum):
    AS_PROPOSED = "as_proposed"
    AMENDED = "amended"
    REJECTED = "rejected"
    DEFERRED = "deferred"

    @property
    def label(self) -> str:
        return {
            "as_proposed": "Agreed as proposed",
            "amended": "Agreed with amendments",
            "rejected": "Rejected",
            "deferred": "Deferred",
        }[self.value]


class MitigationStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: The sections an assessment needs when screening found a full assessment not needed.
SCREENING_SECTIONS = {"about", "screening"}
