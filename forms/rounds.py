"""Forms of budget rounds: creating one, and putting an assessment in one."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from forms.fields import DateField, choices, strip


class RoundForm(FlaskForm):
    name = StringField(
        "Name of the round",
        description="For example, Budget 2027/28.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[DataRequired("Enter a name"), Length(max=200, message="The name must be 200 characters or fewer")],
    )
    decision_on = DateField(
        "When do members decide the budget?",
        description="For example, 24 2 2027",
        required="Enter the date members decide the budget",
    )
    submit = SubmitField("Create the round", widget=GovSubmitInput())


class JoinRoundForm(FlaskForm):
    round_id = SelectField(
        "Which budget round is it part of?",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField("Save the budget round", widget=GovSubmitInput())

    def __init__(self, *args: Any, rounds: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.round_id.choices = choices([("", "Not part of a budget round"), *rounds])
