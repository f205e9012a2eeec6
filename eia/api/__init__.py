"""The JSON API under ``/api/v1/``: marshmallow schemas, an OpenAPI 3 document at
``/api/v1/openapi.json`` and a documentation page at ``/api/v1/``.

Every request (but the document and its page) carries a personal access token
(``Authorization: Bearer``); the API then acts as the token's owner, through the same services and
permission checks as the pages. Errors are RFC 9457 problem details, made by the app's own error
handlers (``eia.errors``, registered after the API, so they answer for it too).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask
from marshmallow import Schema

from eia.api.schemas import ProblemSchema
from eia.extensions import csrf

PROBLEM = "application/problem+json"

#: What each error status means here, documented once as the response of that status (the
#: ``components`` of the document) and referred to by every operation that may give it.
ERRORS = {
    400: "The request is malformed.",
    401: "No valid personal access token was sent.",
    403: "The token's owner may not do this, or a read-only token tried to write.",
    404: "There is no such resource, or it is not visible to the token's owner.",
    409: "The resource is not in a state that allows this.",
    412: "The resource has changed since the ETag sent in If-Match.",
    422: "The input breaks a rule; `errors` names each field.",
    428: "Send If-Match with the resource's ETag.",
    429: "The token has made too many requests this minute; see Retry-After.",
}
_PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
READ_ERRORS = (400, 401, 403, 404, 422, 429)
WRITE_ERRORS = (*READ_ERRORS, 409, 412, 428)

SPEC_OPTIONS: dict[str, Any] = {
    "security": [{"personalAccessToken": []}],
    "components": {
        "securitySchemes": {
            "personalAccessToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token from 'Your account'.",
            }
        },
        "responses": {
            **{
                HTTPStatus(code).name: {"description": text, "content": _PROBLEM_CONTENT}
                for code, text in ERRORS.items()
            },
            "DEFAULT_ERROR": {"content": _PROBLEM_CONTENT},
        },
        "parameters": {
            "IF_MATCH": {"description": "The ETag of the resource as you last read it; 412 if it has changed since."},
            "IF_NONE_MATCH": {"description": "The ETag you hold; 304 and no body if it is still current."},
        },
    },
}


class Api(flask_smorest.Api):
    """flask-smorest, with errors documented as the problem details the app answers with, and the
    OpenAPI document written when it is first read rather than as each blueprint is registered
    (that is a tenth of the app's start-up, and most workers never serve the document)."""

    ERROR_SCHEMA = ProblemSchema
    _pending_docs: list[Callable[[Any], None]]

    @property
    def spec(self) -> Any:
        pending = self.__dict__.get("_pending_docs")
        if pending:
            self._pending_docs = []
            for write in pending:
                write(self._spec)
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:  # a new document for each app it is bound to
        self._spec = value
        self._pending_docs = []

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """As flask-smorest's, with the blueprint's part of the document left for :attr:`spec`."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        app = self._app

        def write(spec: Any) -> None:
            for schema_name, schema in getattr(blp, "extra_schemas", {}).items():
                spec.components.schema(schema_name, schema=schema)
            blp.register_views_in_doc(self, app, spec, name=name, parameters=parameters)
            spec.tag({"name": name, "description": blp.description})

        self._pending_docs.append(write)


class Blueprint(flask_smorest.Blueprint):
    """A blueprint of the API.

    Every operation documents the errors it may give (:data:`ERRORS`); a collection's route answers
    with or without its trailing slash, never with a redirect; and a ``POST`` decorated with ``etag`` (a
    workflow step on something read before) needs If-Match just as ``PUT`` and ``DELETE`` do."""

    METHODS_NEEDING_CHECK_ETAG = ["PUT", "PATCH", "DELETE", "POST"]

    #: Schemas the document names that no decorator documents (a body read by the view itself).
    extra_schemas: dict[str, type[Schema]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_schemas = {}

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any) -> Callable:
        if rule.endswith("/"):  # a collection: /api/v1/eias as well as /api/v1/eias/
            options.setdefault("strict_slashes", False)
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        codes = READ_ERRORS if set(options.get("methods") or ["GET"]) <= {"GET"} else WRITE_ERRORS

        def decorator(view: Callable) -> Callable:
            # One alternative response through smorest, the rest added to the same document: each
            # alt_response wraps the view again and deep-copies its document (schemas and all),
            # which for every route of the API was a tenth of the app's start-up.
            view = self.alt_response(codes[0], response=HTTPStatus(codes[0]).name)(view)
            responses = view._apidoc["response"]["responses"]  # type: ignore[attr-defined]
            for code in codes[1:]:
                responses.setdefault(code, []).append(HTTPStatus(code).name)
            return register(view)

        return decorator


api = Api()


def api_blueprint(name: str, import_name: str, *, url_prefix: str, description: str) -> Blueprint:
    """A blueprint of the API: exempt from CSRF (tokens, not cookies, authenticate it)."""
    blueprint = Blueprint(name, import_name, url_prefix=f"/api/v1{url_prefix}", description=description)
    csrf.exempt(blueprint)
    return blueprint


def init_api(app: Flask) -> None:
    """Bind the API to *app*: the document, its page and the checks every request's body gets.
    Each package then adds its blueprints with :func:`register_blueprint`."""
    from eia.api import auth, docs

    # A copy for each app: apispec merges the options into what it writes out, in place.
    api.init_app(app, spec_kwargs=copy.deepcopy(SPEC_OPTIONS))
    auth.init_body_checks(app)
    docs.init_docs(app)


def register_blueprint(blueprint: Blueprint) -> None:
    """Add a package's API *blueprint* (and the schemas it documents by name) to the API."""
    api.register_blueprint(blueprint)
