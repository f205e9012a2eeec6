"""The audit log's words for assessments: references, not ids; question labels, not keys; states,
directions and statuses in words."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from eia.accounts.models import User
from eia.assessments.models import Characteristic, Eia, FormTemplate, Mitigation
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
from eia.auditlog.readable import Field, Glossary, dates_in_words, show_value, words
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


COMMENT_DETAIL = re.compile(r"^comment \d+ on (.+)$")
MITIGATION_DETAIL = re.compile(r"^mitigation (\d+)$")


def _people_answered(
    entries: Sequence[AuditEntry], template_of: dict[str, int], forms: dict[int, FormDefinition]
) -> set[int]:
    """The ids of the people chosen in answers of type ``user`` among the entries' changes."""
    ids: set[int] = set()
    for entry in entries:
        form = forms.get(template_of.get(entry.entity_id or "", -1))
        if form is None:
            continue
        for key, values in (entry.changes or {}).items():
            parts = key.split(".")
            section = form.section(parts[0]) if len(parts) == 2 else None
            question = section.question(parts[1]) if section is not None else None
            if question is not None and question.type == "user":
                for value in values if isinstance(values, list) else [values]:
                    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                        ids.add(int(value))
    return ids


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary:
    """References of the assessments on the page, the question labels of their form templates, the
    characteristic register, the people chosen in answers and the mitigations named (five queries at
    most)."""
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

    people_ids = _people_answered(entries, template_of, forms)
    people = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people_ids))).all()) if people_ids else {}
    )
    mitigation_ids = {
        int(found.group(1))
        for e in entries
        if e.entity_type == "eia" and (found := MITIGATION_DETAIL.match(e.detail or ""))
    }
    mitigations = (
        {
            row.id: (
                f"Mitigation for {by_id[row.characteristic_id].lower()}"
                if row.characteristic_id in by_id
                else "Mitigation for the proposal as a whole"
            )
            for row in db.session.execute(
                select(Mitigation.id, Mitigation.characteristic_id).where(Mitigation.id.in_(mitigation_ids))
            )
        }
        if mitigation_ids
        else {}
    )

    def person(value: Any) -> str:
        if isinstance(value, str) and value.isdigit() and int(value) in people:
            return people[int(value)]
        return show_value(value)

    def details(entry: AuditEntry) -> str | None:
        if entry.entity_type != "eia" or not entry.detail:
            return None
        form = forms.get(template_of.get(entry.entity_id or "", -1))
        if (found := COMMENT_DETAIL.match(entry.detail)) is not None:
            key = found.group(1)
            section = form.section(key) if form is not None else None
            return f"On {section.title}" if section is not None else f"On {key}"
        if (found := MITIGATION_DETAIL.match(entry.detail)) is not None:
            return mitigations.get(int(found.group(1)), "A mitigation no longer in the assessment")
        return dates_in_words(entry.detail)

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
            if question is not None and question.type == "user":
                return Field(question.label, lambda value: person(value) if value not in (None, "", []) else "")
            if question is not None:
                return Field(
                    question.label, lambda value: question.display(value) if value not in (None, "", []) else ""
                )
        if len(parts) == 1 and last in FIELD_LABELS:
            return Field(FIELD_LABELS[last], _enum(ENUM_FIELDS[last]) if last in ENUM_FIELDS else show_value)
        if last in ("deciding_body", "outcome"):
            return Field(words(key), _enum(ENUM_FIELDS[last]))
        return None

    return Glossary(subjects={("eia", str(row.id)): row.reference for row in rows}, fields=fields, details=details)
