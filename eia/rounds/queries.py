"""What the round pages show, each an aggregate query or one list, so a round's page costs the same
number of queries however many proposals and characteristics it has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from eia.accounts.models import ServiceArea, User
from eia.assessments import queries as eia_queries
from eia.assessments.models import Characteristic, Eia, Impact
from eia.assessments.states import Direction, EiaState, Severity
from eia.errors import NotFound
from eia.extensions import db
from eia.permissions import can
from eia.rounds.models import CUMULATIVE_THRESHOLD, BudgetRound, RoundProposal
from eia.working_days import uk_today
from forms.rounds import JoinRoundForm

_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}
_RANKED = {rank: severity for severity, rank in _SEVERITY_RANK.items()}


@dataclass(frozen=True)
class RoundRow:
    round: BudgetRound
    proposals: int


def rounds() -> list[RoundRow]:
    """Every round, the latest decision first, with how many proposals each holds (one query)."""
    rows = db.session.execute(
        select(BudgetRound, func.count(RoundProposal.id))
        .outerjoin(RoundProposal, RoundProposal.round_id == BudgetRound.id)
        .group_by(BudgetRound.id)
        .order_by(BudgetRound.decision_on.desc(), BudgetRound.id.desc())
    ).all()
    return [RoundRow(budget_round, count) for budget_round, count in rows]


def round_or_404(round_id: int) -> BudgetRound:
    budget_round = db.session.get(BudgetRound, round_id)
    if budget_round is None:
        raise NotFound("There is no such budget round.")
    return budget_round


def round_choices(today: date, keep: BudgetRound | None = None) -> list[tuple[str, str]]:
    """The rounds a proposal can join: those not decided yet (and the one it is in)."""
    found = db.session.execute(
        select(BudgetRound)
        .where(or_(BudgetRound.decision_on >= today, BudgetRound.id == (keep.id if keep else None)))
        .order_by(BudgetRound.decision_on, BudgetRound.name)
    ).scalars()
    return [(str(r.id), r.name) for r in found]


def round_of(eia: Eia) -> BudgetRound | None:
    """The round *eia* is in, if any (one query)."""
    return db.session.execute(
        select(BudgetRound)
        .join(RoundProposal, RoundProposal.round_id == BudgetRound.id)
        .where(RoundProposal.eia_id == eia.id)
    ).scalar_one_or_none()


def _in_directorate(directorate_id: int | None) -> Any:
    if directorate_id is None:
        return true()
    return or_(ServiceArea.id == directorate_id, ServiceArea.parent_id == directorate_id)


def _proposal_ids(budget_round: BudgetRound, directorate_id: int | None = None) -> Select[Any]:
    return (
        select(RoundProposal.eia_id)
        .join(Eia, Eia.id == RoundProposal.eia_id)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .where(RoundProposal.round_id == budget_round.id, _in_directorate(directorate_id))
    )


def proposals(budget_round: BudgetRound, directorate_id: int | None = None) -> list[Eia]:
    """The round's proposals (of one directorate, if given) by reference, with their service areas
    and decision records."""
    return list(
        db.session.execute(
            select(Eia)
            .where(Eia.id.in_(_proposal_ids(budget_round, directorate_id)))
            .options(selectinload(Eia.service_area).selectinload(ServiceArea.parent))
            .order_by(Eia.reference)
        ).scalars()
    )


def directorates(budget_round: BudgetRound) -> list[tuple[int, str]]:
    """The directorates with a proposal in the round, by name (one query)."""
    directorate = aliased(ServiceArea)
    top = func.coalesce(ServiceArea.parent_id, ServiceArea.id)
    rows = db.session.execute(
        select(directorate.id, directorate.name)
        .distinct()
        .select_from(RoundProposal)
        .join(Eia, Eia.id == RoundProposal.eia_id)
        .join(ServiceArea, ServiceArea.id == Eia.service_area_id)
        .join(directorate, directorate.id == top)
        .where(RoundProposal.round_id == budget_round.id)
        .order_by(directorate.name)
    ).all()
    return [(area_id, name) for area_id, name in rows]


@dataclass(frozen=True)
class Cell:
    """One proposal's impact on one characteristic."""

    direction: Direction | None
    severity: Severity | None

    @property
    def stated_severity(self) -> Severity | None:
        """A negative impact's severity (one saved before the two steps may hold one on another direction)."""
        return self.severity if self.direction is Direction.NEGATIVE else None

    @property
    def label(self) -> str:
        if self.direction is None:
            return "Not answered"
        if self.stated_severity is not None:
            return f"Negative ({self.stated_severity.label.lower()})"
        return self.direction.label

    @property
    def is_negative(self) -> bool:
        return self.direction is Direction.NEGATIVE

    @property
    def has_page(self) -> bool:
        """Whether the impact has a page of its own (neutral ones are answered with the directions)."""
        return self.direction is not None and self.direction is not Direction.NEUTRAL


def cells(budget_round: BudgetRound, directorate_id: int | None = None) -> dict[tuple[int, int], Cell]:
    """Every impact of the round's proposals, by (assessment id, characteristic id) (one query)."""
    rows = db.session.execute(
        select(Impact.eia_id, Impact.characteristic_id, Impact.direction, Impact.severity).where(
            Impact.eia_id.in_(_proposal_ids(budget_round, directorate_id))
        )
    ).all()
    return {
        (eia_id, characteristic_id): Cell(direction, severity)
        for eia_id, characteristic_id, direction, severity in rows
    }


@dataclass(frozen=True)
class GroupSummary:
    """How one group fares across the round."""

    characteristic: Characteristic
    negative: int
    highest: Severity | None

    @property
    def is_cumulative(self) -> bool:
        return self.negative >= CUMULATIVE_THRESHOLD


def _severity_rank() -> Any:
    return case(*((Impact.severity == s.value, rank) for s, rank in _SEVERITY_RANK.items()), else_=0)


def group_summaries(
    budget_round: BudgetRound, characteristics: list[Characteristic], directorate_id: int | None = None
) -> list[GroupSummary]:
    """For each characteristic: how many proposals have a negative impact on it and the highest
    severity among them (one GROUP BY)."""
    rows = db.session.execute(
        select(Impact.characteristic_id, func.count(distinct(Impact.eia_id)), func.max(_severity_rank()))
        .where(
            Impact.eia_id.in_(_proposal_ids(budget_round, directorate_id)),
            Impact.direction == Direction.NEGATIVE,
        )
        .group_by(Impact.characteristic_id)
    ).all()
    found = {characteristic_id: (count, rank) for characteristic_id, count, rank in rows}
    return [
        GroupSummary(c, found.get(c.id, (0, 0))[0], _RANKED.get(found.get(c.id, (0, 0))[1] or 0))
        for c in characteristics
    ]


@dataclass(frozen=True)
class Shared:
    """Another proposal of the round with a negative impact on some of the same groups."""

    eia: Eia
    groups: list[str]


def shared_negative(eia: Eia, budget_round: BudgetRound) -> list[Shared]:
    """The other proposals of *budget_round* with a negative impact on a group *eia* affects
    negatively, each with the groups they share (one query, and one for their service areas)."""
    mine = aliased(Impact)
    theirs = aliased(Impact)
    rows = db.session.execute(
        select(Eia, Characteristic.name)
        .join(RoundProposal, RoundProposal.eia_id == Eia.id)
        .join(theirs, theirs.eia_id == Eia.id)
        .join(mine, and_(mine.characteristic_id == theirs.characteristic_id, mine.eia_id == eia.id))
        .join(Characteristic, Characteristic.id == theirs.characteristic_id)
        .where(
            RoundProposal.round_id == budget_round.id,
            Eia.id != eia.id,
            Eia.state != EiaState.ABANDONED,
            mine.direction == Direction.NEGATIVE,
            theirs.direction == Direction.NEGATIVE,
        )
        .options(selectinload(Eia.service_area).selectinload(ServiceArea.parent))
        .order_by(Eia.reference, Characteristic.position, Characteristic.id)
    ).all()
    shared: dict[int, Shared] = {}
    for other, name in rows:
        shared.setdefault(other.id, Shared(other, [])).groups.append(name)
    return list(shared.values())


def eia_panel(_sender: Any, *, eia: Eia, page: str, user: User) -> dict[str, Any] | None:
    """The round's part of an assessment's pages (the ``eia.signals.eia_panels`` signal): on its page,
    the round it is in and the way to change that; on the impacts' page across groups, the other
    proposals of its round that affect the same groups."""
    if eia.is_individual:
        return None
    budget_round = round_of(eia)
    if page == "across_groups":
        if budget_round is None:
            return None
        shared = shared_negative(eia, budget_round)
        return {
            "template": "rounds/_cumulative.html",
            "round": budget_round,
            "shared": shared,
            "viewable": {item.eia.id for item in shared if can(user, "eia.view", item.eia)},
            "can_see_round": can(user, "round.view"),
        }
    if page != "show" or (budget_round is None and eia.proposal_type != "budget"):
        return None
    may_join = can(user, "round.join", eia)
    form = None
    if may_join:
        form = JoinRoundForm(
            rounds=round_choices(uk_today(), keep=budget_round),
            data={"round_id": str(budget_round.id) if budget_round else ""},
        )
    return {
        "template": "rounds/_eia_round.html",
        "round": budget_round,
        "round_form": form,
        "can_see_round": can(user, "round.view"),
    }


def start_options(_sender: Any, *, user: User) -> dict[str, list[tuple[str, str]]] | None:
    """The rounds a new budget proposal can join, for the start page (``eia.signals.start_options``)."""
    found = round_choices(uk_today())
    return {"round_id": found} if found else None


def characteristics() -> list[Characteristic]:
    """The active characteristics of the register, in its order (the matrix's rows)."""
    return eia_queries.characteristics(active_only=True)


def round_data(found: BudgetRound) -> dict[str, Any]:
    """One round as plain data for the API: its proposals, each group's summary and each proposal's
    impact on each group (the round's page shows the same)."""
    in_round = proposals(found)
    groups = characteristics()
    by_id = {c.id: c.key for c in groups}
    references = {e.id: e.reference for e in in_round}
    return {
        "id": found.id,
        "name": found.name,
        "decision_on": found.decision_on,
        "proposals": [
            {
                "reference": e.reference,
                "title": e.title,
                "service_area": e.service_area.full_name,
                "state": e.state.value,
                "outcome": e.outcome,
            }
            for e in in_round
        ],
        "groups": [
            {
                "characteristic": s.characteristic.key,
                "name": s.characteristic.name,
                "negative": s.negative,
                "highest_severity": s.highest.value if s.highest else None,
                "is_cumulative": s.is_cumulative,
            }
            for s in group_summaries(found, groups)
        ],
        "impacts": [
            {
                "reference": references[eia_id],
                "characteristic": by_id[characteristic_id],
                "direction": cell.direction.value if cell.direction else None,
                "severity": cell.stated_severity.value if cell.stated_severity else None,
            }
            for (eia_id, characteristic_id), cell in sorted(cells(found).items())
            if eia_id in references and characteristic_id in by_id
        ],
    }
