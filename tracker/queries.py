"""Reading plans."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eia.errors import NotFound
from eia.extensions import db
from tracker.models import Plan, Priority


def plan_by_name(name: str, organisation: str | None = None) -> Plan:
    """A plan by its number or title (case-insensitive), with its priorities and actions loaded.

    :raises NotFound: if there is none, or several and no organisation to choose between them.
    """
    query = select(Plan).options(selectinload(Plan.priorities).selectinload(Priority.actions))
    if name.isascii() and name.isdigit():
        query = query.where(Plan.id == int(name))
    else:
        query = query.where(func.lower(Plan.title) == name.strip().lower())
    if organisation:
        query = query.where(func.lower(Plan.organisation) == organisation.strip().lower())
    found = db.session.execute(query).scalars().all()
    if not found:
        raise NotFound(f"There is no plan called {name!r}" + (f" for {organisation}" if organisation else "") + ".")
    if len(found) > 1:
        names = "; ".join(p.organisation for p in found)
        raise NotFound(f"Several organisations have a plan called {name!r} ({names}): add --organisation.")
    return found[0]


def plans() -> list[Plan]:
    return list(db.session.execute(select(Plan).order_by(Plan.organisation, Plan.title)).scalars())
