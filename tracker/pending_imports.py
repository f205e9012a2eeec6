"""An uploaded plan file between its preview and its confirmation: kept in the app's store (the local
folder, or the S3 store every server shares, so the confirmation may reach another server) under a
random name, named in the person's session, and forgotten when it is confirmed, replaced, or a day
old. Nothing is written to the database before the confirmation."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import session
from werkzeug.datastructures import FileStorage

from eia.storage import pending_store
from tracker import importing

PENDING_KEY = "pending_plan_import"
#: How long an upload may wait for its confirmation.
MAX_AGE_SECONDS = 86400


@dataclass(frozen=True)
class PendingImport:
    data: bytes
    #: The file's name as uploaded (no folders), for the messages and the audit log.
    name: str


#: A waiting file's name: when it was uploaded (seconds since 1970), a hyphen and a random token. The
#: store keeps no dates, so the name says how old the file is.
_NAME = re.compile(r"^(\d{1,12})-[0-9a-f]{32}$")


def _new_name() -> str:
    return f"{int(time.time())}-{secrets.token_hex(16)}"


def _waiting_name(pending: object) -> str | None:
    """The stored name a session's entry points at, when it looks like one this module made."""
    name = pending.get("token") if isinstance(pending, dict) else None
    return name if isinstance(name, str) and _NAME.match(name) else None


def _forget_pending() -> None:
    """Drop this person's previous upload, and any upload left unconfirmed for a day."""
    store = pending_store()
    name = _waiting_name(session.pop(PENDING_KEY, None))
    if name:
        store.delete(name)
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in store.names(""):
        found = _NAME.match(old)
        if found and int(found.group(1)) < cutoff:
            store.delete(old)


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
        name = _new_name()
        pending_store().write(name, data)
        session[PENDING_KEY] = {
            "token": name,
            "name": Path(file.filename if file and file.filename else "").name[:200],
        }
    return preview, None


def take_pending() -> PendingImport | None:
    """This person's upload waiting for its confirmation, taken out of the waiting room (so it is
    confirmed at most once), or None when there is none."""
    pending = session.pop(PENDING_KEY, None)
    name = _waiting_name(pending)
    if name is None:
        return None
    store = pending_store()
    data = store.read(name)
    if data is None:
        return None
    store.delete(name)
    return PendingImport(data, str(pending["name"]))


def outcome_message(name: str, counts: dict[str, int] | None) -> tuple[str, str]:
    """The message (and its flash category) for a confirmed import of *name*: what it added and
    changed, or that someone else had already imported it."""
    if counts is None:
        return f"{name} had already been imported by someone else: nothing changed.", "important"
    added, changed = counts["added"], counts["changed"]
    return f"Imported {name}: {added} action{'' if added == 1 else 's'} added, {changed} changed.", "success"
