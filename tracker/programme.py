"""The EIA programme: planned assessments and the completion and publication rates against them
(Charnwood action 1.3: audit completion and publication rates against the numbers planned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select

from eia.accounts.models import ServiceArea, User
from eia.accounts.queries import service_area_choices, service_areas
from eia.assessments.models import Eia
from eia.assessments.queries import financial_year_of, people_choices
from eia.assessments.states import COMPLETED_STATES, EiaState
from eia.auditlog import services as audit
from eia.errors import ValidationFailed
from eia.extensions import db
from tracker.models import PlannedEia


def add_planned(values: dict[str, Any], *, by: Any) -> PlannedEia:
    """Add an assessment to the programme.

    :raises ValidationFailed: for a service area or owner that does not exist, or a decision date
        before the planned start.
    """
    if db.session.get(ServiceArea, values["service_area_id"]) is None:
        raise ValidationFailed("Unknown service area", {"service_area_id": "Choose a service area from the list"})
    if values.get("owner_id") and db.session.get(User, values["owner_id"]) is None:
        raise ValidationFailed("Unknown person", {"owner_id": "Choose a person from the list"})
    if values.get("decision_date") and values["decision_date"] < values["planned_start"]:
        raise ValidationFailed(
            "Decision before start",
            {"decision_date": "The decision date must be after the planned start: due regard comes first"},
        )
    planned = PlannedEia(**values)
    db.session.add(planned)
    db.session.flush()
    audit.record("programme_entry_added", planned, by=by, changes={k: [None, v] for k, v in values.items()})
    return planned


def link_planned(planned: PlannedEia, eia: Eia | None, *, by: Any) -> None:
    old = planned.eia_id
    planned.eia_id = eia.id if eia else None
    if old != planned.eia_id:
        audit.record("programme_entry_linked", planned, by=by, changes={"eia_id": [old, planned.eia_id]})
    db.session.flush()


@dataclass(frozen=True)
class Rates:
    service_area: str
    planned: int
    started: int
    completed: int
    published: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.planned if self.planned else None

    @property
    def publication_rate(self) -> float | None:
        return self.published / self.completed if self.completed else None


def rates(year: int) -> list[Rates]:
    """Planned, started, completed and published assessments of the programme for a financial year,
    per service area, aggregated in SQL. Completed means approved, signed off, published or due for
    review; the publication rate is published over completed."""
    start, end = date(year, 4, 1), date(year + 1, 4, 1)
    completed = case((Eia.state.in_(COMPLETED_STATES), 1), else_=0)
    published = case((Eia.state == EiaState.PUBLISHED, 1), else_=0)
    rows = db.session.execute(
        select(
            ServiceArea.id,
            func.count(PlannedEia.id).label("planned"),
            func.count(Eia.id).label("started"),
            func.coalesce(func.sum(completed), 0).label("completed"),
            func.coalesce(func.sum(published), 0).label("published"),
        )
        .join(ServiceArea, ServiceArea.id == PlannedEia.service_area_id)
        .outerjoin(Eia, Eia.id == PlannedEia.eia_id)
        .where(PlannedEia.planned_start >= start, PlannedEia.planned_start < end)
        .group_by(ServiceArea.id)
    ).all()
    names = {a.id: a.full_name for a in db.session.execute(select(ServiceArea)).scalars()}
    result = [Rates(names[r.id], r.planned, r.started, int(r.completed), int(r.published)) for r in rows]
    return sorted(result, key=lambda r: r.service_area)


def entries(year: int) -> list[PlannedEia]:
    start, end = date(year, 4, 1), date(year + 1, 4, 1)
    return list(
        db.session.execute(
            select(PlannedEia)
            .where(PlannedEia.planned_start >= start, PlannedEia.planned_start < end)
            .order_by(PlannedEia.planned_start, PlannedEia.id)
        ).scalars()
    )


def page(year: int, today: date) -> dict[str, Any]:
    """What the programme page shows for financial *year*: each planned assessment (with its EIA once
    started), the rates by service area and in all, and the years to choose from."""
    planned = entries(year)
    eia_ids = [entry.eia_id for entry in planned if entry.eia_id]
    found = {e.id: e for e in db.session.execute(select(Eia).where(Eia.id.in_(eia_ids))).scalars()} if eia_ids else {}
    by_area = rates(year)
    this_year = financial_year_of(today)
    return {
        "year": year,
        "rates": by_area,
        "totals": Rates(
            "All service areas",
            *(sum(getattr(r, f) for r in by_area) for f in ("planned", "started", "completed", "published")),
        ),
        "entries": planned,
        "linked": {entry.id: found.get(entry.eia_id) for entry in planned if entry.eia_id},
        "areas": {area.id: area.full_name for area in service_areas()},
        "years": list(range(this_year + 1, this_year - 5, -1)),
    }


def planned_form_choices() -> dict[str, list[tuple[str, str]]]:
    """The choices of the form that adds a planned assessment: the service areas in use and the people."""
    return {"service_areas": service_area_choices(include_blank=False), "people": people_choices()}
