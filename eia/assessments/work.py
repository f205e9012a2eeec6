"""The assessments' part of My work: what is returned, assigned, waiting, handed over or drafted,
the mitigations a person owns and the reviews of their assessments that are due."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import Select

from eia.accounts.models import User
from eia.assessments import queries
from eia.assessments.models import DecisionRecord, Eia
from eia.extensions import db
from eia.permissions import can
from eia.template_filters import format_date
from eia.work import MOST, WorkGroup, WorkItem


def _eias(query: Select[Eia] | None) -> list[Eia] | None:
    return None if query is None else list(db.session.execute(query.limit(MOST)).scalars())


def _item(eia: Eia, *, due_on: date | None = None, note: str = "") -> WorkItem:
    return WorkItem(
        text=f"{eia.reference}: {eia.title}",
        href=url_for("assessments.show", reference=eia.reference),
        due_on=due_on,
        status=eia.state.label,
        note=note,
    )


def _sign_offs(query: Select[Eia] | None) -> list[WorkItem] | None:
    """Assessments waiting for sign-off, each due on the day its decision is planned (the sooner the
    decision, the more urgent the sign-off)."""
    if query is None:
        return None
    planned = query.add_columns(DecisionRecord.planned_on).outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
    return [_item(eia, due_on=planned_on) for eia, planned_on in db.session.execute(planned.limit(MOST)).all()]


def my_work_groups(_sender: Any, *, user: User, today: date) -> list[WorkGroup]:
    """The groups for *user* (the ``eia.signals.my_work`` signal), in a fixed number of queries."""
    groups: list[WorkGroup] = []

    def add(key: str, title: str, eias: list[Eia] | None, *, empty: str | None = None, **extra: Any) -> None:
        if eias is not None:
            items = [_item(eia) for eia in eias]
            groups.append(WorkGroup(key, title, items, today, noun="assessments", empty=empty, **extra))

    add("returned", "Returned to you for changes", _eias(queries.returned_to(user)))
    add("assigned", "Reviews assigned to you", _eias(queries.assigned_reviews(user)))
    add(
        "review",
        "Waiting for review by the equalities team",
        _eias(queries.waiting_for_review(user)),
        empty="Nothing is waiting for review.",
    )
    signing = _sign_offs(queries.waiting_for_sign_off(user))
    if signing is not None:
        groups.append(
            WorkGroup(
                "sign-off",
                "Waiting for your sign-off",
                signing,
                today,
                due_label="Decision due",
                noun="assessments",
                empty="Nothing is waiting for your sign-off.",
            )
        )
    drafts = _eias(queries.my_drafts(user)) or []
    handed = [e for e in drafts if e.author_id == user.id and e.handed_over_by_id not in (None, user.id)]
    if handed:
        names = queries.user_names({e.handed_over_by_id for e in handed if e.handed_over_by_id})
        items = [
            _item(
                e, note=f"from {names.get(e.handed_over_by_id or 0, 'a colleague')} on {format_date(e.handed_over_at)}"
            )
            for e in handed
        ]
        groups.append(WorkGroup("handed-over", "Handed over to you", items, today, noun="assessments"))
    add("drafts", "Your drafts", drafts, empty="You have no drafts." if can(user, "eia.create") else None)
    mitigations = [
        WorkItem(
            text=mitigation.action,
            href=url_for("assessments.section", reference=reference, key="mitigations"),
            context=reference,
            due_on=mitigation.due_on,
            status=mitigation.status.label,
        )
        for mitigation, reference in db.session.execute(queries.my_mitigations(user).limit(MOST)).all()
    ]
    groups.append(WorkGroup("mitigations", "Mitigations you own", mitigations, today, noun="mitigations"))
    reviews = [_item(eia, due_on=eia.review_date) for eia in _eias(queries.reviews_due(user, today)) or []]
    groups.append(
        WorkGroup(
            "reviews-due",
            "Your assessments due for review",
            reviews,
            today,
            due_label="Review date",
            noun="assessments",
        )
    )
    return groups
