"""Edge cases: references after a reopen, who may touch individual actions, reviewing one's own
work, conflicts on the impacts page, the register's single answer, odd input."""

from __future__ import annotations

import re

from eia.accounts.models import Role
from eia.assessments import impacts as impacts_service
from eia.assessments import workflow
from eia.assessments.states import EiaKind, EiaState
from tests.conftest import sign_in_session
from tests.factories import complete_eia, make_eia, make_user


def finished(db, author):
    eia = make_eia(author=author)
    complete_eia(eia, author)
    reviewer = make_user(Role.EQUALITIES)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="Agreed", confirmed=True)
    db.session.commit()
    return eia


def test_new_eias_still_start_after_the_newest_is_reopened(db):
    author = make_user(Role.AUTHOR)
    eia = finished(db, author)
    following = workflow.reopen(eia, by=author)
    db.session.commit()
    assert following.reference.endswith("-V2")
    fresh = make_eia(author=author)
    assert int(fresh.reference[-4:]) == int(eia.reference[-4:]) + 1


def test_reopened_version_starts_clean_dates(db):
    author = make_user(Role.AUTHOR)
    eia = finished(db, author)
    following = workflow.reopen(eia, by=author)
    db.session.commit()
    assert following.review_date is None and "review_date" not in following.answers("outcome")
    assert following.answers("about")["started_on"] == following.started_on.isoformat()
    assert eia.review_date is not None  # the old version is untouched


def test_withdrawing_an_approval_clears_it(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    workflow.transition(eia, "withdraw", by=author, comment="Budget changed")
    assert eia.approved_at is None


def test_lead_officer_of_an_individual_action_cannot_see_or_touch_it(client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL, title="Confidential restructure")
    complete_eia(eia, author, negative=("age",))
    lead = login_as(Role.AUTHOR)
    eia.lead_officer_id = lead.id
    db.session.commit()
    mitigation = eia.mitigations[0]
    assert client.get(f"/eias/{eia.reference}/mitigations/{mitigation.id}").status_code == 403
    assert client.get(f"/eias/{eia.reference}/mitigations/new").status_code == 403
    assert (
        client.post(f"/eias/{eia.reference}/mitigations/{mitigation.id}/remove", data={"version": "1"}).status_code
        == 403
    )
    assert "Confidential restructure" not in client.get("/").get_data(as_text=True)


def test_nobody_reviews_or_signs_off_their_own_assessment(client, login_as, db):
    reviewer = login_as(Role.EQUALITIES)
    own = make_eia(author=reviewer, title="The equalities team's own policy")
    complete_eia(own, reviewer)
    workflow.transition(own, "submit", by=reviewer, confirmed=True)
    db.session.commit()
    assert client.post(f"/eias/{own.reference}/transitions/approve").status_code == 403
    assert "The equalities team&#39;s own policy" not in client.get("/").get_data(as_text=True)
    colleague = make_user(Role.EQUALITIES)
    workflow.transition(own, "approve", by=colleague)
    db.session.commit()
    assert own.state is EiaState.APPROVED


def test_conflict_on_the_impacts_page_shows_each_characteristic(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    opened = eia.section("impacts").version
    age = next(c for c in services_characteristics(eia) if c.key == "age")
    impacts_service.save_impacts(
        eia, {age: {"direction": "negative", "severity": "high", "description": "Older borrowers lose mornings."}}, {},
        completed=False, expected_version=opened, by=author,
    )  # fmt: skip
    db.session.commit()
    response = client.post(
        f"/eias/{eia.reference}/sections/impacts",
        data={"c_age_direction": "neutral", "c_age_reason": "None found.", "version": str(opened)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    # Each characteristic's answers side by side: what was typed, then what is saved now.
    assert conflict_row(page, "Age: impact") == ["Neutral", "Negative"]
    assert conflict_row(page, "Age: why there is no effect") == ["None found.", "Not answered"]


def conflict_row(page: str, question: str) -> list[str]:
    """The two answers in a conflict page's row, as a person reads them (the 'Different' tag left out)."""
    row = re.search(rf'<th scope="row" class="govuk-table__header">{re.escape(question)}</th>(.*?)</tr>', page, re.S)
    assert row, f"no row for {question!r}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<strong.*?</strong>", "", cell, flags=re.S).strip() for cell in cells]


def services_characteristics(eia):
    from eia.assessments.queries import characteristics_for

    return characteristics_for(eia)


def test_register_gives_one_answer_for_unknown_and_unpublished(client, db):
    draft = make_eia(title="A draft")
    unknown = client.get("/register/EIA-1999-0001").get_data(as_text=True)
    hidden = client.get(f"/register/{draft.reference}").get_data(as_text=True)
    message = "There is no published equality impact assessment with that reference."
    assert message in unknown and message in hidden


def test_null_bytes_are_refused_with_a_clear_400(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    assert client.get("/register/?q=%00").status_code == 400
    assert client.get("/register/%00").status_code == 400
    response = client.post(
        f"/eias/{eia.reference}/sections/about", data={"title": "a\x00b", "completed": "no", "version": "1"}
    )
    assert response.status_code == 400 and "null byte" in response.get_data(as_text=True)


def test_spaces_alone_are_no_answer(client, login_as, db):
    login_as(Role.AUTHOR)
    page = client.post("/eias/new", data={"kind": "standard", "title": "   "}).get_data(as_text=True)
    assert "Enter a title" in page
    login_as(Role.AUTHOR, service_area=None)
    page = client.post("/eias/new", data={"kind": "standard", "title": "Parks"}).get_data(as_text=True)
    assert "You are not in a service area yet" in page


def test_comment_text_stays_out_of_the_history_until_returned(app, client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    reviewer = app.test_client()
    sign_in_session(reviewer, make_user(Role.EQUALITIES))
    reviewer.post(f"/eias/{eia.reference}/comments", data={"section_key": "evidence", "body": "Private working note."})
    page = reviewer.post(f"/eias/{eia.reference}/comments", data={"section_key": "", "body": "   "}).get_data(
        as_text=True
    )
    assert "Enter a comment" in page
    assert "Private working note." not in client.get(f"/eias/{eia.reference}/history").get_data(as_text=True)
