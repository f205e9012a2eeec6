"""A section's form, made at request time from its template questions: the fields check the format
of what was typed, and the service decides what is required."""

from __future__ import annotations

import math
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import Field, HiddenField, RadioField, SubmitField
from wtforms.validators import InputRequired

from forms.answers import answer_type
from forms.definitions import Question, Section
from forms.fields import choices


def field_for(question: Question, people: list[tuple[str, str]]) -> Field:
    """The form field for one template question (format checks only; the service checks 'required')."""
    return answer_type(question).form_field(question, people)


COMPLETED_CHOICES = [("yes", "Yes, I have completed this section"), ("no", "No, I will come back to it later")]


def _section_controls() -> dict[str, Any]:
    """What every section page ends with: 'Have you completed this section?' and the button."""
    return {
        "completed": RadioField(
            "Have you completed this section?",
            widget=GovRadioInput(),
            choices=choices(COMPLETED_CHOICES),
            validators=[InputRequired("Select whether you have completed this section")],
        ),
        "version": HiddenField(),
        "submit": SubmitField("Save and continue", widget=GovSubmitInput()),
    }


def section_form_class(
    section: Section, people: list[tuple[str, str]], questions: tuple[Question, ...] | None = None, *, last: bool = True
) -> type[FlaskForm]:
    """A FlaskForm class for *section*, or for the *questions* of one of its pages: the questions,
    then (on the last page) 'Have you completed this section?'."""
    attrs: dict[str, Any] = {
        q.key: field_for(q, people) for q in (section.questions if questions is None else questions)
    }
    attrs |= _section_controls()
    if not last:
        del attrs["completed"]
    return type(f"{section.key.title().replace('_', '')}SectionForm", (FlaskForm,), attrs)


def answers_from(form: FlaskForm, section: Section) -> dict[str, Any]:
    """The answers on *form*: every question of *section* it asks (one page of it, or all)."""
    return {q.key: form[q.key].data for q in section.questions if q.key in form}


#: About how many pixels of questions a page holds at 1,280 wide: about two screens of questions,
#: which with the heading, "Have you completed this section?" and the footer is at most about three.
PAGE_BUDGET = 1600


def question_height(question: Question) -> int:
    """Roughly how tall *question* is on the page, in pixels at 1,280 wide: its label, hint, help
    ("Help with this question") and answer, and the space after it."""
    height = 90 + (25 if question.hint else 0) + (25 if question.guidance else 0)
    if question.type in ("radios", "checkboxes"):
        height += sum(40 + 24 * (len(label) // 70) for label in question.choices.values())
    elif question.type == "yes_no":
        height += 80
    elif question.type == "textarea":
        height += 150
    else:
        height += 50
    return height


def section_parts(section: Section) -> list[tuple[Question, ...]]:
    """*section*'s questions on pages of about :data:`PAGE_BUDGET` pixels each, in their order, as
    evenly as they go; a follow-up question stays on the page of the answer that reveals it. A short
    section is one page."""
    revealed = section.revealed_keys
    units = []
    for question in section.questions:
        if question.key in revealed:
            continue
        follow_ups = _follow_ups(section, question)
        # A follow-up is hidden until its answer is chosen: it counts for half.
        units.append(
            ([question, *follow_ups], question_height(question) + sum(question_height(q) for q in follow_ups) // 2)
        )
    total = sum(height for _, height in units)
    count = max(1, math.ceil(total / PAGE_BUDGET))
    target = total / count
    parts: list[tuple[Question, ...]] = []
    current: list[Question] = []
    filled = 0
    for group, height in units:
        # A page ends before the group whose middle would pass its share of the section.
        if current and len(parts) < count - 1 and filled + height / 2 > target:
            parts.append(tuple(current))
            current, filled = [], 0
        current.extend(group)
        filled += height
    parts.append(tuple(current))
    return parts


def _follow_ups(section: Section, question: Question) -> list[Question]:
    """The questions revealed under *question*'s answers, and under theirs, in order."""
    found = []
    for follow in (q for qs in section.revealed_under(question).values() for q in qs):
        found += [follow, *_follow_ups(section, follow)]
    return found


def pages_by_key(section: Section) -> dict[str, int]:
    """The page (1, 2 ...) of *section* that asks each of its questions."""
    return {q.key: number for number, questions in enumerate(section_parts(section), start=1) for q in questions}


def part_of(section: Section, key: str) -> int:
    """The page (1, 2 ...) of *section* that asks question *key*."""
    return pages_by_key(section).get(key, 1)


def initial_data(section: Section, answers: dict[str, Any]) -> dict[str, Any]:
    """A section's stored answers as its form's data."""
    return {q.key: answer_type(q).initial(answers.get(q.key)) for q in section.questions}
