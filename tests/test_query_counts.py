"""Pages run a number of SQL queries that does not grow with the data."""

from __future__ import annotations

from eia.accounts.models import Role
from eia.auditlog import services as audit
from tests.factories import make_service_area, make_user


def queries_for(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_user_list_queries_do_not_grow_with_users(client, login_as, db, count_queries):
    login_as(Role.ADMIN)
    directorate = make_service_area("Directorate")
    for i in range(3):
        make_user(Role.AUTHOR, service_area=make_service_area(f"Team {i}", parent=directorate))
    few = queries_for(client, count_queries, "/admin/users/")
    for i in range(3, 30):
        make_user(Role.AUTHOR, service_area=make_service_area(f"Team {i}", parent=directorate))
    many = queries_for(client, count_queries, "/admin/users/")
    assert many == few


def test_audit_log_and_service_area_pages_do_not_grow(client, login_as, db, count_queries):
    login_as(Role.ADMIN)
    directorate = make_service_area("Place")
    for i in range(5):
        make_service_area(f"Team {i}", parent=directorate)
        audit.record("test_event", by=None, detail=f"event {i}")
    db.session.commit()
    few = [queries_for(client, count_queries, url) for url in ("/audit-log/", "/admin/service-areas/")]
    for i in range(5, 80):
        make_service_area(f"Team {i}", parent=directorate)
        audit.record("test_event", by=None, detail=f"event {i}")
    db.session.commit()
    many = [queries_for(client, count_queries, url) for url in ("/audit-log/", "/admin/service-areas/")]
    assert many == few


def test_plan_dashboard_queries_do_not_grow_with_plans_and_updates(client, login_as, db, count_queries):
    from datetime import date

    from tests.factories import make_plan
    from tracker import services
    from tracker.models import ActionStatus

    person = login_as(Role.EQUALITIES)

    def add_plans(start: int, stop: int) -> None:
        for i in range(start, stop):
            plan = make_plan(title=f"Plan {i}")
            for action in plan.priorities[0].actions:
                services.add_progress_update(
                    action, note="Progress", status=ActionStatus.ON_TRACK, written_on=date(2026, 1, 5), by=person
                )
        db.session.commit()

    urls = ("/plans/dashboard", "/plans/dashboard?attention=stale", "/plans/")
    add_plans(0, 2)
    few = [queries_for(client, count_queries, url) for url in urls]
    add_plans(2, 30)
    many = [queries_for(client, count_queries, url) for url in urls]
    assert many == few


def test_quality_audit_pages_do_not_grow_with_samples_and_items(client, login_as, db, count_queries):
    from datetime import UTC, datetime

    from eia.assessments.states import EiaState
    from eia.quality import sampling, scoring
    from tests.factories import make_eia

    auditor = login_as(Role.EQUALITIES)
    area = make_service_area("Audited")
    for _ in range(12):
        make_eia(
            author=make_user(Role.AUTHOR, service_area=area),
            state=EiaState.APPROVED,
            approved_at=datetime(2025, 5, 1, tzinfo=UTC),
        )
    period = sampling.parse_period("2025-Q1")
    small = sampling.draw_sample(period=period, size="1", exclude_months=0, by=auditor)
    big = sampling.draw_sample(period=period, size="10", exclude_months=0, by=auditor)
    rubric = scoring.current_rubric()
    for sample in (small, big):
        for item in sample.items:
            scoring.score_item(
                item, rubric=rubric, scores={c["key"]: 2 for c in rubric.criteria}, comments={}, summary="",
                findings=[], by=auditor,
            )  # fmt: skip
    db.session.commit()
    assert queries_for(client, count_queries, f"/samples/{small.id}") == queries_for(
        client, count_queries, f"/samples/{big.id}"
    )
    few = queries_for(client, count_queries, "/samples/")
    for _ in range(5):
        sampling.draw_sample(period=period, size="3", exclude_months=0, by=auditor)
    db.session.commit()
    assert queries_for(client, count_queries, "/samples/") == few


def test_history_and_audit_log_read_names_and_labels_in_the_same_queries_however_many(
    client, login_as, db, count_queries
):
    """Entries are read in people's words (names, references, question labels) by a fixed number of
    queries, not one per person, area or assessment they name."""
    from tests.factories import make_eia

    login_as(Role.EQUALITIES)
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)

    def record_some(n: int) -> None:
        for _ in range(n):
            other = make_user(Role.AUTHOR)
            audit.record("eia_reviewer_assigned", eia, by=other, changes={"reviewer_id": [None, other.id]})
            audit.record("eia_moved", eia, by=other, changes={"service_area_id": [1, other.service_area_id]})
            audit.record("eia_section_saved", make_eia(author=other), by=other, changes={"about.aims": [None, "x"]})
        db.session.commit()

    record_some(2)
    urls = (f"/eias/{eia.reference}/history", "/audit-log/")
    few = [queries_for(client, count_queries, url) for url in urls]
    record_some(12)
    many = [queries_for(client, count_queries, url) for url in urls]
    assert many == few


def test_register_queries_do_not_grow_with_published_assessments(client, db, count_queries):
    from eia.assessments.states import EiaState
    from eia.db_types import utcnow
    from tests.factories import make_eia

    author = make_user(Role.AUTHOR)

    def publish(start: int, stop: int) -> None:
        for i in range(start, stop):
            make_eia(author=author, title=f"Published {i}", state=EiaState.PUBLISHED, published_at=utcnow())

    publish(0, 3)
    few = [queries_for(client, count_queries, url) for url in ("/register/", "/register/?q=Published")]
    publish(3, 60)  # more than a page
    many = [queries_for(client, count_queries, url) for url in ("/register/", "/register/?page=2")]
    assert many == few
