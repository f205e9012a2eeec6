"""Demo data: service areas and one person for every role, so a new user sees a working system."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from eia.accounts import services as accounts
from eia.accounts.models import Role, ServiceArea, User
from eia.extensions import db

DEMO_PASSWORD = "demo-equality-2026"

#: Directorate -> teams. The demo council's structure, as a unitary borough council's would be: the
#: services a district runs (housing, council tax, waste, leisure) beside the ones a county or unitary
#: runs (libraries, transport, adult social care, children's services).
SERVICE_AREAS: dict[str, list[str]] = {
    "Corporate Resources": [
        "Equalities team",
        "Human Resources",
        "ICT",
        "Revenues and Benefits",
        "Customer Services",
        "Estates and building services team",
    ],
    "Housing": ["Housing Options", "Tenancy Management", "Disabled Facilities Grants"],
    "Neighbourhoods and Environment": [
        "Parks and Open Spaces",
        "Waste and Recycling",
        "Community Safety",
        "Libraries",
        "Leisure Services",
        "Highways and Transport",
    ],
    "Adult Social Care": ["Care Management", "Commissioning"],
    "Children's Services": ["Children in Care and Care Leavers", "Early Help"],
}


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: Role
    service_area: str  # "Directorate > Team" or a directorate


PEOPLE = [
    DemoPerson("Sam Patel", "sam.patel@council.example", Role.AUTHOR, "Housing > Housing Options"),
    DemoPerson("Jo Okafor", "jo.okafor@council.example", Role.AUTHOR, "Neighbourhoods and Environment > Libraries"),
    DemoPerson("Priya Shah", "priya.shah@council.example", Role.EQUALITIES, "Corporate Resources > Equalities team"),
    # A second member of the team moderates Priya's quality-audit scorings, as a panel would.
    DemoPerson("Dev Rahman", "dev.rahman@council.example", Role.EQUALITIES, "Corporate Resources > Equalities team"),
    DemoPerson("Chris Morgan", "chris.morgan@council.example", Role.DECISION_MAKER, "Corporate Resources"),
    DemoPerson("Alex Green", "alex.green@council.example", Role.ADMIN, "Corporate Resources > ICT"),
    # The other service managers who write the demo's assessments, one in each service that has some:
    # a service manager sees only their own service area's assessments.
    DemoPerson("Mei Chen", "mei.chen@council.example", Role.AUTHOR, "Housing > Housing Options"),
    DemoPerson(
        "Helen Walsh", "helen.walsh@council.example", Role.AUTHOR, "Corporate Resources > Revenues and Benefits"
    ),
    DemoPerson("Aisha Karim", "aisha.karim@council.example", Role.AUTHOR, "Corporate Resources > Human Resources"),
    DemoPerson(
        "Tom Brennan", "tom.brennan@council.example", Role.AUTHOR, "Neighbourhoods and Environment > Leisure Services"
    ),
    DemoPerson(
        "Gareth Hughes",
        "gareth.hughes@council.example",
        Role.AUTHOR,
        "Neighbourhoods and Environment > Waste and Recycling",
    ),
    DemoPerson(
        "Owen Price",
        "owen.price@council.example",
        Role.AUTHOR,
        "Neighbourhoods and Environment > Highways and Transport",
    ),
    DemoPerson(
        "Nadia Begum",
        "nadia.begum@council.example",
        Role.AUTHOR,
        "Children's Services > Children in Care and Care Leavers",
    ),
    DemoPerson("Ruth Adeyemi", "ruth.adeyemi@council.example", Role.AUTHOR, "Adult Social Care > Commissioning"),
]


def _area(directorate: str, team: str | None, by) -> ServiceArea:
    parent = db.session.execute(
        select(ServiceArea).where(ServiceArea.name == directorate, ServiceArea.parent_id.is_(None))
    ).scalar_one_or_none()
    if parent is None:
        parent = accounts.create_service_area(directorate, by=by)
    if team is None:
        return parent
    area = db.session.execute(
        select(ServiceArea).where(ServiceArea.name == team, ServiceArea.parent_id == parent.id)
    ).scalar_one_or_none()
    return area or accounts.create_service_area(team, parent=parent, by=by)


def load_demo(by) -> list[tuple[DemoPerson, bool]]:
    """Add the demo service areas and people that are missing; returns each person and whether it was added.

    Running it twice adds nothing the second time.
    """
    for directorate, teams in SERVICE_AREAS.items():
        _area(directorate, None, by)
        for team in teams:
            _area(directorate, team, by)
    loaded = []
    for person in PEOPLE:
        exists = db.session.execute(select(User.id).where(User.email == person.email)).scalar()
        if not exists:
            directorate, _, team = (part.strip() for part in person.service_area.partition(">"))
            accounts.create_user(
                email=person.email,
                name=person.name,
                role=person.role,
                password=DEMO_PASSWORD,
                service_area=_area(directorate, team or None, by),
                by=by,
            )
        loaded.append((person, not exists))
    return loaded
