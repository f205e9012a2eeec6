"""The fixed forms around an assessment: starting one, its service area and people, the review's
comments, replies and transitions.

The sections' forms are built from the template (forms/sections.py); the impacts and mitigations,
the evidence and the decision record have modules of their own.
"""

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
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eia.errors import ValidationFailed
from forms.fields import choices, strip


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

    @property
    def is_confirmed(self) -> bool:
        """Whether the box that confirms the step was ticked."""
        return "yes" in (self.confirmed.data or [])


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
