"""The demo's links from its assessments to the actions of the council's current plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from eia.demo.story import on_day, told_at
from eia.extensions import db
from tracker import services
from tracker.models import EiaActionLink, Plan, PlanAction, Priority

#: How the demo's assessments evidence the council's current plan: (title, action ref, how).
DEMO_LINKS = [
    (
        "Council tax exemption for care leavers",
        "2.2",
        "The assessment of the exemption this action brings in: care leavers up to 25 pay no council tax.",
    ),
    (
        "Guaranteed interview scheme for care leavers and veterans",
        "3.2",
        "Assesses the scheme this action sets up, including who counts as a care leaver and a veteran.",
    ),
    (
        "Personal adviser service for care leavers: move to a hub model",
        "2.1",
        "Care experience assessed as a characteristic of its own, with the corporate parenting principles.",
    ),
    (
        "Temporary accommodation placements policy",
        "1.3",
        "Shows the Covenant duty considered for homelessness placements, a housing function it covers.",
    ),
    ("Tenancy strategy review", "1.3", "A tenancy strategy is a housing function the Covenant duty covers."),
]


def load_demo_links(*, by: Any) -> int:
    """Link the demo's assessments to the actions of the council's current plan they evidence, as
    their authors did while writing them; once. Returns how many links were added."""
    from flask import current_app

    from eia.assessments.models import Eia

    if db.session.execute(select(EiaActionLink.id).limit(1)).first() is not None:
        return 0
    actions = {
        action.ref: action
        for action in db.session.execute(
            select(PlanAction)
            .join(Priority)
            .join(Plan)
            .where(Plan.organisation == current_app.config["EIA_COUNCIL_NAME"], Plan.is_active.is_(True))
        ).scalars()
    }
    added = 0
    for title, ref, note in DEMO_LINKS:
        eia = db.session.execute(select(Eia).where(Eia.title == title)).scalars().first()
        if eia is None or ref not in actions:
            continue
        with told_at(on_day((eia.started_on or eia.created_at.date()) + timedelta(days=10), 14)):
            services.link_eia(eia, actions[ref], note=note, by=eia.author, written_earlier=True)
        added += 1
    return added
