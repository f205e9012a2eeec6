"""The review page: every section of an assessment as the reviewer reads it, each answer marked
where it differs from the submission before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eia.assessments.models import Direction, Eia
from eia.assessments.queries import characteristics_for, readable_answers, user_names
from eia.template_filters import format_date


@dataclass(frozen=True)
class ReviewRow:
    """One answer on the review page: what it says now and, when it differs from the last
    submission, what it said then (``change`` is "added", "removed" or "changed")."""

    label: str
    now: str
    before: str = ""
    change: str | None = None


def _compare(label: str, now: str, before: str | None) -> ReviewRow:
    if before is None or now == before:
        return ReviewRow(label, now)
    change = "added" if not before else "removed" if not now else "changed"
    return ReviewRow(label, now, before, change)


def _impact_text(values: dict[str, Any] | None, labels: dict[str, str]) -> str:
    if not values or not values.get("direction"):
        return ""
    text = labels.get(values["direction"], values["direction"])
    if values["direction"] == Direction.NEGATIVE.value and values.get("severity"):
        text += f" ({values['severity']} severity)"
    parts = [text + (f": {values['description']}" if values.get("description") else "")]
    for name, prefix in (("who_affected", "Who"), ("evidence", "Evidence"), ("finding_out", "Finding out")):
        if values.get(name):
            parts.append(f"{prefix}: {values[name]}")
    return "\n".join(parts)


def review_sections(eia: Eia, current: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every section of *eia* as the reviewer reads it, in order, each answer marked where it differs
    from the submission before (*previous*, a snapshot's data; None for a first submission).
    *current* is the snapshot of the submission under review."""
    directions = {d.value: d.label for d in Direction}
    characteristics = {c.key: c for c in characteristics_for(eia)}
    people = user_names(
        {m.get("owner_id") for s in (current, previous or {}) for m in s.get("mitigations", {}).values()} - {None}
    )
    sections = []
    for section in eia.form.sections:
        rows: list[ReviewRow] = []
        if section.kind == "impacts":
            for key, characteristic in characteristics.items():
                before = None if previous is None else _impact_text(previous.get("impacts", {}).get(key), directions)
                rows.append(
                    _compare(characteristic.name, _impact_text(current.get("impacts", {}).get(key), directions), before)
                )
        if section.kind == "mitigations":
            keys = list(current.get("mitigations", {})) + [
                k for k in (previous or {}).get("mitigations", {}) if k not in current.get("mitigations", {})
            ]
            for key in keys:

                def text(m: dict[str, Any] | None) -> str:
                    if not m:
                        return ""
                    who = (
                        characteristics[m["characteristic"]].name
                        if m.get("characteristic") in characteristics
                        else "The proposal as a whole"
                    )
                    return f"{who}: {m['action']} ({people.get(m['owner_id'], '')}, due {format_date(date.fromisoformat(m['due_on']))}, {m['status'].replace('_', ' ')})"

                before = None if previous is None else text(previous.get("mitigations", {}).get(key))
                rows.append(_compare("Mitigation", text(current.get("mitigations", {}).get(key)), before))
        answers_now = current.get("sections", {}).get(section.key, {})
        answers_before = None if previous is None else previous.get("sections", {}).get(section.key, {})
        texts_now = readable_answers(section, answers_now)
        texts_before = None if answers_before is None else readable_answers(section, answers_before)
        for question in section.questions:
            rows.append(
                _compare(
                    question.label,
                    texts_now.get(question.key, ""),
                    None if texts_before is None else texts_before.get(question.key, ""),
                )
            )
        sections.append({"key": section.key, "title": section.title, "kind": section.kind, "rows": rows})
    return sections
