"""marshmallow schemas of the audit log for the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields


class HistoryEntrySchema(Schema):
    """An entry as an assessment's history shows it to anyone who may read the assessment."""

    seq = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.String(attribute="actor_label")
    action = fields.String()
    detail = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True, metadata={"description": "field: [old value, new value]"})


class AuditEntrySchema(HistoryEntrySchema):
    """An entry of the whole log, for the equalities team and administrators: with where it came
    from and the hashes that chain it to the entry before."""

    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    entity_type = fields.String(allow_none=True)
    entity_id = fields.String(allow_none=True)
    ip_address = fields.String(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()
