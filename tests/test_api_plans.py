"""The plan tracker's API: plans and actions read back, progress updates by the lead service area,
the equalities team's corrections with If-Match, and the links from an assessment to the actions it
evidences (added, listed, removed with If-Match), with field-level errors and 404s."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eia.accounts.models import Role, TokenScope
from eia.assessments.states import EiaKind, EiaState
from eia.auditlog.models import AuditEntry
from eia.auditlog.services import verify_chain
from eia.db_types import utcnow
from eia.extensions import db as _db
from tests.factories import make_eia, make_plan, make_service_area, make_user
from tracker.models import ActionStatus, EiaActionLink

# Defined here rather than imported: tests/test_api_permissions.py imports this module to read its rows.
SIGNED_IN = set(Role)
EQUALITIES_AND_ADMIN = {Role.EQUALITIES, Role.ADMIN}
SEES_OTHER_AREAS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

API_PERMISSIONS = [
    ("GET", "/api/v1/plans/", SIGNED_IN, 403),
    ("GET", "/api/v1/plans/{plan}", SIGNED_IN, 403),
    ("GET", "/api/v1/plans/actions/{action}", SIGNED_IN, 403),
    ("GET", "/api/v1/plans/actions/{action}/updates", SIGNED_IN, 403),
    # The action's lead is "Improvement", where nobody here works: only the equalities team updates it.
    ("POST", "/api/v1/plans/actions/{action}/updates", {Role.EQUALITIES}, 403),
    ("PUT", "/api/v1/plans/actions/{action}", EQUALITIES_AND_ADMIN, 403),
    ("GET", "/api/v1/eias/{eia}/links", SEES_OTHER_AREAS, 404),
    # Only {eia}'s own service area edits it: those who see it are refused, the rest never find it.
    ("POST", "/api/v1/eias/{eia}/links", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/links/{link}", SEES_OTHER_AREAS, 404),
    ("DELETE", "/api/v1/eias/{eia}/links/{link}", set(), (403, 404)),
]


def _lead_of_improvement():
    """A service manager in the "Improvement" team, the lead of make_plan()'s actions."""
    corporate = make_service_area("Corporate")
    return make_user(Role.AUTHOR, service_area=make_service_area("Improvement", parent=corporate))


def _audit(action: str) -> list[AuditEntry]:
    return list(_db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


# Reading -------------------------------------------------------------------------------------------


def test_plans_are_listed_with_their_counts_filtered_and_paged(db, api_as):
    charnwood = make_plan()
    make_plan(title="Equality Action Plan", organisation="North West Leicestershire District Council")
    ended = make_plan(title="Equality Scheme 2016", organisation="Charnwood Borough Council")
    ended.is_active = False
    charnwood.priorities[0].actions[0].status = ActionStatus.COMPLETE
    db.session.commit()
    api = api_as(Role.DECISION_MAKER)

    listed = api.get("/api/v1/plans/").get_json()
    assert listed["total"] == 3
    assert [(p["organisation"], p["title"]) for p in listed["items"]] == [
        ("Charnwood Borough Council", "Equality Scheme 2016"),
        ("Charnwood Borough Council", "Equality Strategy Action Plan 2020 - 2022"),
        ("North West Leicestershire District Council", "Equality Action Plan"),
    ]
    first = listed["items"][1]
    assert first["id"] == charnwood.id and first["is_active"] is True
    assert (first["priorities"], first["actions"], first["complete"]) == (1, 2, 1)

    charnwood_only = api.get("/api/v1/plans/?organisation=charnwood borough council").get_json()
    assert charnwood_only["total"] == 2
    active = api.get("/api/v1/plans/?organisation=Charnwood Borough Council&active=true").get_json()
    assert [p["id"] for p in active["items"]] == [charnwood.id]
    assert [p["id"] for p in api.get("/api/v1/plans/?active=false").get_json()["items"]] == [ended.id]

    paged = api.get("/api/v1/plans/?per_page=2&page=2").get_json()
    assert (paged["pages"], len(paged["items"]), paged["items"][0]["organisation"]) == (
        2,
        1,
        "North West Leicestershire District Council",
    )
    assert api.get("/api/v1/plans/?active=perhaps").status_code == 422
    assert "per_page" in api.get("/api/v1/plans/?per_page=0").get_json()["errors"]


def test_a_plan_has_its_priorities_and_actions_and_an_etag(db, api_as):
    plan = make_plan()
    first, second = plan.priorities[0].actions
    owner = make_user(Role.AUTHOR, name="Priya Shah")
    first.outcome = "EIAs that show due regard"
    first.due_on, first.owner_id = date(2021, 9, 30), owner.id
    second.target_text, second.is_recurring = "Ongoing", True
    db.session.commit()
    api = api_as(Role.AUTHOR)

    response = api.get(f"/api/v1/plans/{plan.id}")
    assert response.status_code == 200 and response.headers["ETag"].startswith('"')
    body = response.get_json()
    assert (body["title"], body["organisation"]) == (
        "Equality Strategy Action Plan 2020 - 2022",
        "Charnwood Borough Council",
    )
    priority = body["priorities"][0]
    assert priority["ref"] == "PEO 1" and [a["ref"] for a in priority["actions"]] == ["1.1", "1.3"]
    action = priority["actions"][0]
    assert action == {
        "id": first.id,
        "ref": "1.1",
        "outcome": "EIAs that show due regard",
        "text": "Review and update the council's approach to EIAs",
        "leads": ["Improvement"],
        "target": "September 2021",
        "due_on": "2021-09-30",
        "is_recurring": False,
        "success_measures": ["Positive feedback"],
        "status": "not_started",
        "owner": {"id": owner.id, "name": "Priya Shah"},
        "eia_count": 0,
    }
    recurring = priority["actions"][1]
    assert (recurring["target"], recurring["due_on"], recurring["is_recurring"], recurring["owner"]) == (
        "Ongoing",
        None,
        True,
        None,
    )
    # The same representation gives the same ETag; a change gives another.
    assert api.get(f"/api/v1/plans/{plan.id}").headers["ETag"] == response.headers["ETag"]
    second.status = ActionStatus.ON_TRACK
    db.session.commit()
    assert api.get(f"/api/v1/plans/{plan.id}").headers["ETag"] != response.headers["ETag"]


def test_an_action_lists_only_the_assessments_the_caller_may_see(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    manager = make_user(Role.AUTHOR)
    own = make_eia(author=manager, title="Library opening hours")
    elsewhere = make_eia(title="Parks grounds maintenance")  # another service area
    individual = make_eia(author=manager, title="Post room restructure", kind=EiaKind.INDIVIDUAL)
    for eia, note in ((own, "Shows the new template in use"), (elsewhere, "Another area's"), (individual, "HR")):
        db.session.add(EiaActionLink(eia_id=eia.id, action_id=action.id, note=note, created_by_id=manager.id))
    db.session.commit()

    mine = api_as(user=manager).get(f"/api/v1/plans/actions/{action.id}").get_json()
    assert sorted(e["eia"]["reference"] for e in mine["eias"]) == sorted([own.reference, individual.reference])
    assert mine["eia_count"] == 2
    linked = next(e for e in mine["eias"] if e["eia"]["reference"] == own.reference)
    assert linked["note"] == "Shows the new template in use" and linked["eia"]["title"] == "Library opening hours"
    assert linked["eia"]["author"]["id"] == manager.id

    colleague = make_user(Role.AUTHOR, service_area=manager.service_area)
    theirs = api_as(user=colleague).get(f"/api/v1/plans/actions/{action.id}").get_json()
    assert [e["eia"]["reference"] for e in theirs["eias"]] == [own.reference]  # not the individual action
    outsider = api_as(Role.AUTHOR).get(f"/api/v1/plans/actions/{action.id}").get_json()
    assert outsider["eias"] == [] and outsider["eia_count"] == 0
    assert api_as(Role.DECISION_MAKER).get(f"/api/v1/plans/actions/{action.id}").get_json()["eia_count"] == 2
    assert api_as(Role.EQUALITIES).get(f"/api/v1/plans/actions/{action.id}").get_json()["eia_count"] == 3
    # The plan's counts follow the same rule.
    counts = api_as(user=colleague).get(f"/api/v1/plans/{plan.id}").get_json()["priorities"][0]["actions"]
    assert [a["eia_count"] for a in counts] == [1, 0]


def test_reading_a_plan_or_an_action_takes_the_same_queries_however_big(db, api_as, count_queries):
    from tracker.models import PlanAction, ProgressUpdate

    plan = make_plan()
    priority = plan.priorities[0]
    action = priority.actions[0]
    api = api_as(Role.EQUALITIES)

    def grow(how_many: int) -> None:
        """More actions with owners, and more linked assessments and updates on the first one."""
        for _ in range(how_many):
            person = make_user(Role.AUTHOR)
            position = len(priority.actions) + 1
            priority.actions.append(
                PlanAction(
                    ref=f"2.{position}", text="More", leads=["Improvement"], owner_id=person.id, position=position
                )
            )
            eia = make_eia(author=person)
            db.session.add(EiaActionLink(eia_id=eia.id, action_id=action.id, note="Yes", created_by_id=person.id))
            action.updates.append(
                ProgressUpdate(
                    written_on=date(2026, 1, position),
                    note="On track",
                    status_before=ActionStatus.NOT_STARTED,
                    status_after=ActionStatus.ON_TRACK,
                    by_id=person.id,
                )
            )
        db.session.commit()

    def queries_for(path: str) -> int:
        api.get(path)  # the token's first use is recorded once
        with count_queries() as counter:
            assert api.get(path).status_code == 200
        return counter.count

    paths = (f"/api/v1/plans/{plan.id}", f"/api/v1/plans/actions/{action.id}")
    grow(1)
    small = [queries_for(path) for path in paths]
    grow(8)
    assert [queries_for(path) for path in paths] == small


def test_an_action_has_its_plan_priority_and_details(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[1]
    body = api_as(Role.AUTHOR).get(f"/api/v1/plans/actions/{action.id}").get_json()
    assert (body["ref"], body["target"], body["status"], body["version"]) == ("1.3", "March 2022", "not_started", 1)
    assert body["plan"]["id"] == plan.id and body["plan"]["organisation"] == "Charnwood Borough Council"
    assert body["priority"]["ref"] == "PEO 1"
    assert body["updates"] == [] and body["eias"] == []


def test_unknown_plans_actions_and_links_are_404(db, api_as):
    api = api_as(Role.AUTHOR)
    eia = make_eia(author=api.user)
    for path in (
        "/api/v1/plans/999999",
        "/api/v1/plans/99999999999999999999",
        "/api/v1/plans/actions/999999",
        "/api/v1/plans/actions/99999999999999999999",
        "/api/v1/plans/actions/999999/updates",
        "/api/v1/eias/EIA-1999-0001/links",
        f"/api/v1/eias/{eia.reference}/links/999999",
        f"/api/v1/eias/{eia.reference}/links/99999999999999999999",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"
    # A write to something that does not exist is a 404 whatever its body.
    assert api.post("/api/v1/plans/actions/999999/updates", json={"note": 5}).status_code == 404
    assert api.post(f"/api/v1/eias/{eia.reference}/links/", json={}).status_code == 404
    assert api_as(Role.EQUALITIES).put("/api/v1/plans/actions/999999", json=[]).status_code == 404
    assert api.delete(f"/api/v1/eias/{eia.reference}/links/999999", headers={"If-Match": "*"}).status_code == 404


# Progress updates ----------------------------------------------------------------------------------


def test_the_lead_service_area_adds_a_progress_update_which_is_audited(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    lead = api_as(user=_lead_of_improvement())

    response = lead.post(
        f"/api/v1/plans/actions/{action.id}/updates",
        json={"written_on": "2026-01-15", "note": "  New EIA template agreed.  ", "status": "on_track"},
    )
    assert response.status_code == 201, response.get_json()
    update = response.get_json()
    assert (update["written_on"], update["note"]) == ("2026-01-15", "New EIA template agreed.")
    assert (update["status_before"], update["status_after"]) == ("not_started", "on_track")
    assert update["by"] == {"id": lead.user.id, "name": lead.user.name} and update["evidence"] == []

    read = lead.get(f"/api/v1/plans/actions/{action.id}").get_json()
    assert read["status"] == "on_track" and [u["id"] for u in read["updates"]] == [update["id"]]
    (entry,) = _audit("plan_action_progress")
    assert entry.entity_type == "plan_action" and entry.entity_id == str(action.id)
    assert entry.actor_id == lead.user.id and "API token" in entry.actor_label
    assert entry.changes["status"] == ["not_started", "on_track"]
    assert verify_chain().is_intact

    # Without a status the status stays; without a date it is dated today. Newest first.
    second = lead.post(f"/api/v1/plans/actions/{action.id}/updates", json={"note": "Template in use."}).get_json()
    assert second["written_on"] == utcnow().date().isoformat()
    assert (second["status_before"], second["status_after"]) == ("on_track", "on_track")
    listed = lead.get(f"/api/v1/plans/actions/{action.id}/updates").get_json()
    assert [u["id"] for u in listed] == [second["id"], update["id"]]


def test_others_may_not_update_an_action_and_the_owner_may(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    outsider = api_as(Role.AUTHOR)
    url = f"/api/v1/plans/actions/{action.id}/updates"
    refused = outsider.post(url, json={"note": "Done", "status": "complete"})
    assert refused.status_code == 403
    # Refused before the body is read: a bad body gets the same answer.
    assert outsider.post(url, json={"status": "nonsense"}).status_code == 403
    read_only = api_as(user=_lead_of_improvement(), scope=TokenScope.READ)
    assert read_only.post(url, json={"note": "Done"}).status_code == 403

    action.owner_id = outsider.user.id
    db.session.commit()
    assert outsider.post(url, json={"note": "Done", "status": "complete"}).status_code == 201
    assert outsider.get(f"/api/v1/plans/actions/{action.id}").get_json()["status"] == "complete"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "note"),
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"note": 5}, "note"),
        ({"note": "x" * 5001}, "note"),
        ({"note": "Done", "status": "finished"}, "status"),
        ({"note": "Done", "written_on": "15/01/2026"}, "written_on"),
        ({"note": "Done", "written_on": "2026-02-30"}, "written_on"),
        ({"note": "Done", "written_on": (utcnow().date() + timedelta(days=2)).isoformat()}, "written_on"),
        ([], "_schema"),
    ],
)
def test_malformed_progress_updates_get_field_level_422s(db, api_as, body, field):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    api = api_as(Role.EQUALITIES)
    response = api.post(f"/api/v1/plans/actions/{action.id}/updates", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert api.get(f"/api/v1/plans/actions/{action.id}/updates").get_json() == []
    assert _audit("plan_action_progress") == []


@pytest.mark.parametrize("raw", ["{note:", '{"note": "a NUL \\u0000 byte"}', '{"note": "\\ud800"}'])
def test_broken_or_unstorable_json_is_refused_not_a_500(db, api_as, raw):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    api = api_as(Role.EQUALITIES)
    response = api.post(
        f"/api/v1/plans/actions/{action.id}/updates", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert api.get(f"/api/v1/plans/actions/{action.id}/updates").get_json() == []


# Corrections by the equalities team ----------------------------------------------------------------


def test_the_equalities_team_corrects_an_action_with_if_match(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    owner = make_user(Role.AUTHOR)
    team = api_as(Role.EQUALITIES)
    url = f"/api/v1/plans/actions/{action.id}"
    etag = team.get(url).headers["ETag"]
    body = {
        "text": " Review the council's approach to EIAs ",
        "outcome": "Assessments show due regard",
        "leads": ["Improvement", "  ", "Legal "],
        "target": "2027-03-31",
        "success_measures": ["Positive feedback", ""],
        "owner_id": owner.id,
    }

    assert team.put(url, json=body).status_code == 428
    assert team.put(url, json=body, headers={"If-Match": '"0000"'}).status_code == 412
    saved = team.put(url, json=body, headers={"If-Match": etag})
    assert saved.status_code == 200, saved.get_json()
    action_json = saved.get_json()
    assert action_json["text"] == "Review the council's approach to EIAs"
    assert action_json["leads"] == ["Improvement", "Legal"] and action_json["success_measures"] == ["Positive feedback"]
    assert (action_json["target"], action_json["due_on"], action_json["is_recurring"]) == (
        "2027-03-31",
        "2027-03-31",
        False,
    )
    assert action_json["owner"]["id"] == owner.id and action_json["version"] > 1
    assert saved.headers["ETag"] == team.get(url).headers["ETag"]
    assert [e.entity_id for e in _audit("plan_action_updated")] == [str(action.id)]
    assert [e.changes["owner_id"] for e in _audit("plan_action_owner_set")] == [[None, owner.id]]

    # The old ETag is stale now; leaving owner_id out keeps the owner; "Ongoing" is recurring.
    assert team.put(url, json=body, headers={"If-Match": etag}).status_code == 412
    ongoing = {key: value for key, value in body.items() if key != "owner_id"} | {"target": "Ongoing"}
    again = team.put(url, json=ongoing, headers={"If-Match": saved.headers["ETag"]}).get_json()
    assert (again["due_on"], again["is_recurring"], again["owner"]["id"]) == (None, True, owner.id)
    cleared = team.put(url, json=ongoing | {"owner_id": None}, headers={"If-Match": "*"}).get_json()
    assert cleared["owner"] is None
    assert cleared["status"] == "not_started"  # never through a correction


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "Do it", "target": "x" * 201}, "target"),
        ({"text": "Do it", "leads": "Improvement"}, "leads"),
        ({"text": "Do it", "leads": [5]}, "leads"),
        ({"text": "Do it", "success_measures": ["x" * 2001]}, "success_measures"),
        ({"text": "Do it", "owner_id": "someone"}, "owner_id"),
        ({"text": "Do it", "owner_id": 99999999999}, "owner_id"),
        ({"text": "Do it", "owner_id": 999999}, "owner_id"),
        ({"text": "Do it", "status": "complete"}, "status"),
    ],
)
def test_malformed_corrections_get_field_level_422s(db, api_as, body, field):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    team = api_as(Role.EQUALITIES)
    response = team.put(f"/api/v1/plans/actions/{action.id}", json=body, headers={"If-Match": "*"})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert team.get(f"/api/v1/plans/actions/{action.id}").get_json()["version"] == 1


def test_a_service_manager_cannot_correct_an_action(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    lead = api_as(user=_lead_of_improvement())
    response = lead.put(f"/api/v1/plans/actions/{action.id}", json={"text": "Mine now"}, headers={"If-Match": "*"})
    assert response.status_code == 403


# Links from an assessment to the actions it evidences ----------------------------------------------


def test_links_are_added_listed_shown_on_the_eia_and_removed_with_if_match(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[1]
    author = api_as(Role.AUTHOR)
    eia = make_eia(author=author.user)
    before = author.get(f"/api/v1/eias/{eia.reference}")
    assert before.get_json()["action_links"] == []

    added = author.post(
        f"/api/v1/eias/{eia.reference}/links", json={"action_id": action.id, "note": "It records completion rates."}
    )
    assert added.status_code == 201, added.get_json()
    link = added.get_json()
    assert added.headers["Location"].endswith(f"/api/v1/eias/{eia.reference}/links/{link['id']}")
    assert link["note"] == "It records completion rates." and link["created_by"]["id"] == author.user.id
    assert link["action"]["id"] == action.id and link["action"]["ref"] == "1.3"
    assert link["action"]["priority"]["ref"] == "PEO 1" and link["action"]["plan"]["id"] == plan.id
    assert [e.entity_id for e in _audit("eia_action_linked")] == [str(eia.id)]

    assert author.get(f"/api/v1/eias/{eia.reference}/links").get_json() == [link]
    whole = author.get(f"/api/v1/eias/{eia.reference}")
    assert whole.get_json()["action_links"] == [link]
    assert whole.headers["ETag"] != before.headers["ETag"]  # a transition's If-Match covers the links
    assert author.get(f"/api/v1/plans/actions/{action.id}").get_json()["eias"][0]["link_id"] == link["id"]

    url = f"/api/v1/eias/{eia.reference}/links/{link['id']}"
    shown = author.get(url)
    assert shown.get_json() == link
    assert author.delete(url).status_code == 428
    # The action is corrected in the meantime: the link's representation, and so its ETag, changes.
    team = api_as(Role.EQUALITIES)
    corrected = team.put(
        f"/api/v1/plans/actions/{action.id}",
        json={"text": "Audit EIA completion and publication every year", "target": "March 2022"},
        headers={"If-Match": team.get(f"/api/v1/plans/actions/{action.id}").headers["ETag"]},
    )
    assert corrected.status_code == 200
    assert author.delete(url, headers={"If-Match": shown.headers["ETag"]}).status_code == 412
    assert len(author.get(f"/api/v1/eias/{eia.reference}/links").get_json()) == 1

    removed = author.delete(url, headers={"If-Match": author.get(url).headers["ETag"]})
    assert removed.status_code == 204
    assert author.get(url).status_code == 404
    assert author.get(f"/api/v1/eias/{eia.reference}/links").get_json() == []
    assert [e.changes for e in _audit("eia_action_unlinked")] == [{"action_link.action_id": [action.id, None]}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "action_id"),
        ({"action_id": "one", "note": "Yes"}, "action_id"),
        ({"action_id": 0, "note": "Yes"}, "action_id"),
        ({"action_id": 99999999999999999999, "note": "Yes"}, "action_id"),
        ({"action_id": 999999, "note": "Yes"}, "action_id"),
        ({"action_id": None, "note": "Yes"}, "action_id"),
        ({"action_id": "ACTION", "note": ""}, "note"),
        ({"action_id": "ACTION", "note": "   "}, "note"),
        ({"action_id": "ACTION", "note": "x" * 3001}, "note"),
        ({"action_id": "ACTION"}, "note"),
        ({"action_id": "ENDED", "note": "Yes"}, "action_id"),
        ({"action_id": "LINKED", "note": "Again"}, "action_id"),
    ],
)
def test_malformed_links_get_field_level_422s(db, api_as, body, field):
    plan = make_plan()
    ended = make_plan(title="Equality Scheme 2016")
    ended.is_active = False
    db.session.commit()
    author = api_as(Role.AUTHOR)
    eia = make_eia(author=author.user)
    linked = plan.priorities[0].actions[0]
    url = f"/api/v1/eias/{eia.reference}/links"
    assert author.post(url, json={"action_id": linked.id, "note": "First"}).status_code == 201
    ids = {"ACTION": plan.priorities[0].actions[1].id, "ENDED": ended.priorities[0].actions[0].id, "LINKED": linked.id}
    sent = {key: ids.get(value, value) if key == "action_id" else value for key, value in body.items()}

    response = author.post(url, json=sent)
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert len(author.get(url).get_json()) == 1


def test_link_permissions_follow_the_assessment(db, api_as):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    author = api_as(Role.AUTHOR)
    eia = make_eia(author=author.user)
    url = f"/api/v1/eias/{eia.reference}/links"
    link = author.post(url, json={"action_id": action.id, "note": "Yes"}).get_json()
    link_url = f"{url}/{link['id']}"

    # A decision maker sees the assessment but may not edit it: 403, whatever the body.
    reader = api_as(Role.DECISION_MAKER)
    assert reader.get(url).status_code == 200 and reader.get(link_url).status_code == 200
    assert reader.post(url, json={"action_id": "x"}).status_code == 403
    assert reader.delete(link_url, headers={"If-Match": "*"}).status_code == 403
    # Another service area's manager does not even see it.
    stranger = api_as(Role.AUTHOR)
    assert stranger.get(url).status_code == 404 and stranger.get(link_url).status_code == 404
    assert stranger.post(url, json={"action_id": action.id, "note": "Mine"}).status_code == 404
    assert stranger.delete(link_url, headers={"If-Match": "*"}).status_code == 404
    # A colleague in the same service area edits it.
    colleague = api_as(Role.AUTHOR, service_area=author.user.service_area)
    other = plan.priorities[0].actions[1]
    assert colleague.post(url, json={"action_id": other.id, "note": "Also"}).status_code == 201


def test_a_link_cannot_be_removed_through_another_assessment(db, api_as):
    plan = make_plan()
    author = api_as(Role.AUTHOR)
    first, second = make_eia(author=author.user), make_eia(author=author.user)
    link = author.post(
        f"/api/v1/eias/{first.reference}/links", json={"action_id": plan.priorities[0].actions[0].id, "note": "Yes"}
    ).get_json()
    wrong = f"/api/v1/eias/{second.reference}/links/{link['id']}"
    assert author.get(wrong).status_code == 404
    assert author.delete(wrong, headers={"If-Match": "*"}).status_code == 404
    assert db.session.execute(select(EiaActionLink)).scalar_one().id == link["id"]


def test_links_of_an_assessment_under_review_cannot_change(db, api_as):
    plan = make_plan()
    author = api_as(Role.AUTHOR)
    eia = make_eia(author=author.user)
    url = f"/api/v1/eias/{eia.reference}/links"
    link = author.post(url, json={"action_id": plan.priorities[0].actions[0].id, "note": "Yes"}).get_json()
    eia.state = EiaState.SUBMITTED
    db.session.commit()
    refused = author.post(url, json={"action_id": plan.priorities[0].actions[1].id, "note": "More"})
    assert refused.status_code == 409
    assert author.delete(f"{url}/{link['id']}", headers={"If-Match": "*"}).status_code == 409
    assert len(author.get(url).get_json()) == 1


# The OpenAPI document ------------------------------------------------------------------------------


def test_every_plan_operation_is_documented_with_a_summary(db, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete"}
        and path.startswith(("/api/v1/plans", "/api/v1/eias/{reference}/links"))
    }
    assert len(operations) == len(API_PERMISSIONS)
    # The docstring's first line is the summary: one short line, the details in the description.
    assert all(operation.get("summary") and "\n" not in operation["summary"] for operation in operations.values())
    put = operations[("PUT", "/api/v1/plans/actions/{action_id}")]
    parameters = spec["components"]["parameters"]  # shared ones are written once and referred to
    names = [parameters[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in put["parameters"]]
    assert "If-Match" in [p["name"] for p in names]
    assert "412" in put["responses"] and "422" in put["responses"]
    assert "ProgressUpdateInput" in spec["components"]["schemas"]
