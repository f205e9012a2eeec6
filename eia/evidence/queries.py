"""Reading evidence."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eia.errors import NotFound
from eia.evidence.models import EvidenceItem
from eia.evidence.services import subject_type_of
from eia.extensions import db


def for_subject(subject: Any, *, public_only: bool = False, include_removed: bool = False) -> list[EvidenceItem]:
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.subject_type == subject_type_of(subject), EvidenceItem.subject_id == subject.id)
        .options(selectinload(EvidenceItem.characteristics), selectinload(EvidenceItem.added_by))
        .order_by(EvidenceItem.added_at.desc(), EvidenceItem.id.desc())
    )
    if not include_removed:
        query = query.where(EvidenceItem.removed_at.is_(None))
    if public_only:
        query = query.where(EvidenceItem.is_public.is_(True))
    return list(db.session.execute(query).scalars())


def item_or_404(subject: Any, evidence_id: int) -> EvidenceItem:
    """An item of *subject*'s evidence; another subject's id is simply not found (no guessing)."""
    item = db.session.get(EvidenceItem, evidence_id)
    if item is None or item.subject_type != subject_type_of(subject) or item.subject_id != subject.id:
        raise NotFound("There is no such evidence on this assessment.")
    return item


def by_characteristic(items: list[EvidenceItem]) -> dict[int, list[EvidenceItem]]:
    grouped: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item in items:
        for characteristic in item.characteristics:
            grouped[characteristic.id].append(item)
    return grouped
