"""marshmallow schemas of the quality audits for the JSON API: samples, scores against the rubric,
findings, and what a client sends to draw a sample, score an assessment or mark a finding done.

What is checked against the rubric itself (criterion keys, a score for every criterion) is in
:func:`check_scores`, so the API refuses exactly what the scoring page refuses, in its words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from eia.assessments.schemas import PersonSchema
from eia.quality.models import FindingStatus, Rating, Rubric
from forms.rubrics import SCORES
from forms.strata import MAX_MINIMUM, MAX_WEIGHT, STRATA

#: The limits of the pages' forms (forms/samples.py and forms/fields.py's DateField).
COMMENT_LIMIT, SUMMARY_LIMIT = 3000, 5000
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
MAX_ID = 2**31 - 1
#: More findings than any one scoring needs; it only bounds what a client can send.
MAX_FINDINGS = 20


def _a_date(**kwargs: Any) -> fields.Date:
    return fields.Date(
        validate=validate.Range(min=FIRST_DAY, max=LAST_DAY, error="Must be a date from 1990 to 2100"), **kwargs
    )


def _no_null_byte(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Must not contain a null byte")


# Output --------------------------------------------------------------------------------------------


class SampledAreaSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class RubricCriterionSchema(Schema):
    key = fields.String(metadata={"example": "evidence"})
    title = fields.String()
    question = fields.String()
    guidance = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "What earns a 0, a 1 and a 2"}
    )
    not_applicable = fields.String(
        metadata={"description": "Rubric v2: when the criterion may be scored not applicable (null); absent: never"}
    )


class RubricSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    title = fields.String()
    criteria = fields.List(fields.Nested(RubricCriterionSchema))


class RubricVersionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    title = fields.String()


class SampledAssessmentSchema(Schema):
    reference = fields.String()
    title = fields.String()


class FindingSchema(Schema):
    """A finding as it appears under the scoring that raised it."""

    id = fields.Integer()
    criterion = fields.String(allow_none=True, metadata={"description": "The rubric criterion's key, if any"})
    text = fields.String()
    owner = fields.Nested(PersonSchema)
    due_on = fields.Date()
    status = fields.Enum(FindingStatus, by_value=True)
    done_note = fields.String()
    done_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class FindingDetailSchema(FindingSchema):
    """A finding on its own: what to put right, on which assessment, from which scoring. Its ETag goes
    in If-Match to mark it done."""

    criterion_title = fields.String(allow_none=True)
    eia = fields.Nested(SampledAssessmentSchema)
    sample_id = fields.Integer()
    item_id = fields.Integer()
    score_id = fields.Integer()
    scored_by = fields.Nested(PersonSchema)
    can_mark_done = fields.Boolean(metadata={"description": "Whether the token's owner may mark it done"})


class CriterionScoreSchema(Schema):
    criterion = fields.String()
    title = fields.String()
    score = fields.Integer(
        allow_none=True, metadata={"description": "0 absent, 1 partial, 2 good, null not applicable"}
    )
    comment = fields.String()


class ModerationSchema(Schema):
    """A second person's view of a scoring: agreed, or their own scores (which then count)."""

    agrees = fields.Boolean()
    note = fields.String()
    points = fields.Integer(metadata={"description": "What counts: the scoring's own when agreed"})
    max_points = fields.Integer()
    rating = fields.Enum(Rating, by_value=True)
    moderated_by = fields.Nested(PersonSchema)
    moderated_at = fields.DateTime()
    scores = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(allow_none=True),
        metadata={"description": "The moderator's own scores by criterion key (empty when agreed)"},
    )


class QualityScoreSchema(Schema):
    """One scoring of a sampled assessment; a re-test names the scoring it re-tests."""

    id = fields.Integer()
    retest_of = fields.Integer(allow_none=True, metadata={"description": "The id of the scoring this re-tests"})
    rubric = fields.Nested(RubricVersionSchema)
    points = fields.Integer()
    max_points = fields.Integer()
    rating = fields.Enum(Rating, by_value=True)
    summary = fields.String()
    scored_by = fields.Nested(PersonSchema)
    scored_at = fields.DateTime()
    criteria = fields.List(fields.Nested(CriterionScoreSchema))
    findings = fields.List(fields.Nested(FindingSchema))
    moderation = fields.Nested(ModerationSchema, allow_none=True)


class SampleItemSchema(Schema):
    """A sampled assessment. One the token's owner may not see (an individual action, to a decision
    maker) keeps its place, service area and rating, but not its reference, title or scores."""

    id = fields.Integer()
    position = fields.Integer(metadata={"description": "The order the draw picked it in, from 1"})
    service_area = fields.Nested(SampledAreaSchema)
    visible = fields.Boolean()
    eia = fields.Nested(SampledAssessmentSchema, allow_none=True)
    rating = fields.Enum(Rating, by_value=True, allow_none=True, metadata={"description": "Of the latest scoring"})
    points = fields.Integer(allow_none=True)
    max_points = fields.Integer(allow_none=True)
    scorings = fields.Integer(metadata={"description": "How many times it was scored (more than 1: re-tested)"})
    can_score = fields.Boolean(metadata={"description": "Whether the token's owner may score it now"})
    scores = fields.List(fields.Nested(QualityScoreSchema))


class SamplePeriodSchema(Schema):
    label = fields.String(metadata={"example": "2025-Q1"})
    start = fields.Date()
    end = fields.Date(metadata={"description": "Inclusive"})


class SampleSummarySchema(Schema):
    id = fields.Integer()
    period = fields.Nested(SamplePeriodSchema)
    size_asked = fields.String(metadata={"example": "10%"})
    size = fields.Integer(metadata={"description": "How many assessments were drawn"})
    population_size = fields.Integer()
    drawn_at = fields.DateTime()
    drawn_by = fields.Nested(PersonSchema, allow_none=True)


class StratumSchema(Schema):
    """One stratum of a risk-weighted draw (method v2)."""

    key = fields.String(
        required=True,
        validate=validate.OneOf(list(STRATA), error=f"Choose one of: {', '.join(STRATA)}"),
        metadata={"description": "; ".join(f"{k}: {v}" for k, v in STRATA.items())},
    )
    weight = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_WEIGHT, error=f"Enter a weight from 1 to {MAX_WEIGHT}"),
        metadata={"description": "How many times as likely to be drawn (default 1)"},
    )
    minimum = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_MINIMUM, error=f"Enter a minimum from 0 to {MAX_MINIMUM}"),
        metadata={"description": "Draw at least this many of the stratum (all if fewer)"},
    )


class SampleSchema(SampleSummarySchema):
    """A frozen sample: how it was drawn (so anyone can draw it again) and what was drawn."""

    service_areas = fields.List(
        fields.Nested(SampledAreaSchema), metadata={"description": "The service areas drawn from; empty: every one"}
    )
    per_service_area = fields.Boolean()
    exclude_months = fields.Integer()
    excluded = fields.List(
        fields.String(), metadata={"description": "Left out: sampled in the previous exclude_months months"}
    )
    method = fields.String(metadata={"description": "v1: every assessment equally likely; v2: risk-weighted"})
    strata = fields.List(fields.Nested(StratumSchema), metadata={"description": "Method v2: the strata and weights"})
    seed = fields.String()
    population_hash = fields.String(metadata={"description": "SHA-256 of the population, sorted by reference"})
    items = fields.List(fields.Nested(SampleItemSchema))


class VerificationSchema(Schema):
    """The outcome of drawing a sample again from its stored seed and population."""

    sample_id = fields.Integer()
    matches = fields.Boolean(
        metadata={"description": "The same assessments, seed and population as the audit log recorded"}
    )
    problems = fields.List(fields.String())
    seed = fields.String()
    population_hash = fields.String()


# Input ---------------------------------------------------------------------------------------------


class DrawSampleInputSchema(Schema):
    """Give ``period`` (a financial-year quarter) or both ``from_date`` and ``to_date``."""

    period = fields.String(
        allow_none=True,
        validate=[validate.Length(max=12, error="Enter a quarter like 2025-Q1"), _no_null_byte],
        metadata={"example": "2025-Q1", "description": "A financial-year quarter: 2025-Q1 is April to June 2025"},
    )
    from_date = _a_date(allow_none=True, metadata={"description": "The first day approvals are drawn from"})
    to_date = _a_date(allow_none=True, metadata={"description": "The last day, inclusive"})
    size = fields.String(
        required=True,
        validate=validate.Length(max=12, error="Enter the size as a whole number, like 5, or a percentage, like 10%"),
        error_messages={"required": "Enter the sample size"},
        metadata={"example": "10%", "description": "A number of assessments, like 5, or a share, like 10%"},
    )
    per_service_area = fields.Boolean(
        load_default=False, metadata={"description": "At least one from each service area (the sample may grow)"}
    )
    service_area_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Only these service areas; empty: every one"},
    )
    seed = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64, error="The seed must be 64 characters or fewer"),
        metadata={"description": "Empty for a random one; the same seed and population give the same sample"},
    )
    exclude_months = fields.Integer(
        strict=True,
        load_default=None,
        validate=validate.Range(min=0, max=120, error="Enter a number of months from 0 to 120"),
        metadata={"description": "Leave out assessments sampled this many months back (default: the council's)"},
    )
    strata = fields.List(
        fields.Nested(StratumSchema),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=len(STRATA)),
        metadata={
            "description": "Given (even empty), the draw is risk-weighted (method v2): each stratum with a weight "
            "or a minimum count; left out, every assessment is equally likely (method v1)"
        },
    )

    @validates_schema
    def size_given(self, data: dict[str, Any], **_: Any) -> None:
        if "size" in data and not data["size"].strip():
            raise ValidationError("Enter the sample size", "size")

    @validates_schema
    def period_or_dates(self, data: dict[str, Any], **_: Any) -> None:
        period = (data.get("period") or "").strip()
        dates = data.get("from_date"), data.get("to_date")
        if period and any(dates):
            raise ValidationError("Give a quarter or dates, not both", "period")
        if not period and not any(dates):
            raise ValidationError("Enter a quarter like 2025-Q1, or the dates to draw from", "period")
        if not period and not all(dates):
            raise ValidationError("Enter both dates, or a quarter", "to_date" if dates[0] else "from_date")


class FindingInputSchema(Schema):
    text = fields.String(
        required=True,
        validate=[validate.Length(max=COMMENT_LIMIT, error="Must be 3,000 characters or fewer"), _no_null_byte],
        error_messages={"required": "Say what the author should put right"},
    )
    criterion = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=40), metadata={"description": "A rubric key"}
    )
    owner_id = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Default: the assessment's author"},
    )
    due_on = _a_date(required=True, error_messages={"required": "Enter the date the finding is due by"})

    @validates_schema
    def has_text(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("text", "x").strip():
            raise ValidationError("Say what the author should put right", "text")


class ScoreInputSchema(Schema):
    """A score of 0, 1 or 2 for every criterion of the current rubric (``GET /samples/rubric``)."""

    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.Integer(strict=True, allow_none=True, validate=validate.OneOf(SCORES, error="Score 0, 1 or 2")),
        required=True,
        error_messages={"required": "Score every criterion of the rubric 0, 1 or 2"},
        metadata={"description": "By criterion key; null for not applicable where the rubric allows it"},
    )
    comments = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.String(
            validate=[validate.Length(max=COMMENT_LIMIT, error="Must be 3,000 characters or fewer"), _no_null_byte]
        ),
        load_default=dict,
        metadata={"description": "By criterion key, optional"},
    )
    summary = fields.String(
        load_default="",
        validate=[validate.Length(max=SUMMARY_LIMIT, error="Must be 5,000 characters or fewer"), _no_null_byte],
    )
    findings = fields.List(
        fields.Nested(FindingInputSchema),
        load_default=list,
        validate=validate.Length(max=MAX_FINDINGS, error=f"Give at most {MAX_FINDINGS} findings in one scoring"),
    )
    scored_before = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=0, max=10_000),
        error_messages={"required": "Say how many scorings the assessment had when you read it (0 the first time)"},
        metadata={
            "description": "How many scorings the item had when you read it (0 the first time, then it is a "
            "re-test of the latest); a scoring sent twice, or after someone else's, is refused with 409"
        },
    )


def check_scores(rubric: Rubric, values: dict[str, Any], people: set[int]) -> None:
    """Check a scoring against *rubric* as the scoring page's form would: a score for every criterion,
    comments and findings only on its criteria, finding owners who can sign in.

    :raises ValidationError: naming each field at fault.
    """
    titles = {c["key"]: c["title"] for c in rubric.criteria}
    problems: dict[str, Any] = {}
    scores = {
        key: f"{rubric.title} version {rubric.version} has no criterion {key!r}"
        for key in values["scores"]
        if key not in titles
    }
    scores |= {key: f"Score '{title}' 0, 1 or 2" for key, title in titles.items() if key not in values["scores"]}
    scores |= {
        c["key"]: f"'{c['title']}' cannot be scored not applicable"
        for c in rubric.criteria
        if c["key"] in values["scores"] and values["scores"][c["key"]] is None and "not_applicable" not in c
    }
    if titles and all(values["scores"].get(key) is None for key in titles) and not scores:
        scores[next(iter(titles))] = "Score at least one criterion"
    if scores:
        problems["scores"] = scores
    comments = {key: f"No criterion {key!r} in the rubric" for key in values["comments"] if key not in titles}
    if comments:
        problems["comments"] = comments
    findings: dict[int, dict[str, str]] = {}
    for n, finding in enumerate(values["findings"]):
        wrong: dict[str, str] = {}
        if finding["criterion"] and finding["criterion"] not in titles:
            wrong["criterion"] = "Choose a criterion of the rubric, or none"
        if finding["owner_id"] is not None and finding["owner_id"] not in people:
            wrong["owner_id"] = "The owner must be a person with an enabled account"
        if wrong:
            findings[n] = wrong
    if findings:
        problems["findings"] = findings
    if problems:
        raise ValidationError(problems)


class ModerateInputSchema(Schema):
    """Agree with a scoring, or give a score for every criterion of its rubric with a note."""

    agrees = fields.Boolean(required=True, error_messages={"required": "Say whether you agree with the scores"})
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.Integer(strict=True, allow_none=True, validate=validate.OneOf(SCORES, error="Score 0, 1 or 2")),
        load_default=dict,
        metadata={"description": "When not agreeing: by criterion key, null for not applicable where allowed"},
    )
    note = fields.String(
        load_default="",
        validate=[validate.Length(max=SUMMARY_LIMIT, error="Must be 5,000 characters or fewer"), _no_null_byte],
        metadata={"description": "Why the scores differ (needed when not agreeing)"},
    )


class CloseFindingInputSchema(Schema):
    note = fields.String(
        required=True,
        validate=[validate.Length(max=COMMENT_LIMIT, error="Must be 3,000 characters or fewer"), _no_null_byte],
        error_messages={"required": "Say what was done to put this right"},
        metadata={"description": "What was done to put it right"},
    )
