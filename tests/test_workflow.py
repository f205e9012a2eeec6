"""The review and sign-off workflow: who may do what, from which state, with which comment."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.models import Eia
from eia.assessments.states import EiaKind, EiaState
from eia.auditlog.models import AuditEntry
from eia.errors import ValidationFailed, WorkflowError
from tests.conftest import sign_in_session
from tests.factories import complete_eia, make_eia, make_user


def test_submission_is_blocked_until_ready_naming_what_is_missing(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    page = client.post(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    assert "is not ready to submit" in page and "Complete the section &#39;Screening&#39;" in page

    complete_eia(eia, author, negative=("disability",), mitigate=False)
    page = client.post(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    assert "Disability has a negative impact with no mitigation" in page
    db.session.refresh(eia)
    assert eia.state is EiaState.DRAFT


def test_the_whole_journey_with_a_return_and_a_resubmission(app, client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    check = client.get(f"/eias/{eia.reference}/transitions/submit").get_data(as_text=True)
    assert "Check your answers before submitting" in check and ">Change<" in check
    undeclared = client.post(f"/eias/{eia.reference}/transitions/submit")
    assert undeclared.status_code == 200 and "Confirm the declaration to submit the assessment" in undeclared.get_data(
        as_text=True
    )
    assert client.post(f"/eias/{eia.reference}/transitions/submit", data={"confirmed": "yes"}).status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.SUBMITTED and len(eia.snapshots) == 1
    assert eia.snapshots[0].declaration.startswith("I have considered the effect of the proposal")

    reviewer_client = app.test_client()
    reviewer = make_user(Role.EQUALITIES)
    sign_in_session(reviewer_client, reviewer)
    assert reviewer_client.post(f"/eias/{eia.reference}/transitions/start_review").status_code == 302
    reviewer_client.post(
        f"/eias/{eia.reference}/comments", data={"section_key": "evidence", "body": "Add the 2021 census figures."}
    )
    page = reviewer_client.post(f"/eias/{eia.reference}/transitions/return", data={"comment": ""}).get_data(
        as_text=True
    )
    assert "Enter a comment explaining this decision" in page
    reviewer_client.post(f"/eias/{eia.reference}/transitions/return", data={"comment": "Evidence is thin for age."})
    db.session.refresh(eia)
    assert eia.state is EiaState.RETURNED

    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "Returned by the equalities team" in page and "Evidence is thin for age." in page
    assert "Add the 2021 census figures." in page
    evidence = eia.section("evidence")
    client.post(
        f"/eias/{eia.reference}/sections/evidence",
        data={
            "known_data": "Census 2021: 23% of residents are over 65.",
            "completed": "yes",
            "version": str(evidence.version),
        },
    )
    assert client.post(f"/eias/{eia.reference}/transitions/submit", data={"confirmed": "yes"}).status_code == 302

    page = reviewer_client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    assert "1 answer changed since the last submission" in page
    changed = re.search(r'govuk-tag--(?:yellow|green)">(?:Changed|Added)</strong>(.*?)</dd>', page, re.S).group(1)
    assert "Census 2021: 23% of residents are over 65." in changed
    assert reviewer_client.post(f"/eias/{eia.reference}/transitions/approve").status_code == 302

    decision_maker = make_user(Role.DECISION_MAKER, name="Chris Morgan")
    dm_client = app.test_client()
    sign_in_session(dm_client, decision_maker)
    page = dm_client.get(f"/eias/{eia.reference}/transitions/sign_off").get_data(as_text=True)
    assert "Age: medium severity" in page and "Keep Tuesday and Thursday mornings" in page
    page = dm_client.post(f"/eias/{eia.reference}/transitions/sign_off", data={"comment": "Agreed."}).get_data(
        as_text=True
    )
    assert "Confirm that you have read the adverse impacts" in page
    dm_client.post(f"/eias/{eia.reference}/transitions/sign_off", data={"comment": "Agreed.", "confirmed": "yes"})
    db.session.refresh(eia)
    assert eia.state is EiaState.SIGNED_OFF and eia.signed_off_by_id == decision_maker.id and eia.signed_off_at

    assert reviewer_client.post(f"/eias/{eia.reference}/transitions/publish").status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.PUBLISHED and eia.published_at

    actions = (
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    for expected in (
        "eia_submit",
        "eia_start_review",
        "eia_comment_added",
        "eia_return",
        "eia_approve",
        "eia_sign_off",
        "eia_publish",
    ):
        assert expected in actions
    history = client.get(f"/eias/{eia.reference}/history").get_data(as_text=True)
    assert "Signed off" in history and "Agreed." in history


def test_wrong_state_is_409_and_wrong_role_is_403(app, client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    response = client.post(f"/eias/{eia.reference}/transitions/approve")
    assert response.status_code == 403  # authors never approve
    reviewer = app.test_client()
    sign_in_session(reviewer, make_user(Role.EQUALITIES))
    response = reviewer.post(f"/eias/{eia.reference}/transitions/approve")
    assert response.status_code == 409
    assert f"{eia.reference} is draft, so it cannot be approved now." in response.get_data(as_text=True)


def test_reopening_makes_a_linked_new_version_and_keeps_the_old(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    reviewer = make_user(Role.EQUALITIES)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="Agreed", confirmed=True)
    workflow.transition(eia, "publish", by=reviewer)
    following = workflow.reopen(eia, by=author)
    db.session.commit()
    assert following.reference == f"{eia.reference}-V2" and following.previous_id == eia.id
    assert following.state is EiaState.DRAFT and eia.state is EiaState.PUBLISHED
    carried = {k: v for k, v in eia.answers("about").items() if k not in ("started_on", "decision_date")}
    assert {k: v for k, v in following.answers("about").items() if k != "started_on"} == carried
    assert len(following.mitigations) == len(eia.mitigations)


def test_approval_withdrawn_for_a_change_goes_back_through_review(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    workflow.transition(eia, "withdraw", by=author, comment="The budget changed.")
    assert eia.state is EiaState.DRAFT
    workflow.transition(eia, "submit", by=author, confirmed=True)
    assert eia.state is EiaState.SUBMITTED and len(eia.snapshots) == 2


def test_individual_actions_are_signed_off_by_equalities_and_never_published(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL, title="Post room restructure")
    reviewer = make_user(Role.EQUALITIES)
    eia.state = EiaState.APPROVED
    db.session.commit()
    from eia.errors import PermissionDenied, WorkflowError

    try:
        workflow.transition(eia, "sign_off", by=make_user(Role.DECISION_MAKER), comment="x", confirmed=True)
    except PermissionDenied:
        pass
    else:
        raise AssertionError("a decision maker must not sign off an individual-action EIA")
    workflow.transition(eia, "sign_off", by=reviewer, comment="Proportionate.", confirmed=True)
    try:
        workflow.transition(eia, "publish", by=reviewer)
    except (PermissionDenied, WorkflowError):
        pass
    else:
        raise AssertionError("an individual-action EIA must never be published")
    assert db.session.get(Eia, eia.id).state is EiaState.SIGNED_OFF


def test_whoever_starts_a_review_nobody_was_given_becomes_its_reviewer(app, client, login_as, db):
    author = make_user(Role.AUTHOR)
    unassigned, assigned = make_eia(author=author), make_eia(author=author)
    for eia in (unassigned, assigned):
        complete_eia(eia, author)
        workflow.transition(eia, "submit", by=author, confirmed=True)
    colleague = make_user(Role.EQUALITIES, name="Dev Rahman")
    workflow.assign_reviewer(assigned, colleague.id, by=colleague)
    db.session.commit()

    reviewer = login_as(Role.EQUALITIES)
    for eia in (unassigned, assigned):
        assert client.post(f"/eias/{eia.reference}/transitions/start_review").status_code == 302
    db.session.refresh(unassigned)
    db.session.refresh(assigned)
    assert unassigned.reviewer_id == reviewer.id and assigned.reviewer_id == colleague.id
    page = client.get(f"/eias/{unassigned.reference}/review").get_data(as_text=True)
    chosen = re.search(r'<option value="(\d+)" selected>([^<]+)</option>', page)
    assert chosen is not None and chosen.group(1) == str(reviewer.id) and reviewer.name in chosen.group(2)
    assigned_to = db.session.execute(
        select(AuditEntry.detail).where(
            AuditEntry.action == "eia_reviewer_assigned", AuditEntry.entity_id == str(unassigned.id)
        )
    ).scalar_one()
    assert assigned_to == f"to {reviewer.name}"


def test_adding_a_section_comment_keeps_the_return_comment_and_other_boxes_typed_so_far(client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    login_as(Role.EQUALITIES)
    assert client.post(f"/eias/{eia.reference}/transitions/start_review").status_code == 302
    review = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    # The comment boxes and the return comment are one form: adding a comment posts them all.
    form = review[review.index('action="/eias/' + eia.reference + '/comments"') :]
    form = form[: form.index("</form>")]
    assert 'name="body-evidence"' in form and 'name="comment"' in form and "Return to the author" in form

    page = client.post(
        f"/eias/{eia.reference}/comments",
        data={
            "section_key": "evidence",
            "body-evidence": "Add the 2021 census figures.",
            "body-about": "Say which branches keep their evening hours.",
            "comment": "The evidence is thin for age: please add the census figures.",
        },
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Comment added." in html and "Add the 2021 census figures." in html
    returning = html[html.index('name="comment"') : html.index("</textarea>", html.index('name="comment"'))]
    assert "The evidence is thin for age: please add the census figures." in returning
    about = html[html.index('name="body-about"') : html.index("</textarea>", html.index('name="body-about"'))]
    assert "Say which branches keep their evening hours." in about
    evidence = html[html.index('name="body-evidence"') : html.index("</textarea>", html.index('name="body-evidence"'))]
    assert "Add the 2021 census figures." not in evidence  # saved, so its box is empty again
    db.session.refresh(eia)
    assert [(c.section_key, c.body) for c in eia.comments] == [("evidence", "Add the 2021 census figures.")]

    empty = client.post(
        f"/eias/{eia.reference}/comments",
        data={"section_key": "about", "body-about": " ", "comment": "Still thin for age."},
    ).get_data(as_text=True)
    assert "Enter a comment" in empty and "Still thin for age." in empty

    alone = client.post(f"/eias/{eia.reference}/comments", data={"section_key": "about", "body-about": "Name them."})
    assert alone.status_code == 302 and alone.location.endswith(f"/eias/{eia.reference}/review")


def _submitted(db, login_as) -> Eia:
    """An assessment waiting for review, with the client signed in as the equalities team."""
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    login_as(Role.EQUALITIES)
    return eia


def _box(html: str, name: str) -> str:
    """What a textarea called *name* holds as the page is shown."""
    start = html.index(f'name="{name}"')
    return html[html.index(">", start) + 1 : html.index("</textarea>", start)]


def test_returning_from_the_review_page_adds_the_section_comments_typed_but_not_added(client, login_as, db):
    eia = _submitted(db, login_as)
    review = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    form = review[review.index('action="/eias/' + eia.reference + '/comments"') :]
    assert 'name="from" value="review"' in form[: form.index("</form>")]

    returned = client.post(
        f"/eias/{eia.reference}/transitions/return",
        data={
            "from": "review",
            "body-evidence": "Add the 2021 census figures.",
            "body-about": "  ",
            "comment": "The evidence is thin for age.",
        },
    )
    assert returned.status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.RETURNED
    assert [(c.section_key, c.body, c.transition) for c in eia.comments] == [
        ("evidence", "Add the 2021 census figures.", None),
        (None, "The evidence is thin for age.", "return"),
    ]
    # The author reads the section's comment with the reason it came back.
    sign_in_session(client, eia.author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "The evidence is thin for age." in page and "Add the 2021 census figures." in page


def test_a_refused_return_shows_the_review_page_again_with_every_box_as_typed(client, login_as, db):
    eia = _submitted(db, login_as)
    refused = client.post(
        f"/eias/{eia.reference}/transitions/return",
        data={"from": "review", "body-evidence": "Add the 2021 census figures.", "body-about": "Name the branches."},
    )
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert f"Review: {eia.title}" in html  # the review page, not a page of its own
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert "Enter a comment explaining this decision" in summary and 'href="#comment"' in summary
    assert _box(html, "body-evidence") == "Add the 2021 census figures."
    assert _box(html, "body-about") == "Name the branches."
    db.session.refresh(eia)
    assert eia.state is EiaState.SUBMITTED and eia.comments == []


def test_approving_from_the_review_page_asks_first_then_adds_the_section_comments_with_it(client, login_as, db):
    eia = _submitted(db, login_as)
    review = client.get(f"/eias/{eia.reference}/review").get_data(as_text=True)
    form = review[review.index('action="/eias/' + eia.reference + '/comments"') :]
    form = form[: form.index("</form>")]
    assert f'formaction="/eias/{eia.reference}/transitions/approve"' in form  # Approve sends the boxes too

    asked = client.post(
        f"/eias/{eia.reference}/transitions/approve",
        data={"from": "review", "body-evidence": "Fine, but cite the census.", "comment": "Half a return comment"},
    )
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "The decision maker is asked to sign it off." in html
    assert "This comment is added when you approve it." in html and "Fine, but cite the census." in html
    assert '<input type="hidden" name="body-evidence" value="Fine, but cite the census.">' in html
    assert "Half a return comment" not in html  # written to return it, not to approve it
    db.session.refresh(eia)
    assert eia.state is EiaState.SUBMITTED and eia.comments == []

    approved = client.post(
        f"/eias/{eia.reference}/transitions/approve", data={"body-evidence": "Fine, but cite the census."}
    )
    assert approved.status_code == 302
    db.session.refresh(eia)
    assert eia.state is EiaState.APPROVED
    assert [(c.section_key, c.body) for c in eia.comments] == [("evidence", "Fine, but cite the census.")]


def test_section_comments_go_only_with_a_step_taken_under_review(db):
    author = make_user(Role.AUTHOR)
    reviewer = make_user(Role.EQUALITIES)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    with pytest.raises(ValidationFailed, match=r"^Your comment on about the proposal must be 5,000 characters"):
        workflow.transition(eia, "return", by=reviewer, comment="Thin.", section_comments={"about": "x" * 5001})
    workflow.transition(eia, "return", by=reviewer, comment="Thin.")
    with pytest.raises(WorkflowError, match="under review"):
        workflow.transition(eia, "abandon", by=reviewer, comment="Dropped.", section_comments={"about": "Late."})


def test_the_author_reads_who_returned_it_and_on_which_day_in_the_uk(client, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "return", by=make_user(Role.EQUALITIES, name="Priya Shah"), comment="Thin for age.")
    # 23:30 on 30 June in UTC is half past midnight on 1 July in the UK (British Summer Time).
    eia.comments[-1].created_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    db.session.commit()
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    returned = page[page.index("Returned by the equalities team") :]
    assert returned[: returned.index("</div>")].count("Priya Shah returned it on 1 July 2026:") == 1
