"""Budget rounds: creating one, and putting an assessment in one or taking it out (audit-logged)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from eia.accounts.models import User
from eia.assessments.models import Eia
from eia.auditlog import services as audit
from eia.errors import ValidationFailed, WorkflowError
from eia.extensions import db
from eia.rounds.models import BudgetRound, RoundProposal
from eia.working_days import uk_today


def create_round(*, name: str, decision_on: date | None, by: User) -> BudgetRound:
    """Create a budget round, recorded in the audit log.

    :raises ValidationFailed: without a decision date, or when another round has the same name.
    """
    name = (name or "").strip()
    problems = {}
    if decision_on is None:
        problems["decision_on"] = "Enter the date members decide the budget"
    taken = db.session.execute(
        select(func.count()).select_from(BudgetRound).where(func.lower(BudgetRound.name) == name.lower())
    ).scalar_one()
    if taken:
        problems["name"] = f"There is already a round called {name}"
    if problems or decision_on is None:
        raise ValidationFailed("Some answers need attention", problems)
    budget_round = BudgetRound(name=name, decision_on=decision_on, created_by_id=by.id)
    db.session.add(budget_round)
    db.session.flush()
    audit.record(
        "round_created",
        budget_round,
        by=by,
        changes={"name": [None, name], "decision_on": [None, decision_on.isoformat()]},
        detail=name,
    )
    return budget_round


def _link(eia: Eia) -> RoundProposal | None:
    return db.session.execute(select(RoundProposal).where(RoundProposal.eia_id == eia.id)).scalar_one_or_none()


def join_round(eia: Eia, budget_round: BudgetRound, *, by: User) -> None:
    """Put *eia* in *budget_round* (moving it from any other round), recorded in the audit log.

    :raises WorkflowError: for an individual action, which is never a budget proposal.
    """
    if eia.is_individual:
        raise WorkflowError("An individual action cannot be part of a budget round.")
    link = _link(eia)
    if link is not None and link.round_id == budget_round.id:
        return
    before = link.round.name if link is not None else None
    if link is None:
        budget_round.proposals.append(RoundProposal(eia_id=eia.id, added_by_id=by.id))
    else:
        link.round = budget_round
        link.added_by_id = by.id
    audit.record(
        "eia_round_joined", eia, by=by, changes={"budget_round": [before, budget_round.name]}, detail=budget_round.name
    )
    db.session.flush()


def leave_round(eia: Eia, *, by: User) -> None:
    """Take *eia* out of its budget round, if it is in one, recorded in the audit log."""
    link = _link(eia)
    if link is None:
        return
    name = link.round.name
    db.session.delete(link)
    audit.record("eia_round_left", eia, by=by, changes={"budget_round": [name, None]}, detail=name)
    db.session.flush()


def set_round(eia: Eia, budget_round: BudgetRound | None, *, by: User) -> None:
    """Put *eia* in *budget_round*, or take it out of its round when that is None.

    :raises WorkflowError: for an individual action put in a round.
    """
    if budget_round is None:
        leave_round(eia, by=by)
    else:
        join_round(eia, budget_round, by=by)


def join_at_start(_sender: Any, *, eia: Eia, options: dict[str, str], by: User) -> None:
    """Put a just-started assessment in the round chosen on the start page (``eia.signals.eia_started``).

    :raises ValidationFailed: for a round that is not open, or an individual action.
    """
    chosen = options.get("round_id", "")
    if not chosen:
        return
    budget_round = db.session.get(BudgetRound, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
    if budget_round is None or budget_round.decision_on < uk_today():
        raise ValidationFailed("No such round", {"round_id": "Choose a budget round from the list"})
    if eia.is_individual:
        raise ValidationFailed(
            "Individual action", {"round_id": "An individual action cannot be part of a budget round"}
        )
    join_round(eia, budget_round, by=by)
