"""A section's form, made at request time from its template questions: the fields check the format
of what was typed, and the service decides what is required."""

from __future__ import annotations

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


def section_form_class(section: Section, people: list[tuple[str, str]]) -> type[FlaskForm]:
    """A FlaskForm class for *section*: its questions, then 'Have you completed this section?'."""
    attrs: dict[str, Any] = {q.key: field_for(q, people) for q in section.questions}
    attrs |= _section_controls()
    return type(f"{section.key.title().replace('_', '')}SectionForm", (FlaskForm,), attrs)


def answers_from(form: FlaskForm, section: Section) -> dict[str, Any]:
    return {q.key: getattr(form, q.key).data for q in section.questions}


def initial_data(section: Section, answers: dict[str, Any]) -> dict[str, Any]:
    """A section's stored answers as its form's data."""
    return {q.key: answer_type(q).initial(answers.get(q.key)) for q in section.questions}
