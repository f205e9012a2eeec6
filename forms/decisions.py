"""The decision record: who decides and when, then what was decided."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from forms.fields import DateField, choices, strip


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
