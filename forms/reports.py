"""The form for what the equalities team writes about a year."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from forms.fields import strip


class YearTextForm(FlaskForm):
    body = TextAreaField(
        "Commentary and recommendations",
        description="What the figures show, what went well, what did not, and what the council should do next "
        "year. Leave a blank line between paragraphs.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Length(max=20_000, message="Write 20,000 characters or fewer")],
    )
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    @staticmethod
    def data_from(text: Any) -> dict[str, Any]:
        """A saved text as this form's data (none saved yet: empty, version 0)."""
        return {"body": text.body, "version": str(text.version)} if text else {"body": "", "version": "0"}


class EqualityNarrativeForm(YearTextForm):
    body = TextAreaField(
        "The council's narrative",
        description="How the council met the equality duty this year, in plain English: what it learned from "
        "its assessments and engagement, what changed because of them, and progress on its equality "
        "objectives. The figures and the list of published assessments are added for you.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[
            DataRequired("Write the narrative before publishing"),
            Length(max=20_000, message="Write 20,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Publish", widget=GovSubmitInput())
