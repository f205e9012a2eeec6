"""The audit log's words for assessments: references, not ids; question labels, not keys; states,
directions and statuses in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from eia.assessments.models import Characteristic, Eia, FormTemplate
from eia.assessments.states import (
    DecidingBody,
    DecisionOutcome,
    Direction,
    EiaKind,
    EiaState,
    MitigationStatus,
    SectionStatus,
    Severity,
)
from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import Field, Glossary, show_value, words
from eia.extensions import db
from forms.definitions import FormDefinition

#: Fields whose stored values are one of these enums, shown by their labels.
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "state": EiaState,
    "kind": EiaKind,
    "status": SectionStatus,
    "direction": Direction,
    "severity": Severity,
    "deciding_body": DecidingBody,
    "outcome": DecisionOutcome,
}
FIELD_LABELS = {
    "state": "State",
    "kind": "Type",
    "title": "Title",
    "description": "Effect on people",
    "who_affected": "Who exactly",
    "evidence": "Evidence",
    "finding_out": "What will be done to find out",
    "characteristic_id": "Characteristic",
    "due_on": "Due",
    "measure": "How its effect will be measured",
}


def _enum(kind: type[StrEnum]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        try:
            return kind(value).label  # type: ignore[attr-defined]
        except ValueError:
            return show_value(value)

    return show


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary:
    """References of the assessments on the page, the question labels of their form templates and
    the characteristic register (three queries at most)."""
    eia_ids = {int(e.entity_id) for e in entries if e.entity_type == "eia" and e.entity_id and e.entity_id.isdigit()}
    rows = (
        db.session.execute(select(Eia.id, Eia.reference, Eia.template_id).where(Eia.id.in_(eia_ids))).all()
        if eia_ids
        else []
    )
    template_of = {str(row.id): row.template_id for row in rows}
    forms: dict[int, FormDefinition] = {}
    characteristics: dict[str, str] = {}
    by_id: dict[int, str] = {}
    if rows:
        for template in db.session.execute(
            select(FormTemplate).where(FormTemplate.id.in_({row.template_id for row in rows}))
        ).scalars():
            forms[template.id] = template.form
        for row in db.session.execute(select(Characteristic.id, Characteristic.key, Characteristic.name)):
            characteristics[row.key] = row.name
            by_id[row.id] = row.name

    def characteristic(value: Any) -> str:
        return by_id.get(value, show_value(value)) if isinstance(value, int) else show_value(value)

    def fields(entry: AuditEntry, key: str) -> Field | None:
        if entry.entity_type != "eia":
            return None
        parts = key.split(".")
        last = parts[-1]
        form = forms.get(template_of.get(entry.entity_id or "", -1))
        if len(parts) == 3 and parts[0] == "impacts" and parts[1] in characteristics:
            label = f"Impact on {characteristics[parts[1]].lower()}: {FIELD_LABELS.get(last, words(last)).lower()}"
            return Field(label, _enum(ENUM_FIELDS[last]) if last in ("direction", "severity") else show_value)
        if len(parts) == 2 and parts[0] == "mitigation":
            label = "Mitigation: " + FIELD_LABELS.get(last, words(last)).lower()
            if last == "characteristic_id":
                return Field(label, characteristic)
            return Field(label, _enum(MitigationStatus) if last == "status" else show_value)
        section = form.section(parts[0]) if form is not None and len(parts) == 2 else None
        if section is not None:
            if last == "status":
                return Field(f"{section.title}: progress", _enum(SectionStatus))
            question = section.question(last)
            if question is not None:
                return Field(
                    question.label, lambda value: question.display(value) if value not in (None, "", []) else ""
                )
        if len(parts) == 1 and last in FIELD_LABELS:
            return Field(FIELD_LABELS[last], _enum(ENUM_FIELDS[last]) if last in ENUM_FIELDS else show_value)
        if last in ("deciding_body", "outcome"):
            return Field(words(key), _enum(ENUM_FIELDS[last]))
        return None

    return Glossary(subjects={("eia", str(row.id)): row.reference for row in rows}, fields=fields)
