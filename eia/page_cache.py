"""Public pages answered from memory while nothing has changed, with ``ETag`` and ``Last-Modified``.

Every change writes an audit-log entry, so the newest entry (and the newest signed checkpoint, which
the public pages show) tells whether a page can still be what it was: its ``ETag`` is made from them,
the day, the address and who is asking, and ``Last-Modified`` is the newest entry's time. A browser or
proxy that sends the tag back gets 304 without the page being built. For visitors who are not signed
in, each worker also keeps the finished page in memory (the last :data:`SIZE` pages), so a register
that thousands read costs one small query a view until the next change. :func:`fragment` keeps a
part of a signed-in page the same way (the annual report's figures, the same for all who may see it).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from threading import Lock
from typing import Any

from flask import Response, current_app, make_response, request, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from eia.auditlog.models import AuditCheckpoint, AuditEntry
from eia.db_types import utcnow
from eia.extensions import db

#: Pages kept per worker (a few hundred KB at most: register pages are 10-40 KB each).
SIZE = 128

_pages: OrderedDict[str, bytes] = OrderedDict()
_lock = Lock()


def data_version() -> tuple[str, Any]:
    """A tag of the data as it stands (the newest audit entry and checkpoint) and the newest entry's
    time, in one query."""
    newest = select(func.max(AuditCheckpoint.id)).scalar_subquery()
    row = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash, AuditEntry.occurred_at, newest).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if row is None:
        return "empty", None
    return f"{row[0]}:{row[1]}:{row[3]}", row[2]


def clear() -> None:
    """Forget every kept page (tests)."""
    with _lock:
        _pages.clear()


def _kept(tag: str) -> bytes | None:
    if not current_app.config["EIA_PAGE_CACHE"]:
        return None
    with _lock:
        body = _pages.get(tag)
        if body is not None:
            _pages.move_to_end(tag)
        return body


def _keep(tag: str, body: bytes) -> None:
    if not current_app.config["EIA_PAGE_CACHE"]:
        return
    with _lock:
        _pages[tag] = body
        while len(_pages) > SIZE:
            _pages.popitem(last=False)


def fragment(name: str, make: Callable[[], str]) -> Markup:
    """The HTML *make* renders for *name*, kept per worker until the data changes (or the day does):
    for a part of a page that is the same for everyone who may see it, like the annual report."""
    version, _ = data_version()
    tag = hashlib.sha256(f"{version}|{utcnow().date()}|{name}".encode()).hexdigest()[:32]
    body = _kept(tag)
    if body is None:
        body = make().encode()
        _keep(tag, body)
    return Markup(body.decode())


def public_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """Serve *view* (a public page that shows only what the audit log versions) with ``ETag`` and
    ``Last-Modified``, and from memory for visitors who are not signed in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        version, changed_at = data_version()
        who = current_user.get_id() if current_user.is_authenticated else "-"
        tag = hashlib.sha256(f"{version}|{utcnow().date()}|{request.full_path}|{who}".encode()).hexdigest()[:32]
        # A message waiting to be shown (after signing out, say) belongs to this visitor only.
        shared = who == "-" and not session.get("_flashes")
        body = _kept(tag) if shared else None
        if body is not None:
            response = Response(body, mimetype="text/html")
        else:
            response = make_response(view(*args, **kwargs))
            if shared and response.status_code == 200:
                _keep(tag, response.get_data())
        response.set_etag(tag)
        if changed_at is not None:
            response.last_modified = changed_at
        response.headers["Cache-Control"] = "no-cache" if shared else "private, no-cache"
        response.make_conditional(request)  # 304 (and no body) when the tag sent back still holds
        return response

    return wrapper
