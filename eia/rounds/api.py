"""The API for budget rounds (for the equalities team, decision makers and administrators): the
rounds, and each round's matrix of impacts and its cumulative findings, as the round's page shows."""

from __future__ import annotations

from typing import Any

from eia.api import api_blueprint
from eia.api.common import requires
from eia.rounds import queries
from eia.rounds.schemas import RoundSchema, RoundSummarySchema

bp = api_blueprint("rounds_api", __name__, url_prefix="/rounds", description="Budget rounds and cumulative impact")


@bp.get("/")
@requires("round.view")
@bp.response(200, RoundSummarySchema(many=True))
def rounds() -> list[dict[str, Any]]:
    """List the budget rounds, the latest decision first, with how many proposals each holds."""
    return [
        {"id": row.round.id, "name": row.round.name, "decision_on": row.round.decision_on, "proposals": row.proposals}
        for row in queries.rounds()
    ]


@bp.get("/<int:round_id>")
@requires("round.view")
@bp.response(200, RoundSchema)
def budget_round(round_id: int) -> dict[str, Any]:
    """One round: its proposals with their states and outcomes, each proposal's impact on each group,
    and per group the proposals with a negative impact, the highest severity and whether three or
    more proposals hit it."""
    found = queries.round_or_404(round_id)
    proposals = queries.proposals(found)
    characteristics = queries.characteristics()
    by_id = {c.id: c.key for c in characteristics}
    references = {e.id: e.reference for e in proposals}
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
            for e in proposals
        ],
        "groups": [
            {
                "characteristic": s.characteristic.key,
                "name": s.characteristic.name,
                "negative": s.negative,
                "highest_severity": s.highest.value if s.highest else None,
                "is_cumulative": s.is_cumulative,
            }
            for s in queries.group_summaries(found, characteristics)
        ],
        "impacts": [
            {
                "reference": references[eia_id],
                "characteristic": by_id[characteristic_id],
                "direction": cell.direction.value if cell.direction else None,
                "severity": cell.severity.value if cell.severity else None,
            }
            for (eia_id, characteristic_id), cell in sorted(queries.cells(found).items())
            if eia_id in references and characteristic_id in by_id
        ],
    }
