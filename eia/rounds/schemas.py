"""marshmallow schemas of budget rounds for the JSON API: the rounds, and one round's proposals,
impacts by group and proposal, and the groups hit by three or more proposals."""

from __future__ import annotations

from marshmallow import Schema, fields


class RoundSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "For example, Budget 2027/28"})
    decision_on = fields.Date(metadata={"description": "The day members decide the budget"})
    proposals = fields.Integer(metadata={"description": "How many proposals are in the round"})


class RoundProposalSchema(Schema):
    reference = fields.String()
    title = fields.String()
    service_area = fields.String()
    state = fields.String()
    outcome = fields.String(allow_none=True, metadata={"description": "The assessment's outcome, once given"})


class RoundGroupSchema(Schema):
    characteristic = fields.String(metadata={"description": "The characteristic's key, e.g. age"})
    name = fields.String()
    negative = fields.Integer(metadata={"description": "Proposals with a negative impact on the group"})
    highest_severity = fields.String(allow_none=True)
    is_cumulative = fields.Boolean(metadata={"description": "Hit by three or more proposals"})


class RoundImpactSchema(Schema):
    reference = fields.String(metadata={"description": "The proposal's assessment"})
    characteristic = fields.String()
    direction = fields.String(allow_none=True)
    severity = fields.String(allow_none=True)


class RoundSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    decision_on = fields.Date()
    proposals = fields.List(fields.Nested(RoundProposalSchema))
    groups = fields.List(fields.Nested(RoundGroupSchema))
    impacts = fields.List(fields.Nested(RoundImpactSchema))
