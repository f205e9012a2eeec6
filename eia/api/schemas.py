"""Schemas shared by every part of the API: problem details, pages of results, list arguments."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate


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


class _PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)

    @pre_dump
    def from_pagination(self, page: Any, **_: Any) -> dict[str, Any]:
        """A Flask-SQLAlchemy page (or anything with its attributes); an empty list is one page."""
        return {
            "items": page.items,
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": max(1, page.pages),
        }


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The schema of a page of *item_schema* items: ``items`` with ``page``, ``per_page``,
    ``total`` and ``pages`` (one class per item schema, so the OpenAPI document names it once).
    It dumps what :func:`eia.web.paginate` returns."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        items = fields.List(fields.Nested(item_schema), required=True)
        _page_schemas[name] = type(name, (_PageSchema,), {"items": items})
    return _page_schemas[name]
