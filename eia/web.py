"""Request plumbing shared by every page: security headers, paging, query arguments, navigation."""

from __future__ import annotations

from typing import Any, TypeGuard, overload
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from eia.extensions import db
from eia.roles import Role

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

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


def safe_next() -> str | None:
    """The ``next`` query parameter when it is a path on this site, else None."""
    target = request.args.get("next")
    return target if is_safe_next(target) else None


def is_safe_next(target: str | None) -> TypeGuard[str]:
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


def accepts_uploads(view: Any) -> Any:
    """Mark a view that takes a file: its request may be larger than ``MAX_CONTENT_LENGTH`` (up to
    ``EIA_UPLOAD_READ_LIMIT_MB``), so a file over the size limit is read, measured and refused with a
    message on the form, everything else typed kept, instead of a bare 413. Put it under the route."""
    view.accepts_uploads = True
    return view


def _allow_uploads(endpoint: str | None, _values: Any) -> None:
    """Before anything reads the body (CSRF protection does): raise the limit for upload views."""
    view = current_app.view_functions.get(endpoint or "")
    if view is not None and getattr(view, "accepts_uploads", False):
        request.max_content_length = current_app.config["EIA_UPLOAD_READ_LIMIT_MB"] * 1024 * 1024


def filter_args(*names: str) -> dict[str, str]:
    """The named query-string filters that are set, to rebuild list links (never arbitrary keys)."""
    return {name: request.args[name] for name in names if request.args.get(name)}


def paginate(query: Select, *, per_page: int, page: int | None = None) -> Pagination:
    """One page of *query*, the one ``page`` names or else ``?page=`` (Flask-SQLAlchemy's paginator:
    one query for the rows and one COUNT). A page past the last is empty, not an error; *query*
    selects one entity (the rows are its objects).

    :raises werkzeug.exceptions.BadRequest: when ``?page=`` is not a page number.
    """
    number = page if page is not None else int_arg("page", 1, maximum=10**6)
    return db.paginate(query, page=number, per_page=per_page, max_per_page=None, error_out=False)


def is_past_the_end(page: Pagination) -> bool:
    """Whether *page* is beyond the last page of the list (page 2 of a list that fits on one): a page
    that does not exist, to say so rather than show an empty list."""
    return page.page > 1 and page.page > page.pages


def form_version(posted: Any) -> int:
    """The version a form was opened at: a hidden field as posted (never its pre-filled value), or
    the raw text. Missing or tampered values simply cannot match, so the save is refused."""
    if hasattr(posted, "raw_data"):
        posted = posted.raw_data[0] if posted.raw_data else None
    raw = posted if isinstance(posted, str) else ""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else -1


@overload
def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = 10**9) -> int: ...
@overload
def int_arg(name: str, default: None = None, *, minimum: int = 1, maximum: int = 10**9) -> int | None: ...
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
        items.insert(1, ("Dashboard", "dashboard.show", "/dashboard"))
        items.append(("Quality audits", "samples.index", "/samples"))
        items.append(("Reports", "reports.choose", "/reports"))
    if current_user.role in (Role.EQUALITIES, Role.ADMIN):
        items.append(("Audit log", "audit.index", "/audit-log"))
    if current_user.role is Role.ADMIN:
        items.append(("Admin", "admin.index", "/admin"))
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
    """Install the request plumbing. Call before any route is added, so every ``<int:...>`` uses
    :class:`DatabaseInt`."""
    app.url_map.converters["int"] = DatabaseInt
    if app.config["EIA_TRUSTED_PROXIES"]:
        n = app.config["EIA_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    app.url_value_preprocessor(_allow_uploads)
    app.before_request(_remember_client)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)

    @app.context_processor
    def layout_globals() -> dict[str, Any]:
        return {
            "council_name": app.config["EIA_COUNCIL_NAME"],
            "service_name": app.config["EIA_SERVICE_NAME"],
            "guidance_url": app.config.get("EIA_GUIDANCE_URL", ""),
            "navigation": navigation,
        }
