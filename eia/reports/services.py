"""Writing what the equalities team says about a year."""

from __future__ import annotations

from eia.accounts.models import User
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, check_version
from eia.extensions import db
from eia.reports import queries
from eia.reports.models import TextKind, YearText

MAX_TEXT = 20_000


def save_year_text(kind: TextKind, year: int, body: str, *, expected_version: int, by: User) -> YearText:
    """Save a new version of the year's text of *kind*, with the old and new text in the audit log.

    :raises ConflictError: if someone saved it after *expected_version* (0: it did not exist).
    :raises ValidationFailed: if it is too long.
    """
    body = body.strip()
    if len(body) > MAX_TEXT:
        raise ValidationFailed("Too long", {"body": f"Write {MAX_TEXT:,} characters or fewer"})
    text = queries.year_text(kind, year)
    if text is None:  # the first version; the unique key refuses a second one written at the same time
        text = YearText(kind=kind, year=year, body="")
        db.session.add(text)
    else:
        check_version(text, expected_version, _clash(kind))
    old = text.body
    text.body, text.updated_at, text.updated_by_id = body, utcnow(), by.id
    db.session.flush()
    audit.record(
        "year_text_saved",
        text,
        by=by,
        entity_type="year_text",
        detail=f"{kind.label} for {year}/{(year + 1) % 100:02d}, version {text.version}",
        changes={"body": [old or None, body]},
    )
    return text


def _clash(kind: TextKind) -> str:
    return f"Someone else saved the {kind.label.lower()} after you opened it."
