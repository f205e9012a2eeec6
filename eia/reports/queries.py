"""Reading what the equalities team wrote about a year."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eia.extensions import db
from eia.reports.models import TextKind, YearText


def year_text(kind: TextKind, year: int) -> YearText | None:
    """The year's text of *kind* with who saved it last, or None before anyone has written it."""
    return db.session.execute(
        select(YearText).where(YearText.kind == kind, YearText.year == year).options(joinedload(YearText.updated_by))
    ).scalar_one_or_none()
