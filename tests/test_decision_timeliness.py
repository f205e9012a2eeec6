"""The timings of due regard as list filters and in the API: the SQL that filters and counts gives
each assessment the same timing as the assessment page shows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import decisions
from eia.assessments.models import DecisionRecord, Eia
from eia.db_types import utcnow
from eia.extensions import db
from tests.factories import make_eia, make_user

TODAY = utcnow().date()


def _at(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)


def _cases(author) -> list[Eia]:
    """Assessments across the combinations that matter: with and without a decision date, taken
    or not, reviewed quickly, slowly or not yet, signed off before or after the decision."""
    made = []
    d = TODAY - timedelta(days=40)
    combos = itertools.product(
        (None, d, TODAY + timedelta(days=10)),  # planned decision
        (None, d - timedelta(days=5)),  # taken
        (None, d - timedelta(days=60), d - timedelta(days=15)),  # submitted
        (None, 3, 30),  # approved, days after submission
        (None, 2),  # signed off, days after approval
    )
    for n, (planned, taken, submitted, approved_after, signed_after) in enumerate(combos):
        if submitted is None and approved_after is not None:
            continue
        approved = submitted + timedelta(days=approved_after) if approved_after is not None else None
        signed = approved + timedelta(days=signed_after) if approved and signed_after is not None else None
        eia = make_eia(author=author, title=f"Case {n}", started_on=d - timedelta(days=70 - n % 3 * 60))
        eia.submitted_at = _at(submitted)
        eia.approved_at = _at(approved)
        eia.signed_off_at = _at(signed)
        if planned or taken:
            eia.decision = DecisionRecord(
                planned_on=planned,
                taken_on=taken,
                outcome="as_proposed" if taken else None,
                forward_plan_reference="",
                body_name="",
                report_reference="",
                minutes_reference="",
            )
        made.append(eia)
    db.session.commit()
    return made


def test_the_sql_timings_agree_with_the_page_for_every_case(db):
    author = make_user(Role.AUTHOR)
    made = _cases(author)
    ids = [e.id for e in made]
    for key in decisions.TIMING_KEYS:
        found = dict(
            db.session.execute(
                select(Eia.id, decisions.timing_sql(key, TODAY))
                .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
                .where(Eia.id.in_(ids))
            ).all()
        )
        for eia in made:
            expected = next(c for c in decisions.timeliness(eia, TODAY) if c.key == key).timing.value
            assert found[eia.id] == expected, (key, eia.title)
    # Every timing of every check occurs among the cases, so each branch was compared.
    seen = {(c.key, c.timing) for eia in made for c in decisions.timeliness(eia, TODAY)}
    assert len(seen) == 12


def test_the_list_filters_by_timing_and_by_decisions_at_risk(client, login_as, db):
    login_as(Role.EQUALITIES)
    author = make_user(Role.AUTHOR)
    late = make_eia(author=author, title="Started after the decision", started_on=TODAY - timedelta(days=3))
    late.decision = DecisionRecord(
        planned_on=TODAY + timedelta(days=10),
        taken_on=None,
        forward_plan_reference="",
        body_name="",
        report_reference="",
        minutes_reference="",
    )
    late.started_on = TODAY + timedelta(days=11)
    early = make_eia(author=author, title="Started in good time", started_on=TODAY - timedelta(days=90))
    early.decision_date = TODAY + timedelta(days=60)
    db.session.commit()

    page = client.get("/eias/?timing_started=late").get_data(as_text=True)
    assert "Started after the decision" in page and "Started in good time" not in page
    page = client.get("/eias/?timing_started=on_time").get_data(as_text=True)
    assert "Started in good time" in page and "Started after the decision" not in page
    page = client.get("/eias/?at_risk=y").get_data(as_text=True)
    assert "Started after the decision" in page and "Started in good time" not in page
    assert "decisions in the next 28 days whose assessment is not yet approved" in page
    refused = client.get("/eias/?timing_review=soon")
    assert refused.status_code == 400 and "Choose on time, late or not yet known" in refused.get_data(as_text=True)


def test_the_api_gives_each_assessment_its_timings_and_decision(api_as, db):
    api = api_as(Role.EQUALITIES)
    eia = make_eia(title="Leisure centre prices", started_on=TODAY - timedelta(days=30))
    eia.decision = DecisionRecord(
        planned_on=TODAY + timedelta(days=20),
        body_name="Cabinet",
        deciding_body="cabinet",
        forward_plan_reference="FP/26/3",
        report_reference="",
        minutes_reference="",
    )
    db.session.commit()
    body = api.get(f"/api/v1/eias/{eia.reference}").get_json()
    timings = {t["key"]: t["timing"] for t in body["timeliness"]}
    assert timings == {"started": "on_time", "review": "not_known", "approved": "not_known", "decision": "not_known"}
    assert body["decision"]["forward_plan_reference"] == "FP/26/3"
    listed = api.get("/api/v1/eias/?timing_started=on_time&at_risk=true").get_json()
    assert [item["reference"] for item in listed["items"]] == [eia.reference]
    assert listed["items"][0]["timeliness"][0]["timing"] == "on_time"
    assert api.get("/api/v1/eias/?timing_decision=never").status_code == 422


def test_a_review_ended_by_returning_it_or_later_sent_back_keeps_its_timing(db):
    """Returning an assessment ends the equalities team's review as approving it does; the weeks it
    then spends with its author, or a decision maker sending it back after approval, do not make
    that review late."""
    from eia.assessments import workflow
    from tests.factories import complete_eia

    author, reviewer = make_user(Role.AUTHOR), make_user(Role.EQUALITIES)
    returned = complete_eia(make_eia(author=author, title="Returned the same day"), author)
    workflow.transition(returned, "submit", by=author, confirmed=True)
    workflow.transition(returned, "return", by=reviewer, comment="Say more about carers.")
    sent_back = complete_eia(make_eia(author=author, title="Sent back after approval"), author)
    workflow.transition(sent_back, "submit", by=author, confirmed=True)
    workflow.transition(sent_back, "approve", by=reviewer)
    workflow.transition(sent_back, "send_back_to_author", by=make_user(Role.DECISION_MAKER), comment="Costs?")
    db.session.commit()
    later = TODAY + timedelta(days=60)
    for eia in (returned, sent_back):
        check = next(c for c in decisions.timeliness(eia, later) if c.key == "review")
        assert check.timing is decisions.Timing.ON_TIME, (eia.title, check.detail)
        found = db.session.execute(
            select(decisions.timing_sql("review", later))
            .select_from(Eia)
            .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
            .where(Eia.id == eia.id)
        ).scalar_one()
        assert found == "on_time", eia.title
    # Submitted again, the new submission's review is what counts: not yet known until it ends.
    workflow.transition(returned, "submit", by=author, confirmed=True)
    assert next(c for c in decisions.timeliness(returned, TODAY) if c.key == "review").timing is (
        decisions.Timing.NOT_KNOWN
    )


def test_a_submission_taken_back_before_its_review_is_no_late_review(db):
    from eia.assessments import workflow
    from tests.factories import complete_eia

    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Taken back"), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "withdraw_submission", by=author)
    db.session.commit()
    later = TODAY + timedelta(days=60)
    check = next(c for c in decisions.timeliness(eia, later) if c.key == "review")
    assert check.timing is decisions.Timing.NOT_KNOWN and check.detail == "Not submitted yet."
    assert eia.review_target_on is None


# The UK day of a moment, in Python and in SQL alike, across the clock changes.
MOMENTS = [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # GMT still: 29 March
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # GMT: 28 March
    datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # BST: 1 July
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # BST still: 25 October
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # BST: 25 October
    datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # GMT again: 25 October
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # GMT: 31 December
]


def test_the_uk_day_of_a_moment_is_the_same_in_sql_and_in_python(db):
    from sqlalchemy import literal

    from eia.db_types import UTCDateTime, uk_day
    from eia.working_days import uk_day as in_uk

    found = [db.session.execute(select(uk_day(literal(m, UTCDateTime())))).scalar_one() for m in MOMENTS]
    assert found == [in_uk(m) for m in MOMENTS]
    assert found[2] == date(2026, 7, 1) and found[4] == date(2026, 10, 25) and found[0] == date(2026, 3, 29)


def test_a_submission_late_on_a_summer_evening_counts_from_the_uk_day(db):
    """Submitted at 23:30 UTC on 30 June, which is 00:30 on 1 July in the UK: the review target and the
    words count from 1 July, on the page and in the SQL the lists and the dashboard use."""
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    eia.submitted_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    eia.reviewed_at = eia.approved_at = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # 15 July in the UK
    db.session.flush()
    assert eia.review_target_on == date(2026, 7, 15)  # ten working days after 1 July
    review = next(c for c in decisions.timeliness(eia, date(2026, 8, 1)) if c.key == "review")
    assert review.detail == "Submitted on 1 July 2026, reviewed on 15 July 2026 (target 15 July 2026)."
    assert review.timing is decisions.Timing.ON_TIME
    timing = db.session.execute(
        select(decisions.timing_sql("review", date(2026, 8, 1)))
        .select_from(Eia)
        .outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        .where(Eia.id == eia.id)
    ).scalar_one()
    assert timing == decisions.Timing.ON_TIME.value
