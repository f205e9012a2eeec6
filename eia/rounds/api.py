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
    return queries.round_data(queries.round_or_404(round_id))
