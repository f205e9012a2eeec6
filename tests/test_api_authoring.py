"""The API keeps up with the pages: the service area, co-authors, handing over, abandoning,
restoring and withdrawing, the impacts in two steps and the declaration on submitting; each through
the same services and refusals as the pages, and audit-logged."""

from __future__ import annotations

from eia.accounts.models import Role
from eia.assessments.states import EiaState
from eia.assessments.submission import DECLARATION
from eia.auditlog.models import AuditEntry
from tests.factories import complete_eia, make_eia, make_service_area, make_user

#: {eia} belongs to a service area the service manager here does not work in (as in test_api_permissions,
#: not imported from there: that module imports this one for its rows).
SEES_OTHER_AREAS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}
#: Who adds co-authors and hands over: the author, and the equalities team for any assessment.
OWNERS = {Role.EQUALITIES}

API_PERMISSIONS = [
    # Nobody but its own service area (or its writers) files it elsewhere.
    ("PUT", "/api/v1/eias/{eia}/service-area", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/coauthors", SEES_OTHER_AREAS, 404),
    ("POST", "/api/v1/eias/{eia}/coauthors", OWNERS, (403, 404)),
    ("DELETE", "/api/v1/eias/{eia}/coauthors/{coauthor}", OWNERS, (403, 404)),
    ("POST", "/api/v1/eias/{eia}/hand-over", OWNERS, (403, 404)),
    ("PUT", "/api/v1/eias/{eia}/impacts/directions", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/impacts/age", SEES_OTHER_AREAS, 404),
    ("PUT", "/api/v1/eias/{eia}/impacts/age", set(), (403, 404)),
]


def _actions(eia) -> list[str]:
    from sqlalchemy import select

    from eia.extensions import db

    return list(
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
        ).scalars()
    )


def _etag(api, url: str) -> str:
    return api.get(url).headers["ETag"]


def test_the_author_moves_the_draft_to_another_area_they_work_in_and_not_outside(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    sibling = make_service_area("Libraries", parent=author.user.service_area.parent)
    elsewhere = make_service_area("Parks")
    url = f"/api/v1/eias/{eia.reference}"

    refused = author.put(
        f"{url}/service-area", json={"service_area_id": elsewhere.id}, headers={"If-Match": _etag(author, url)}
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["service_area_id"] == "Choose one of the service areas you work in"
    moved = author.put(
        f"{url}/service-area", json={"service_area_id": sibling.id}, headers={"If-Match": _etag(author, url)}
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["service_area"]["id"] == sibling.id
    assert "eia_moved" in _actions(eia)
    stale = author.put(f"{url}/service-area", json={"service_area_id": sibling.id}, headers={"If-Match": '"old"'})
    assert stale.status_code == 412


def test_co_authors_are_added_who_may_then_edit_and_are_removed(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    colleague = api_as(Role.AUTHOR)  # another team: cannot see it until added
    url = f"/api/v1/eias/{eia.reference}"
    assert colleague.get(url).status_code == 404

    added = author.post(f"{url}/coauthors", json={"user_id": colleague.user.id})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["person"] == {"id": colleague.user.id, "name": colleague.user.name}
    assert author.post(f"{url}/coauthors", json={"user_id": colleague.user.id}).status_code == 422  # already
    assert [c["person"]["id"] for c in colleague.get(f"{url}/coauthors").get_json()] == [colleague.user.id]
    assert [c["person"]["id"] for c in colleague.get(url).get_json()["coauthors"]] == [colleague.user.id]
    # The co-author edits a section.
    section = f"{url}/sections/screening"
    saved = colleague.put(
        section, json={"answers": {"significance": "Moderate"}}, headers={"If-Match": _etag(colleague, section)}
    )
    assert saved.status_code == 200, saved.get_json()
    # A co-author does not manage co-authors; the author removes them.
    coauthor_id = added.get_json()["id"]
    assert colleague.delete(f"{url}/coauthors/{coauthor_id}").status_code == 403
    assert author.delete(f"{url}/coauthors/{coauthor_id}").status_code == 204
    assert author.delete(f"{url}/coauthors/{coauthor_id}").status_code == 404
    assert colleague.get(url).status_code == 404
    assert _actions(eia).count("eia_coauthor_added") == 1 and "eia_coauthor_removed" in _actions(eia)


def test_a_draft_is_handed_over_to_another_service_manager_only(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}"
    chris = make_user(Role.DECISION_MAKER)
    refused = author.post(f"{url}/hand-over", json={"user_id": chris.id}, headers={"If-Match": _etag(author, url)})
    assert refused.status_code == 422
    jo = make_user(Role.AUTHOR, name="Jo Okafor")
    handed = author.post(f"{url}/hand-over", json={"user_id": jo.id}, headers={"If-Match": _etag(author, url)})
    assert handed.status_code == 200, handed.get_json()
    body = handed.get_json()
    assert body["author"]["id"] == jo.id
    assert author.user.id in [c["person"]["id"] for c in body["coauthors"]]  # the old author stays on
    assert "eia_handed_over" in _actions(eia)


def test_abandon_restore_and_withdraw_are_steps_of_the_transitions(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}"

    def step(api, name: str, **extra):
        return api.post(f"{url}/transitions", json={"name": name, **extra}, headers={"If-Match": _etag(api, url)})

    assert step(author, "abandon").status_code == 422  # a reason is needed
    abandoned = step(author, "abandon", comment="The proposal was dropped.")
    assert abandoned.status_code == 200 and abandoned.get_json()["state"] == "abandoned"
    assert step(author, "restore").status_code == 403  # only the equalities team restores
    team = api_as(Role.EQUALITIES)
    assert step(team, "restore").get_json()["state"] == "draft"

    complete_eia(eia, author.user)
    unconfirmed = step(author, "submit")
    assert unconfirmed.status_code == 422 and "declaration" in unconfirmed.get_json()["detail"].lower()
    assert author.get(url).get_json()["declaration_to_confirm"] == DECLARATION
    submitted = step(author, "submit", confirmed=True)
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    declared = author.get(url).get_json()["declaration"]
    assert declared["text"] == DECLARATION and declared["person"]["id"] == author.user.id
    withdrawn = step(author, "withdraw_submission")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "draft"
    step(author, "submit", confirmed=True)
    step(team, "start_review")
    assert step(author, "withdraw_submission").status_code == 409  # the review has started
    assert {"eia_abandon", "eia_restore", "eia_submit", "eia_withdraw_submission"} <= set(_actions(eia))


def test_impacts_in_two_steps_with_every_problem_at_once(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}"
    section = f"{url}/sections/impacts"

    both_wrong = author.put(
        f"{url}/impacts/directions",
        json={"directions": {"age": {"direction": "neutral"}, "sex": {"direction": "neutral"}}},
        headers={"If-Match": _etag(author, section)},
    )
    assert both_wrong.status_code == 422
    assert set(both_wrong.get_json()["errors"]) == {"c_age_reason", "c_sex_reason"}
    unknown = author.put(
        f"{url}/impacts/directions",
        json={"directions": {"nonsense": {"direction": "neutral"}}},
        headers={"If-Match": _etag(author, section)},
    )
    assert unknown.status_code == 422
    saved = author.put(
        f"{url}/impacts/directions",
        json={
            "directions": {
                "age": {"direction": "negative"},
                "sex": {"direction": "neutral", "reason": "Opening hours apply to everyone alike."},
            }
        },
        headers={"If-Match": _etag(author, section)},
    )
    assert saved.status_code == 200, saved.get_json()

    # A reason as long as the page takes is taken here too, and no longer.
    for length, status in ((300, 200), (301, 422)):
        reason = author.put(
            f"{url}/impacts/directions",
            json={"directions": {"sex": {"direction": "neutral", "reason": "x" * length}}},
            headers={"If-Match": _etag(author, section)},
        )
        assert reason.status_code == status
    neutral = author.get(f"{url}/impacts/sex").get_json()
    assert neutral["direction"] == "neutral" and neutral["severity"] is None
    detail = f"{url}/impacts/age"
    missing = author.put(detail, json={"description": ""}, headers={"If-Match": _etag(author, detail)})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) >= {"description", "severity"}  # both at once
    done = author.put(
        detail,
        json={"description": "Fewer weekday mornings.", "who_affected": "Borrowers over 65.", "severity": "medium"},
        headers={"If-Match": _etag(author, detail)},
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["severity"] == "medium"
    # Step two is for an impact that is not neutral, and only once its direction is chosen.
    assert (
        author.put(f"{url}/impacts/sex", json={}, headers={"If-Match": _etag(author, f"{url}/impacts/sex")}).status_code
        == 422
    )
    assert author.get(f"{url}/impacts/not-a-characteristic").status_code == 404
    assert eia.state is EiaState.DRAFT
