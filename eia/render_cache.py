"""Rendered files (the annual report's PDF, a published assessment's PDF) made once and kept.

A file is named by what it shows (its *key* changes whenever the data does), so a cached copy is
always current. Copies live in the app's store (:func:`eia.storage.rendered_store`: the local
``EIA_REPORT_DIR`` or the shared S3 store), so a file rendered by one server is served by every
other. Only one worker renders a given file at a time, on every server: a PostgreSQL advisory lock
(or, on the embedded SQLite database, which serves one machine, a lock on a file in
``EIA_REPORT_DIR``). A request that finds someone else rendering is told so at once instead of
rendering it again.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from eia import metrics
from eia.extensions import db
from eia.storage import rendered_store


def _lock_folder() -> Path:
    folder = Path(current_app.config["EIA_REPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _engine() -> Engine:
    bind = db.engines[None]
    return bind.engine if isinstance(bind, Connection) else bind


@contextmanager
def render_lock(name: str) -> Iterator[bool]:
    """Whether this worker holds the right to render *name* (False: someone else is rendering it).
    Never waits."""
    engine = _engine()
    if engine.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(f"eia-render:{name}".encode()).digest()[:8], "big", signed=True)
        with engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:n)"), {"n": number}).scalar())
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:n)"), {"n": number})
                conn.rollback()
        return
    with (_lock_folder() / f"{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def preparing(what: str, retry_seconds: int = 10) -> tuple[str, int, dict[str, str]]:
    """The page for a file someone else is rendering: it asks the browser to try again shortly."""
    from flask import render_template

    page = render_template("preparing.html", what=what, retry_seconds=retry_seconds)
    return page, 503, {"Retry-After": str(retry_seconds)}


def cached(name: str, key: str, render: Callable[[], bytes]) -> bytes | None:
    """The file for *name* at *key*: from the store, else rendered now by this worker (replacing the
    copies of older keys). None when another worker is rendering it at this moment."""
    store = rendered_store()
    stored_name = f"{name}--{key}.pdf"
    body = store.read(stored_name)
    if body is not None:
        return body
    with render_lock(name) as mine:
        if not mine:
            return None
        body = store.read(stored_name)  # rendered by the worker that held the lock just before
        if body is not None:
            return body
        with metrics.PDF_RENDER_SECONDS.labels(kind=_kind(name)).time():
            body = render()
        metrics.PDF_RENDERS.labels(kind=_kind(name)).inc()
        store.write(stored_name, body)
        for old in store.names(f"{name}--"):
            if old != stored_name and old.endswith(".pdf"):
                store.delete(old)
        return body


def _kind(name: str) -> str:
    """The kind of file, for the metrics (never the assessment's reference, which would make a
    series per assessment)."""
    for prefix, kind in _KINDS:
        if name.startswith(prefix):
            return kind
    return "assessment"


_KINDS = (
    ("eia-report-", "annual_report"),
    ("members-pack-", "members_pack"),
    ("equality-information-", "equality_information"),
)
