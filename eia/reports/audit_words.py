"""The audit log's words for the yearly texts: which text of which year, not ``Year text 2``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import Field, Glossary
from eia.extensions import db
from eia.reports.models import TextKind, YearText

#: What each kind of yearly text is called in the log, before its year.
TEXT_NAMES = {
    TextKind.REPORT_COMMENTARY: "The annual report's commentary and recommendations",
    TextKind.EQUALITY_INFORMATION: "The equality information's narrative",
}


def year_text_name(kind: TextKind, year: int) -> str:
    """``The annual report's commentary and recommendations for 2025 to 2026``."""
    return f"{TEXT_NAMES[kind]} for {year} to {year + 1}"


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary:
    """The yearly texts the entries name (one query at most)."""
    ids = {int(e.entity_id) for e in entries if e.entity_type == "year_text" and e.entity_id and e.entity_id.isdigit()}
    names: dict[tuple[str, str], str] = {}
    if ids:
        for row in db.session.execute(select(YearText.id, YearText.kind, YearText.year).where(YearText.id.in_(ids))):
            names[("year_text", str(row.id))] = year_text_name(row.kind, row.year)

    def fields(entry: AuditEntry, key: str) -> Field | None:
        return Field("Text") if entry.entity_type == "year_text" and key == "body" else None

    return Glossary(subjects=names, fields=fields)
