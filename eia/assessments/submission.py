"""What an assessment needs before it can be submitted: every needed section complete, each negative
impact mitigated or justified, and the stop check for possible unlawful discrimination answered."""

from __future__ import annotations

from dataclasses import dataclass

from eia.assessments.mitigations import unmitigated_impacts
from eia.assessments.models import Eia
from eia.assessments.services import task_list
from eia.assessments.states import SectionStatus
from eia.assessments.stop_rule import GOING_AHEAD, never_justified_in_words, never_justified_problem
from eia.errors import EiaError

#: What an author confirms when submitting, kept with the submission and shown to the reviewer.
DECLARATION = (
    "I have considered the effect of the proposal on each group of people in the characteristic register, "
    "the evidence is accurate to the best of my knowledge, and the negative impacts and what will be done "
    "about them are set out in full."
)


class SubmissionBlocked(EiaError):
    """The EIA is not ready to submit; ``fields`` maps each section key to what it still needs.

    Not a :class:`ValidationFailed`: nothing typed on the page is wrong, the assessment is unfinished,
    so the page shows the task list with what is missing rather than messages on a form.
    """

    status = 422

    def __init__(self, message: str, fields: dict[str, str]):
        super().__init__(message)
        self.fields = fields


def submission_problems(eia: Eia) -> dict[str, str]:
    """What stops *eia* from being submitted, by section: unfinished sections, and negative impacts
    with neither a mitigation nor a justification of the residual impact."""
    problems = {
        task.key: f"Complete the section '{task.title}'"
        + (f" ({task.reason[0].lower()}{task.reason[1:]})" if task.reason else "")
        for task in task_list(eia)
        if task.needed and task.status is not SectionStatus.COMPLETED
    }
    stop = stop_check(eia)
    if stop is not None and stop.blocks:
        problems.setdefault("outcome", stop.problem)
    if not eia.closed_at_screening:
        for impact in unmitigated_impacts(eia):
            name = impact.characteristic.name
            problems[f"impact-{impact.characteristic.key}"] = (
                f"{name} has a negative impact with no mitigation: add one, or justify the remaining impact"
            )
    return problems


@dataclass(frozen=True)
class StopCheck:
    """The author's answer to "Could the proposal lead to unlawful discrimination?" when it is yes:
    what kinds, the outcome chosen, and the objective justification (a legitimate aim, proportionate
    means) if one is given."""

    kinds: str
    outcome: str | None
    justification: str
    never_justified: str = ""  # the kinds among them no aim can justify, in words

    @property
    def blocks(self) -> bool:
        """Going ahead (no major change, or continuing despite the impact) needs the justification,
        and is never possible for a kind of discrimination that cannot be justified."""
        return self.outcome in GOING_AHEAD and (not self.justification or bool(self.never_justified))

    @property
    def problem(self) -> str:
        if self.never_justified:
            return never_justified_problem(self.never_justified)
        return (
            "The proposal could lead to unlawful discrimination: give the objective justification (the "
            f"legitimate aim, and why the means are proportionate) before it can go ahead with "
            f"'{GOING_AHEAD.get(self.outcome or '', '')}', or change the outcome"
        )


def stop_check(eia: Eia) -> StopCheck | None:
    """The stop check of *eia*'s outcome, when its form asks it and the answer is yes; None otherwise."""
    section = eia.form.section("outcome")
    if section is None or section.question("unlawful_discrimination") is None:
        return None
    answers = eia.answers("outcome")
    if answers.get("unlawful_discrimination") != "yes":
        return None
    kinds = section.question("discrimination_types")
    return StopCheck(
        kinds=kinds.display(answers.get("discrimination_types")) if kinds else "",
        outcome=answers.get("outcome"),
        justification=(answers.get("objective_justification") or "").strip(),
        never_justified=never_justified_in_words(section, answers),
    )
