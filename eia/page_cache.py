"""Public pages answered from memory while nothing has changed, with ``ETag`` and ``Last-Modified``.

Every change writes an audit-log entry, so the newest entry (and the newest signed checkpoint, which
the public pages show) tells whether a page can still be what it was: its ``ETag`` is made from them,
the day, the address and who is asking, and ``Last-Modified`` is the newest entry's time. A browser or
proxy that sends the tag back gets 304 without the page being built. For visitors who are not signed
in, each worker also keeps the finished page in memory (the last :data:`SIZE` pages), so a register
that thousands read costs one small query a view until the next change. :func:`fragment` keeps a
part of a signed-in page the same way (the annual report's figures, the same for all who may see it).

:func:`signed_in_page` keeps the pages a signed-in person reads most (My work, the lists, an
assessment's pages, the dashboards) per person in the same way, with the parts that belong to the
request alone (the form token, when the session ends) made afresh each time.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import cache, wraps
from threading import Lock
from time import monotonic
from typing import Any

from flask import Response, current_app, g, make_response, message_flashed, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Select, func, select

from eia.auditlog.models import AuditCheckpoint, AuditEntry
from eia.db_types import utcnow
from eia.extensions import db
from eia.template_filters import UK

#: Pages kept per worker (a few hundred KB at most: register pages are 10-40 KB each).
SIZE = 128

#: Each kept public page (or fragment) with its content type.
_pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
_lock = Lock()

#: Signed-in pages kept per worker (each 10-70 KB), apart from the public ones: at most this many,
#: holding at most PRIVATE_CHARS characters in all, none longer than PRIVATE_PAGE_CHARS.
PRIVATE_SIZE = 128
PRIVATE_CHARS = 8_000_000
PRIVATE_PAGE_CHARS = 500_000
_private: OrderedDict[str, tuple[list[str], list[tuple[str, str]], int]] = OrderedDict()
_private_chars = 0
#: The headers a kept signed-in page or API answer is served with (the rest are made per request).
_KEPT_HEADERS = {"content-type", "x-pagination", "link"}


def data_version() -> tuple[str, Any]:
    """A tag of the data as it stands (the newest audit entry and checkpoint) and the newest entry's
    time, in one query."""
    row = db.session.execute(_data_version_query()).first()
    if row is None:
        return "empty", None
    return f"{row[0]}:{row[1]}:{row[3]}", row[2]


@cache
def _data_version_query() -> Select[tuple[int, str, Any, int | None]]:
    # Built once: every kept page asks it, and building the statement cost as much as running it.
    newest = select(func.max(AuditCheckpoint.id)).scalar_subquery()
    return (
        select(AuditEntry.seq, AuditEntry.hash, AuditEntry.occurred_at, newest).order_by(AuditEntry.seq.desc()).limit(1)
    )


#: The data version last read for visitors who are not signed in, and when (``time.monotonic``).
_public_version: tuple[float, tuple[str, Any]] | None = None


def _public_data_version() -> tuple[str, Any]:
    """:func:`data_version` for a visitor who is not signed in, read at most once every
    ``EIA_PUBLIC_PAGE_SECONDS`` by each worker: between readings a kept register page is served
    without asking the database anything, and a change shows there that much later at most."""
    global _public_version
    hold = current_app.config["EIA_PUBLIC_PAGE_SECONDS"]
    now = monotonic()
    held = _public_version
    if held is not None and now - held[0] < hold:
        return held[1]
    version = data_version()
    _public_version = (now, version)
    return version


def clear() -> None:
    """Forget every kept page (tests)."""
    global _private_chars, _public_version
    with _lock:
        _pages.clear()
        _private.clear()
        _private_chars = 0
        _public_version = None


def _kept(tag: str) -> tuple[bytes, str] | None:
    if not current_app.config["EIA_PAGE_CACHE"]:
        return None
    with _lock:
        found = _pages.get(tag)
        if found is not None:
            _pages.move_to_end(tag)
        return found


def _keep(tag: str, body: bytes, mimetype: str = "text/html") -> None:
    if not current_app.config["EIA_PAGE_CACHE"]:
        return
    with _lock:
        _pages[tag] = (body, mimetype)
        while len(_pages) > SIZE:
            _pages.popitem(last=False)


def fragment(name: str, make: Callable[[], str]) -> Markup:
    """The HTML *make* renders for *name*, kept per worker until the data changes (or the day does):
    for a part of a page that is the same for everyone who may see it, like the annual report."""
    version, _ = data_version()
    tag = hashlib.sha256(f"{version}|{utcnow().date()}|{name}".encode()).hexdigest()[:32]
    found = _kept(tag)
    body = make().encode() if found is None else found[0]
    if found is None:
        _keep(tag, body)
    return Markup(body.decode())


def public_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """Serve *view* (a public page or feed that shows only what the audit log versions, as of today)
    with ``ETag`` and ``Last-Modified``, and from memory for visitors who are not signed in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        who = current_user.get_id() if current_user.is_authenticated else "-"
        # A message waiting to be shown (after signing out, say) belongs to this visitor only.
        shared = who == "-" and not session.get("_flashes")
        version, changed_at = (
            _public_data_version() if shared and current_app.config["EIA_PAGE_CACHE"] else data_version()
        )
        tag = hashlib.sha256(f"{version}|{utcnow().date()}|{request.full_path}|{who}".encode()).hexdigest()[:32]
        found = _kept(tag) if shared else None
        if found is not None:
            response = Response(found[0], mimetype=found[1])
        else:
            response = make_response(view(*args, **kwargs))
            if shared and response.status_code == 200:
                _keep(tag, response.get_data(), response.mimetype or "text/html")
        if not shared:
            # A signed-in person's copy holds their name, their form token and when their session
            # ends: never stored by the browser (the app's rule for pages with personal data).
            response.headers["Cache-Control"] = "no-store"
            return response
        response.set_etag(tag)
        if changed_at is not None:
            # The page also changes with the day (its year filters, what is published by then).
            response.last_modified = max(changed_at, datetime.combine(utcnow().date(), time(), UTC))
        response.headers["Cache-Control"] = "no-cache"
        response.make_conditional(request)  # 304 (and no body) when the tag sent back still holds
        return response

    return wrapper


# Signed-in pages -----------------------------------------------------------------------------------

#: The request's own parts of a kept page are held as these marks (a page never holds a NUL byte).
_MARK = "\x00{}\x00"
_MARKS = re.compile("\x00([0-9]+)\x00")
#: Templates rendered for each request into a kept signed-in page (what base.html includes).
_SESSION_PARTS = ("_macros/session_ends.html", "_macros/timeout_warning.html")


def _request_parts() -> list[str]:
    """What a signed-in page holds that belongs to this request alone: when the session ends (its
    two parts of the layout) and the form token, in the order they are taken out of a page."""
    if session.get("last_seen") is None:
        return [generate_csrf()]
    context: dict[str, Any] = {}
    current_app.update_template_context(context)  # once for both parts (render_template would twice)
    environment = current_app.jinja_env
    return [*(environment.get_template(name).render(context) for name in _SESSION_PARTS), generate_csrf()]


def _hollow(body: str, parts: list[str]) -> list[str] | None:
    """*body* cut around the request's own *parts*: the text between them, with each part's number
    in its place (odd positions); None if a part of the layout is not found as rendered (then the
    page is not kept)."""
    for n, part in enumerate(parts):
        if part not in body and n < len(parts) - 1:
            return None
        body = body.replace(part, _MARK.format(n))
    return _MARKS.split(body)


def _fill(pieces: list[str], parts: list[str]) -> str:
    return "".join(parts[int(piece)] if n % 2 else piece for n, piece in enumerate(pieces))


def _keep_private(tag: str, body: list[str], headers: list[tuple[str, str]], chars: int) -> None:
    """Keep a signed-in page, forgetting the least recently used ones beyond the count or the size."""
    global _private_chars
    with _lock:
        old = _private.pop(tag, None)
        _private_chars -= old[2] if old else 0
        _private[tag] = (body, headers, chars)
        _private_chars += chars
        while len(_private) > PRIVATE_SIZE or _private_chars > PRIVATE_CHARS:
            _private_chars -= _private.popitem(last=False)[1][2]


def kept_private_chars() -> int:
    """How many characters the kept signed-in pages hold (for tests and the curious)."""
    return _private_chars


def _note_flash(_app: Any, **_extra: Any) -> None:
    g.page_cache_flashed = True


message_flashed.connect(_note_flash)


def signed_in_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve *view* (a GET page for the signed-in person that shows only what the audit log versions,
    as of today) from this worker's memory until the data changes: one small query a view instead of
    the page's own. Put it under ``login_required``, so a visitor who is not signed in never gets here.

    A page is kept for one person and address only, never with a message flashed for them or a form
    restored after their session ended; the form token and when the session ends are put back in
    for each request. Permission checks run in the view, so a kept page is one the same person was
    allowed to see at the same version of the data."""
    return _kept_per_person(view, _request_parts)


def api_answer(view: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`signed_in_page` for a JSON list of the API (the token's owner is the person): kept
    with the headers the view gave it (its paging), under the permission check, above the parsing
    of its arguments."""
    return _kept_per_person(view, list)


def _kept_per_person(view: Callable[..., Any], request_parts: Callable[[], list[str]]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if (
            not current_app.config["EIA_PAGE_CACHE"]
            or request.method != "GET"
            or not current_user.is_authenticated
            or session.get("_flashes")
            or g.get("restored_formdata") is not None
        ):
            return view(*args, **kwargs)
        g.pop("page_cache_flashed", None)
        version, _ = data_version()
        days = f"{utcnow().date()}|{utcnow().astimezone(UK).date()}"
        tag = hashlib.sha256(f"{version}|{days}|{current_user.get_id()}|{request.url}".encode()).hexdigest()
        with _lock:
            kept = _private.get(tag)
            if kept is not None:
                _private.move_to_end(tag)
        if kept is not None:
            return Response(_fill(kept[0], request_parts()), headers=kept[1])
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not g.get("page_cache_flashed") and not response.direct_passthrough:
            text = response.get_data(as_text=True)
            # A NUL in what a page shows could pass for a mark; a very long page is not worth memory.
            body = None if "\x00" in text or len(text) > PRIVATE_PAGE_CHARS else _hollow(text, request_parts())
            if body is not None:
                headers = [(name, value) for name, value in response.headers if name.lower() in _KEPT_HEADERS]
                _keep_private(tag, body, headers, len(text))
        return response

    return wrapper
