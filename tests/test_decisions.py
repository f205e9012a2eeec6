"""The decision an assessment informs, the timings of due regard, the decision maker sending it
back, and the reviewer's page that shows the whole assessment."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from eia.accounts.models import Role
from eia.assessments import decisions, workflow
from eia.assessments.decisions import Timing
from eia.assessments.states import DecisionOutcome, EiaState
from eia.errors import PermissionDenied, ValidationFailed
from tests.conftest import sign_in_session
from tests.factories import complete_eia, make_eia, make_user


def _approved(db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    db.session.commit()
    return author, eia


def _timing(eia, key: str, today: date | None = None) -> Timing:
    return next(c for c in decisions.timeliness(eia, today) if c.key == key).timing


def test_a_decision_record_is_kept_with_every_change_in_the_history(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    page = client.get(f"/eias/{eia.reference}/decision").get_data(as_text=True)
    assert "Who takes the decision?" in page and "What was decided?" in page
    refused = client.post(
        f"/eias/{eia.reference}/decision",
        data={
            "deciding_body": "committee",
            "version": "0",
            "taken_on-day": "1",
            "taken_on-month": "3",
            "taken_on-year": "2026",
        },
    )
    text = refused.get_data(as_text=True)
    assert "Enter the name of the committee" in text and "Select what was decided" in text
    saved = client.post(
        f"/eias/{eia.reference}/decision",
        data={
            "is_key_decision": "yes",
            "forward_plan_reference": "FP/2026/14",
            "deciding_body": "committee",
            "body_name": "Communities Scrutiny Committee",
            "planned_on-day": "12",
            "planned_on-month": "3",
            "planned_on-year": "2027",
            "version": "0",
        },
    )
    assert saved.status_code == 302
    db.session.refresh(eia)
    assert eia.decision.body_name == "Communities Scrutiny Committee" and eia.decision.planned_on == date(2027, 3, 12)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "Communities Scrutiny Committee" in page and "12 March 2027" in page


def test_an_impossible_date_and_a_missing_answer_on_the_decision_record_are_reported_together(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    refused = client.post(
        f"/eias/{eia.reference}/decision",
        data={
            "deciding_body": "committee",
            "version": "0",
            "planned_on-day": "31",
            "planned_on-month": "2",
            "planned_on-year": "2027",
        },
    )
    text = refused.get_data(as_text=True)
    summary = text[text.index("govuk-error-summary") : text.index("</ul>", text.index("govuk-error-summary"))]
    assert "must be a real date" in summary and "Enter the name of the committee" in summary
    assert eia.decision is None
    # A value no choice has is refused by the form alone.
    tampered = client.post(
        f"/eias/{eia.reference}/decision",
        data={"deciding_body": "the-mayor", "decision_maker_id": "x", "version": "0"},
    )
    assert tampered.status_code == 200 and "Not a valid choice" in tampered.get_data(as_text=True)


def test_the_timings_of_due_regard(db):
    author, eia = _approved(db)
    eia.started_on = date(2026, 1, 5)
    eia.submitted_at = datetime(2026, 2, 2, 10, tzinfo=UTC)
    eia.approved_at = datetime(2026, 2, 20, 10, tzinfo=UTC)  # 14 working days
    decisions.save_decision(eia, {"planned_on": date(2026, 3, 1)}, expected_version=0, by=author)
    assert _timing(eia, "started") is Timing.ON_TIME
    assert _timing(eia, "review") is Timing.LATE
    assert _timing(eia, "approved", today=date(2026, 2, 25)) is Timing.NOT_KNOWN  # not signed off yet, not due
    assert _timing(eia, "approved", today=date(2026, 3, 5)) is Timing.LATE  # the decision day passed first
    assert _timing(eia, "decision") is Timing.NOT_KNOWN
    decisions.save_decision(
        eia,
        {"taken_on": date(2026, 2, 10), "outcome": "as_proposed"},
        expected_version=eia.decision.version,
        by=author,
    )
    assert _timing(eia, "decision") is Timing.LATE  # decided before it was approved
    assert "without an approved assessment" in next(c for c in decisions.timeliness(eia) if c.key == "decision").detail


def test_a_decision_recorded_as_amended_prompts_a_new_version(client, db):
    author, eia = _approved(db)
    decisions.save_decision(
        eia,
        {"taken_on": datetime.now(UTC).date() - timedelta(days=1), "outcome": DecisionOutcome.AMENDED},
        expected_version=0,
        by=author,
    )
    db.session.commit()
    assert decisions.needs_new_version(eia)
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "Start the next version of the assessment for the change" in page
    with pytest.raises(ValidationFailed):
        decisions.save_decision(
            eia, {"outcome": "rejected", "taken_on": None}, expected_version=eia.decision.version, by=author
        )


def test_only_the_named_decision_maker_signs_off_and_a_decision_maker_can_send_it_back(db):
    author, eia = _approved(db)
    named = make_user(Role.DECISION_MAKER, name="Chris Morgan")
    other = make_user(Role.DECISION_MAKER)
    decisions.save_decision(eia, {"decision_maker_id": named.id}, expected_version=0, by=author)
    with pytest.raises(PermissionDenied):
        workflow.transition(eia, "sign_off", by=other, comment="Agreed", confirmed=True)
    with pytest.raises(ValidationFailed):
        workflow.transition(eia, "send_back_to_author", by=named)  # a reason is required
    workflow.transition(eia, "send_back_to_author", by=named, comment="The costs for carers are missing.")
    assert eia.state is EiaState.RETURNED and eia.approved_at is None
    assert eia.comments[-1].body == "The costs for carers are missing."


def test_a_decision_maker_sends_it_back_to_the_equalities_team(db):
    _author, eia = _approved(db)
    workflow.transition(
        eia, "send_back_to_review", by=make_user(Role.DECISION_MAKER), comment="Check the consultation."
    )
    assert eia.state is EiaState.IN_REVIEW and eia.approved_at is None


def test_the_review_page_shows_the_whole_assessment_and_opening_it_starts_the_review(app, client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Library opening hours"), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    reviewer = login_as(Role.EQUALITIES)
    assert client.post(f"/eias/{eia.reference}/review").status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.IN_REVIEW
    page = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    for section in eia.form.sections:
        assert section.title in page
    assert "The author's declaration" in page and "first submission" in page
    assert page.count('name="section_key"') == len(eia.form.sections)
    assert "Approve" in page and "Return to the author" in page
    # Giving the review to someone puts it in their My work.
    colleague = make_user(Role.EQUALITIES, name="Priya Shah")
    assigned = client.post(f"/eias/{eia.reference}/reviewer", data={"reviewer_id": str(colleague.id)})
    assert assigned.status_code == 302
    db.session.refresh(eia)
    assert eia.reviewer_id == colleague.id
    assert reviewer.id != colleague.id
    other = app.test_client()
    sign_in_session(other, colleague)
    home = other.get("/").get_data(as_text=True)
    assert re.search(r"assigned to you", home, re.I) and "Library opening hours" in home
