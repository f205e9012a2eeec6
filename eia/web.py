"""Request plumbing shared by every page: security headers, sessions, idle sign-out, navigation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import Select, func, select
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from wtforms import ValidationError

from eia.accounts import services
from eia.accounts.models import Role
from eia.extensions import db

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
#: Form fields never kept when a session expires mid-form.
UNSAVED_FIELDS = {"csrf_token"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_loopback(host: str) -> bool:
    hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return hostname.strip("[]") in {h.strip("[]") for h in LOOPBACK_HOSTS}


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure, except for the demo and tests served on loopback over plain HTTP.

    Production never relaxes it: behind a proxy the Host header may well be 127.0.0.1.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        secure = bool(app.config["SESSION_COOKIE_SECURE"])
        if app.config["EIA_ENV"] == "production":
            return secure
        try:
            return secure and not is_loopback(request.host)
        except RuntimeError:  # outside a request
            return secure


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site may be redirected to after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith("/static/"):
        # Pages may hold personal data: keep them out of shared caches and the back-forward cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _remember_client():
    g.client_ip = request.remote_addr


def _refuse_nul_bytes():
    """No text the app stores or looks up may contain a NUL byte (PostgreSQL refuses them)."""
    values = [request.path, *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.values()
    if any("\x00" in value for value in values):
        abort(400, "What you sent contains a character that cannot be stored (a null byte). Remove it and try again.")


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
        session["last_seen"] = now
        return None
    if last_seen is None:
        session["last_seen"] = now
        return None

    user_id = str(session.get("_user_id", ""))
    data = _form_worth_saving()
    token = None
    if data and user_id.isascii() and user_id.isdigit() and not request.path.startswith("/api/"):
        token = services.save_form(int(user_id), request.path, data)
    sid = session.get("sid")
    if sid and user_id.isascii() and user_id.isdigit():
        services.end_session_by_token(int(user_id), sid, "inactive")
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


#: Where someone who must choose a new password may still go.
_PASSWORD_CHANGE_ALLOWED = {"accounts.change_password", "accounts.sign_out", "main.accessibility", "static"}


def _require_password_change():
    """A person given a temporary password must choose their own before doing anything else."""
    if request.endpoint in _PASSWORD_CHANGE_ALLOWED or request.endpoint is None or request.path.startswith("/api/"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash("Choose a new password before you carry on.", "important")
        return redirect(url_for("accounts.change_password"))
    return None


def filter_args(*names: str) -> dict[str, str]:
    """The named query-string filters that are set, to rebuild list links (never arbitrary keys)."""
    return {name: request.args[name] for name in names if request.args.get(name)}


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the number of matching rows and pages, and which page it is."""

    rows: list[Any]
    total: int
    number: int
    pages: int


def paginate(query: Select, size: int, *, scalars: bool = True) -> Page:
    """The page of *query* that ?page= asks for (one COUNT query and one for the rows)."""
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    number = int_arg("page", 1, maximum=10**6)
    result = db.session.execute(query.limit(size).offset((number - 1) * size))
    rows = result.scalars().all() if scalars else result.all()
    return Page(rows=list(rows), total=total, number=number, pages=max(1, -(-total // size)))


def form_version(posted: Any) -> int:
    """The version a form was opened at: a hidden field as posted (never its pre-filled value), or
    the raw text. Missing or tampered values simply cannot match, so the save is refused."""
    if hasattr(posted, "raw_data"):
        posted = posted.raw_data[0] if posted.raw_data else None
    raw = posted if isinstance(posted, str) else ""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else -1


def int_arg(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = 10**9) -> int | None:
    """A whole-number query parameter in range, or *default* when absent.

    :raises werkzeug.exceptions.BadRequest: for anything else.
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        abort(400, f"'{name}' must be a whole number from {minimum} to {maximum}.")
    return int(raw)


def restored_formdata() -> MultiDict | None:
    """What this person typed here before their session ended, if anything (taken once)."""
    token = session.pop("restore_form", None)
    if not token or not current_user.is_authenticated:
        return None
    data = services.take_saved_form(token, current_user, request.path)
    if data is None:
        return None
    flash("We kept what you typed before you were signed out. Check it and save again.", "important")
    return MultiDict([(key, value) for key, values in data.items() for value in values])


def navigation() -> list[dict[str, Any]]:
    """The service navigation for the signed-in person's role."""
    if not current_user.is_authenticated:
        return []
    items = [
        ("My work", "main.home", None),
        ("Assessments", "assessments.index", "/eias"),
        ("Action plans", "plans.index", "/plans"),
    ]
    if current_user.role in (Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER):
        items.append(("Quality audits", "samples.index", "/samples"))
        items.append(("Annual report", "reports.choose", "/reports"))
    if current_user.role in (Role.EQUALITIES, Role.ADMIN):
        items.append(("Audit log", "audit.index", "/audit-log"))
    if current_user.role is Role.ADMIN:
        items.append(("Admin", "admin.index", "/admin"))
    items.append(("Your account", "accounts.account", "/account"))
    nav = []
    for text, endpoint, prefix in items:
        href = url_for(endpoint)
        active = request.path == href or (prefix is not None and request.path.startswith(prefix))
        nav.append({"text": text, "href": href, "active": active})
    return nav


class DatabaseInt(IntegerConverter):
    """``<int:...>`` in a URL stops at the largest id the database holds (PostgreSQL's ``integer``),
    so a longer number is simply not found instead of an error from the database."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_web(app: Flask) -> None:
    """Install the request plumbing. Call before CSRF protection is registered so an idle session is
    ended (and its form kept) before the CSRF check would refuse the post. Call before any route is
    added, so every ``<int:...>`` uses :class:`DatabaseInt`."""
    app.url_map.converters["int"] = DatabaseInt
    if app.config["EIA_TRUSTED_PROXIES"]:
        n = app.config["EIA_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    app.before_request(_remember_client)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_end_idle_session)
    app.before_request(_require_password_change)
    app.after_request(_security_headers)

    @app.context_processor
    def layout_globals() -> dict[str, Any]:
        return {
            "council_name": app.config["EIA_COUNCIL_NAME"],
            "service_name": app.config["EIA_SERVICE_NAME"],
            "navigation": navigation,
        }
