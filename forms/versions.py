"""Moving an assessment from one version of its form template to the next: which answers carry over
(those whose section and question keys both still exist) and which questions are new to its author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forms.definitions import FormDefinition


@dataclass(frozen=True)
class NewQuestions:
    """The questions of one section that the older version did not ask."""

    section_key: str
    section_title: str
    questions: tuple[str, ...]


def carried_answers(new: FormDefinition, section_key: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers of *section_key* that *new* still asks (same section, same question key)."""
    section = new.section(section_key)
    if section is None:
        return {}
    return {key: value for key, value in answers.items() if section.question(key) is not None}


def new_questions(old: FormDefinition, new: FormDefinition) -> list[NewQuestions]:
    """Per section of *new*, in order, the labels of the questions *old* did not have under that key."""
    found = []
    for section in new.sections:
        before = old.section(section.key)
        labels = tuple(q.label for q in section.questions if before is None or before.question(q.key) is None)
        if labels:
            found.append(NewQuestions(section.key, section.title, labels))
    return found
