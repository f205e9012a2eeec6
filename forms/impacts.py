"""The impacts on each characteristic in steps (a direction for each, then the detail of those with
an effect) and the mitigations that answer them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.fields import DateField, choices, strip

#: How long a neutral impact's one-line reason may be, on the page and in the API.
NEUTRAL_REASON_LIMIT = 300


def _enum_choices(members: Any) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in members]


def directions_form_class(characteristics: list[Any], directions: Any) -> type[FlaskForm]:
    """Step one of the impacts: a direction for each characteristic, and a short reason for a neutral
    one (*directions* is the Direction enum)."""
    attrs: dict[str, Any] = {}
    for c in characteristics:
        attrs[f"c_{c.key}_direction"] = RadioField(
            f"Impact on {c.name.lower()}",
            widget=GovRadioInput(),
            choices=choices(_enum_choices(directions)),
            validators=[Optional()],
        )
        attrs[f"c_{c.key}_reason"] = StringField(
            f"Why is there no effect on {c.name.lower()}?",
            filters=[strip],
            widget=GovTextInput(),
            validators=[
                Optional(),
                Length(
                    max=NEUTRAL_REASON_LIMIT,
                    message=f"{c.name}: the reason must be {NEUTRAL_REASON_LIMIT} characters or fewer",
                ),
            ],
        )
    attrs["version"] = HiddenField()
    attrs["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    return type("DirectionsForm", (FlaskForm,), attrs)


def direction_labels(characteristics: list[Any]) -> dict[str, str]:
    """Step one's fields with their characteristic, for a page that lists them all ("Age: impact")."""
    labels = {}
    for c in characteristics:
        labels[f"c_{c.key}_direction"] = f"{c.name}: impact"
        labels[f"c_{c.key}_reason"] = f"{c.name}: why there is no effect"
    return labels


def directions_data(characteristics: list[Any], impacts: list[Any]) -> dict[str, Any]:
    """Step one's saved answers as its form's data."""
    saved = {impact.characteristic_id: impact for impact in impacts}
    data: dict[str, Any] = {}
    for c in characteristics:
        impact = saved.get(c.id)
        if impact is not None and impact.direction is not None:
            data[f"c_{c.key}_direction"] = impact.direction.value
            if impact.direction.value == "neutral":
                data[f"c_{c.key}_reason"] = impact.description
    return data


class ImpactDetailForm(FlaskForm):
    """Step two of the impacts, for one characteristic."""

    description = TextAreaField(
        "What is the real effect on people?",
        description="Not just a tick: what changes for them, for better or worse.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="The effect must be 5,000 characters or fewer")],
    )
    who_affected = TextAreaField(
        "Who exactly is affected?",
        description="For example: wheelchair users who rely on the mobile library.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="Who is affected must be 5,000 characters or fewer")],
    )
    severity = RadioField("How severe is it?", widget=GovRadioInput(), choices=[], validators=[Optional()])
    finding_out = TextAreaField(
        "What will be done to find out, and by when?",
        description="For example: ask the Deaf community forum in March, and add the results to this assessment.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="What will be done must be 5,000 characters or fewer")],
    )
    evidence_items = SelectMultipleField(
        "Which of this assessment's evidence is behind it?",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    evidence = TextAreaField(
        "Anything else behind it (optional)",
        description="Data, engagement or research not in the evidence list, with its source.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="The evidence must be 5,000 characters or fewer")],
    )
    version = HiddenField()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def __init__(self, *args: Any, severities: list[tuple[str, str]], evidence: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.severity.choices = choices(severities)
        self.evidence_items.choices = choices(evidence)

    @staticmethod
    def data_from(impact: Any, evidence_ids: list[int]) -> dict[str, Any]:
        return {
            "description": impact.description,
            "who_affected": impact.who_affected,
            "severity": impact.severity.value if impact.severity else None,
            "finding_out": impact.finding_out,
            "evidence": impact.evidence,
            "evidence_items": [str(i) for i in evidence_ids],
            "version": str(impact.version),
        }

    def evidence_ids(self) -> list[int]:
        """The ids of the evidence items ticked."""
        return [int(i) for i in self.evidence_items.data or []]

    def values(self) -> dict[str, Any]:
        return {
            "description": self.description.data,
            "who_affected": self.who_affected.data,
            "severity": self.severity.data,
            "finding_out": self.finding_out.data,
            "evidence": self.evidence.data,
        }


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
        choices=choices([("not_started", "Not started"), ("in_progress", "In progress"), ("done", "Done")]),
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
        self.characteristic_id.choices = choices([("", "The proposal as a whole"), *impacts])
        self.owner_id.choices = choices([("", "Choose a person"), *people])

    @staticmethod
    def data_from(mitigation: Any) -> dict[str, Any]:
        """A saved mitigation as this form's data."""
        return {
            "characteristic_id": str(mitigation.characteristic_id or ""),
            "action": mitigation.action,
            "owner_id": str(mitigation.owner_id),
            "due_on": mitigation.due_on,
            "status": mitigation.status.value,
            "measure": mitigation.measure,
            "version": str(mitigation.version),
        }

    def values(self) -> dict[str, Any]:
        return {
            "characteristic_id": int(self.characteristic_id.data) if self.characteristic_id.data else None,
            "action": self.action.data,
            "owner_id": int(self.owner_id.data),
            "due_on": self.due_on.data,
            "status": self.status.data,
            "measure": self.measure.data,
        }
