"""Flask-WTF forms built from the EIA form templates, plus the fixed forms around them.

A section's form is made from its questions at request time (the template is data); the fields check
the format of what was typed, and the service decides what is required.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eia.errors import ValidationFailed
from forms.answers import answer_type
from forms.definitions import Question, Section
from forms.fields import DateField, choices, strip


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


class NewEiaForm(FlaskForm):
    kind = RadioField(
        "What kind of assessment is it?",
        widget=GovRadioInput(),
        choices=choices(
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
    service_area_id = SelectField(
        "Which service area is it for?",
        description="The service the proposal is about, which may not be your own team: it is listed and "
        "counted there. You can change it while it is a draft.",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        validate_choice=False,  # the service says which areas are this person's
    )
    round_id = SelectField(
        "If it is a budget proposal, which budget round is it part of?",
        description="Leave this for any other proposal. A proposal can join a round later, from its page.",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        validate_choice=False,  # the service says which rounds are open
    )
    submit = SubmitField("Start the assessment", widget=GovSubmitInput())

    def __init__(
        self,
        *args: Any,
        service_areas: list[tuple[str, str]],
        rounds: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.service_area_id.choices = choices([("", "Choose a service area"), *service_areas])
        self.round_id.choices = choices([("", "Not part of a budget round"), *(rounds or [])])

    def area_id(self) -> int | None:
        """The chosen service area, or None for the person's own.

        :raises ValidationFailed: when the person has areas to choose from and chose none.
        """
        if not self.service_area_id.data:
            if len(self.service_area_id.choices) > 1:
                raise ValidationFailed(
                    "No service area", {"service_area_id": "Choose the service area this assessment is for"}
                )
            return None
        raw = self.service_area_id.data
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


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
                Length(max=300, message=f"{c.name}: the reason must be 300 characters or fewer"),
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


class TransitionForm(FlaskForm):
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="The comment must be 5,000 characters or fewer")],
    )
    confirmed = SelectMultipleField("Confirmation", widget=GovCheckboxesInput(), choices=[], validators=[Optional()])

    def __init__(self, *args: Any, confirmation: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.confirmed.choices = choices([("yes", confirmation)] if confirmation else [])


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
        self.section_key.choices = choices([("", "The whole assessment"), *sections])


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
        choices=choices([("yes", "Publish this with the assessment on the public register")]),
        validators=[Optional()],
    )
    submit = SubmitField("Add evidence", widget=GovSubmitInput())

    def __init__(
        self, *args: Any, characteristics: list[tuple[str, str]], sections: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.characteristics.choices = choices(characteristics)
        self.sections.choices = choices(sections)

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


class AreaForm(FlaskForm):
    service_area_id = SelectField(
        "Service area",
        description="Where it is listed and counted: the service the proposal is about.",
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired("Choose a service area")],
    )
    submit = SubmitField("Change the service area", widget=GovSubmitInput())

    def __init__(self, *args: Any, service_areas: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.service_area_id.choices = choices(service_areas)


class PersonForm(FlaskForm):
    """Choose someone who signs in: a co-author to add, or the author to hand a draft to."""

    user_id = SelectField("Person", widget=GovSelect(), choices=[], validators=[InputRequired("Choose a person")])

    def __init__(self, *args: Any, people: list[tuple[str, str]], label: str, hint: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices([("", "Choose a person"), *people])
        self.user_id.label.text = label
        self.user_id.description = hint


class ReplyForm(FlaskForm):
    """The author marks a reviewer's comment on a section dealt with, with a reply if they like."""

    reply = TextAreaField("Your reply (optional)", filters=[strip], widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Mark as dealt with", widget=GovSubmitInput())


class ReviewerForm(FlaskForm):
    """The equalities team gives a review to one of them."""

    reviewer_id = SelectField("Reviewer", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Assign the review", widget=GovSubmitInput())

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.reviewer_id.choices = choices([("", "Nobody in particular"), *people])

    def person_id(self) -> int | None:
        return int(self.reviewer_id.data) if self.reviewer_id.data else None


class DecisionForm(FlaskForm):
    """The decision the assessment informs: before it (who decides and when), then what was decided."""

    is_key_decision = RadioField(
        "Is it a key decision?",
        description="One with significant spending or savings, or a significant effect on communities in two or more wards.",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[Optional()],
    )
    forward_plan_reference = StringField(
        "Forward plan reference (optional)",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="The reference must be 100 characters or fewer")],
    )
    deciding_body = RadioField("Who takes the decision?", widget=GovRadioInput(), choices=[], validators=[Optional()])
    body_name = StringField(
        "Name of the committee, or the officer's post",
        description="For example: Housing Scrutiny Committee, or Director of Housing.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="The name must be 200 characters or fewer")],
    )
    decision_maker_id = SelectField(
        "Decision maker who signs it off (optional)",
        description="Only this person may then sign the assessment off.",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    planned_on = DateField("When is the decision due to be taken?", description="For example, 27 3 2027")
    report_reference = StringField(
        "Title or reference of the report to the decision maker (optional)",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="The report's title must be 300 characters or fewer")],
    )
    taken_on = DateField("When was the decision taken?", description="Leave this empty until it has been.")
    outcome = RadioField("What was decided?", widget=GovRadioInput(), choices=[], validators=[Optional()])
    minutes_reference = StringField(
        "Minutes or decision notice (optional)",
        description="Its reference or web address.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="The reference must be 300 characters or fewer")],
    )
    version = HiddenField()
    submit = SubmitField("Save the decision record", widget=GovSubmitInput())

    def __init__(
        self,
        *args: Any,
        bodies: list[tuple[str, str]],
        outcomes: list[tuple[str, str]],
        decision_makers: list[tuple[str, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.deciding_body.choices = choices(bodies)
        self.outcome.choices = choices(outcomes)
        self.decision_maker_id.choices = choices([("", "Not named"), *decision_makers])

    @staticmethod
    def data_from(record: Any) -> dict[str, Any]:
        if record is None:
            return {"version": "0"}
        return {
            "is_key_decision": {True: "yes", False: "no"}.get(record.is_key_decision),
            "forward_plan_reference": record.forward_plan_reference,
            "deciding_body": record.deciding_body.value if record.deciding_body else None,
            "body_name": record.body_name,
            "decision_maker_id": str(record.decision_maker_id or ""),
            "planned_on": record.planned_on,
            "report_reference": record.report_reference,
            "taken_on": record.taken_on,
            "outcome": record.outcome.value if record.outcome else None,
            "minutes_reference": record.minutes_reference,
            "version": str(record.version),
        }

    def values(self) -> dict[str, Any]:
        return {
            "is_key_decision": {"yes": True, "no": False}.get(self.is_key_decision.data or ""),
            "forward_plan_reference": self.forward_plan_reference.data or "",
            "deciding_body": self.deciding_body.data or None,
            "body_name": self.body_name.data or "",
            "decision_maker_id": int(self.decision_maker_id.data) if self.decision_maker_id.data else None,
            "planned_on": self.planned_on.data,
            "report_reference": self.report_reference.data or "",
            "taken_on": self.taken_on.data,
            "outcome": self.outcome.data or None,
            "minutes_reference": self.minutes_reference.data or "",
        }
