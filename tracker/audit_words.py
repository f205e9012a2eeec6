"""The audit log's words for plans, their actions and the EIA programme: titles, not ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import Glossary, subject_ids
from eia.extensions import db
from tracker.models import Plan, PlanAction, PlannedEia, Priority


def glossary(_sender: Any, *, entries: Sequence[AuditEntry]) -> Glossary:
    """What the entries' plans, actions and programme rows are called (a query for each kind named)."""
    subjects: dict[tuple[str, str], str] = {}
    if plans := subject_ids(entries, "plan"):
        titled = db.session.execute(select(Plan.id, Plan.title, Plan.organisation).where(Plan.id.in_(plans)))
        subjects |= {("plan", str(i)): f"{title} ({organisation})" for i, title, organisation in titled}
    if actions := subject_ids(entries, "plan_action"):
        refs = db.session.execute(
            select(PlanAction.id, PlanAction.ref, Plan.title)
            .join(Priority, Priority.id == PlanAction.priority_id)
            .join(Plan, Plan.id == Priority.plan_id)
            .where(PlanAction.id.in_(actions))
        )
        subjects |= {("plan_action", str(i)): f"Action {ref} of {title}" for i, ref, title in refs}
    if planned := subject_ids(entries, "planned_eia"):
        named = db.session.execute(select(PlannedEia.id, PlannedEia.title).where(PlannedEia.id.in_(planned)))
        subjects |= {("planned_eia", str(i)): f"Programme: {title}" for i, title in named}
    return Glossary(subjects=subjects)
