"""The equalities dashboard: who sees it, what it shows first, counts that open their lists, and a
number of queries that does not grow with the assessments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from eia.accounts.models import Role
from eia.assessments.models import DecisionRecord, Mitigation
from eia.assessments.states import EiaState
from eia.db_types import utcnow
from eia.extensions import db as _db
from tests.factories import make_eia, make_service_area, make_user

TODAY = utcnow().date()


def _decision(eia, days: int) -> None:
    eia.decision = DecisionRecord(
        planned_on=TODAY + timedelta(days=days),
        deciding_body="committee",
        body_name="Communities Scrutiny Committee",
        forward_plan_reference="",
        report_reference="",
        minutes_reference="",
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.EQUALITIES, 200), (Role.DECISION_MAKER, 200), (Role.ADMIN, 200), (Role.AUTHOR, 403)],
)
def test_who_sees_the_dashboard_and_its_link(client, login_as, db, role, status):
    login_as(role)
    assert client.get("/dashboard").status_code == status
    home = client.get("/").get_data(as_text=True)
    assert ('href="/dashboard"' in home) is (status == 200)


def test_the_dashboard_puts_decisions_at_risk_first_and_counts_open_their_lists(client, login_as, db):
    login_as(Role.EQUALITIES)
    area = make_service_area("Libraries")
    author = make_user(Role.AUTHOR, service_area=area)
    risky = make_eia(author=author, title="Mobile library route")
    _decision(risky, 12)
    approved = make_eia(author=author, title="Library fines", state=EiaState.APPROVED)
    _decision(approved, 5)
    far = make_eia(author=author, title="Library strategy")
    _decision(far, 90)
    waiting = make_eia(author=author, title="Branch hours", state=EiaState.IN_REVIEW)
    waiting.submitted_at = datetime.combine(TODAY - timedelta(days=30), datetime.min.time(), tzinfo=UTC)
    waiting.mitigations.append(
        Mitigation(action="Run a pop-up library", owner_id=author.id, due_on=TODAY - timedelta(days=3))
    )
    make_eia(author=author, title="Old", state=EiaState.REVIEW_DUE, review_date=TODAY - timedelta(days=3))
    _db.session.commit()

    page = client.get("/dashboard").get_data(as_text=True)
    first = page.index("without an approved assessment")
    assert first < page.index("The pipeline by service area") < page.index("Reviews waiting")
    at_risk = page[first : page.index("The pipeline by service area")]
    assert "Mobile library route" in at_risk and "Communities Scrutiny Committee" in at_risk
    assert "Library fines" not in at_risk and "Library strategy" not in at_risk
    assert "1 decision due by" in at_risk
    assert f'href="/eias/?state=draft&amp;service_area={area.id}"' in page
    assert 'id="figure-reviews-over">1<' in page and "Late" in page
    assert 'id="figure-mitigations-overdue">1<' in page
    assert "1 due for review" in page
    assert "Quality audits this quarter" in page
    # The count links to the list with the same assessments.
    listed = client.get("/eias/?at_risk=y").get_data(as_text=True)
    assert "Mobile library route" in listed and "Library fines" not in listed
    # Approving it takes it off.
    risky.state, risky.approved_at = EiaState.APPROVED, utcnow()
    _db.session.commit()
    assert "No decision in the next 28 days" in client.get("/dashboard").get_data(as_text=True)


def test_a_decision_maker_sees_no_individual_actions_on_the_dashboard(client, login_as, db):
    from eia.assessments.states import EiaKind

    login_as(Role.DECISION_MAKER)
    private = make_eia(kind=EiaKind.INDIVIDUAL, title="Post room restructure")
    _decision(private, 3)
    _db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Post room restructure" not in page and "No decision in the next 28 days" in page


def test_the_dashboard_queries_do_not_grow_with_assessments(client, login_as, db, count_queries):
    login_as(Role.EQUALITIES)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            author = make_user(Role.AUTHOR, service_area=make_service_area(f"Team {i}"))
            eia = make_eia(author=author, title=f"Assessment {i}", state=EiaState.IN_REVIEW)
            eia.submitted_at = utcnow() - timedelta(days=i)
            _decision(eia, 1 + i % 20)
            eia.mitigations.append(Mitigation(action="Act", owner_id=author.id, due_on=TODAY - timedelta(days=1)))
        _db.session.commit()

    def count() -> int:
        with count_queries() as counter:
            assert client.get("/dashboard").status_code == 200
        return counter.count

    add(0, 2)
    few = count()
    add(2, 25)
    assert count() == few


def test_the_demo_gives_the_dashboard_and_the_timings_something_real(app, client, login_as, db):
    from sqlalchemy import func, select

    from eia.assessments import decisions
    from eia.assessments.models import Eia
    from eia.assessments.states import DecisionOutcome

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    records = _db.session.execute(select(DecisionRecord)).scalars().all()
    assert any(r.outcome is DecisionOutcome.AMENDED for r in records)
    assert any(r.planned_on and r.taken_on is None and r.planned_on > TODAY for r in records)
    late = [
        e
        for e in _db.session.execute(select(Eia).where(Eia.id.in_([r.eia_id for r in records]))).scalars()
        if any(c.key == "decision" and c.timing is decisions.Timing.LATE for c in decisions.timeliness(e))
    ]
    assert len(late) == 1
    assert _db.session.execute(select(func.count()).where(Eia.state == EiaState.REVIEW_DUE)).scalar() > 0
    login_as(Role.EQUALITIES)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="decisions-at-risk"' in page and "No decision in the next 28 days" not in page


@pytest.mark.sqlite
def test_review_dates_look_newer_versions_up_by_index(app, db):
    """ "Is there a newer version?" for each assessment must be an index look-up, not a scan of every
    assessment for every assessment (14 s a view at 10,000 assessments on SQLite)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from eia.dashboard import queries as dashboard_queries

    captured: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "previous_id" in statement:
            captured.append((statement, tuple(parameters)))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        dashboard_queries.review_dates(make_user(Role.EQUALITIES), utcnow().date())
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    assert "ix_eias_previous_id" in " ".join(str(row[-1]) for row in plan), plan


def test_an_areas_total_in_the_pipeline_opens_a_list_of_as_many(client, login_as, db):
    login_as(Role.EQUALITIES)
    area = make_service_area("Parks")
    author = make_user(Role.AUTHOR, service_area=area)
    make_eia(author=author, title="Play areas")
    make_eia(author=author, title="Bowling greens", state=EiaState.ARCHIVED)
    make_eia(author=author, title="Tennis courts", state=EiaState.ABANDONED)
    _db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    total = re.search(rf'href="/eias/\?service_area={area.id}">(\d+)<', page)
    assert total is not None and total.group(1) == "2"
    assert f'href="/eias/?state=archived&amp;service_area={area.id}"' in page
    assert '<a class="govuk-link" href="/eias/">2<span class="govuk-visually-hidden"> in all service areas' in page
    listed = client.get(f"/eias/?service_area={area.id}").get_data(as_text=True)
    assert "Play areas" in listed and "Bowling greens" in listed and "Tennis courts" not in listed
