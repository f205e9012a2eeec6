"""Adding evidence to an assessment (a file, a link or a note) and removing it with a reason."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.fields import DateField, choices, strip


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
