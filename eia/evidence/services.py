"""Adding and removing evidence. Every change is audit-logged against the thing the evidence supports."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from eia.accounts.models import User
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, WorkflowError
from eia.evidence.filetypes import NotAllowed, detect
from eia.evidence.models import EvidenceItem, EvidenceKind
from eia.evidence.storage import EvidenceStore
from eia.extensions import db
from eia.template_filters import megabytes
from eia.working_days import uk_today

if TYPE_CHECKING:
    from eia.assessments.models import Characteristic

CHUNK = 64 * 1024


def subject_type_of(subject: Any) -> str:
    """``eia``, ``progress_update`` ...: the subject's class name in snake case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", subject.__class__.__name__).lower()


def clean_file_name(name: str | None) -> str:
    """The name people will see for a file, refusing what could be a path or a control character.

    :raises ValidationFailed: for names with ``/``, ``\\``, ``..`` or control characters.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("The file has no name", {"file": "The selected file has no name"})
    if "/" in name or "\\" in name or name in {".", ".."} or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValidationFailed(
            "The file name is not allowed",
            {
                "file": "The file name contains characters that are not allowed (/, \\ or control characters). Rename the file and try again"
            },
        )
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 195 - len(extension)] + dot + extension) if dot else name[:200]
    return name


def _read_capped(stream: IO[bytes], max_bytes: int) -> bytes:
    """Read at most *max_bytes* (+1 to tell it was more), in chunks: an oversized file is never read whole."""
    parts: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _rest_of(stream: IO[bytes]) -> int:
    """How many bytes are left in *stream*, read in chunks and thrown away (the body is capped by
    the request's size limit, so this ends)."""
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
    return total


def too_big(size: int, max_bytes: int) -> str:
    """``The file is 30 MB. Files must be 20 MB or smaller.``"""
    return f"The file is {megabytes(size)}. Files must be {megabytes(max_bytes)} or smaller."


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and len(url) <= 2000


def _problems(kind: EvidenceKind, values: dict[str, Any], *, has_file: bool) -> dict[str, str]:
    """Every problem with *values* for evidence of *kind*, at once: the title, the date, and the file
    (chosen at all: its content is checked as it is read), the web address or the note."""
    problems = {}
    if not (values.get("title") or "").strip():
        problems["title"] = "Enter a title for this evidence"
    when = values.get("evidence_date")
    if when and when > uk_today():
        problems["evidence_date"] = "The evidence date cannot be in the future"
    if kind is EvidenceKind.FILE and not has_file:
        problems["file"] = "Select a file to upload"
    if kind is EvidenceKind.LINK and not _is_web_address((values.get("url") or "").strip()):
        problems["url"] = "Enter a web address starting with https:// or http://"
    if kind is EvidenceKind.NOTE and not (values.get("note") or "").strip():
        problems["note"] = "Enter the note"
    return problems


def _refuse(problems: dict[str, str]) -> None:
    """:raises ValidationFailed: with every problem (named by the only one, when there is one)."""
    if problems:
        message = next(iter(problems.values())) if len(problems) == 1 else "Some answers need attention"
        raise ValidationFailed(message, problems)


def _read_file(
    stream: IO[bytes], file_name: str | None, max_bytes: int, problems: dict[str, str]
) -> tuple[str, bytes, Any] | None:
    """The file's clean name, its bytes and what it is; or None, with what is wrong with it in *problems*."""
    try:
        name = clean_file_name(file_name)
    except ValidationFailed as exc:
        problems |= exc.fields
        return None
    data = _read_capped(stream, max_bytes)
    if len(data) > max_bytes:
        problems["file"] = too_big(len(data) + _rest_of(stream), max_bytes)
        return None
    try:
        return name, data, detect(data, name)
    except NotAllowed as exc:
        problems["file"] = str(exc)
        return None


def check_evidence(
    kind: EvidenceKind,
    values: dict[str, Any],
    *,
    stream: IO[bytes] | None = None,
    file_name: str | None = None,
    max_bytes: int,
) -> None:
    """Check evidence of *kind* as adding it would, reading a file but storing nothing (a page whose
    form found a problem shows the service's too, all in one round).

    :raises ValidationFailed: naming every problem.
    """
    problems = _problems(kind, values, has_file=stream is not None)
    if kind is EvidenceKind.FILE and stream is not None:
        _read_file(stream, file_name, max_bytes, problems)
    _refuse(problems)


def _common(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": (values.get("title") or "").strip()[:200],
        "description": (values.get("description") or "").strip(),
        "source": (values.get("source") or "").strip()[:300],
        "evidence_date": values.get("evidence_date"),
        "sections": list(values.get("sections") or []),
        "is_public": bool(values.get("is_public")),
    }


def _record(subject: Any, item: EvidenceItem, characteristics: Iterable[Characteristic], by: User, action: str) -> None:
    item.characteristics = list(characteristics)
    db.session.add(item)
    db.session.flush()
    changes = {
        "evidence.id": [None, item.id],
        "evidence.kind": [None, item.kind.value],
        "evidence.title": [None, item.title],
        "evidence.characteristics": [None, [c.key for c in item.characteristics]],
        "evidence.sections": [None, item.sections],
        "evidence.public": [None, item.is_public],
    }
    if item.kind is EvidenceKind.FILE:
        changes |= {"evidence.sha256": [None, item.sha256], "evidence.size": [None, item.size]}
    audit.record(action, subject, by=by, detail=f"evidence {item.id}: {item.title}", changes=changes)


def add_file(
    subject: Any,
    values: dict[str, Any],
    *,
    stream: IO[bytes] | None,
    file_name: str | None,
    characteristics: Iterable[Characteristic],
    by: User,
    store: EvidenceStore,
    max_bytes: int,
) -> EvidenceItem:
    """Check an uploaded file by its content and size, store it under a generated name and record it.

    :raises ValidationFailed: naming the problem (no file, empty, too big, not an allowed type, a bad
        name, or the same file already attached); nothing is stored then.
    """
    problems = _problems(EvidenceKind.FILE, values, has_file=stream is not None)
    read = _read_file(stream, file_name, max_bytes, problems) if stream is not None else None
    _refuse(problems)
    assert read is not None  # no problem, so the file was read
    name, data, kind = read
    common = _common(values)
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.execute(
        select(EvidenceItem).where(
            EvidenceItem.subject_type == subject_type_of(subject),
            EvidenceItem.subject_id == subject.id,
            EvidenceItem.sha256 == digest,
            EvidenceItem.removed_at.is_(None),
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise ValidationFailed(
            "This file is already attached",
            {"file": f"This file is already attached as '{existing.title}', added on {existing.added_at:%d %B %Y}"},
        )
    stem = name.rsplit(".", 1)[0] if "." in name else name
    name = f"{stem}.{kind.extension}"  # what it is, not what it was called: no .html or .svg downloads
    stored = store.put(iter([data]))
    item = EvidenceItem(
        subject_type=subject_type_of(subject),
        subject_id=subject.id,
        kind=EvidenceKind.FILE,
        file_name=name,
        stored_name=stored.name,
        content_type=kind.content_type,
        size=stored.size,
        sha256=stored.sha256,
        added_by_id=by.id,
        added_at=utcnow(),
        **common,
    )
    try:
        _record(subject, item, characteristics, by, "evidence_added")
    except Exception:
        store.delete(stored.name)  # the database refused it: keep no orphan bytes
        raise
    return item


def add_link(
    subject: Any, values: dict[str, Any], *, characteristics: Iterable[Characteristic], by: User
) -> EvidenceItem:
    """A link to evidence published elsewhere (http or https only)."""
    _refuse(_problems(EvidenceKind.LINK, values, has_file=False))
    common = _common(values)
    url = (values.get("url") or "").strip()
    item = EvidenceItem(
        subject_type=subject_type_of(subject), subject_id=subject.id, kind=EvidenceKind.LINK, url=url,
        added_by_id=by.id, added_at=utcnow(), **common,
    )  # fmt: skip
    _record(subject, item, characteristics, by, "evidence_added")
    return item


def add_note(
    subject: Any, values: dict[str, Any], *, characteristics: Iterable[Characteristic], by: User
) -> EvidenceItem:
    """A note: what someone was told, observed or found, in their own words."""
    _refuse(_problems(EvidenceKind.NOTE, values, has_file=False))
    common = _common(values)
    note = (values.get("note") or "").strip()
    item = EvidenceItem(
        subject_type=subject_type_of(subject), subject_id=subject.id, kind=EvidenceKind.NOTE, note=note,
        added_by_id=by.id, added_at=utcnow(), **common,
    )  # fmt: skip
    _record(subject, item, characteristics, by, "evidence_added")
    return item


def remove_evidence(subject: Any, item: EvidenceItem, *, reason: str, by: User) -> None:
    """Take evidence off (the bytes are kept for the retention period).

    :raises ValidationFailed: without a reason. :raises WorkflowError: if already removed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Give a reason", {"reason": "Enter why this evidence is being removed"})
    if item.is_removed:
        raise WorkflowError("This evidence has already been removed.")
    item.removed_at = utcnow()
    item.removed_by_id = by.id
    item.removal_reason = reason
    audit.record(
        "evidence_removed",
        subject,
        by=by,
        detail=f"evidence {item.id}: {item.title}; reason: {reason[:300]}",
        changes={"evidence.removed": [False, True]},
    )
    db.session.flush()


def purge_removed_files(store: EvidenceStore, *, retention_days: int, now: datetime | None = None, by: Any) -> int:
    """Delete the bytes of files removed longer ago than the retention period; the record stays."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    items = (
        db.session.execute(
            select(EvidenceItem).where(
                EvidenceItem.kind == EvidenceKind.FILE,
                EvidenceItem.removed_at < cutoff,
                EvidenceItem.bytes_purged_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
    for item in items:
        if item.stored_name:  # a file always has one
            store.delete(item.stored_name)
        item.bytes_purged_at = now or utcnow()
        audit.record(
            "evidence_bytes_purged",
            item,
            by=by,
            detail=f"removed {item.removed_at:%Y-%m-%d}; retention {retention_days} days",
        )
    db.session.flush()
    return len(items)
