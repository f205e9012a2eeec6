"""One definition per type of answer a form template can ask for.

Each :class:`AnswerType` builds, from the same :class:`~forms.definitions.Question`, the WTForms
field a page shows and the marshmallow field the API checks, and says how an answer is stored (as
JSON: dates as ISO text, people as their id in text) and how it reads back. A new type is one class
here, added to :data:`ANSWER_TYPES`; form templates name it in ``type:``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from marshmallow import ValidationError
from marshmallow import fields as ma
from marshmallow import validate as mv
from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.validators import ValidationError as FormValidationError

from forms.definitions import YES_NO, Question
from forms.fields import DateField, choices, strip

#: The longest text the API takes for a question without its own limit.
TEXT_LIMIT = 20_000


def _no_null_byte(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Must not contain a null byte")


class AnswerType:
    """How one type of question is asked on a page, checked in the API, stored and read."""

    name: ClassVar[str]
    #: Whether a template must give the question its choices.
    needs_choices: ClassVar[bool] = False
    #: The verb of the message for a missing answer: "Enter ..." or "Select ...".
    asks_to_select: ClassVar[bool] = False

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        raise NotImplementedError

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        raise NotImplementedError

    def stored(self, value: Any) -> Any:
        """A form field's data as it is kept in the answers' JSON."""
        return strip(value)

    def initial(self, value: Any) -> Any:
        """A stored answer as its form field's data."""
        return value

    def options(self, question: Question) -> Mapping[str, str]:
        return {}

    def display(self, question: Question, value: Any) -> str:
        """The stored answer as a person reads it."""
        if value in (None, "", []):
            return ""
        labels = self.options(question)
        if isinstance(value, list):
            return "; ".join(labels.get(v, v) for v in value)
        return labels.get(value, str(value)) if labels else str(value)


def _common(question: Question) -> dict[str, Any]:
    return {"label": question.label, "description": question.hint or ""}


def _length(question: Question) -> list[Any]:
    if not question.max_length:
        return []
    label = question.label.rstrip("?")
    return [Length(max=question.max_length, message=f"{label} must be {question.max_length:,} characters or fewer")]


class Text(AnswerType):
    name = "text"

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        return StringField(
            widget=GovTextInput(), filters=[strip], validators=[Optional(), *_length(question)], **_common(question)
        )

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        limit = question.max_length or TEXT_LIMIT
        return ma.String(
            allow_none=True,
            validate=[mv.Length(max=limit, error=f"Must be {limit} characters or fewer"), _no_null_byte],
        )


class Textarea(Text):
    name = "textarea"

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        widget = GovCharacterCount() if question.max_length else GovTextArea()
        return TextAreaField(
            widget=widget, filters=[strip], validators=[Optional(), *_length(question)], **_common(question)
        )


class DateAnswer(AnswerType):
    name = "date"

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        return DateField(**_common(question))

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        return _IsoDate(allow_none=True)

    def stored(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else strip(value)

    def initial(self, value: Any) -> Any:
        return date.fromisoformat(value) if value else value

    def display(self, question: Question, value: Any) -> str:
        if not value:
            return ""
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return f"{day.day} {day:%B %Y}"


class _IsoDate(ma.Field):
    """A date written YYYY-MM-DD, kept as that text."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise ValidationError("Must be a date written YYYY-MM-DD") from None


class Radios(AnswerType):
    name = "radios"
    needs_choices = True
    asks_to_select = True

    def options(self, question: Question) -> Mapping[str, str]:
        return question.choices

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        return RadioField(
            widget=GovRadioInput(),
            choices=choices(self.options(question)),
            validators=[Optional()],
            **_common(question),
        )

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        options = list(self.options(question))
        return ma.String(allow_none=True, validate=mv.OneOf(options, error=f"Must be one of: {', '.join(options)}"))


class YesNo(Radios):
    name = "yes_no"
    needs_choices = False

    def options(self, question: Question) -> Mapping[str, str]:
        return YES_NO


class Checkboxes(AnswerType):
    name = "checkboxes"
    needs_choices = True
    asks_to_select = True

    def options(self, question: Question) -> Mapping[str, str]:
        return question.choices

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        checks = [_exclusive_choice(question)] if question.exclusive else []
        return SelectMultipleField(
            widget=GovCheckboxesInput(),
            choices=choices(question.choices),
            validators=[Optional(), *checks],
            **_common(question),
        )

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        return _Choices(question)

    def stored(self, value: Any) -> Any:
        return list(dict.fromkeys(value)) if isinstance(value, list) else value


def _exclusive_choice(question: Question) -> Any:
    value, label = question.exclusive, question.choices.get(question.exclusive or "", "")

    def check(form: Any, field: Any) -> None:
        if field.data and value in field.data and len(field.data) > 1:
            raise FormValidationError(f"Select '{label}' on its own, or the options that apply, not both")

    return check


class _Choices(ma.Field):
    """A list of a checkbox question's choices (each once); the exclusive one only on its own."""

    def __init__(self, question: Question, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)
        self.question = question

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        allowed = self.question.choices
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in allowed for v in value):
            raise ValidationError(f"Must be a list of: {', '.join(allowed)}")
        exclusive = self.question.exclusive
        if exclusive and exclusive in value and len(value) > 1:
            raise ValidationError(f"{exclusive!r} cannot be chosen with anything else")
        return list(dict.fromkeys(value))


class Person(AnswerType):
    """Someone with an account: kept as their id, in text."""

    name = "user"
    asks_to_select = True

    def form_field(self, question: Question, people: list[tuple[str, str]]) -> Field:
        return SelectField(
            widget=GovSelect(),
            choices=choices([("", "Choose a person"), *people]),
            validators=[Optional()],
            **_common(question),
        )

    def api_field(self, question: Question, people: set[int]) -> ma.Field:
        return _PersonId(people)


class _PersonId(ma.Field):
    def __init__(self, people: set[int], **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)
        self.people = people

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) < 12 and int(text) in self.people):
            raise ValidationError("Must be the id of a person with an enabled account")
        return text


ANSWER_TYPES: dict[str, AnswerType] = {
    kind.name: kind for kind in (Text(), Textarea(), DateAnswer(), Radios(), Checkboxes(), YesNo(), Person())
}


def answer_type(question: Question) -> AnswerType:
    return ANSWER_TYPES[question.type]
