"""An uploaded plan file between its preview and its confirmation: kept outside the web root under a
random name, named in the person's session, and forgotten when it is confirmed, replaced, or a day
old. Nothing is written to the database before the confirmation."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session
from werkzeug.datastructures import FileStorage

from tracker import importing

PENDING_KEY = "pending_plan_import"
#: How long an upload may wait for its confirmation.
MAX_AGE_SECONDS = 86400


@dataclass(frozen=True)
class PendingImport:
    data: bytes
    #: The file's name as uploaded (no folders), for the messages and the audit log.
    name: str


def _pending_dir() -> Path:
    """Uploaded plan files wait here between the preview and the confirmation."""
    return Path(current_app.config["EIA_EVIDENCE_DIR"]) / "pending-imports"


def _forget_pending() -> None:
    """Drop this person's previous upload, and any upload left unconfirmed for a day."""
    pending = session.pop(PENDING_KEY, None)
    if pending and str(pending.get("token", "")).isalnum():
        (_pending_dir() / pending["token"]).unlink(missing_ok=True)
    if _pending_dir().is_dir():
        cutoff = time.time() - MAX_AGE_SECONDS
        for old in _pending_dir().iterdir():
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)


def preview_upload(
    file: FileStorage | None,
) -> tuple[importing.ImportPreview | None, list[importing.RowProblem] | None]:
    """What importing *file* would add and change, or the problems that stop it (``(preview, None)``
    or ``(None, problems)``). A file with changes waits for its confirmation in place of any earlier one."""
    data = file.stream.read(importing.MAX_IMPORT_BYTES + 1) if file and file.filename else b""
    try:
        preview = importing.preview_import(importing.read_rows(data))
    except importing.ImportFailed as exc:
        return None, exc.problems
    _forget_pending()
    if preview.has_changes:
        token = secrets.token_hex(16)
        _pending_dir().mkdir(parents=True, exist_ok=True)
        (_pending_dir() / token).write_bytes(data)
        session[PENDING_KEY] = {
            "token": token,
            "name": Path(file.filename if file and file.filename else "").name[:200],
        }
    return preview, None


def take_pending() -> PendingImport | None:
    """This person's upload waiting for its confirmation, taken out of the waiting room (so it is
    confirmed at most once), or None when there is none."""
    pending = session.pop(PENDING_KEY, None)
    path = _pending_dir() / pending["token"] if pending and str(pending.get("token", "")).isalnum() else None
    if path is None or not path.is_file():
        return None
    try:
        return PendingImport(path.read_bytes(), pending["name"])
    finally:
        path.unlink(missing_ok=True)


def outcome_message(name: str, counts: dict[str, int] | None) -> tuple[str, str]:
    """The message (and its flash category) for a confirmed import of *name*: what it added and
    changed, or that someone else had already imported it."""
    if counts is None:
        return f"{name} had already been imported by someone else: nothing changed.", "important"
    added, changed = counts["added"], counts["changed"]
    return f"Imported {name}: {added} action{'' if added == 1 else 's'} added, {changed} changed.", "success"
