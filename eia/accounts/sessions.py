"""Signed-in browser sessions around each request: the idle sign-out (keeping what was being
typed), the form restored after signing in again, and the forced change of a temporary password."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from eia.accounts import signing_in
from eia.extensions import db
from eia.template_filters import UK

#: Form fields never kept when a session expires mid-form.
UNSAVED_FIELDS = {"csrf_token"}


def _form_worth_saving() -> dict[str, list[str]] | None:
    if request.method != "POST" or not request.form:
        return None
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:  # only keep what this person's own page sent
        return None
    return {key: values for key, values in request.form.lists() if key not in UNSAVED_FIELDS and "password" not in key}


def _end_idle_session():
    """Sign out a person idle for longer than the limit, keeping what they were sending."""
    if "_user_id" not in session or request.path.startswith("/api/"):  # the API takes tokens, not sessions
        return None
    now = time.time()
    idle_limit = 60 * current_app.config["EIA_SESSION_IDLE_MINUTES"]
    last_seen = session.get("last_seen")
    if last_seen is not None and now - float(last_seen) <= idle_limit:
        if request.endpoint != "accounts.session_status":  # asking how long is left is not activity
            session["last_seen"] = now
        return None
    if last_seen is None:
        session["last_seen"] = now
        return None

    user_id = str(session.get("_user_id", ""))
    data = _form_worth_saving()
    token = None
    if data and user_id.isascii() and user_id.isdigit() and not request.path.startswith("/api/"):
        token = signing_in.save_form(int(user_id), request.path, data)
    sid = session.get("sid")
    if sid and user_id.isascii() and user_id.isdigit():
        signing_in.end_session_by_token(int(user_id), sid, "inactive")
    db.session.commit()
    logout_user()
    session.clear()
    if token:
        session["restore_form"] = token
        flash(
            "You were signed out because you had been inactive. Sign in again: what you typed has been kept "
            "and will be back in the form.",
            "important",
        )
    else:
        flash("You were signed out because you had been inactive. Sign in again to carry on.", "important")
    target = request.path if request.method == "POST" else request.full_path.rstrip("?")
    return redirect(url_for("accounts.sign_in", next=target), code=303)


#: The GOV.UK timeout warning comes this long before the sign-out (never more than half the idle limit).
WARNING_SECONDS = 120


@dataclass(frozen=True)
class SessionTimes:
    """When the signed-in session of this request ends, in seconds from now: after the idle limit
    if nothing more is done, and at the latest 12 hours (the session's lifetime) after signing in."""

    idle_seconds: float
    absolute_seconds: float | None
    warning_seconds: float

    @property
    def seconds(self) -> float:
        """Seconds until the sooner of the two ends."""
        return min(self.idle_seconds, self.absolute_seconds if self.absolute_seconds is not None else self.idle_seconds)

    @property
    def is_absolute(self) -> bool:
        """True when the 12-hour limit comes first, so staying active will not keep the session."""
        return self.absolute_seconds is not None and self.absolute_seconds < self.idle_seconds

    def ends_at(self, now: float | None = None) -> datetime:
        return datetime.fromtimestamp((now or time.time()) + self.seconds, UTC)

    def as_json(self) -> dict[str, Any]:
        return {
            "idle_seconds": int(self.idle_seconds),  # rounded down: the page never outlives the session
            "absolute_seconds": None if self.absolute_seconds is None else int(self.absolute_seconds),
            "warning_seconds": round(self.warning_seconds),
        }


def session_times(now: float | None = None) -> SessionTimes | None:
    """How long the current signed-in session has left, or None when nobody is signed in."""
    if not has_request_context() or current_user is None or not current_user.is_authenticated:
        return None  # an email rendered by a command, or nobody signed in
    if "last_seen" not in session:
        return None
    now = time.time() if now is None else now
    config = current_app.config
    idle_limit = 60 * float(config["EIA_SESSION_IDLE_MINUTES"])
    idle = max(0.0, float(session["last_seen"]) + idle_limit - now)
    signed_in_at = session.get("signed_in_at")
    absolute = None
    if signed_in_at is not None:
        absolute = max(0.0, float(signed_in_at) + config["PERMANENT_SESSION_LIFETIME"].total_seconds() - now)
    return SessionTimes(idle, absolute, min(WARNING_SECONDS, idle_limit / 2))


def when_text(moment: datetime, now: datetime | None = None) -> str:
    """``14:35`` today, ``14:35 on 2 December 2026`` another day, in UK time."""
    local = moment.astimezone(UK)
    today = (now or datetime.now(UTC)).astimezone(UK).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _session_globals() -> dict[str, Any]:
    """When the session ends, worked out once a request: a page kept by ``eia.page_cache`` renders
    these parts again for the request and must find them as the page has them."""
    if not has_request_context():
        return _session_ends()
    found = request.environ.get("eia.session_globals")
    if found is None:
        found = request.environ["eia.session_globals"] = _session_ends()
    return found


def _session_ends() -> dict[str, Any]:
    times = session_times()
    if times is None:
        return {"session_times": None}
    now = time.time()
    idle_end = datetime.fromtimestamp(now + times.idle_seconds, UTC)
    absolute_end = None if times.absolute_seconds is None else datetime.fromtimestamp(now + times.absolute_seconds, UTC)
    return {
        "session_times": times,
        "session_idle_end": when_text(idle_end),
        "session_absolute_end": None if absolute_end is None else when_text(absolute_end),
    }


#: Where someone who must choose a new password may still go.
_PASSWORD_CHANGE_ALLOWED = {
    "accounts.change_password",
    "accounts.extend_session",
    "accounts.session_status",
    "accounts.sign_out",
    "main.accessibility",
    "main.health",
    "main.ready",
    "static",
}


def _require_password_change():
    """A person given a temporary password must choose their own before doing anything else."""
    if request.endpoint in _PASSWORD_CHANGE_ALLOWED or request.endpoint is None or request.path.startswith("/api/"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash("Choose a new password before you carry on.", "important")
        return redirect(url_for("accounts.change_password"))
    return None


#: Where someone waiting for an administrator to give them a role may go.
_NO_ROLE_ALLOWED = _PASSWORD_CHANGE_ALLOWED | {"accounts.waiting_for_role", "ops.metrics_page"}


def _require_role():
    """Someone who signed in through the provider for the first time, with no group giving them a
    role, waits on one page until an administrator gives them one."""
    if request.endpoint in _NO_ROLE_ALLOWED or request.endpoint is None or request.path.startswith("/api/"):
        return None
    if current_user.is_authenticated and current_user.role is None:
        return redirect(url_for("accounts.waiting_for_role"))
    return None


def _restored_formdata() -> MultiDict | None:
    """What this person typed here before their session ended, if anything (taken once)."""
    token = session.pop("restore_form", None)
    if not token or not current_user.is_authenticated:
        return None
    data = signing_in.take_saved_form(token, current_user, request.path)
    if data is None:
        return None
    flash("We kept what you typed before you were signed out. Check it and save again.", "important")
    return MultiDict([(key, value) for key, values in data.items() for value in values])


def _offer_restored_form() -> None:
    """Put what this person typed before their session ended on ``g``, for ``bind_form``."""
    if "restore_form" in session and current_user.is_authenticated:
        g.restored_formdata = _restored_formdata()


def init_sessions(app: Flask) -> None:
    """Call before CSRF protection is registered, so an idle session is ended (and its form kept)
    before the CSRF check would refuse the post."""
    app.before_request(_end_idle_session)
    app.before_request(_require_password_change)
    app.before_request(_require_role)
    app.before_request(_offer_restored_form)
    app.context_processor(_session_globals)
