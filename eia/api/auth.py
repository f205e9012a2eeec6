"""Who is calling the API: the personal access token in ``Authorization: Bearer``, its scope and
its allowance of requests per minute."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import BadRequest

from eia.accounts import tokens
from eia.accounts.models import TokenScope, User
from eia.errors import PermissionDenied
from eia.extensions import db

API_PREFIX = "/api/v1/"
#: Readable without a token: the OpenAPI document and its page.
PUBLIC_PATHS = {"/api/v1/", "/api/v1/openapi.json"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_user() -> User:
    """The owner of the token this request came with."""
    return g.api_user


def _authenticate() -> None:
    if not is_api_request() or request.path in PUBLIC_PATHS:
        return None
    for name in ("api_token", "api_user", "_login_user"):
        g.pop(name, None)
    token = tokens.authenticate_bearer(request.headers.get("Authorization"))
    count = tokens.count_request(token, ip_address=g.get("client_ip"))
    db.session.commit()
    if count > current_app.config["EIA_API_REQUESTS_PER_MINUTE"]:
        raise tokens.RateLimited(tokens.retry_after())
    if request.method not in READ_METHODS and token.scope is not TokenScope.WRITE:
        raise PermissionDenied("This token is read-only: make a read and write token to change anything.")
    g.api_token = token
    g.api_user = token.user
    g._login_user = token.user  # current_user is the token's owner for the rest of the request
    return None


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


def init_auth(app: Flask) -> None:
    app.before_request(_authenticate)
    app.before_request(_refuse_unusable_json)
