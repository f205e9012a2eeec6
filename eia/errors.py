"""Domain exceptions and the one place that turns every error into a page (or JSON for the API)."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from eia.extensions import db

log = logging.getLogger(__name__)


class EiaError(Exception):
    """Base of the errors a person can be told about."""

    status = 400


class PermissionDenied(EiaError):
    """The person may not do this to this object."""

    status = 403


class NotFound(EiaError):
    status = 404


class WorkflowError(EiaError):
    """The object is not in a state that allows this."""

    status = 409


class ConflictError(WorkflowError):
    """Someone else changed the object since the form was opened."""


class ValidationFailed(EiaError):
    """Input that passed the form but breaks a domain rule; carries field-level messages."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = fields or {}


TITLES = {
    400: "Your form could not be sent",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "This has changed since you opened it",
    413: "The file or form you sent is too large",
    422: "There is a problem with what you sent",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database may be the thing that failed
        log.warning("rollback failed while handling an error", exc_info=True)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message: str | None = None, *, anonymous: bool = False):
    """Render the GOV.UK error page for *status*, or problem JSON for the API."""
    if anonymous:
        # Keep the page from touching the database to load the signed-in person.
        g._login_user = AnonymousUserMixin()
    title = TITLES.get(status, TITLES[500])
    if _wants_json():
        body = {"type": "about:blank", "title": title, "status": status}
        if message:
            body["detail"] = message
        return body, status, {"Content-Type": "application/problem+json"}
    template = f"errors/{status}.html" if status in TITLES else "errors/generic.html"
    return render_template(template, status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EiaError)
    def domain_error(exc: EiaError):
        _rollback()
        return render_error(exc.status, str(exc) or None)

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):
        _rollback()
        return render_error(409, "Someone else saved a change to this at the same time. Nothing of yours was saved.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        _rollback()
        return render_error(400, exc.description)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: DBAPIError):
        _rollback()
        log.error("database unavailable: %s", exc.orig if exc.orig is not None else exc)
        return render_error(503, anonymous=True)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _rollback()
        status = exc.code or 500
        if status in {301, 302, 303, 307, 308}:
            return exc
        message = None if status in {404, 500} else exc.description
        return render_error(status, message)

    @app.errorhandler(500)
    def internal_error(exc: Exception):
        _rollback()
        return render_error(500, anonymous=True)
