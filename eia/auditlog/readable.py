"""Audit entries in the words people use: the one place where an entry becomes what the history and
audit log pages, the CSV export and the documents show.

The log stores what happened as the code saw it (``owner_id: None → 1``, ``state: in_review →
approved``, UTC); a reader sees ``Owner: (dash) → Sam Patel``, ``State: In review → Approved`` and UK time.
The entries themselves never change (their hashes cover them): only how they are read does.

The log knows no domain, so each package that writes entries connects to ``signals.audit_glossary``
and returns a :class:`Glossary` for a batch of entries: the names it knows (people, assessments) and
how to read its fields, loaded in a fixed number of queries however many entries there are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from eia import signals
from eia.auditlog.models import AuditEntry
from eia.template_filters import format_date, format_uk_datetime

NOTHING = "–"


def show_value(value: Any) -> str:
    """A stored value as a person reads it when nothing more is known about its field."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)
    if isinstance(value, list):
        return "; ".join(show_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{words(str(k))}: {show_value(v)}" for k, v in value.items())
    text = str(value)
    return _as_time(text) or text


def _as_time(text: str) -> str | None:
    """An ISO date or time the log stored as text, in UK words (times in UK time)."""
    if not (10 <= len(text) <= 32 and text[:4].isdigit() and text[4:5] == "-"):
        return None
    try:
        if len(text) == 10:
            return format_date(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return format_uk_datetime(moment) if moment.tzinfo else format_date(moment)


def words(key: str) -> str:
    """``service_area_id`` → ``Service area``; ``mitigation.owner_id`` → ``Mitigation: owner``."""
    parts = [part.removesuffix("_id").replace("_", " ").strip() for part in key.split(".") if part]
    text = ": ".join(p for p in parts if p) or key
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Field:
    """How to read one field of an entry's changes."""

    label: str
    show: Callable[[Any], str] = show_value


@dataclass
class Glossary:
    """What one package knows about a batch of entries."""

    #: People by id (who acted, and people named in changes).
    names: dict[int, str] = field(default_factory=dict)
    #: ``(entity_type, entity_id)`` → what a person calls it, e.g. ``("eia", "12")`` → ``EIA-2026-0012``.
    subjects: dict[tuple[str, str], str] = field(default_factory=dict)
    #: ``(entry, key)`` → how to read that field, or None when this package does not know it.
    fields: Callable[[AuditEntry, str], Field | None] | None = None
    #: ``entry`` → its stored detail in words (``comment 16 on mitigations`` → ``On Mitigations``), or
    #: None when this package does not know it.
    details: Callable[[AuditEntry], str | None] | None = None


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class ReadableEntry:
    """An entry as a person reads it; ``entry`` keeps the stored one (its id, hash, address)."""

    entry: AuditEntry
    when: str
    who: str
    what: str
    subject: str
    changes: tuple[Change, ...]
    #: The stored detail in words: names and titles for ids and keys, UK dates.
    detail: str = ""

    @property
    def changes_text(self) -> str:
        return "\n".join(str(change) for change in self.changes)


#: What each action is called, where its name alone does not read well.
ACTION_WORDS = {
    "eia_created": "Started",
    "eia_submit": "Submitted for review",
    "eia_start_review": "Review started",
    "eia_return": "Returned to the author",
    "eia_approve": "Approved",
    "eia_sign_off": "Signed off",
    "eia_send_back_to_review": "Sent back to the equalities team",
    "eia_send_back_to_author": "Sent back to the author",
    "eia_review_due": "Due for review",
    "eia_docx_downloaded": "Downloaded as a Word document",
    "eia_publish": "Published",
    "eia_withdraw": "Reopened for a change",
    "eia_withdraw_submission": "Submission withdrawn",
    "eia_abandon": "Abandoned",
    "eia_restore": "Restored",
    "eia_section_saved": "Section saved",
    "eia_moved": "Service area changed",
    "eia_coauthor_added": "Co-author added",
    "eia_coauthor_removed": "Co-author removed",
    "eia_handed_over": "Handed over",
    "eia_reviewer_assigned": "Reviewer assigned",
    "year_text_saved": "Saved",
    "login": "Signed in",
    "login_failed": "Sign-in failed",
    "logout": "Signed out",
}


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or words(action.removeprefix("eia_"))


def _who(entry: AuditEntry, names: dict[int, str]) -> str:
    if entry.actor_id is None:
        return "The system" if entry.actor_label == "system" else entry.actor_label[:1].upper() + entry.actor_label[1:]
    name = names.get(entry.actor_id, entry.actor_label)
    token = entry.actor_label.find(" (API token ")
    return name + (entry.actor_label[token:] if token >= 0 else "")


def subject_ids(entries: Iterable[AuditEntry], entity_type: str) -> set[int]:
    """The ids of the *entity_type* rows that *entries* are about, for a glossary to name them."""
    return {int(e.entity_id) for e in entries if e.entity_type == entity_type and e.entity_id and e.entity_id.isdigit()}


def readable(entries: Iterable[AuditEntry]) -> list[ReadableEntry]:
    """*entries* in the words people use, in the same order (a fixed number of queries in all)."""
    batch = list(entries)
    if not batch:
        return []
    glossaries: list[Glossary] = signals.values_from(signals.audit_glossary.send(None, entries=batch))
    names: dict[int, str] = {}
    subjects: dict[tuple[str, str], str] = {}
    for glossary in glossaries:
        names |= glossary.names
        subjects |= glossary.subjects
    readers = [g.fields for g in glossaries if g.fields is not None]
    details = [g.details for g in glossaries if g.details is not None]
    return [_readable(entry, names, subjects, readers, details) for entry in batch]


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def dates_in_words(text: str) -> str:
    """*text* with the ISO dates in it as UK dates: ``on 2026-04-27`` → ``on 27 April 2026``."""
    return ISO_DATE.sub(lambda found: _as_time(found.group()) or found.group(), text)


def _readable(
    entry: AuditEntry,
    names: dict[int, str],
    subjects: dict[tuple[str, str], str],
    readers: Sequence[Callable[[AuditEntry, str], Field | None]],
    details: Sequence[Callable[[AuditEntry], str | None]] = (),
) -> ReadableEntry:
    subject = ""
    if entry.entity_type:
        subject = subjects.get((entry.entity_type, entry.entity_id or "")) or " ".join(
            filter(None, [words(entry.entity_type), entry.entity_id])
        )
    changes = []
    for key, values in (entry.changes or {}).items():
        reading = next((found for read in readers if (found := read(entry, key)) is not None), None)
        reading = reading or Field(words(key))
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        changes.append(Change(reading.label, reading.show(old) or NOTHING, reading.show(new) or NOTHING))
    return ReadableEntry(
        entry=entry,
        when=format_uk_datetime(entry.occurred_at),
        who=_who(entry, names),
        what=action_words(entry.action),
        subject=subject,
        changes=tuple(changes),
        detail=next((said for read in details if (said := read(entry)) is not None), None)
        or dates_in_words(entry.detail or ""),
    )
