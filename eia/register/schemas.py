"""The register's filters, read from the query string (the filters stay in the URL, so a search can
be shared)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from eia.register.queries import RegisterFilter
from eia.reports.figures import OUTCOMES

_CHOOSE = "Choose {} from the list"


class RegisterArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=200, error="Search for 200 characters or fewer"))
    service_area = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1, error=_CHOOSE.format("a service area")),
        error_messages={"invalid": _CHOOSE.format("a service area")},
    )
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100, error=_CHOOSE.format("a year")),
        error_messages={"invalid": _CHOOSE.format("a year")},
    )
    outcome = fields.String(validate=validate.OneOf(list(OUTCOMES), error=_CHOOSE.format("an outcome")))
    negative = fields.String(validate=validate.Length(max=40, error=_CHOOSE.format("a group")))
    round = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1, error=_CHOOSE.format("a budget round")),
        error_messages={"invalid": _CHOOSE.format("a budget round")},
    )

    @post_load
    def to_filter(self, data: dict[str, Any], **_: Any) -> RegisterFilter:
        return RegisterFilter(
            text=(data.get("q") or "").strip() or None,
            service_area_id=data.get("service_area"),
            year=data.get("year"),
            outcome=data.get("outcome"),
            negative_for=data.get("negative"),
            round_id=data.get("round"),
        )

    def load_args(self, args: Any) -> RegisterFilter:
        """*args* without the empty values a form sends for "any"."""
        return self.load({key: value for key, value in args.items() if value != ""})
