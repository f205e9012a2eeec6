"""marshmallow schemas of assessments for the JSON API: what it returns and what it accepts.

Answers to a section are checked against that section's questions in the EIA's own form template
(:func:`answers_schema`), so the API accepts exactly what the pages do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from eia.assessments import queries
from eia.assessments.decisions import TIMING_KEYS, Timing, timeliness
from eia.assessments.states import (
    PROPOSAL_TYPES,
    DecidingBody,
    DecisionOutcome,
    Direction,
    EiaKind,
    EiaState,
    MitigationStatus,
    Severity,
)
from eia.assessments.transitions import TRANSITIONS
from forms.answers import TEXT_LIMIT, answer_type
from forms.definitions import Section
from forms.impacts import NEUTRAL_REASON_LIMIT

_CHOOSE_AREA = "Choose a service area from the list"
_CHOOSE_YEAR = "Choose a financial year from 2000 to 2100"
_CHOOSE_TIMING = "Choose on time, late or not yet known"
_TIMINGS = {
    "started": "Started before the decision: on_time, late or not_known",
    "review": "Reviewed within the target of working days: on_time, late or not_known",
    "approved": "Approved and signed off before the decision: on_time, late or not_known",
    "decision": "Decision taken with an approved assessment: on_time, late or not_known",
}


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ServiceAreaSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="full_name")


class CharacteristicSchema(Schema):
    key = fields.String()
    name = fields.String()
    is_protected = fields.Boolean(metadata={"description": "One of the nine of the Equality Act 2010"})
    is_active = fields.Boolean()


class TimingSchema(Schema):
    key = fields.String(metadata={"description": "started, review, approved or decision"})
    question = fields.String()
    timing = fields.Enum(Timing, by_value=True, metadata={"description": "on_time, late or not_known"})
    detail = fields.String()


class _Computed(fields.List):
    """A list worked out from the object being dumped (not one of its attributes)."""

    def __init__(self, compute: Any, inner: fields.Field, **kwargs: Any):
        super().__init__(inner, **kwargs)
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return self.compute(obj)


class DecisionRecordSchema(Schema):
    is_key_decision = fields.Boolean(allow_none=True)
    forward_plan_reference = fields.String()
    deciding_body = fields.Enum(DecidingBody, by_value=True, allow_none=True)
    body_name = fields.String(metadata={"description": "The committee, or the officer's post"})
    decision_maker = fields.Nested(PersonSchema, allow_none=True)
    planned_on = fields.Date(allow_none=True)
    report_reference = fields.String()
    taken_on = fields.Date(allow_none=True)
    outcome = fields.Enum(DecisionOutcome, by_value=True, allow_none=True)
    minutes_reference = fields.String()


class EiaSummarySchema(Schema):
    reference = fields.String(metadata={"example": "EIA-2026-0042"})
    title = fields.String()
    kind = fields.Enum(EiaKind, by_value=True)
    state = fields.Enum(EiaState, by_value=True)
    proposal_type = fields.String(allow_none=True)
    service_area = fields.Nested(ServiceAreaSchema)
    author = fields.Nested(PersonSchema)
    lead_officer = fields.Nested(PersonSchema, allow_none=True)
    version_number = fields.Integer()
    outcome = fields.String(allow_none=True)
    started_on = fields.Date(allow_none=True)
    decision_date = fields.Date(allow_none=True)
    review_date = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    signed_off_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    timeliness = _Computed(
        timeliness,
        fields.Nested(TimingSchema),
        dump_only=True,
        metadata={"description": "The four timings of due regard, worked out from the decision record"},
    )


class SectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    kind = fields.String(metadata={"description": "questions, impacts, mitigations or action_links"})
    status = fields.String(metadata={"description": "not_started, in_progress or completed"})
    needed = fields.Boolean(
        metadata={"description": "Whether submitting needs it (after screening, or by a rule such as the Covenant's)"}
    )
    needed_reason = fields.String(
        allow_none=True, metadata={"description": "Why it is needed or not, when a rule of the form decides it"}
    )
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Goes up by one with each save"})


class ImpactSchema(Schema):
    characteristic = fields.String(attribute="characteristic.key")
    direction = fields.Enum(Direction, by_value=True, allow_none=True)
    severity = fields.Enum(Severity, by_value=True, allow_none=True, attribute="stated_severity")
    description = fields.String()
    who_affected = fields.String()
    evidence = fields.String()
    finding_out = fields.String(metadata={"description": "For an impact not known yet: what will be done to find out"})


class MitigationSchema(Schema):
    id = fields.Integer()
    characteristic = fields.Function(lambda m: m.characteristic.key if m.characteristic else None, allow_none=True)
    action = fields.String()
    owner = fields.Nested(PersonSchema)
    due_on = fields.Date()
    status = fields.Enum(MitigationStatus, by_value=True)
    measure = fields.String()


class EvidenceSchema(Schema):
    id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    title = fields.String()
    description = fields.String()
    source = fields.String()
    evidence_date = fields.Date(allow_none=True)
    sections = fields.List(fields.String())
    characteristics = fields.Function(lambda item: [c.key for c in item.characteristics])
    is_public = fields.Boolean()
    url = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    file_name = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    added_by = fields.Nested(PersonSchema)
    added_at = fields.DateTime()


class TransitionSchema(Schema):
    name = fields.String()
    label = fields.String()
    needs_comment = fields.Boolean()


class EiaSchema(EiaSummarySchema):
    template = fields.Function(lambda eia: {"kind": eia.template.kind.value, "version": eia.template.version})
    previous = fields.Function(lambda eia: eia.previous.reference if eia.previous else None, allow_none=True)
    sections = fields.List(fields.Nested(SectionSchema))
    impacts = fields.List(fields.Nested(ImpactSchema))
    mitigations = fields.List(fields.Nested(MitigationSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
    action_links = fields.List(fields.Dict(), metadata={"description": "The action-plan items this EIA evidences"})
    transitions = fields.List(
        fields.Nested(TransitionSchema), metadata={"description": "The steps the token's owner may take now"}
    )
    decision = fields.Nested(DecisionRecordSchema, allow_none=True, metadata={"description": "The decision it informs"})
    reviewer = fields.Nested(
        PersonSchema, allow_none=True, metadata={"description": "Who in the equalities team reviews it, if anyone"}
    )
    coauthors = fields.List(fields.Nested("CoauthorSchema"), metadata={"description": "People who help write it"})
    declaration = fields.Nested(
        "DeclarationSchema",
        allow_none=True,
        metadata={"description": "What the author declared at the latest submission"},
    )
    declaration_to_confirm = fields.String(
        metadata={"description": "What submitting declares: send the submit step with confirmed true"}
    )


# Input ---------------------------------------------------------------------------------------------


class EiaListArgs(Schema):
    """The filters of the list of assessments, on its page (``/eias/``) and in the API
    (``GET /api/v1/eias/``); it loads an :class:`~eia.assessments.queries.EiaFilter`. An empty value
    is no filter, as a form sends it; other query arguments (the page) are left to others."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(
        validate=validate.Length(max=200, error="Search for 200 characters or fewer"),
        metadata={"description": "Words in the title or reference"},
    )
    service_area = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1, error=_CHOOSE_AREA),
        error_messages={"invalid": _CHOOSE_AREA},
    )
    state = fields.Enum(EiaState, by_value=True, error_messages={"unknown": "Choose a state from the list"})
    type = fields.String(
        validate=validate.OneOf([key for key, _ in PROPOSAL_TYPES], error="Choose a type from the list")
    )
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100, error=_CHOOSE_YEAR),
        error_messages={"invalid": _CHOOSE_YEAR},
        metadata={"description": "Financial year"},
    )
    negative = fields.String(
        validate=validate.Length(max=40), metadata={"description": "A characteristic key with a negative impact"}
    )

    timing_started = fields.Enum(
        Timing, by_value=True, error_messages={"unknown": _CHOOSE_TIMING}, metadata={"description": _TIMINGS["started"]}
    )
    timing_review = fields.Enum(
        Timing, by_value=True, error_messages={"unknown": _CHOOSE_TIMING}, metadata={"description": _TIMINGS["review"]}
    )
    timing_approved = fields.Enum(
        Timing,
        by_value=True,
        error_messages={"unknown": _CHOOSE_TIMING},
        metadata={"description": _TIMINGS["approved"]},
    )
    timing_decision = fields.Enum(
        Timing,
        by_value=True,
        error_messages={"unknown": _CHOOSE_TIMING},
        metadata={"description": _TIMINGS["decision"]},
    )
    at_risk = fields.Boolean(
        metadata={"description": "Only decisions in the next 28 days whose assessment is not yet approved"},
        error_messages={"invalid": "Choose yes or no for decisions at risk"},
    )

    @pre_load
    def leave_out_empty_values(self, data: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value != ""}

    @validates("negative")
    def in_the_register(self, value: str, **_: Any) -> None:
        if value not in {c.key for c in queries.characteristics()}:
            raise ValidationError("Choose a characteristic from the list")

    @post_load
    def as_filter(self, data: dict[str, Any], **_: Any) -> queries.EiaFilter:
        return queries.EiaFilter(
            text=(data.get("q") or "").strip() or None,
            service_area_id=data.get("service_area"),
            state=data.get("state"),
            proposal_type=data.get("type"),
            year=data.get("year"),
            negative_for=data.get("negative"),
            timings=tuple(
                (key, data[f"timing_{key}"].value) for key in TIMING_KEYS if data.get(f"timing_{key}") is not None
            ),
            at_risk=bool(data.get("at_risk")),
        )


class NewEiaSchema(Schema):
    kind = fields.Enum(EiaKind, by_value=True, load_default=EiaKind.STANDARD)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    service_area_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Only the equalities team and admins choose; others start in their own"},
    )

    @validates_schema
    def title_has_text(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("title", "").strip():
            raise ValidationError("Enter a title", "title")


class SectionInputSchema(Schema):
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)
    completed = fields.Boolean(load_default=False, metadata={"description": "Mark the section completed"})


class ImpactDetailInputSchema(Schema):
    """Step two of the impacts, for one that is not neutral (``PUT .../impacts/{characteristic}``)."""

    severity = fields.Enum(Severity, by_value=True, allow_none=True, load_default=None)
    description = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    who_affected = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    evidence = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    finding_out = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))


class ImpactInputSchema(ImpactDetailInputSchema):
    direction = fields.Enum(Direction, by_value=True, allow_none=True, load_default=None)


class ImpactsInputSchema(SectionInputSchema):
    impacts = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.Nested(ImpactInputSchema),
        load_default=dict,
        metadata={"description": "By characteristic key"},
    )


class MitigationInputSchema(Schema):
    characteristic = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=40))
    action = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_LIMIT))
    owner_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    due_on = fields.Date(required=True)
    status = fields.Enum(MitigationStatus, by_value=True, load_default=MitigationStatus.NOT_STARTED)
    measure = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))


class TransitionInputSchema(Schema):
    name = fields.String(required=True, validate=validate.OneOf(list(TRANSITIONS)))
    comment = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    confirmed = fields.Boolean(
        load_default=False, metadata={"description": "sign_off: the decision maker has read the adverse impacts"}
    )


class EvidenceInputSchema(Schema):
    """A link or a note as JSON; a file is sent as multipart/form-data with the same fields."""

    kind = fields.String(required=True, validate=validate.OneOf(["link", "note"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    source = fields.String(load_default="", validate=validate.Length(max=300))
    evidence_date = fields.Date(allow_none=True, load_default=None)
    sections = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    characteristics = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    is_public = fields.Boolean(load_default=False)
    url = fields.String(validate=validate.Length(max=2000))
    note = fields.String(validate=validate.Length(max=TEXT_LIMIT))


class FileEvidenceInputSchema(Schema):
    """The form fields that go with an uploaded file (lists as repeated fields)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=TEXT_LIMIT))
    source = fields.String(load_default="", validate=validate.Length(max=300))
    evidence_date = fields.Date(allow_none=True, load_default=None)
    sections = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    characteristics = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    is_public = fields.Boolean(load_default=False)


def check_answers(section: Section, answers: dict[str, Any], people: set[int]) -> dict[str, Any]:
    """Check *answers* against the questions of *section* with the marshmallow field each question's
    answer type defines (the same types that build the page's form), and return them as stored
    (dates as ISO text, people as their id in text; empty answers left out).

    :raises ValidationError: naming each answer that is not a valid answer to its question.
    """
    fields_ = {q.key: answer_type(q).api_field(q, people) for q in section.questions}
    schema = Schema.from_dict(fields_, name=f"{section.key.title()}Answers")()
    unknown = {key: f"The {section.title!r} section has no question {key!r}" for key in answers if key not in fields_}
    given = {key: value for key, value in answers.items() if key in fields_ and value not in (None, "", [])}
    try:
        cleaned = schema.load(given)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        problems = {key: message[0] if isinstance(message, list) else str(message) for key, message in messages.items()}
        raise ValidationError({"answers": problems | unknown}) from None
    if unknown:
        raise ValidationError({"answers": unknown})
    return cleaned


# Who writes it and where it belongs; the impacts in two steps --------------------------------------


class CoauthorSchema(Schema):
    id = fields.Integer()
    person = fields.Function(lambda c: {"id": c.user_id, "name": c.user.name})
    added_at = fields.DateTime()


class ServiceAreaInputSchema(Schema):
    service_area_id = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "One of the areas you work in (the equalities team and admins: any area)"},
    )


class PersonInputSchema(Schema):
    user_id = fields.Integer(
        required=True, validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "See GET /people"}
    )


class DirectionInputSchema(Schema):
    direction = fields.Enum(Direction, by_value=True, required=True)
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=NEUTRAL_REASON_LIMIT),
        metadata={"description": "For a neutral impact: why there is no effect, in a line"},
    )


class DirectionsInputSchema(Schema):
    directions = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.Nested(DirectionInputSchema),
        required=True,
        metadata={"description": "Step one, by characteristic key: the direction of each impact"},
    )


class DeclarationSchema(Schema):
    text = fields.String(attribute="declaration")
    person = fields.Function(
        lambda s: {"id": s.taken_by_id, "name": s.taken_by.name} if s.taken_by else None, allow_none=True
    )
    declared_at = fields.DateTime(attribute="taken_at")
