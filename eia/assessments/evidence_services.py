"""Evidence on an assessment: the assessment's own rules on top of the evidence store
(``eia.evidence``), for its pages and its API alike."""

from __future__ import annotations

from typing import IO, Any

from eia.accounts.models import User
from eia.assessments import queries
from eia.assessments.models import Characteristic, Eia
from eia.assessments.services import check_editable
from eia.auditlog import services as audit
from eia.errors import ValidationFailed
from eia.evidence import queries as queries_evidence
from eia.evidence import services as evidence
from eia.evidence.models import EvidenceItem, EvidenceKind
from eia.evidence.storage import EvidenceStore
from eia.extensions import db


def chosen_characteristics(eia: Eia, values: dict[str, Any]) -> list[Characteristic]:
    """The characteristics *values* names by key, once each; evidence may name only the sections
    of *eia*'s own form and the characteristics it may assess (the active ones, and any it already
    assessed).

    :raises ValidationFailed: naming the sections and characteristics that are not.
    """
    sections = {section.key for section in eia.form.sections}
    register = {c.key: c for c in queries.characteristics_for(eia)}
    problems = {}
    wrong_sections = [key for key in values.get("sections", []) if key not in sections]
    if wrong_sections:
        problems["sections"] = f"Not sections of this assessment: {', '.join(wrong_sections)}"
    wrong = [key for key in values.get("characteristics", []) if key not in register]
    if wrong:
        problems["characteristics"] = f"Not in the register: {', '.join(wrong)}"
    if problems:
        raise ValidationFailed("Unknown sections or characteristics", problems)
    return [register[key] for key in dict.fromkeys(values.get("characteristics", []))]


def add_evidence(
    eia: Eia,
    kind: EvidenceKind,
    values: dict[str, Any],
    *,
    by: User,
    store: EvidenceStore,
    max_bytes: int,
    stream: IO[bytes] | None = None,
    file_name: str | None = None,
) -> EvidenceItem:
    """Add a file (from *stream*, kept in *store*), a link or a note to the evidence of *eia*.
    ``values["characteristics"]`` names characteristics by key and ``values["sections"]`` sections
    by key. A file may be up to *max_bytes* long.

    :raises WorkflowError: if the assessment cannot be edited in its state.
    :raises ValidationFailed: for a section or characteristic it may not name, or what
        ``eia.evidence.services`` refuses (no file, a bad file, a bad address, no note).
    """
    check_editable(eia)
    characteristics = chosen_characteristics(eia, values)
    if kind is EvidenceKind.FILE:
        return evidence.add_file(
            eia,
            values,
            stream=stream,
            file_name=file_name,
            characteristics=characteristics,
            by=by,
            store=store,
            max_bytes=max_bytes,
        )
    add = evidence.add_link if kind is EvidenceKind.LINK else evidence.add_note
    return add(eia, values, characteristics=characteristics, by=by)


def set_characteristic_evidence(eia: Eia, characteristic: Characteristic, item_ids: list[int], *, by: User) -> None:
    """Say which of the assessment's evidence is behind its impact on *characteristic*: those items
    support it from now on, and the others no longer do (each change is recorded).

    :raises ValidationFailed: for an item that is not this assessment's.
    """
    check_editable(eia)
    items = {item.id: item for item in queries_evidence.for_subject(eia)}
    unknown = [i for i in item_ids if i not in items]
    if unknown:
        raise ValidationFailed(
            "Not this assessment's evidence", {"evidence_items": "Choose from this assessment's evidence"}
        )
    wanted = set(item_ids)
    changes: dict[str, list[Any]] = {}
    for item in items.values():
        has = characteristic in item.characteristics
        if has and item.id not in wanted:
            item.characteristics.remove(characteristic)
        elif not has and item.id in wanted:
            item.characteristics.append(characteristic)
        else:
            continue
        # [supported before, supported now], by the characteristic's key.
        changes[f"evidence.{item.id}.{characteristic.key}"] = [has, not has]
    if changes:
        audit.record(
            "evidence_linked",
            eia,
            by=by,
            detail=f"evidence behind the impact on {characteristic.name.lower()}",
            changes=changes,
        )
        db.session.flush()
