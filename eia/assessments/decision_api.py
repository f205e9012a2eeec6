"""The API for an assessment's decision record (who decides and when, then what was decided) and for
who reviews it, through the same services and checks as the decision record's page and the review
page. The timings of due regard worked out from the record are in ``GET /eias/{reference}``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.assessments import decisions, queries, workflow
from eia.assessments.api import eia_first, shown_eia
from eia.assessments.models import DecisionRecord, Eia
from eia.assessments.schemas import DecisionRecordSchema, EiaSchema
from eia.assessments.states import DecidingBody, DecisionOutcome
from eia.extensions import db
from forms.fields import MAX_YEAR, MIN_YEAR

bp = api_blueprint(
    "eia_decisions", __name__, url_prefix="/eias", description="The decision an assessment informs, and its reviewer"
)

_A_DAY = validate.Range(
    min=date(MIN_YEAR, 1, 1), max=date(MAX_YEAR, 12, 31), error=f"Enter a date between {MIN_YEAR} and {MAX_YEAR}"
)
_AN_ID = validate.Range(min=1, max=2**31 - 1)
#: The texts of the record, with the most each may hold (as the page's form).
_TEXTS = {"forward_plan_reference": 100, "body_name": 200, "report_reference": 300, "minutes_reference": 300}


class DecisionInputSchema(Schema):
    """The whole decision record, as the page's form sends it: what is left out is empty."""

    is_key_decision = fields.Boolean(
        allow_none=True,
        load_default=None,
        metadata={"description": "Significant spending or savings, or a significant effect in two or more wards"},
    )
    forward_plan_reference = fields.String(
        load_default="", validate=validate.Length(max=_TEXTS["forward_plan_reference"])
    )
    deciding_body = fields.Enum(DecidingBody, by_value=True, allow_none=True, load_default=None)
    body_name = fields.String(
        load_default="",
        validate=validate.Length(max=_TEXTS["body_name"]),
        metadata={"description": "The committee, or the officer's post (needed for a committee or an officer)"},
    )
    decision_maker_id = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=_AN_ID,
        metadata={"description": "A decision maker who signs in (see GET /people): only they may then sign it off"},
    )
    planned_on = fields.Date(allow_none=True, load_default=None, validate=_A_DAY)
    report_reference = fields.String(load_default="", validate=validate.Length(max=_TEXTS["report_reference"]))
    taken_on = fields.Date(
        allow_none=True, load_default=None, validate=_A_DAY, metadata={"description": "Not in the future"}
    )
    outcome = fields.Enum(
        DecisionOutcome,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "What was decided: needs taken_on, as taken_on needs it"},
    )
    minutes_reference = fields.String(load_default="", validate=validate.Length(max=_TEXTS["minutes_reference"]))

    @pre_load
    def stripped(self, data: Any, **_: Any) -> Any:
        """Texts without the spaces around them, before their length is checked (as the form's filter)."""
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it
        return {
            name: value.strip() if name in _TEXTS and isinstance(value, str) else value for name, value in data.items()
        }


class ReviewerInputSchema(Schema):
    reviewer_id = fields.Integer(
        required=True,
        allow_none=True,
        validate=_AN_ID,
        metadata={"description": "Someone in the equalities team who did not write it (see GET /people); null: nobody"},
    )


def _shown_record(eia: Eia) -> DecisionRecord:
    """The assessment's decision record, or an empty one (not saved) before anything is recorded."""
    return eia.decision or DecisionRecord(**dict.fromkeys(_TEXTS, ""))


@bp.get("/<reference>/decision")
@eia_first()
@bp.etag
@bp.response(200, DecisionRecordSchema)
def decision(eia: Eia) -> DecisionRecord:
    """The decision the assessment informs.

    Who takes it and when, then what was decided (empty until something is recorded). Its ETag goes
    in If-Match when saving it."""
    return _shown_record(eia)


@bp.put("/<reference>/decision")
@eia_first("eia.record_decision")
@bp.etag
@bp.arguments(DecisionInputSchema, location="json")
@bp.response(200, DecisionRecordSchema)
def save_decision(values: dict[str, Any], eia: Eia) -> DecisionRecord:
    """Save the decision record, whole.

    As the decision record's page does: its writers, the equalities team, admins and decision makers
    (an individual action: its author and the equalities team). A committee or an officer needs its
    name; an outcome and the date taken go together, and that date is not in the future. Audit-logged.
    A decision agreed with amendments after approval needs the next version (``POST .../versions``).
    If-Match takes the ETag of ``GET .../decision``."""
    bp.check_etag(_shown_record(eia), DecisionRecordSchema)
    version = eia.decision.version if eia.decision is not None else 0
    saved = decisions.save_decision(eia, values, expected_version=version, by=api_user())
    db.session.commit()
    return saved


@bp.put("/<reference>/reviewer")
@eia_first("eia.assign_reviewer")
@bp.etag
@bp.arguments(ReviewerInputSchema, location="json")
@bp.response(200, EiaSchema)
def assign_reviewer(values: dict[str, Any], eia: Eia):
    """Give the review to a member of the equalities team, or to nobody.

    The equalities team, as on the review page; the reviewer finds it in My work. Audit-logged.
    If-Match takes the ETag of ``GET /eias/{reference}``."""
    bp.check_etag(shown_eia(eia), EiaSchema)
    workflow.assign_reviewer(eia, values["reviewer_id"], by=api_user())
    db.session.commit()
    return shown_eia(queries.eia_or_404(eia.reference))
