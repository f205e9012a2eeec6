"""The audit log's words for people and service areas: names, not ids or email addresses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from eia.accounts.models import Role, ServiceArea, User
from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import Field, Glossary, show_value, subject_ids, words
from eia.extensions import db

#: Fields (the last part of a change's key) whose values are people's ids.
PERSON_FIELDS = frozenset(
    {
        "owner_id",
        "author_id",
        "reviewer_id",
        "coauthors",
        "handed_over_by_id",
        "decision_maker_id",
        "signed_off_by_id",
        "taken_by_id",
        "added_by_id",
        "updated_by_id",
        "dealt_with_by_id",
        "created_by_id",
        "user_id",
    }
)
AREA_FIELDS = frozenset({"service_area_id", "parent_id"})


def _ids(values: Any) -> set[int]:
    items = values if isinstance(values, list) else [values]
    found: set[int] = set()
    for item in items:
        if isinstance(item, list):
            found |= _ids(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            found.add(item)
    return found


def _named(names: dict[int, str], unknown: str) -> Any:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return "; ".join(show(v) for v in value) or show_value(None)
        if isinstance(value, int) and not isinstance(value, bool):
            return names.get(value, f"{unknown} {value} (removed)")
        return show_value(value)

    return show


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary:
    """Names of the people who acted and of the people and service areas the changes name (two
    queries at most)."""
    person_ids = {e.actor_id for e in entries if e.actor_id is not None}
    person_ids |= subject_ids(entries, "user")
    area_ids = subject_ids(entries, "service_area")
    for entry in entries:
        for key, values in (entry.changes or {}).items():
            last = key.rsplit(".", 1)[-1]
            if last in PERSON_FIELDS:
                person_ids |= _ids(values)
            elif last in AREA_FIELDS:
                area_ids |= _ids(values)
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(person_ids))).all()) if person_ids else {}
    )
    areas = (
        dict(db.session.execute(select(ServiceArea.id, ServiceArea.name).where(ServiceArea.id.in_(area_ids))).all())
        if area_ids
        else {}
    )
    person, area = _named(names, "person"), _named(areas, "service area")
    subjects = {("user", str(i)): name for i, name in names.items()}
    subjects |= {("service_area", str(i)): name for i, name in areas.items()}

    def fields(_entry: AuditEntry, key: str) -> Field | None:
        last = key.rsplit(".", 1)[-1]
        if last in PERSON_FIELDS:
            return Field("Co-author" if last == "coauthors" else words(key), person)
        if last in AREA_FIELDS:
            return Field(words(key) if last == "service_area_id" else "Part of", area)
        if last == "role":
            return Field("Role", _role)
        return None

    return Glossary(names=names, subjects=subjects, fields=fields)


def _role(value: Any) -> str:
    try:
        return Role(value).label
    except ValueError:
        return show_value(value)
