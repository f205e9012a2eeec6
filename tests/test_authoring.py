"""Where an assessment belongs and who writes it: the service area chosen at the start and changed
while a draft, co-authors, handing a draft over, abandoning and restoring, withdrawing a submission,
comments dealt with, and the pauses before anything that cannot be undone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import authoring, workflow
from eia.assessments import impacts as impacts_service
from eia.assessments.states import EiaState
from eia.auditlog.models import AuditEntry
from eia.errors import PermissionDenied, ValidationFailed, WorkflowError
from eia.notifications.services import reminders
from tests.conftest import sign_in_session
from tests.factories import complete_eia, make_eia, make_service_area, make_user


def _audit(action: str) -> list[AuditEntry]:
    from eia.extensions import db

    return db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def test_an_author_starts_an_assessment_for_another_team_of_their_directorate(client, login_as, db):
    author = login_as(Role.AUTHOR)
    libraries = make_service_area("Libraries", parent=author.service_area.parent)
    elsewhere = make_service_area("Highways", parent=make_service_area("Environment"))
    page = client.get("/eias/new").get_data(as_text=True)
    assert "Which service area is it for?" in page and "Libraries" in page and "Highways" not in page
    refused = client.post(
        "/eias/new", data={"kind": "standard", "title": "Mobile library", "service_area_id": str(elsewhere.id)}
    )
    assert refused.status_code == 200 and "Choose one of the service areas you work in" in refused.get_data(
        as_text=True
    )
    started = client.post(
        "/eias/new", data={"kind": "standard", "title": "Mobile library", "service_area_id": str(libraries.id)}
    )
    assert started.status_code == 302
    reference = started.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/eias/{reference}").get_data(as_text=True)
    assert f"{author.service_area.parent.name} &gt; Libraries" in page or "Libraries" in page


@pytest.mark.parametrize("role", [Role.EQUALITIES, Role.ADMIN], ids=str)
def test_the_equalities_team_and_admins_start_an_assessment_for_any_area(client, login_as, db, role):
    login_as(role)
    parks = make_service_area("Parks", parent=make_service_area("Environment"))
    assert "Environment &gt; Parks" in client.get("/eias/new").get_data(as_text=True)
    started = client.post(
        "/eias/new", data={"kind": "standard", "title": "Park cafe", "service_area_id": str(parks.id)}
    )
    assert started.status_code == 302
    reference = started.headers["Location"].rsplit("/", 1)[1]
    from eia.assessments import queries

    assert queries.eia_or_404(reference).service_area_id == parks.id


def test_a_draft_moves_to_another_area_with_both_in_the_history_and_not_once_submitted(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    housing = eia.service_area
    libraries = make_service_area("Libraries", parent=author.service_area.parent)
    authoring.move_eia(eia, libraries.id, by=author)
    db.session.commit()
    assert eia.service_area_id == libraries.id
    entry = _audit("eia_moved")[0]
    assert entry.changes["service_area_id"] == [housing.id, libraries.id]
    assert housing.full_name in entry.detail and "Libraries" in entry.detail
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    with pytest.raises(WorkflowError):
        authoring.move_eia(eia, housing.id, by=author)


def test_a_co_author_edits_sees_it_in_my_work_and_never_reviews_it(client, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    helper = make_user(Role.EQUALITIES, name="Helen Helper")
    authoring.add_coauthor(eia, helper.id, by=author)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        authoring.add_coauthor(eia, helper.id, by=author)
    sign_in_session(client, helper)
    about = eia.section("about")
    saved = client.post(
        f"/eias/{eia.reference}/sections/about",
        data={"title": "Written together", "completed": "no", "version": str(about.version)},
    )
    assert saved.status_code == 302
    assert eia.reference in client.get("/").get_data(as_text=True)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        workflow.transition(eia, "approve", by=helper)


def test_handing_a_draft_over_tells_the_new_author_and_keeps_the_old_one_writing(client, db):
    author = make_user(Role.AUTHOR, name="Sam Patel")
    eia = make_eia(author=author)
    colleague = make_user(Role.AUTHOR, name="Jo Okafor")
    authoring.hand_over(eia, colleague.id, by=author)
    db.session.commit()
    assert eia.author_id == colleague.id and author.id in eia.coauthor_ids
    assert _audit("eia_handed_over")[0].changes["author_id"] == [author.id, colleague.id]
    sign_in_session(client, colleague)
    home = client.get("/").get_data(as_text=True)
    assert "Handed over to you" in home and "from Sam Patel" in home
    due = reminders(eia.handed_over_at.date(), colleague.id)[colleague.id]
    assert [r.kind for r in due] == ["handed_over"] and "Sam Patel handed it over to you" in due[0].text
    with pytest.raises(ValidationFailed):
        authoring.hand_over(eia, make_user(Role.DECISION_MAKER).id, by=colleague)


def test_the_daily_email_gives_the_day_of_a_hand_over_in_uk_time(db):
    author = make_user(Role.AUTHOR, name="Sam Patel")
    eia = make_eia(author=author)
    colleague = make_user(Role.AUTHOR, name="Jo Okafor")
    authoring.hand_over(eia, colleague.id, by=author)
    eia.handed_over_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    db.session.commit()
    (item,) = reminders(date(2026, 7, 1), colleague.id)[colleague.id]
    assert item.text.endswith("Sam Patel handed it over to you on 1 July 2026")


def test_a_draft_is_handed_over_on_its_page_to_a_service_manager_a_co_author_among_them(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    helper = make_user(Role.AUTHOR, name="Helen Helper", service_area=author.service_area)
    make_user(Role.DECISION_MAKER, name="Dee Decider")
    authoring.add_coauthor(eia, helper.id, by=author)
    db.session.commit()
    page = client.get(f"/eias/{eia.reference}/people").get_data(as_text=True)
    hand_over = page[page.index('action="/eias/' + eia.reference + '/people/hand-over"') :]
    assert "Helen Helper" in hand_over and "Dee Decider" not in hand_over
    done = client.post(f"/eias/{eia.reference}/people/hand-over", data={"user_id": str(helper.id)})
    assert done.status_code == 302
    db.session.refresh(eia)
    assert eia.author_id == helper.id and set(eia.coauthor_ids) == {author.id}


def test_an_abandoned_draft_leaves_the_lists_until_the_equalities_team_restores_it(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author, title="Pop-up library")
    confirm = client.get(f"/eias/{eia.reference}/transitions/abandon").get_data(as_text=True)
    assert "It leaves the lists, the counts and the reminders" in confirm
    assert "Enter a comment" in client.post(f"/eias/{eia.reference}/transitions/abandon").get_data(as_text=True)
    done = client.post(f"/eias/{eia.reference}/transitions/abandon", data={"comment": "The pilot was cancelled."})
    assert done.status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.ABANDONED
    assert "Pop-up library" not in client.get("/eias/").get_data(as_text=True)
    assert "Pop-up library" in client.get("/eias/?state=abandoned").get_data(as_text=True)
    with pytest.raises(PermissionDenied):
        workflow.transition(eia, "restore", by=author)
    workflow.transition(eia, "restore", by=make_user(Role.EQUALITIES))
    db.session.commit()
    assert eia.state is EiaState.DRAFT


def test_an_abandoned_drafts_mitigations_leave_my_work_and_the_reminders(client, db):
    author = make_user(Role.AUTHOR)
    owner = make_user(Role.AUTHOR, name="Mo Owner", service_area=author.service_area)
    eia = complete_eia(make_eia(author=author, title="Pop-up library"), author)
    mitigation = eia.mitigations[0]
    mitigation.owner_id = owner.id
    db.session.commit()
    sign_in_session(client, owner)
    assert mitigation.action in client.get("/").get_data(as_text=True)
    assert [r.kind for r in reminders(mitigation.due_on, owner.id)[owner.id]] == ["mitigation"]
    workflow.transition(eia, "abandon", by=author, comment="The pilot was cancelled.")
    db.session.commit()
    assert mitigation.action not in client.get("/").get_data(as_text=True)
    assert reminders(mitigation.due_on, owner.id) == {}


def test_a_returned_assessment_is_offered_to_be_abandoned_in_words_that_fit_it(client, db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Pop-up library"), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "return", by=make_user(Role.EQUALITIES), comment="Say more about the evidence.")
    db.session.commit()
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "Abandon this assessment" in page and "Abandon this draft" not in page
    confirm = client.get(f"/eias/{eia.reference}/transitions/abandon").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Abandon this assessment</h1>' in confirm
    done = client.post(f"/eias/{eia.reference}/transitions/abandon", data={"comment": "The pilot was cancelled."})
    assert done.status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.ABANDONED


def test_a_submission_is_withdrawn_until_the_review_starts(db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "withdraw_submission", by=author)
    assert eia.state is EiaState.DRAFT
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "start_review", by=make_user(Role.EQUALITIES))
    with pytest.raises(WorkflowError):
        workflow.transition(eia, "withdraw_submission", by=author)


@pytest.mark.parametrize("name", ["approve", "publish", "withdraw", "withdraw_submission", "abandon", "restore"])
def test_no_step_that_cannot_simply_be_undone_acts_on_a_single_click(name):
    from eia.assessments.transitions import TRANSITIONS

    step = TRANSITIONS[name]
    assert not step.is_direct and step.warning  # a page says what will happen, then a button


def test_removing_a_mitigation_asks_first(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    mitigation = eia.mitigations[0]
    url = f"/eias/{eia.reference}/mitigations/{mitigation.id}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Remove this mitigation?" in page and mitigation.action in page
    assert len(eia.mitigations) == 1
    assert client.post(url, data={"version": str(mitigation.version)}).status_code == 302
    db.session.refresh(eia)
    assert eia.mitigations == []


def test_a_reviewers_section_comment_is_dealt_with_on_that_section(app, client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    reviewer = make_user(Role.EQUALITIES, name="Priya Shah")
    workflow.add_comment(eia, "evidence", "Add the 2021 census figures for the ward.", by=reviewer)
    db.session.commit()
    # Not shown to the author while the review goes on.
    assert "Add the 2021 census" not in client.get(f"/eias/{eia.reference}/sections/evidence").get_data(as_text=True)
    workflow.transition(eia, "return", by=reviewer, comment="A little more evidence, please.")
    db.session.commit()
    page = client.get(f"/eias/{eia.reference}/sections/evidence").get_data(as_text=True)
    assert "Add the 2021 census figures for the ward." in page and "Mark as dealt with" in page
    comment = next(c for c in eia.comments if c.section_key == "evidence")
    done = client.post(
        f"/eias/{eia.reference}/comments/{comment.id}/dealt-with", data={"reply": "Added: 23% are over 65."}
    )
    assert done.status_code == 302
    page = client.get(f"/eias/{eia.reference}/sections/evidence").get_data(as_text=True)
    assert "Dealt with" in page and "Added: 23% are over 65." in page and "Mark as dealt with" not in page
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    reviewing = app.test_client()
    sign_in_session(reviewing, reviewer)
    review = reviewing.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    assert "Dealt with" in review and "The author replied:" in review and "Added: 23% are over 65." in review


def test_a_neutral_impact_never_shows_a_severity(client, login_as, db):
    from eia.assessments import queries

    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    age = next(c for c in queries.characteristics_for(eia) if c.key == "age")
    impacts_service.save_impacts(
        eia,
        {age: {"direction": "neutral", "severity": "low", "description": "No differential effect."}},
        {},
        completed=False,
        expected_version=eia.section("impacts").version,
        by=author,
    )
    db.session.commit()
    impact = next(i for i in eia.impacts if i.characteristic_id == age.id)
    assert impact.severity is None
    page = client.get(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    assert "Neutral: No differential effect." in page and "(low" not in page


def test_a_severity_saved_before_the_two_steps_on_an_impact_that_is_not_negative_is_kept_but_never_shown(
    client, login_as, api_as, db
):
    from eia.assessments.states import Severity
    from eia.rounds import services as round_services
    from tests.factories import make_round

    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, proposal_type="budget"), author)
    budget_round = make_round()
    round_services.join_round(eia, budget_round, by=author)
    neutral = next(i for i in eia.impacts if i.characteristic.key == "sex")
    neutral.severity = Severity.LOW  # as the single page of 65 fields let people save it
    db.session.commit()
    api = api_as(Role.EQUALITIES)
    shown = {i["characteristic"]: i for i in api.get(f"/api/v1/eias/{eia.reference}").get_json()["impacts"]}
    assert shown["sex"]["direction"] == "neutral" and shown["sex"]["severity"] is None
    assert shown["age"]["severity"] == "medium"
    assert api.get(f"/api/v1/eias/{eia.reference}/impacts/sex").get_json()["severity"] is None
    cells = api.get(f"/api/v1/rounds/{budget_round.id}").get_json()["impacts"]
    assert next(c for c in cells if c["characteristic"] == "sex")["severity"] is None
    login_as(Role.EQUALITIES)
    assert "Neutral (low" not in client.get(f"/rounds/{budget_round.id}").get_data(as_text=True)
    db.session.refresh(neutral)
    assert neutral.severity is Severity.LOW  # nothing deleted


def test_check_your_answers_changes_an_impact_or_a_question_on_the_page_that_asks_it(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    page = client.get(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    impacts = page[page.index(">Impact on each characteristic<") :]
    assert f'href="/eias/{eia.reference}/sections/impacts/age">Change' in impacts  # negative: its own page
    assert f'href="/eias/{eia.reference}/sections/impacts">Change' in impacts  # neutral: the directions
    across = f'href="/eias/{eia.reference}/sections/impacts/across-groups">Change'
    assert across in impacts[: impacts.index("<h2")]  # the section's own questions
    # a question of a section asked over two pages: the page that asks it
    about = f"/eias/{eia.reference}/sections/about"
    assert f'href="{about}">Change<span class="govuk-visually-hidden"> title of the proposal' in page
    assert f'href="{about}/2">Change<span class="govuk-visually-hidden"> aims and intended outcomes' in page
    age = next(i for i in eia.impacts if i.characteristic.key == "age")
    impacts_service.save_impact_detail(
        eia,
        age.characteristic,
        {"description": age.description, "who_affected": "Borrowers over 65.", "severity": "medium"},
        expected_version=age.version,
        by=author,
    )
    db.session.commit()
    page = client.get(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    assert "Who: Borrowers over 65." in page  # every answer of an impact, not only its effect
