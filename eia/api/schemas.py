"""Schemas shared by every part of the API: problem details, pages of results, list arguments."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(metadata={"description": "Always about:blank: the status says what kind of problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field-level messages: each field's name and what is wrong with it"},
    )


class PageArgs(Schema):
    """?page= and ?per_page= on every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The schema of a page of *item_schema* items: ``items`` with ``page``, ``per_page``,
    ``total`` and ``pages`` (one class per item schema, so the OpenAPI document names it once)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        attrs: dict[str, Any] = {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
        }
        _page_schemas[name] = type(name, (Schema,), attrs)
    return _page_schemas[name]
