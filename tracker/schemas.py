"""The import and export format of action plans (DESIGN.md, "Import / export format").

Columns, in order: plan, organisation, priority_ref, priority, outcome, action_ref, action, lead,
target, success_measures, status. ``lead`` holds service areas separated by ``;``; success measures
are separated by ``;`` or line breaks; an empty status means not started.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from tracker.models import ActionStatus
from tracker.targets import ImpossibleDate, parse_target

COLUMNS = (
    "plan",
    "organisation",
    "priority_ref",
    "priority",
    "outcome",
    "action_ref",
    "action",
    "lead",
    "target",
    "success_measures",
    "status",
)
REQUIRED = ("plan", "organisation", "priority_ref", "priority", "action")
STATUS_WORDS = ", ".join(status.label.lower() for status in ActionStatus)


def _required(name: str, limit: int) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, error=f"{name} is empty: every action needs one"),
            validate.Length(max=limit, error=f"{name} is longer than {limit:,} characters"),
        ],
    )


def split_list(text: str, *, lines: bool) -> list[str]:
    """Split on ``;`` (and line breaks when *lines*), dropping empty parts."""
    parts = text.replace("\r\n", "\n").split("\n") if lines else [text]
    if lines and len(parts) > 1:
        return [p.strip() for p in parts if p.strip()]
    return [p.strip() for p in parts[0].split(";") if p.strip()] if parts else []


def _real_dates(text: str) -> None:
    """A target may be any words, but a date in it must exist ("31/02/2027" is a bad cell)."""
    try:
        parse_target(text)
    except ImpossibleDate as exc:
        raise ValidationError(f"{exc}: check the day and the month") from None


class PlanRowSchema(Schema):
    """One row: one action with its plan and priority."""

    plan = _required("The plan title", 300)
    organisation = _required("The organisation", 200)
    priority_ref = _required("The priority reference", 60)
    priority = _required("The priority", 5000)
    outcome = fields.String(load_default="", validate=validate.Length(max=5000))
    action_ref = fields.String(
        load_default="", validate=validate.Length(max=30, error="The action reference is longer than 30 characters")
    )
    action = _required("The action", 10000)
    lead = fields.String(load_default="", validate=validate.Length(max=1000))
    target = fields.String(
        load_default="",
        validate=[validate.Length(max=200, error="The target is longer than 200 characters"), _real_dates],
    )
    success_measures = fields.String(load_default="", validate=validate.Length(max=10000))
    status = fields.String(load_default="")

    @validates("status")
    def _status(self, value: str, **kwargs: Any) -> None:
        try:
            ActionStatus.parse(value)
        except ValueError:
            raise ValidationError(f"'{value}' is not a status: use one of {STATUS_WORDS}, or leave it empty") from None

    @post_load
    def _shape(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # One kind of line break, as XLSX keeps it, so CSV and XLSX round trips agree.
        data = {
            k: v.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(v, str) else v for k, v in data.items()
        }
        data["leads"] = split_list(data.pop("lead"), lines=False)
        data["measures"] = split_list(data.pop("success_measures"), lines=True)
        # An empty status means "not started" for a new action and "as it is" for an existing one,
        # so re-importing the council's original document never undoes the progress recorded since.
        data["status_given"] = bool(data["status"])
        data["status"] = ActionStatus.parse(data["status"])
        return data
