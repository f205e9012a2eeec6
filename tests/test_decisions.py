"""The decision an assessment informs, the timings of due regard, the decision maker sending it
back, and the reviewer's page that shows the whole assessment."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from eia.accounts.models import Role
from eia.assessments import decisions, workflow
from eia.assessments.decisions import Timing
from eia.assessments.states import DecisionOutcome, EiaKind, EiaState
from eia.errors import PermissionDenied, ValidationFailed, WorkflowError
from eia.permissions import can
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
    # Approved but not signed off yet: no next version can be started until the sign-off.
    assert "Once it is signed off, start the next version of the assessment for the change" in page
    workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="Agreed", confirmed=True)
    db.session.commit()
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "The decision was agreed with amendments. Start the next version of the assessment" in page
    assert f'action="/eias/{eia.reference}/reopen"' in page
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


def test_a_review_page_opened_by_its_address_starts_the_review_with_the_first_comment(client, login_as, db):
    """Reading never changes anything: a link from an email or a bookmark shows the page and says the
    review has not started; the first comment starts it, so the author can no longer take it back."""
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Library opening hours"), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    login_as(Role.EQUALITIES)
    page = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    db.session.refresh(eia)
    assert eia.state is EiaState.SUBMITTED
    assert "The review starts with your first comment" in page and "Start the review now" in page
    key = eia.form.sections[0].key
    added = client.post(f"/eias/{eia.reference}/comments", data={"section_key": key, f"body-{key}": "Say who."})
    assert added.status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.IN_REVIEW
    assert "The review starts with your first comment" not in client.get(f"/eias/{eia.reference}/review").get_data(
        as_text=True
    )
    with pytest.raises(WorkflowError):
        workflow.transition(eia, "withdraw_submission", by=author, confirmed=True)


def test_the_author_reads_the_decision_makers_reason_for_sending_it_back(client, db):
    author, eia = _approved(db)
    reviewer = make_user(Role.EQUALITIES)
    workflow.transition(eia, "withdraw", by=author, comment="The opening hours changed.")
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "return", by=reviewer, comment="Say how the new hours were chosen.")
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(
        eia,
        "send_back_to_author",
        by=make_user(Role.DECISION_MAKER, name="Chris Morgan"),
        comment="The costs for carers are missing.",
    )
    eia.comments[-1].created_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    db.session.commit()
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "Sent back by the decision maker" in page and "The costs for carers are missing." in page
    assert "Chris Morgan sent it back on 2 March 2026:" in page
    # The reviewer's earlier return is dealt with: it is not shown as the reason now.
    assert "Say how the new hours were chosen." not in page


def test_a_decision_maker_is_asked_to_sign_off_only_what_they_may_sign_off(app, db):
    _author, named_eia = _approved(db)
    _author, open_eia = _approved(db)
    named = make_user(Role.DECISION_MAKER, name="Chris Morgan")
    other = make_user(Role.DECISION_MAKER, name="Alex Lee")
    decisions.save_decision(named_eia, {"decision_maker_id": named.id}, expected_version=0, by=named)
    db.session.commit()
    for person, expected in ((named, {named_eia, open_eia}), (other, {open_eia})):
        client = app.test_client()
        sign_in_session(client, person)
        home = client.get("/").get_data(as_text=True)
        queue = home[home.index("Waiting for your sign-off") :]
        assert {e for e in (named_eia, open_eia) if e.reference in queue} == expected, person.name


def test_the_amended_decision_stops_asking_for_a_new_version_once_it_is_started(db):
    author, eia = _approved(db)
    workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="Agreed", confirmed=True)
    decisions.save_decision(
        eia,
        {"taken_on": datetime.now(UTC).date() - timedelta(days=1), "outcome": DecisionOutcome.AMENDED},
        expected_version=0,
        by=author,
    )
    assert decisions.needs_new_version(eia)
    workflow.reopen(eia, by=author)
    assert not decisions.needs_new_version(eia)


def test_an_individual_action_naming_a_decision_maker_is_still_signed_off_by_the_equalities_team(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL, state=EiaState.APPROVED)
    named = make_user(Role.DECISION_MAKER)
    decisions.save_decision(eia, {"decision_maker_id": named.id}, expected_version=0, by=author)
    assert can(make_user(Role.EQUALITIES), "eia.sign_off", eia)
    assert not can(named, "eia.sign_off", eia)  # decision makers never see an individual action


def test_the_history_says_who_sent_it_back_in_words(client, db):
    author, eia = _approved(db)
    decision_maker = make_user(Role.DECISION_MAKER)
    workflow.transition(eia, "send_back_to_review", by=decision_maker, comment="Check the consultation.")
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    workflow.transition(eia, "send_back_to_author", by=decision_maker, comment="The costs for carers are missing.")
    db.session.commit()
    sign_in_session(client, author)
    assert client.post(f"/eias/{eia.reference}.docx").status_code == 200
    history = client.get(f"/eias/{eia.reference}/history").get_data(as_text=True)
    for words in ("Sent back to the equalities team", "Sent back to the author", "Downloaded as a Word document"):
        assert words in history


def test_the_review_page_marks_each_answer_added_removed_or_changed_with_what_it_said_before(client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Library opening hours"), author)
    reviewer = make_user(Role.EQUALITIES)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "return", by=reviewer, comment="Say more.")
    workflow.transition(eia, "submit", by=author, confirmed=True)
    # What the two submissions said, made to differ in each way a reviewer must see.
    before, now = copy.deepcopy(eia.snapshots[-2].data), copy.deepcopy(eia.snapshots[-1].data)
    before["sections"]["outcome"]["summary"] = "Hours cut at every branch."
    del before["sections"]["consultation"]["what_they_said"]
    now["sections"]["consultation"]["how_and_when"] = ""
    before["impacts"]["sex"]["direction"] = "positive"
    eia.snapshots[-2].data, eia.snapshots[-1].data = before, now
    db.session.commit()
    sign_in_session(client, reviewer)

    page = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    rows = {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r'<div class="govuk-summary-list__row">(.*?)</div>', page, re.S)
    }
    assert "4 answers changed since the last submission" in page

    def row(start: str) -> str:
        return next(r for r in rows if r.startswith(f"{start} "))

    assert "Changed Hours adjusted to keep mornings" in row("Summary of the outcome")
    assert "Before: Hours cut at every branch." in row("Summary of the outcome")
    assert "Added Older borrowers rely on weekday mornings" in row("What did they say about the equality impacts?")
    assert "Removed Not answered now" in row("How and when?") and "Before: Online survey" in row("How and when?")
    assert "Changed" in row("Sex") and "Before: Positive" in row("Sex")


@pytest.mark.parametrize("step", ["sign_off", "send_back_to_review", "send_back_to_author"])
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_a_decision_maker_signs_off_or_sends_back(client, login_as, db, role, step):
    _author, eia = _approved(db)
    login_as(role)
    allowed = role is Role.DECISION_MAKER
    assert (client.get(f"/eias/{eia.reference}/transitions/{step}").status_code == 200) is allowed
    posted = client.post(f"/eias/{eia.reference}/transitions/{step}", data={})
    assert posted.status_code == (200 if allowed else 403)  # allowed: the page again, asking for the reason


@pytest.mark.parametrize("step", ["sign_off", "send_back_to_review", "send_back_to_author"])
def test_only_the_named_decision_maker_signs_off_or_sends_back(app, db, step):
    author, eia = _approved(db)
    named, other = make_user(Role.DECISION_MAKER), make_user(Role.DECISION_MAKER)
    decisions.save_decision(eia, {"decision_maker_id": named.id}, expected_version=0, by=author)
    db.session.commit()
    for person, status in ((other, 403), (named, 200)):
        client = app.test_client()
        sign_in_session(client, person)
        assert client.get(f"/eias/{eia.reference}/transitions/{step}").status_code == status


def test_once_the_decision_is_taken_the_assessment_it_was_taken_with_cannot_be_changed(client, db):
    """A decision recorded as taken on an approved assessment: 'Make a change' is no longer offered
    (it would withdraw the approval the decision relied on); the change goes into the next version."""
    author, eia = _approved(db)
    assert "withdraw" in [s.name for s in workflow.available_transitions(eia, author)]
    taken = eia.approved_at.date()  # the day it was approved
    decisions.save_decision(eia, {"taken_on": taken, "outcome": DecisionOutcome.AMENDED}, expected_version=0, by=author)
    db.session.commit()
    assert "withdraw" not in [s.name for s in workflow.available_transitions(eia, author)]
    with pytest.raises(WorkflowError) as refused:
        workflow.transition(eia, "withdraw", by=author, comment="A change", confirmed=True)
    assert f"The decision was taken on {taken.day} {taken:%B %Y}" in str(refused.value)
    assert eia.state is EiaState.APPROVED and eia.approved_at is not None
    check = next(c for c in decisions.timeliness(eia) if c.key == "decision")
    assert check.timing is Timing.ON_TIME
    sign_in_session(client, author)
    assert "Make a change" not in client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    # Nor can the decision maker send it back, nor anyone take the decision off the record.
    decision_maker = make_user(Role.DECISION_MAKER)
    for step in ("send_back_to_review", "send_back_to_author"):
        assert step not in [s.name for s in workflow.available_transitions(eia, decision_maker)]
        with pytest.raises(WorkflowError):
            workflow.transition(eia, step, by=decision_maker, comment="Look again.", confirmed=True)
    with pytest.raises(ValidationFailed) as kept:
        decisions.save_decision(
            eia, {"taken_on": None, "outcome": None}, expected_version=eia.decision.version, by=author
        )
    assert set(kept.value.fields) == {"taken_on", "outcome"}
    assert "cannot be removed" in kept.value.fields["taken_on"]


def test_two_people_saving_the_first_decision_record_at_once_get_a_conflict_not_an_error(db):
    """The second of two first saves meets the one-record-per-assessment rule: a conflict naming it,
    and the record saved first stays."""
    from sqlalchemy import insert

    from eia.assessments.models import DecisionRecord
    from eia.errors import ConflictError

    author, eia = _approved(db)
    assert eia.decision is None  # what this person's form was opened on
    db.session.execute(  # the other person's save, committed first
        insert(DecisionRecord).values(
            eia_id=eia.id, forward_plan_reference="FP/1", body_name="", report_reference="", minutes_reference=""
        )
    )
    with pytest.raises(ConflictError) as clash:
        decisions.save_decision(eia, {"planned_on": date(2099, 1, 5)}, expected_version=0, by=author)
    assert "at the same time" in str(clash.value)
    assert clash.value.current is not None and clash.value.current.forward_plan_reference == "FP/1"
