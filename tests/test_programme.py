"""The EIA programme: planned assessments and the completion and publication rates against them."""

from __future__ import annotations

from datetime import date

from eia.accounts.models import Role
from eia.assessments.queries import financial_year_of
from eia.assessments.states import EiaState
from tests.factories import make_eia, make_planned, make_service_area, make_user
from tracker import programme


def test_rates_count_planned_started_completed_and_published_per_service_area(db):
    housing = make_service_area("Housing Options", parent=make_service_area("Housing"))
    parks = make_service_area("Parks", parent=make_service_area("Environment"))
    author = make_user(Role.AUTHOR, service_area=housing)
    for state in (EiaState.PUBLISHED, EiaState.PUBLISHED, EiaState.APPROVED, EiaState.DRAFT):
        make_planned(housing.id, eia=make_eia(author=author, state=state))
    make_planned(housing.id)  # planned, never started
    make_planned(parks.id, eia=make_eia(author=author, state=EiaState.SIGNED_OFF))
    make_planned(parks.id, start=date(2024, 6, 1))  # last financial year: not counted
    by_area = {r.service_area: r for r in programme.rates(2025)}
    housing_rates = by_area["Housing > Housing Options"]
    assert (housing_rates.planned, housing_rates.started, housing_rates.completed, housing_rates.published) == (
        5,
        4,
        3,
        2,
    )
    assert housing_rates.completion_rate == 3 / 5 and housing_rates.publication_rate == 2 / 3
    parks_rates = by_area["Environment > Parks"]
    assert (parks_rates.planned, parks_rates.completed, parks_rates.published) == (1, 1, 0)
    assert financial_year_of(date(2026, 3, 31)) == 2025 and financial_year_of(date(2026, 4, 1)) == 2026


def test_the_programme_page_shows_rates_and_the_team_adds_and_links_entries(client, login_as, db):
    area = make_service_area("Libraries", parent=make_service_area("Culture"))
    login_as(Role.EQUALITIES)
    response = client.post(
        "/programme/",
        data={
            "title": "Mobile library routes",
            "service_area_id": str(area.id),
            "planned_start-day": "1", "planned_start-month": "6", "planned_start-year": "2025",
            "decision_date-day": "1", "decision_date-month": "5", "decision_date-year": "2025",
        },
    )  # fmt: skip
    assert "The decision date must be after the planned start" in response.get_data(as_text=True)
    page = client.post("/programme/", data={"title": "No date", "service_area_id": str(area.id)}).get_data(as_text=True)
    assert "Enter the planned start date" in page
    response = client.post(
        "/programme/",
        data={
            "title": "Mobile library routes",
            "service_area_id": str(area.id),
            "planned_start-day": "1",
            "planned_start-month": "6",
            "planned_start-year": "2025",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("year=2025")
    page = client.get("/programme/?year=2025").get_data(as_text=True)
    assert "Mobile library routes" in page and "Culture &gt; Libraries" in page
    from sqlalchemy import select

    from tracker.models import PlannedEia

    entry = db.session.execute(select(PlannedEia)).scalar_one()
    eia = make_eia(author=make_user(Role.AUTHOR, service_area=area), state=EiaState.PUBLISHED)
    assert client.post(f"/programme/{entry.id}/link", data={"reference": eia.reference}).status_code == 302
    page = client.get("/programme/?year=2025").get_data(as_text=True)
    assert f"{eia.reference} (published)" in page and "100%" in page
    assert client.get("/programme/?year=1200").status_code == 400
