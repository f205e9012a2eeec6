"""The API writes what the decision record's page and the review page write: the decision record
(who decides and when, then what was decided) and who reviews an assessment, through the same
services, checks and audit log, with If-Match on what was read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eia.accounts.models import Role
from eia.assessments import decisions, workflow
from eia.assessments.models import Eia
from eia.assessments.states import EiaKind
from eia.auditlog.models import AuditEntry
from eia.extensions import db
from eia.working_days import uk_today
from tests.factories import complete_eia, make_eia, make_user

#: {eia} belongs to a service area the service manager here does not work in (as in test_api_permissions,
#: not imported from there: that module imports this one for its rows).
SEES_OTHER_AREAS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

API_PERMISSIONS = [
    ("GET", "/api/v1/eias/{eia}/decision", SEES_OTHER_AREAS, 404),
    # Its writers, the equalities team, admins and decision makers record the decision.
    ("PUT", "/api/v1/eias/{eia}/decision", SEES_OTHER_AREAS, (403, 404)),
    # Only the equalities team gives the review to one of them, as on the review page.
    ("PUT", "/api/v1/eias/{eia}/reviewer", {Role.EQUALITIES}, (403, 404)),
]

PLANNED = {
    "is_key_decision": True,
    "forward_plan_reference": "FP/2027/14",
    "deciding_body": "committee",
    "body_name": "Communities Scrutiny Committee",
    "report_reference": "Library opening hours: report to committee",
}


def _actions(eia) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
    return list(db.session.execute(query).scalars())


def _timings(api, reference: str) -> dict[str, str]:
    return {t["key"]: t["timing"] for t in api.get(f"/api/v1/eias/{reference}").get_json()["timeliness"]}


def _approved(author):
    eia = complete_eia(make_eia(author), by=author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    db.session.commit()
    return eia


def test_the_decision_is_planned_then_recorded_as_amended_and_read_back(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = _approved(author.user)
    chair = make_user(Role.DECISION_MAKER, name="Cllr Priya Shah")
    url = f"/api/v1/eias/{eia.reference}/decision"
    empty = author.get(url)
    assert empty.status_code == 200 and empty.get_json()["outcome"] is None and empty.get_json()["body_name"] == ""
    planned_on = uk_today() + timedelta(days=30)

    planned = author.put(
        url,
        json=PLANNED
        | {
            "decision_maker_id": chair.id,
            "planned_on": planned_on.isoformat(),
            "body_name": " Communities Scrutiny Committee ",
        },
        headers={"If-Match": empty.headers["ETag"]},
    )
    assert planned.status_code == 200, planned.get_json()
    assert planned.get_json()["decision_maker"] == {"id": chair.id, "name": "Cllr Priya Shah"}
    assert planned.get_json()["planned_on"] == planned_on.isoformat()
    assert planned.get_json()["body_name"] == "Communities Scrutiny Committee"
    assert {"started": "on_time", "decision": "not_known"}.items() <= _timings(author, eia.reference).items()
    assert _actions(eia).count("decision_planned") == 1

    taken = author.put(
        url,
        json=PLANNED
        | {
            "decision_maker_id": chair.id,
            "planned_on": planned_on.isoformat(),
            "taken_on": uk_today().isoformat(),
            "outcome": "amended",
            "minutes_reference": "Minute 7, 1 December",
        },
        headers={"If-Match": author.get(url).headers["ETag"]},
    )
    assert taken.status_code == 200, taken.get_json()
    read = author.get(url).get_json()
    assert read == taken.get_json()
    assert read["outcome"] == "amended" and read["taken_on"] == uk_today().isoformat()
    assert read["minutes_reference"] == "Minute 7, 1 December" and read["forward_plan_reference"] == "FP/2027/14"
    whole = author.get(f"/api/v1/eias/{eia.reference}").get_json()
    assert whole["decision"] == read
    assert _timings(author, eia.reference)["decision"] == "on_time"  # taken with an approved assessment
    assert _actions(eia).count("decision_recorded") == 1


def test_a_stale_or_missing_if_match_saves_nothing(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}/decision"
    first = author.get(url).headers["ETag"]
    assert author.put(url, json=PLANNED, headers={"If-Match": first}).status_code == 200

    stale = author.put(url, json=PLANNED | {"body_name": "Cabinet"}, headers={"If-Match": first})
    assert stale.status_code == 412 and stale.headers["Content-Type"] == "application/problem+json"
    missing = author.put(url, json=PLANNED | {"body_name": "Cabinet"})
    assert missing.status_code == 428 and missing.headers["Content-Type"] == "application/problem+json"
    assert author.get(url).get_json()["body_name"] == "Communities Scrutiny Committee"
    assert _actions(eia).count("decision_planned") == 1


def test_an_outcome_without_the_date_it_was_taken_is_refused_naming_the_field(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}/decision"
    etag = author.get(url).headers["ETag"]
    refused = author.put(url, json={"deciding_body": "officer", "outcome": "rejected"}, headers={"If-Match": etag})
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["errors"] == {
        "body_name": "Enter the name of the officer's post",
        "taken_on": "Enter the date the decision was taken",
    }
    future = author.put(
        url,
        json={"taken_on": (uk_today() + timedelta(days=1)).isoformat(), "outcome": "as_proposed"},
        headers={"If-Match": etag},
    )
    assert future.get_json()["errors"] == {"taken_on": "The date the decision was taken cannot be in the future"}
    author_as_chair = author.put(url, json={"decision_maker_id": author.user.id}, headers={"If-Match": etag})
    assert author_as_chair.get_json()["errors"] == {
        "decision_maker_id": "Choose a decision maker who signs in, or leave it empty"
    }
    too_early = author.put(url, json={"planned_on": "1989-12-31"}, headers={"If-Match": etag})
    assert too_early.status_code == 422 and set(too_early.get_json()["errors"]) == {"planned_on"}
    assert author.get(url).get_json()["deciding_body"] is None and _actions(eia).count("decision_planned") == 0


def test_who_may_not_record_the_decision_is_refused_before_the_body_is_read(db, api_as):
    author = api_as(Role.AUTHOR)
    individual = make_eia(author.user, kind=EiaKind.INDIVIDUAL)
    url = f"/api/v1/eias/{individual.reference}/decision"
    decision_maker = api_as(Role.DECISION_MAKER)
    assert decision_maker.get(url).status_code == 404  # individual actions are their author's alone
    team = api_as(Role.EQUALITIES)
    refused = api_as(Role.ADMIN).put(url, json={"outcome": "nonsense"}, headers={"If-Match": '"x"'})
    assert refused.status_code == 403
    assert team.put(url, json=PLANNED, headers={"If-Match": team.get(url).headers["ETag"]}).status_code == 200


def test_the_equalities_team_assigns_the_reviewer_and_nobody_else_does(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author.user), by=author.user)
    url = f"/api/v1/eias/{eia.reference}"
    team, colleague = api_as(Role.EQUALITIES), make_user(Role.EQUALITIES, name="Sam Reviewer")

    for refused in (author, api_as(Role.ADMIN), api_as(Role.DECISION_MAKER)):
        response = refused.put(f"{url}/reviewer", json={"reviewer_id": colleague.id}, headers={"If-Match": '"x"'})
        assert response.status_code == 403, response.get_json()
    not_a_reviewer = team.put(
        f"{url}/reviewer", json={"reviewer_id": author.user.id}, headers={"If-Match": team.get(url).headers["ETag"]}
    )
    assert not_a_reviewer.status_code == 422
    assert not_a_reviewer.get_json()["errors"] == {
        "reviewer_id": "Choose someone in the equalities team who did not write it"
    }
    stale = team.get(url).headers["ETag"]
    assigned = team.put(f"{url}/reviewer", json={"reviewer_id": colleague.id}, headers={"If-Match": stale})
    assert assigned.status_code == 200, assigned.get_json()
    assert assigned.get_json()["reviewer"] == {"id": colleague.id, "name": "Sam Reviewer"}
    assert team.put(f"{url}/reviewer", json={"reviewer_id": None}, headers={"If-Match": stale}).status_code == 412
    assert team.put(f"{url}/reviewer", json={"reviewer_id": None}).status_code == 428
    cleared = team.put(
        f"{url}/reviewer", json={"reviewer_id": None}, headers={"If-Match": team.get(url).headers["ETag"]}
    )
    assert cleared.status_code == 200 and cleared.get_json()["reviewer"] is None
    assert _actions(eia).count("eia_reviewer_assigned") == 2


def test_a_save_that_loses_a_race_after_its_if_match_passed_gets_412(db, api_as, monkeypatch):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    url = f"/api/v1/eias/{eia.reference}/decision"
    author.put(url, json=PLANNED, headers={"If-Match": author.get(url).headers["ETag"]})
    etag = author.get(url).headers["ETag"]
    real = decisions.save_decision

    def after_another_writer(*args, **kwargs):
        with Session(db.engines[None], join_transaction_mode="create_savepoint") as other:
            other.get(Eia, eia.id).decision.body_name = "Cabinet"
            other.commit()
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions, "save_decision", after_another_writer)
    response = author.put(url, json=PLANNED | {"body_name": "Housing Committee"}, headers={"If-Match": etag})
    assert response.status_code == 412, response.get_json()
    # (The request's rollback also undoes the other writer here: both share the test's transaction.)
    assert author.get(url).get_json()["body_name"] != "Housing Committee"
