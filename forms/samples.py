"""Forms of the quality audits: drawing a sample, scoring an EIA against the rubric, closing a finding."""

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
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eia.errors import ValidationFailed
from forms.fields import DateField, select_choices, strip
from forms.rubrics import NOT_APPLICABLE, SCORE_LABELS, SCORES
from forms.strata import MAX_MINIMUM, MAX_WEIGHT, STRATA

FINDING_SLOTS = 3


class DrawSampleForm(FlaskForm):
    period = StringField(
        "Financial-year quarter",
        description="For example 2025-Q1 (April to June 2025). Leave empty to give dates instead.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=12, message="Enter a quarter like 2025-Q1")],
    )
    from_date = DateField("Or start date")
    to_date = DateField("End date")
    service_area_ids = SelectMultipleField(
        "Service areas (optional)",
        description="Leave all unticked to draw from every service area.",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    size = StringField(
        "Sample size",
        description="A number of assessments, like 5, or a percentage of those completed, like 10%.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[DataRequired("Enter the sample size")],
    )
    per_service_area = RadioField(
        "At least one from each service area?",
        widget=GovRadioInput(),
        choices=select_choices([("no", "No"), ("yes", "Yes: the sample grows if there are more areas than its size")]),
        default="no",
        validators=[DataRequired("Say whether to take at least one from each service area")],
    )
    exclude_months = StringField(
        "Leave out assessments sampled in the last (months)",
        description="0 keeps them in.",
        filters=[strip],
        default="12",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a number of months, or 0")],
    )
    seed = StringField(
        "Seed (optional)",
        description="Leave empty for a random one. The same seed and population always give the same sample.",
        filters=[strip],
        widget=GovTextInput(),
        validators=[Optional(), Length(max=64, message="The seed must be 64 characters or fewer")],
    )
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())

    def __init__(self, *args: Any, service_areas: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.service_area_ids.choices = select_choices(service_areas)

    def strata(self) -> list[dict[str, Any]] | None:
        """The strata typed in (a risk-weighted draw), or None when every box is empty (a uniform draw)."""
        given = []
        for key in STRATA:
            weight, minimum = getattr(self, f"weight_{key}").data, getattr(self, f"minimum_{key}").data
            if weight or minimum:
                given.append(
                    {
                        "key": key,
                        "weight": int(weight) if weight else None,
                        "minimum": int(minimum) if minimum else None,
                    }
                )
        return given or None

    def values(self) -> dict[str, Any]:
        """What the form asks to draw, as :func:`eia.quality.sampling.draw_requested` takes it."""
        return {
            "period": self.period.data,
            "from_date": self.from_date.data,
            "to_date": self.to_date.data,
            "size": self.size.data,
            "service_area_ids": [int(v) for v in self.service_area_ids.data or []],
            "per_service_area": self.per_service_area.data == "yes",
            "seed": self.seed.data,
            "exclude_months": int(self.exclude_months.data),
            "strata": self.strata(),
        }

    def validate_exclude_months(self, field: Any) -> None:
        if not (field.data.isascii() and field.data.isdigit()) or len(field.data) > 3 or int(field.data) > 120:
            raise ValidationError("Enter a number of months from 0 to 120")

    def validate_period(self, field: Any) -> None:
        if not field.data and not (self.from_date.parts or self.from_date.data):
            raise ValidationError("Enter a quarter like 2025-Q1, or the dates to draw from")


def _whole_number(least: int, most: int) -> Any:
    def check(_form: Any, field: Any) -> None:
        text = field.data or ""
        if text and not (text.isascii() and text.isdigit() and len(text) <= 4 and least <= int(text) <= most):
            raise ValidationError(f"Enter a whole number from {least} to {most}")

    return check


# One weight and one minimum per stratum of a risk-weighted draw (method v2).
for _key, _title in STRATA.items():
    setattr(
        DrawSampleForm,
        f"weight_{_key}",
        StringField(
            f"Weight for {_title.lower()}",
            description="How many times as likely to be drawn, from 1 to 100.",
            filters=[strip],
            widget=GovTextInput(),
            validators=[Optional(), _whole_number(1, MAX_WEIGHT)],
        ),
    )
    setattr(
        DrawSampleForm,
        f"minimum_{_key}",
        StringField(
            f"At least this many {_title.lower()}",
            description="All of them if there are fewer.",
            filters=[strip],
            widget=GovTextInput(),
            validators=[Optional(), _whole_number(0, MAX_MINIMUM)],
        ),
    )


def chosen_scores(form: FlaskForm, criteria: list[dict[str, Any]]) -> dict[str, int | None]:
    """The scores chosen on a scoring (or moderation) form: None for "not applicable"."""
    values = {c["key"]: getattr(form, f"score_{c['key']}").data for c in criteria}
    return {key: None if value == NOT_APPLICABLE else int(value) for key, value in values.items()}


def scoring_values(form: FlaskForm, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """What a scoring form says: the scores, comments, summary and findings (a finding with no owner
    chosen is the author's).

    :raises ValidationFailed: naming each finding without a due date.
    """
    findings, problems = [], {}
    for n in range(1, FINDING_SLOTS + 1):
        text = getattr(form, f"finding_{n}_text").data
        if not text:
            continue
        due = getattr(form, f"finding_{n}_due").data
        if due is None:
            problems[f"finding_{n}_due"] = f"Enter the date finding {n} is due by"
        owner = getattr(form, f"finding_{n}_owner").data
        criterion = getattr(form, f"finding_{n}_criterion").data
        findings.append(
            {"text": text, "criterion": criterion, "owner_id": int(owner) if owner else None, "due_on": due}
        )
    if problems:
        raise ValidationFailed("Due dates missing", problems)
    return {
        "scores": chosen_scores(form, criteria),
        "comments": {c["key"]: getattr(form, f"comment_{c['key']}").data for c in criteria},
        "summary": form.summary.data or "",
        "findings": findings,
    }


def score_form_class(criteria: list[dict[str, Any]], people: list[tuple[str, str]]) -> type[FlaskForm]:
    """A form with a 0/1/2 choice (guidance in each label) and a comment for each criterion, a
    summary, and room for findings."""
    attrs: dict[str, Any] = {}
    for criterion in criteria:
        choices = [(str(s), f"{SCORE_LABELS[s]}: {criterion['guidance'][str(s)]}") for s in reversed(SCORES)]
        message = f"Score '{criterion['title']}' 0, 1 or 2"
        if "not_applicable" in criterion:
            choices.append((NOT_APPLICABLE, f"Not applicable: {criterion['not_applicable']}"))
            message += ", or not applicable"
        attrs[f"score_{criterion['key']}"] = RadioField(
            criterion["title"],
            description=criterion["question"],
            widget=GovRadioInput(),
            choices=select_choices(choices),
            validators=[DataRequired(message)],
        )
        attrs[f"comment_{criterion['key']}"] = TextAreaField(
            f"Comment on {criterion['title'].lower()} (optional)",
            filters=[strip],
            widget=GovTextArea(),
            validators=[Optional(), Length(max=3000, message="Must be 3,000 characters or fewer")],
        )
    attrs["summary"] = TextAreaField(
        "Overall comments (optional)",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="Must be 5,000 characters or fewer")],
    )
    criterion_choices = [("", "Not tied to one criterion"), *((c["key"], c["title"]) for c in criteria)]
    for n in range(1, FINDING_SLOTS + 1):
        attrs[f"finding_{n}_text"] = TextAreaField(
            f"Finding {n} (optional)",
            description="What the author should put right.",
            filters=[strip],
            widget=GovTextArea(),
            validators=[Optional(), Length(max=3000, message="Must be 3,000 characters or fewer")],
        )
        attrs[f"finding_{n}_criterion"] = SelectField(
            f"Criterion of finding {n}",
            widget=GovSelect(),
            choices=select_choices(criterion_choices),
            validators=[Optional()],
        )
        attrs[f"finding_{n}_owner"] = SelectField(
            f"Owner of finding {n}",
            widget=GovSelect(),
            choices=select_choices([("", "The assessment's author"), *people]),
            validators=[Optional()],
        )
        attrs[f"finding_{n}_due"] = DateField(f"Finding {n} due by")
    attrs["scored_before"] = HiddenField()  # scorings when the form was opened: a second send is refused
    attrs["submit"] = SubmitField("Save the scores", widget=GovSubmitInput())
    return type("ScoreForm", (FlaskForm,), attrs)


def moderate_form_class(criteria: list[dict[str, Any]]) -> type[FlaskForm]:
    """Agree with a scoring, or give every criterion's score (as on the scoring form) and a note."""
    attrs: dict[str, Any] = {
        "agrees": RadioField(
            "Do you agree with these scores?",
            widget=GovRadioInput(),
            choices=select_choices([("yes", "Yes, I agree"), ("no", "No: I give my own scores below")]),
            validators=[DataRequired("Say whether you agree with the scores")],
        )
    }
    for criterion in criteria:
        choices = [(str(s), SCORE_LABELS[s]) for s in reversed(SCORES)]
        if "not_applicable" in criterion:
            choices.append((NOT_APPLICABLE, "Not applicable"))
        attrs[f"score_{criterion['key']}"] = RadioField(
            criterion["title"],
            description=criterion["question"],
            widget=GovRadioInput(),
            choices=select_choices(choices),
            validators=[Optional()],
        )
    attrs["note"] = TextAreaField(
        "Note",
        description="Why your scores differ (needed when you do not agree).",
        filters=[strip],
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="Must be 5,000 characters or fewer")],
    )
    attrs["submit"] = SubmitField("Save the moderation", widget=GovSubmitInput())
    return type("ModerateForm", (FlaskForm,), attrs)


def moderated_scores(form: FlaskForm, criteria: list[dict[str, Any]]) -> dict[str, int | None]:
    """The moderator's scores, leaving out criteria left unanswered (the service names them)."""
    return {
        c["key"]: None if value == NOT_APPLICABLE else int(value)
        for c in criteria
        if (value := getattr(form, f"score_{c['key']}").data)
    }


def moderation_values(form: FlaskForm, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """What a moderation form says: whether the moderator agrees, their own scores, and the note."""
    return {
        "agrees": form.agrees.data == "yes",
        "scores": moderated_scores(form, criteria),
        "note": form.note.data or "",
    }


class CloseFindingForm(FlaskForm):
    note = TextAreaField(
        "What was done?",
        filters=[strip],
        widget=GovTextArea(),
        validators=[DataRequired("Say what was done to put this right"), Length(max=3000)],
    )
    version = HiddenField()
    submit = SubmitField("Mark as done", widget=GovSubmitInput())
