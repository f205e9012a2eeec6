"""Flask-WTF forms built from the EIA form templates, plus the fixed forms around them.

A section's form is made from its questions at request time (the template is data); the fields check
the format of what was typed, and the service decides what is required.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms.admin import select_choices
from forms.definitions import YES_NO, Question, Section

MIN_YEAR, MAX_YEAR = 1990, 2100


def strip(value: Any) -> Any:
    """Text is kept without surrounding white space, so spaces alone count as no answer."""
    return value.strip() if isinstance(value, str) else value


class DateInputWidget:
    """The GOV.UK date input: day, month and year boxes named ``<field>-day`` and so on."""

    def __call__(self, field: DateField, **kwargs: Any) -> Markup:
        parts = field.parts
        error_parts = field.error_parts
        items = [
            {
                "name": name,
                "label": name.capitalize(),
                "value": parts.get(name, ""),
                "classes": ("govuk-input--width-4" if name == "year" else "govuk-input--width-2")
                + (" govuk-input--error" if field.errors and (not error_parts or name in error_parts) else ""),
                "inputmode": "numeric",
            }
            for name in ("day", "month", "year")
        ]
        params = {
            "id": field.id,
            "namePrefix": field.name,
            "fieldset": {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": field.description or "For example, 27 3 2026"},
            "items": items,
        }
        if field.errors:
            params["errorMessage"] = {"text": field.errors[0]}
        return Markup(render_template("_macros/date_input.html", params=params))


class DateField(Field):
    """A date typed as day, month and year. Keeps what was typed when it is not a real date."""

    widget = DateInputWidget()

    def __init__(
        self, label: str | None = None, validators: list | None = None, *, required: str | None = None, **kwargs: Any
    ):
        super().__init__(label, validators, **kwargs)
        self.required_message = required  # the message when nothing is typed, for a date that must be given
        self.parts: dict[str, str] = {}
        self.error_parts: set[str] = set()

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.data = data if isinstance(data, date) else None
        if isinstance(data, str) and data:
            self.data = date.fromisoformat(data)
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        keys = [f"{self.name}-{part}" for part in ("day", "month", "year")]
        if not any(key in formdata for key in keys):
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()[:10] for part in ("day", "month", "year")}
        self.data = None
        self.raw_data = list(self.parts.values())

    def pre_validate(self, form: Any) -> None:
        filled = {name for name, value in self.parts.items() if value}
        if not filled:
            if self.required_message and self.data is None:
                raise ValidationError(self.required_message)
            return
        missing = [name for name in ("day", "month", "year") if name not in filled]
        if missing:
            self.error_parts = set(missing)
            raise ValidationError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not all(value.isascii() and value.isdigit() for value in self.parts.values()):
            self.error_parts = {name for name, value in self.parts.items() if not value.isdigit()}
            raise ValidationError(f"{self.label.text} must be a real date, in numbers")
        day, month, year = (int(self.parts[name]) for name in ("day", "month", "year"))
        if len(self.parts["year"]) != 4 or not MIN_YEAR <= year <= MAX_YEAR:
            self.error_parts = {"year"}
            raise ValidationError(f"{self.label.text}: the year must have 4 numbers, between {MIN_YEAR} and {MAX_YEAR}")
        try:
            self.data = date(year, month, day)
        except ValueError:
            self.error_parts = set()
            raise ValidationError(f"{self.label.text} must be a real date") from None


def _choices(pairs: dict[str, str] | list[tuple[str, str]]) -> list[SelectChoice]:
    return select_choices(list(pairs.items()) if isinstance(pairs, dict) else pairs)


def _exclusive_choice(value: str, label: str):
    def check(form: Any, field: Any) -> None:
        if field.data and value in field.data and len(field.data) > 1:
            raise ValidationError(f"Select '{label}' on its own, or the options that apply, not both")

    return check


def field_for(question: Question, people: list[tuple[str, str]]) -> Field:
    """The form field for one template question (format checks only; the service checks 'required')."""
    common: dict[str, Any] = {"label": question.label, "description": question.hint or ""}
    limit = (
        [
            Length(
                max=question.max_length,
                message=f"{question.label.rstrip('?')} must be {question.max_length:,} characters or fewer",
            )
        ]
        if question.max_length
        else []
    )
    if question.type == "text":
        return StringField(widget=GovTextInput(), filters=[strip], validators=[Optional(), *limit], **common)
    if question.type == "textarea":
        widget = GovCharacterCount() if question.max_length else GovTextArea()
        return TextAreaField(widget=widget, filters=[strip], validators=[Optional(), *limit], **common)
    if question.type == "date":
        return DateField(**common)
    if question.type in {"radios", "yes_no"}:
        options = YES_NO if question.type == "yes_no" else question.choices
        return RadioField(widget=GovRadioInput(), choices=_choices(options), validators=[Optional()], **common)
    if question.type == "checkboxes":
        checks = []
        if question.exclusive:
            checks.append(_exclusive_choice(question.exclusive, question.choices[question.exclusive]))
        return SelectMultipleField(
            widget=GovCheckboxesInput(), choices=_choices(question.choices), validators=[Optional(), *checks], **common
        )
    if question.type == "user":
        return SelectField(
            widget=GovSelect(), choices=_choices([("", "Choose a person"), *people]), validators=[Optional()], **common
        )
    raise ValueError(f"unknown question type {question.type}")


COMPLETED_CHOICES = [("yes", "Yes, I have completed this section"), ("no", "No, I will come back to it later")]


def _section_controls() -> dict[str, Any]:
    """What every section page ends with: 'Have you completed this section?' and the button."""
    return {
        "completed": RadioField(
            "Have you completed this section?",
            widget=GovRadioInput(),
            choices=_choices(COMPLETED_CHOICES),
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
    data = {}
    for question in section.questions:
        value = answers.get(question.key)
        data[question.key] = date.fromisoformat(value) if question.type == "date" and value else value
    return data


class NewEiaForm(FlaskForm):
    kind = RadioField(
        "What kind of assessment is it?",
        widget=GovRadioInput(),
        choices=_choices(
            [
                ("standard", "A policy, function, service or budget proposal"),
                ("individual", "An individual action (HR or legal): kept off the public register"),
            ]
        ),
        validators=[InputRequired("Select what kind of assessment it is")],
    )
    title = StringField(
        "Title of the proposal",
        filters=[strip],
        description="A short name people will recognise, for example 'Library opening hours 2026'.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a title"), Length(max=200, message="Title must be 200 characters or fewer")],
    )
    service_area_id = SelectField("Service area", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Start the assessment", widget=GovSubmitInput())

    def __init__(self, *args: Any, service_areas: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.service_area_id.choices = _choices([("", "Choose a service area"), *service_areas])


DIRECTION_CHOICES = [
    ("positive", "Positive"),
    ("neutral", "Neutral"),
    ("negative", "Negative"),
    ("not_known", "Not known"),
]
SEVERITY_CHOICES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


def impacts_form_class(section: Section, characteristics: list[Any], people: list[tuple[str, str]]) -> type[FlaskForm]:
    """The impacts page: a block per characteristic, then the section's own questions."""
    attrs: dict[str, Any] = {}
    for c in characteristics:
        attrs[f"c_{c.key}_direction"] = RadioField(
            "Impact", widget=GovRadioInput(), choices=_choices(DIRECTION_CHOICES), validators=[Optional()]
        )
        attrs[f"c_{c.key}_severity"] = RadioField(
            "How severe is a negative impact?",
            widget=GovRadioInput(),
            choices=_choices(SEVERITY_CHOICES),
            validators=[Optional()],
        )
        for name, label, hint in (
            (
                "description",
                "What is the real effect on people?",
                "Not just a tick: what changes for them, or why there is no effect.",
            ),
            (
                "who_affected",
                "Who exactly is affected?",
                "For example: wheelchair users who rely on the mobile library.",
            ),
            ("evidence", "What is the evidence?", "Data, engagement or research behind this, with its source."),
        ):
            attrs[f"c_{c.key}_{name}"] = TextAreaField(
                label,
                description=hint,
                widget=GovTextArea(),
                validators=[
                    Optional(),
                    Length(
                        max=5000, message=f"{c.name}: {label.rstrip('?').lower()} must be 5,000 characters or fewer"
                    ),
                ],
            )
    for question in section.questions:
        attrs[question.key] = field_for(question, people)
    attrs |= _section_controls()
    return type("ImpactsForm", (FlaskForm,), attrs)


def impact_values(form: FlaskForm, characteristic: Any) -> dict[str, Any]:
    return {
        name: form[f"c_{characteristic.key}_{name}"].data
        for name in ("direction", "severity", "description", "who_affected", "evidence")
    }


def impact_initial(impacts: list[Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for impact in impacts:
        key = impact.characteristic.key
        data[f"c_{key}_direction"] = impact.direction.value if impact.direction else None
        data[f"c_{key}_severity"] = impact.severity.value if impact.severity else None
        data[f"c_{key}_description"] = impact.description
        data[f"c_{key}_who_affected"] = impact.who_affected
        data[f"c_{key}_evidence"] = impact.evidence
    return data


class MitigationForm(FlaskForm):
    characteristic_id = SelectField(
        "Which impact does it address?", widget=GovSelect(), choices=[], validators=[Optional()]
    )
    action = TextAreaField(
        "What will be done?",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter what will be done"),
            Length(max=3000, message="The action must be 3,000 characters or fewer"),
        ],
    )
    owner_id = SelectField(
        "Who owns it?", widget=GovSelect(), choices=[], validators=[InputRequired("Select who owns this mitigation")]
    )
    due_on = DateField("When is it due?", required="Enter the date it is due")
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=_choices([("not_started", "Not started"), ("in_progress", "In progress"), ("done", "Done")]),
        default="not_started",
        validators=[InputRequired("Select the status")],
    )
    measure = TextAreaField(
        "How will its effect be measured?",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter how its effect will be measured"),
            Length(max=3000, message="The measure must be 3,000 characters or fewer"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Save mitigation", widget=GovSubmitInput())

    def __init__(self, *args: Any, impacts: list[tuple[str, str]], people: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.characteristic_id.choices = _choices([("", "The proposal as a whole"), *impacts])
        self.owner_id.choices = _choices([("", "Choose a person"), *people])

    def values(self) -> dict[str, Any]:
        return {
            "characteristic_id": int(self.characteristic_id.data) if self.characteristic_id.data else None,
            "action": self.action.data,
            "owner_id": int(self.owner_id.data),
            "due_on": self.due_on.data,
            "status": self.status.data,
            "measure": self.measure.data,
        }


class TransitionForm(FlaskForm):
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="The comment must be 5,000 characters or fewer")],
    )
    confirmed = SelectMultipleField(
        "Confirmation",
        widget=GovCheckboxesInput(),
        choices=_choices([("yes", "I have read the adverse impacts and the mitigations proposed for them")]),
        validators=[Optional()],
    )


class CommentForm(FlaskForm):
    section_key = SelectField("Section", widget=GovSelect(), choices=[], validators=[Optional()])
    body = TextAreaField(
        "Comment",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter a comment"),
            Length(max=5000, message="The comment must be 5,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add comment", widget=GovSubmitInput())

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.section_key.choices = _choices([("", "The whole assessment"), *sections])


class EvidenceForm(FlaskForm):
    """Evidence of one kind (file, link or note); the kind comes from the page, not the form."""

    title = StringField(
        "Title",
        filters=[strip],
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter a title for this evidence"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    file = FileField(
        "File",
        description="PDF, Word, Excel, OpenDocument, CSV, text, PNG or JPEG, up to 20 MB.",
        widget=GovFileInput(),
    )
    url = StringField(
        "Web address",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=2000, message="Web address must be 2,000 characters or fewer")],
    )
    note = TextAreaField(
        "Note",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=10000, message="Note must be 10,000 characters or fewer")],
    )
    description = TextAreaField(
        "Description (optional)",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=3000, message="Description must be 3,000 characters or fewer")],
    )
    source = StringField(
        "Source (optional)",
        description="Who produced it, for example 'ONS Census 2021' or 'Library management system'.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="Source must be 300 characters or fewer")],
    )
    evidence_date = DateField(
        "Date of the evidence (optional)", description="The date the data or document refers to. For example, 31 3 2025"
    )
    characteristics = SelectMultipleField(
        "Which characteristics does it support?", widget=GovCheckboxesInput(), choices=[], validators=[Optional()]
    )
    sections = SelectMultipleField(
        "Which sections does it support?", widget=GovCheckboxesInput(), choices=[], validators=[Optional()]
    )
    is_public = SelectMultipleField(
        "Publication",
        widget=GovCheckboxesInput(),
        choices=_choices([("yes", "Publish this with the assessment on the public register")]),
        validators=[Optional()],
    )
    submit = SubmitField("Add evidence", widget=GovSubmitInput())

    def __init__(
        self, *args: Any, characteristics: list[tuple[str, str]], sections: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.characteristics.choices = _choices(characteristics)
        self.sections.choices = _choices(sections)

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "description": self.description.data,
            "source": self.source.data,
            "evidence_date": self.evidence_date.data,
            "sections": self.sections.data or [],
            "is_public": "yes" in (self.is_public.data or []),
            "url": self.url.data,
            "note": self.note.data,
        }


class RemoveEvidenceForm(FlaskForm):
    reason = TextAreaField(
        "Why is it being removed?",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why this evidence is being removed"),
            Length(max=1000, message="Reason must be 1,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Remove evidence", widget=GovSubmitInput())
