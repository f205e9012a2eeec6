"""The rule behind the stop check: what kinds of unlawful discrimination can never be justified.

Under the Equality Act 2010 only indirect discrimination (s.19), discrimination arising from
disability (s.15) and direct discrimination because of age (s.13(2)) can be objectively justified.
Direct discrimination for any other reason, a failure to make reasonable adjustments (s.20 and s.21),
harassment (s.26) and victimisation (s.27) cannot be: a proposal that could lead to them must change
or stop, whatever its aim.
"""

from __future__ import annotations

from typing import Any

from forms.definitions import Section

#: The outcomes that let a proposal go ahead as it is, which the stop check holds back.
GOING_AHEAD = {"no_major_change": "No major change needed", "continue": "Continue despite adverse impact"}

#: The kinds of discrimination (choices of ``discrimination_types``) no aim can justify.
NEVER_JUSTIFIED = ("direct", "reasonable_adjustments", "harassment", "victimisation")


def never_justified(answers: dict[str, Any]) -> list[str]:
    """The kinds that cannot be justified among those an outcome section's *answers* say could happen."""
    if answers.get("unlawful_discrimination") != "yes":
        return []
    kinds = answers.get("discrimination_types") or []
    return [kind for kind in NEVER_JUSTIFIED if kind in kinds]


def never_justified_in_words(section: Section, answers: dict[str, Any]) -> str:
    """The kinds of discrimination *answers* name that no aim can justify, in words ("" for none).

    Only on a form that asks about direct age discrimination apart (which can be justified): on an
    earlier wording "direct" covered age too, so the rule cannot tell."""
    kinds, found = section.question("discrimination_types"), never_justified(answers)
    if kinds is None or not found or "direct_age" not in kinds.choices:
        return ""
    return kinds.display(found).lower()


def never_justified_problem(words: str) -> str:
    return f"The proposal could lead to {words}, which no aim can justify: choose 'Adjust the proposal' or 'Stop and remove the proposal'"


def going_ahead_problem(section: Section, answers: dict[str, Any]) -> str | None:
    """Why an outcome section's *answers* cannot let the proposal go ahead as it is, or None."""
    words = never_justified_in_words(section, answers)
    return never_justified_problem(words) if words and answers.get("outcome") in GOING_AHEAD else None
