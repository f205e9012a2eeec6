"""The API's bearer-token sign-in: every API request (but the document and its page) carries a
personal access token; its owner acts for the rest of the request, within the token's scope and
its allowance of requests per minute."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from eia.accounts import tokens
from eia.accounts.models import TokenScope
from eia.api.auth import PUBLIC_PATHS, READ_METHODS, is_api_request
from eia.errors import PermissionDenied
from eia.extensions import db


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


def init_api_auth(app: Flask) -> None:
    """Check the token before every API request (registered before the body checks, so a caller
    without a valid token learns nothing about what their body would have done)."""
    app.before_request(_authenticate)
