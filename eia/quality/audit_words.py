"""The audit log's words for quality audits: each rubric criterion by its title, scores in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import Field, Glossary, show_value
from eia.extensions import db
from eia.quality.models import Rubric

SCORES = {0: "0 (absent)", 1: "1 (partial)", 2: "2 (good)"}
QUALITY_ENTITIES = frozenset({"quality_score", "quality_finding", "sample"})


def _score(value: Any) -> str:
    return SCORES.get(value, show_value(value)) if isinstance(value, int) else show_value(value)


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary | None:
    """Criterion titles from the rubrics (one query, only when the entries include quality audits)."""
    if not any(e.entity_type in QUALITY_ENTITIES for e in entries):
        return None
    titles: dict[str, str] = {}
    for criteria in db.session.execute(select(Rubric.criteria).order_by(Rubric.version)).scalars():
        titles |= {c["key"]: c.get("title") or c["key"] for c in criteria}

    def criterion(value: Any) -> str:
        return titles.get(value, show_value(value)) if isinstance(value, str) else show_value(value)

    def fields(entry: AuditEntry, key: str) -> Field | None:
        if entry.entity_type not in QUALITY_ENTITIES:
            return None
        if key in titles:
            return Field(titles[key], _score)
        if key.startswith("comment.") and key.removeprefix("comment.") in titles:
            return Field(f"Comment on {titles[key.removeprefix('comment.')].lower()}")
        if key == "criterion":
            return Field("Criterion", criterion)
        return None

    return Glossary(fields=fields)
