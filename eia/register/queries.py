"""The public register's list: published assessments, narrowed by what residents look for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select

from eia.accounts.models import ServiceArea
from eia.accounts.queries import service_areas
from eia.assessments import queries
from eia.assessments.models import Eia
from eia.extensions import db
from eia.reports.figures import OUTCOMES
from eia.rounds.models import BudgetRound, RoundProposal


@dataclass(frozen=True)
class RegisterFilter:
    text: str | None = None
    service_area_id: int | None = None  # a directorate (with its teams) or a team
    year: int | None = None  # the financial year it was published in
    outcome: str | None = None
    negative_for: str | None = None  # a characteristic key with a negative impact
    round_id: int | None = None


def register(f: RegisterFilter) -> Select[Eia]:
    """The published assessments that match *f*, most recently published first."""
    query = queries.published(f.text)
    if f.service_area_id:
        areas = select(ServiceArea.id).where(
            or_(ServiceArea.id == f.service_area_id, ServiceArea.parent_id == f.service_area_id)
        )
        query = query.where(Eia.service_area_id.in_(areas))
    if f.year:
        start, end = queries.financial_year_bounds(f.year)
        query = query.where(Eia.published_at >= start, Eia.published_at < end)
    if f.outcome:
        query = query.where(Eia.outcome == f.outcome)
    if f.negative_for:
        query = query.where(queries.negative_impact_on(f.negative_for))
    if f.round_id:
        query = query.where(Eia.id.in_(select(RoundProposal.eia_id).where(RoundProposal.round_id == f.round_id)))
    return query


def filter_options(today: date) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter: the directorates and teams with published assessments, the
    financial years with a publication, the outcomes, the characteristics and the budget rounds."""
    first = db.session.execute(select(func.min(Eia.published_at))).scalar()
    this_year = queries.financial_year_of(today)
    first_year = queries.financial_year_of(first.date()) if first else this_year
    years = [(str(y), f"{y}/{(y + 1) % 100:02d}") for y in range(this_year, first_year - 1, -1)]
    areas = [(str(a.id), a.full_name) for a in publishing_areas()]
    characteristics = [(c.key, c.name) for c in queries.characteristics(active_only=True)]
    rounds = [
        (str(i), name)
        for i, name in db.session.execute(
            select(BudgetRound.id, BudgetRound.name).order_by(BudgetRound.decision_on.desc())
        )
    ]
    return {
        "service_area": areas,
        "year": years,
        "outcome": list(OUTCOMES.items()),
        "negative": characteristics,
        "round": rounds,
    }


def publishing_areas() -> list[ServiceArea]:
    """The teams with a published assessment and their directorates (the directorate's choice takes
    in its teams), in the usual order; teams with nothing published, such as internal ones, are left
    out, as choosing one would find nothing."""
    public = queries.published().subquery()
    published_in = set(db.session.execute(select(public.c.service_area_id).distinct()).scalars())
    every = service_areas()
    directorates = {a.parent_id for a in every if a.id in published_in and a.parent_id is not None}
    return [a for a in every if a.id in published_in or a.id in directorates]
