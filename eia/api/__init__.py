"""The JSON API under ``/api/v1/``: marshmallow schemas, an OpenAPI 3 document at
``/api/v1/openapi.json`` and a documentation page at ``/api/v1/``.

Every request (but the document and its page) carries a personal access token
(``Authorization: Bearer``); the API then acts as the token's owner, through the same services and
permission checks as the pages. Errors are RFC 9457 problem details (``eia.errors``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint

from eia.extensions import csrf


class Api(SmorestApi):
    """flask-smorest, with the app's own error handlers (problem details) left in charge."""

    def _register_error_handlers(self) -> None:
        return None


api = Api()

#: Error responses every operation may give, documented once for all of them.
COMMON_ERRORS = {
    400: "The request is malformed.",
    401: "No valid personal access token was sent.",
    403: "The token's owner may not do this, or a read-only token tried to write.",
    404: "There is no such resource, or it is not visible to the token's owner.",
    422: "The input breaks a rule; `errors` names each field.",
    429: "The token has made too many requests this minute; see Retry-After.",
}
WRITE_ERRORS = {
    409: "The resource is not in a state that allows this.",
    412: "The resource has changed since the ETag sent in If-Match.",
    428: "Send If-Match with the resource's ETag.",
}


def api_blueprint(name: str, import_name: str, *, url_prefix: str, description: str) -> Blueprint:
    """A blueprint of the API: exempt from CSRF (tokens, not cookies, authenticate it)."""
    blueprint = Blueprint(name, import_name, url_prefix=f"/api/v1{url_prefix}", description=description)
    csrf.exempt(blueprint)
    return blueprint


def _add_error_responses(spec: dict[str, Any]) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in spec.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON_ERRORS) | (WRITE_ERRORS if method != "get" else {})
            for code, text in codes.items():
                # Errors are problem details, whatever flask-smorest documented for them (its 422).
                responses[str(code)] = {"description": text, "content": problem}
    return spec


def init_api(app: Flask) -> None:
    """Bind the API to *app*: the document, its page and the checks every request's body gets.
    Each package then adds its blueprints with :func:`register_blueprint`."""
    from eia.api import auth, docs
    from eia.api.schemas import ProblemSchema

    api.init_app(app)
    api.spec.components.security_scheme(
        "personalAccessToken",
        {"type": "http", "scheme": "bearer", "description": "A personal access token from 'Your account'."},
    )
    api.spec.options["security"] = [{"personalAccessToken": []}]
    api.spec.components.schema("Problem", schema=ProblemSchema)
    # Every operation documents the shared error responses (the spec is built once, then cached).
    to_dict = api.spec.to_dict
    api.spec.to_dict = lambda: _add_error_responses(to_dict())  # type: ignore[method-assign]
    auth.init_body_checks(app)
    docs.init_docs(app)


def register_blueprint(blueprint: Blueprint) -> None:
    """Add a package's API *blueprint* (and the schemas it documents by name) to the API."""
    for name, schema in getattr(blueprint, "extra_schemas", {}).items():
        api.spec.components.schema(name, schema=schema)
    api.register_blueprint(blueprint)
