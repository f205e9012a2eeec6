"""Who is calling the API and what the body may hold.

The personal access token in ``Authorization: Bearer`` is checked by the accounts package
(``eia.accounts.api_auth``), which puts its owner on ``g.api_user``; this module only reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, g, request
from werkzeug.exceptions import BadRequest

if TYPE_CHECKING:
    from eia.accounts.models import User

API_PREFIX = "/api/v1/"
#: Readable without a token: the OpenAPI document and its page.
PUBLIC_PATHS = {"/api/v1/", "/api/v1/openapi.json"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_user() -> User:
    """The owner of the token this request came with."""
    return g.api_user


def _storable(value: Any) -> bool:
    """No NUL byte (PostgreSQL refuses them) and no lone surrogate (no encoding holds one)."""
    if isinstance(value, str):
        return _encodes(value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    return True


def _encodes(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_unusable_json() -> None:
    """A JSON body must decode to values Python and the database can hold; otherwise 400, before
    any view (and whichever way it reads the body) sees it."""
    if not is_api_request() or not request.is_json or not request.content_length:
        return None
    try:
        body = request.get_json(silent=True)
        storable = body is None or _storable(body)
    except RecursionError:  # nested deeper than anything the API takes
        body, storable = None, False
    if body is None:
        raise BadRequest("The body is not valid JSON.")
    if not storable:
        raise BadRequest("The body contains a character that cannot be stored (a null byte or a lone surrogate).")
    return None


def init_body_checks(app: Flask) -> None:
    app.before_request(_refuse_unusable_json)
