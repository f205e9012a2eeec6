"""Forms of the plan tracker."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.fields import DateField, select_choices, strip
from tracker.models import ActionStatus
from tracker.schemas import split_list


class ActionLinkForm(FlaskForm):
    action_id = SelectField(
        "Which action does this assessment evidence?",
        widget=GovSelect(),
        choices=[],
        validators=[DataRequired("Choose an action")],
    )
    note = TextAreaField(
        "How does it evidence the action?",
        description="For example: the assessment shows the new EIA template in use, as action 1.1 intends.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Say how this assessment evidences the action"),
            Length(max=3000, message="Must be 3,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Link to this action", widget=GovSubmitInput())

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.action_id.choices = select_choices([("", "Choose an action"), *actions])


class PlanUploadForm(FlaskForm):
    file = FileField(
        "Plan file",
        description="A CSV (UTF-8, with a header row) or an Excel workbook (XLSX), up to 5 MB.",
        widget=GovFileInput(),
        validators=[FileRequired("Select a CSV or XLSX file")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ProgressForm(FlaskForm):
    written_on = DateField("Date of the update", required="Enter the date of the update")
    note = TextAreaField(
        "What progress has been made?",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Describe the progress made"),
            Length(max=5000, message="Must be 5,000 characters or fewer"),
        ],
    )
    status = RadioField(
        "Status now",
        widget=GovRadioInput(),
        choices=select_choices([(s.value, s.label) for s in ActionStatus]),
        validators=[DataRequired("Select the status now")],
    )
    file = FileField(
        "Evidence (optional)",
        description="A file showing the progress: PDF, Word, Excel, OpenDocument, CSV, text or image.",
        widget=GovFileInput(),
    )
    submit = SubmitField("Add progress update", widget=GovSubmitInput())


class OwnerForm(FlaskForm):
    owner_id = SelectField("Owner", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Set owner", widget=GovSubmitInput())

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = select_choices([("", "No owner"), *people])


class PlannedEiaForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[strip],
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the title of the planned assessment"),
            Length(max=200, message="Must be 200 characters or fewer"),
        ],
    )
    service_area_id = SelectField(
        "Service area", widget=GovSelect(), choices=[], validators=[DataRequired("Choose the service area")]
    )
    owner_id = SelectField("Owner (optional)", widget=GovSelect(), choices=[], validators=[Optional()])
    planned_start = DateField("Planned start", required="Enter the planned start date")
    decision_date = DateField("Decision date (optional)")
    submit = SubmitField("Add to the programme", widget=GovSubmitInput())

    def __init__(self, *args: Any, service_areas: list[tuple[str, str]], people: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.service_area_id.choices = select_choices([("", "Choose a service area"), *service_areas])
        self.owner_id.choices = select_choices([("", "No owner"), *people])

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "service_area_id": int(self.service_area_id.data),
            "owner_id": int(self.owner_id.data) if self.owner_id.data else None,
            "planned_start": self.planned_start.data,
            "decision_date": self.decision_date.data,
        }


class LinkPlannedForm(FlaskForm):
    reference = StringField(
        "EIA reference",
        filters=[strip],
        widget=GovTextInput(),
        validators=[DataRequired("Enter the EIA reference, for example EIA-2026-0042")],
    )


def _long_text(label: str, *, hint: str = "", required: str | None = None, max_chars: int = 5000) -> TextAreaField:
    checks = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=hint,
        filters=[strip],
        widget=GovTextArea(),
        validators=[*checks, Length(max=max_chars, message=f"Must be {max_chars:,} characters or fewer")],
    )


class ActionEditForm(FlaskForm):
    """The equalities team's corrections to an action (its status changes through progress updates)."""

    text = _long_text("Action", required="Enter the action", max_chars=10000)
    outcome = _long_text("Intended outcome (optional)")
    leads = _long_text("Lead service areas (optional)", hint="One on each line.", max_chars=1000)
    target_text = StringField(
        "Target",
        description="As the plan words it: a month and year, a date such as 2027-03-31, or 'Ongoing', 'Quarterly' or 'Annually'.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Must be 200 characters or fewer")],
    )
    success_measures = _long_text("Success measures (optional)", hint="One on each line.", max_chars=10000)
    version = HiddenField()
    submit = SubmitField("Save action", widget=GovSubmitInput())

    @staticmethod
    def data_from(action: Any) -> dict[str, Any]:
        """A saved action as this form's data."""
        return {
            "text": action.text,
            "outcome": action.outcome,
            "leads": "\n".join(action.leads),
            "target_text": action.target_text,
            "success_measures": "\n".join(action.success_measures),
            "version": str(action.version),
        }

    def values(self) -> dict[str, Any]:
        """What to save: leads split on lines and ';', measures on lines."""
        return {
            "text": self.text.data,
            "outcome": self.outcome.data or "",
            "leads": [p.strip() for line in (self.leads.data or "").splitlines() for p in line.split(";") if p.strip()],
            "target_text": self.target_text.data or "",
            "success_measures": split_list(self.success_measures.data or "", lines=True),
        }


class PlanEditForm(FlaskForm):
    title = StringField(
        "Title",
        description="Imports match a plan on its organisation and title: a file with the old title would add a new plan.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[DataRequired("Enter the plan's title"), Length(max=300, message="Must be 300 characters or fewer")],
    )
    is_active = RadioField(
        "Is the plan active?",
        description="Assessments can be linked only to the actions of active plans, and only active plans are on the dashboard.",
        widget=GovRadioInput(),
        choices=select_choices([("yes", "Yes"), ("no", "No, it has ended")]),
        validators=[DataRequired("Say whether the plan is active")],
    )
    version = HiddenField()
    submit = SubmitField("Save plan", widget=GovSubmitInput())

    @staticmethod
    def data_from(plan: Any) -> dict[str, Any]:
        """A saved plan as this form's data."""
        return {"title": plan.title, "is_active": "yes" if plan.is_active else "no", "version": str(plan.version)}
