"""marshmallow schemas of the plan tracker's part of the JSON API: plans, actions, progress updates
and the links from an assessment to the actions it evidences (what the API returns and accepts).

``tracker.schemas`` is the CSV/XLSX import format, not this.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from eia.assessments.schemas import EiaSummarySchema, EvidenceSchema, PersonSchema
from eia.working_days import uk_today
from tracker.models import ActionStatus

#: Database ids are 32-bit; a larger number names nothing (and must not reach the database).
ID_RANGE = validate.Range(min=1, max=2**31 - 1)


def _text(limit: int, *, required: bool = False, **options: Any) -> fields.String:
    """A text field of at most *limit* characters (and at least one when *required*). A NUL byte
    never gets this far: the API refuses such a body with 400 (``eia.api.auth``)."""
    length = validate.Length(min=1 if required else 0, max=limit)
    if required:
        return fields.String(required=True, validate=length, **options)
    return fields.String(load_default="", validate=length, **options)


def _person_description(what: str) -> dict[str, str]:
    return {"description": f"{what}: their id and name"}


# Output --------------------------------------------------------------------------------------------


class PlanSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    organisation = fields.String()
    is_active = fields.Boolean(metadata={"description": "False once the plan has ended"})
    created_at = fields.DateTime()


class PlanSummarySchema(PlanSchema):
    priorities = fields.Integer(metadata={"description": "How many priorities the plan has"})
    actions = fields.Integer(metadata={"description": "How many actions the plan has"})
    complete = fields.Integer(metadata={"description": "How many of its actions are complete"})


class PriorityRefSchema(Schema):
    id = fields.Integer()
    ref = fields.String(metadata={"example": "PEO 1"})
    text = fields.String()


class PlanActionSchema(Schema):
    id = fields.Integer()
    ref = fields.String(metadata={"example": "1.3"})
    outcome = fields.String()
    text = fields.String()
    leads = fields.List(fields.String(), metadata={"description": "The lead service areas, by name"})
    target = fields.String(attribute="target_text", metadata={"description": "The target exactly as the plan words it"})
    due_on = fields.Date(
        allow_none=True, metadata={"description": "The due date read from the target; null if it names none"}
    )
    is_recurring = fields.Boolean(metadata={"description": "The target is 'Ongoing', 'Quarterly' and the like"})
    success_measures = fields.List(fields.String())
    status = fields.Enum(ActionStatus, by_value=True)
    owner = fields.Nested(PersonSchema, allow_none=True, metadata=_person_description("Who owns the action"))
    eia_count = fields.Integer(
        metadata={"description": "How many assessments the token's owner may see evidence the action"}
    )


class PriorityDetailSchema(PriorityRefSchema):
    actions = fields.List(fields.Nested(PlanActionSchema))


class PlanDetailSchema(PlanSchema):
    priorities = fields.List(fields.Nested(PriorityDetailSchema))


class ProgressUpdateSchema(Schema):
    id = fields.Integer()
    written_on = fields.Date(metadata={"description": "The date the update is about"})
    note = fields.String()
    status_before = fields.Enum(ActionStatus, by_value=True)
    status_after = fields.Enum(ActionStatus, by_value=True)
    by = fields.Nested(PersonSchema, metadata=_person_description("Who wrote it"))
    created_at = fields.DateTime()
    evidence = fields.List(
        fields.Nested(EvidenceSchema), metadata={"description": "Files attached on the page (they download there)"}
    )


class LinkedEiaSchema(Schema):
    link_id = fields.Integer()
    note = fields.String(metadata={"description": "How the assessment evidences the action"})
    eia = fields.Nested(EiaSummarySchema)


class PlanActionDetailSchema(PlanActionSchema):
    version = fields.Integer(metadata={"description": "Goes up by one each time the action is saved"})
    plan = fields.Nested(PlanSchema, attribute="priority.plan")
    priority = fields.Nested(PriorityRefSchema)
    updates = fields.List(fields.Nested(ProgressUpdateSchema), metadata={"description": "Newest first"})
    eias = fields.List(
        fields.Nested(LinkedEiaSchema),
        metadata={"description": "The assessments evidencing the action that the token's owner may see"},
    )


class LinkedActionSchema(Schema):
    """The action a link points to (without its status, so a progress update does not change the
    ETag of every assessment linked to it)."""

    id = fields.Integer()
    ref = fields.String()
    text = fields.String()
    priority = fields.Nested(PriorityRefSchema)
    plan = fields.Nested(PlanSchema, attribute="priority.plan")


class ActionLinkSchema(Schema):
    id = fields.Integer()
    action = fields.Nested(LinkedActionSchema)
    note = fields.String(metadata={"description": "How the assessment evidences the action"})
    created_by = fields.Nested(PersonSchema, metadata=_person_description("Who made the link"))
    created_at = fields.DateTime()


# Input ---------------------------------------------------------------------------------------------


class PlanListArgs(Schema):
    organisation = fields.String(
        validate=validate.Length(max=200), metadata={"description": "The organisation's name (any case)"}
    )
    active = fields.Boolean(metadata={"description": "true for plans still running, false for ended ones"})


class ProgressUpdateInputSchema(Schema):
    written_on = fields.Date(
        load_default=lambda: uk_today(),
        metadata={"description": "YYYY-MM-DD, not in the future; today if left out"},
    )
    note = _text(5000, required=True, metadata={"description": "What progress has been made"})
    status = fields.Enum(
        ActionStatus,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "The status now; left out, the status stays as it is"},
    )


class PlanActionInputSchema(Schema):
    """An action as the equalities team corrects it: every field is replaced (``owner_id`` only
    when it is sent; null takes the owner away)."""

    text = _text(10000, required=True)
    outcome = _text(5000)
    leads = fields.List(
        fields.String(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "The lead service areas, by name"},
    )
    target_text = _text(
        200,
        data_key="target",
        metadata={"description": "As the plan words it: 'March 2027', '2027-03-31', 'Ongoing', 'Quarterly'"},
    )
    success_measures = fields.List(
        fields.String(validate=validate.Length(max=2000)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    owner_id = fields.Integer(allow_none=True, validate=ID_RANGE, metadata={"description": "A person's id, or null"})

    @validates_schema
    def text_has_words(self, data: dict[str, Any], **_: Any) -> None:
        if "text" in data and not data["text"].strip():
            raise ValidationError("Enter the action", "text")

    @post_load
    def tidy(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # As the page does: outer spaces go, and empty leads or measures are not kept.
        data["text"] = data["text"].strip()
        data["outcome"] = data["outcome"].strip()
        data["target_text"] = data["target_text"].strip()
        data["leads"] = [lead.strip() for lead in data["leads"] if lead.strip()]
        data["success_measures"] = [m.strip() for m in data["success_measures"] if m.strip()]
        return data


class ActionLinkInputSchema(Schema):
    action_id = fields.Integer(
        required=True, validate=ID_RANGE, metadata={"description": "An action of an active plan"}
    )
    note = _text(3000, required=True, metadata={"description": "How the assessment evidences the action"})
