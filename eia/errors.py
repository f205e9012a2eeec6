"""Domain exceptions and the one place that turns every error into a page (or JSON for the API)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy import inspect as sa_inspect
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
    """Someone else changed the object since the form was opened; ``current`` is it as saved now."""

    def __init__(self, message: str, current: Any = None):
        super().__init__(message)
        self.current = current


def version_of(obj: Any) -> int:
    """The value of *obj*'s version counter (the mapper's ``version_id_col``)."""
    mapper = sa_inspect(obj).mapper
    return getattr(obj, mapper.get_property_by_column(mapper.version_id_col).key)


def check_version(obj: Any, expected: int, message: str) -> None:
    """Refuse a change to *obj* made from a form opened at version *expected* when someone has saved
    it since (optimistic locking; the version counter catches a race at the flush too).

    :raises ConflictError: with *message* and *obj* as it is saved now.
    """
    if version_of(obj) != expected:
        raise ConflictError(message, current=obj)


class ValidationFailed(EiaError):
    """Input that passed the form but breaks a domain rule; carries field-level messages.

    ``keep_record`` says that what the service wrote before refusing (the audit entry of a failed
    attempt, say) stands and is committed; otherwise everything it did is undone.
    """

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None, *, keep_record: bool = False):
        super().__init__(message)
        self.fields = fields or {}
        self.keep_record = keep_record


TITLES = {
    400: "Your form could not be sent",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "This has changed since you opened it",
    413: "The file or form you sent is too large",
    412: "This has changed since you read it",
    422: "There is a problem with what you sent",
    428: "Say which version you are changing",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database may be the thing that failed
        log.warning("rollback failed while handling an error", exc_info=True)


def _database_went_away(exc: BaseException) -> bool:
    """Whether a database that stopped answering lies behind an error that reached the 500 handler:
    raised where the view's handlers do not reach (an ``after_request`` hook, a later use of a session
    whose connection broke), it is still an outage and gets the 503 page, not the 500 one."""
    seen: set[int] = set()
    cause: BaseException | None = getattr(exc, "original_exception", None) or exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OperationalError | InterfaceError) or (
            isinstance(cause, DBAPIError) and cause.connection_invalidated
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _wants_json() -> bool:
    return request.path.startswith("/api/")


#: Statuses only the API gives; people never see a page for them.
API_ONLY = {401, 412, 428}

#: What the API says when If-Match is stale or missing (flask-smorest raises those).
PRECONDITIONS = {
    412: "Someone has changed this since you read it. Read it again, then repeat your change.",
    428: "Send If-Match with the ETag you last read, so a change by someone else is not lost.",
}
CLASH = "Someone else saved a change to this at the same time. Nothing of yours was saved."


def _clash() -> tuple[int, str]:
    """A clash caught by a row's version column: 409, but 412 for an API write that sent If-Match.
    Two writers may both pass the ETag check before either writes; the version column then stops
    the second, whose If-Match names a version that is no longer there."""
    if _wants_json() and request.if_match:
        return 412, PRECONDITIONS[412]
    return 409, CLASH


def render_error(
    status: int,
    message: str | None = None,
    *,
    anonymous: bool = False,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
):
    """Render the GOV.UK error page for *status*, or RFC 9457 problem JSON for the API (with
    field-level *errors* where there are some)."""
    if anonymous:
        # Keep the page from touching the database to load the signed-in person.
        g._login_user = AnonymousUserMixin()
    if _wants_json():
        # RFC 9457: with the type about:blank, the title is the status's own phrase.
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
        if message:
            body["detail"] = message
        if errors:
            body["errors"] = errors
        return body, status, {"Content-Type": "application/problem+json", **(headers or {})}
    if status in API_ONLY:
        status = 400
    title = TITLES.get(status, TITLES[500])
    template = f"errors/{status}.html" if status in TITLES else "errors/generic.html"
    return render_template(template, status=status, title=title, message=message), status, headers or {}


def _field_messages(messages: Any) -> dict[str, Any]:
    """webargs nests messages under where they came from (json, query, ...): drop that level."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "headers", "view_args"}:
        merged: dict[str, Any] = {}
        for part in messages.values():
            merged.update(part if isinstance(part, dict) else {"_schema": part})
        return merged
    return messages if isinstance(messages, dict) else {"_schema": messages}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EiaError)
    def domain_error(exc: EiaError):
        _rollback()
        headers = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="eia"'
        if hasattr(exc, "retry_after"):
            headers["Retry-After"] = str(exc.retry_after)
        fields = getattr(exc, "fields", None)
        return render_error(exc.status, str(exc) or None, errors=fields or None, headers=headers)

    @app.errorhandler(MarshmallowValidationError)
    def invalid_input(exc: MarshmallowValidationError):
        _rollback()
        return render_error(422, "Some of what you sent is not valid.", errors=_field_messages(exc.messages))

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):
        _rollback()
        return render_error(*_clash())

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        _rollback()
        return render_error(400, exc.description)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: DBAPIError):
        _rollback()
        log.error("database unavailable: %s", exc.orig if exc.orig is not None else exc)
        return render_error(503, anonymous=True, headers={"Retry-After": "30"})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _rollback()
        status = exc.code or 500
        if status in {301, 302, 303, 304, 307, 308}:
            return exc
        message = PRECONDITIONS.get(status) or (None if status in {404, 500} else exc.description)
        data = getattr(exc, "data", None) or {}
        if "messages" in data:  # webargs, parsing an API request
            detail = "Some of what you sent is not valid." if status == 422 else "The body is not valid JSON."
            return render_error(status, detail, errors=_field_messages(data["messages"]))
        return render_error(status, message)

    @app.errorhandler(500)
    def internal_error(exc: Exception):
        _rollback()
        if _database_went_away(exc):
            log.error("database unavailable outside a view: %s", exc)
            return render_error(503, anonymous=True, headers={"Retry-After": "30"})
        return render_error(500, anonymous=True)
