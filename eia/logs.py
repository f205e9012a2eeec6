"""Log lines as JSON, one per line, each with the request id, the signed-in person's id and the
route when it was written during a request, and one line per request answered."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect as sa_inspect

#: A request id a trusted proxy sends (``X-Request-Id``) is kept when it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: The record attributes every log record has; anything else passed in ``extra`` is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
REQUEST_FIELDS = ("request_id", "user_id", "route", "method")
#: URL parts that are secrets (an invitation's or a password reset's link): never written to a log,
#: where anyone who reads the logs could use an unused link.
SECRET_URL_PARTS = frozenset({"secret"})

access_log = logging.getLogger("eia.requests")


def request_id() -> str | None:
    """This request's id (made, or taken from a trusted proxy's ``X-Request-Id``)."""
    return g.get("request_id") if has_request_context() else None


def _person_id() -> int | None:
    """The id of the person already loaded for this request (never loaded just for the log)."""
    user = g.get("_login_user")
    # ``is_anonymous``, not ``is_authenticated``: the latter reads whether the account is enabled.
    if user is not None and not getattr(user, "is_anonymous", True):
        return _loaded_id(user)
    token = g.get("api_token")
    return None if token is None else _loaded_id(token, "user_id")


def _loaded_id(obj: Any, name: str = "id") -> int | None:
    """*obj*'s id as the session already holds it: never a query, so a line about a database that
    has gone away (after which every loaded object is expired) can still be written."""
    value = vars(obj).get(name)
    if value is None:
        state = sa_inspect(obj, raiseerr=False)
        if state is not None and name == "id" and state.identity:
            value = state.identity[0]
    return value


class RequestContext(logging.Filter):
    """Puts the request's id, person and route on every record written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.user_id = _person_id()
            record.route = request.url_rule.rule if request.url_rule else None
            record.method = request.method
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request's fields and any
    ``extra`` fields, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


def handler_for(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestContext())
    handler.set_name("eia")
    return handler


def _start_request() -> None:
    sent = request.headers.get("X-Request-Id", "")
    trusted = current_app.config["EIA_TRUSTED_PROXIES"] > 0 and _REQUEST_ID.match(sent)
    g.request_id = sent if trusted else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def loggable_path() -> str:
    """This request's path with any secret in it replaced by ``[secret]``."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_URL_PARTS and isinstance(value, str) and value:
            path = path.replace(value, "[secret]")
    return path


def _log_request(response: Any) -> Any:
    response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    if request.endpoint != "static":
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        path = loggable_path()
        access_log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "request_id": g.get("request_id"),
                "user_id": _person_id(),
                "route": request.url_rule.rule if request.url_rule else None,
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration,
            },
        )
    return response


def init_logging(app: Flask) -> None:
    """Log the ``eia`` loggers' lines to standard error in ``EIA_LOG_FORMAT``, at ``EIA_LOG_LEVEL``.

    Under the tests the lines are left to pytest (which collects them); one process runs one app,
    so the handler replaces any an earlier app put there."""
    logger = logging.getLogger("eia")
    logger.setLevel(app.config["EIA_LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    for handler in [h for h in logger.handlers if h.get_name() == "eia"]:
        logger.removeHandler(handler)
    if not app.config["TESTING"]:
        logger.addHandler(handler_for(app.config["EIA_LOG_FORMAT"]))
    # First of all the hooks, so a request answered by an earlier hook (the idle sign-out) has an id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_log_request)
