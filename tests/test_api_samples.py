"""The quality-audit API: a sample drawn, checked and scored through the API alone, with findings read
and marked done by their owner; the page's rules (who draws, who scores, who sees what) and its
messages; field-level errors for anything malformed, never a 500."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from eia.accounts.models import Role
from eia.assessments.states import EiaKind, EiaState
from eia.extensions import db as _db
from eia.quality.models import Sample
from tests.factories import make_eia, make_service_area, make_user

SEES_SAMPLES = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

API_PERMISSIONS = [
    ("GET", "/api/v1/samples/", SEES_SAMPLES, 403),
    ("POST", "/api/v1/samples/", {Role.EQUALITIES}, 403),
    ("GET", "/api/v1/samples/rubric", SEES_SAMPLES, 403),
    ("GET", "/api/v1/samples/{sample}", SEES_SAMPLES, 403),
    # "Check the draw" writes only to the audit log: whoever reads the sample may check it.
    ("POST", "/api/v1/samples/{sample}/verification", SEES_SAMPLES, 403),
    ("GET", "/api/v1/samples/{sample}/items/{item}", SEES_SAMPLES, 403),
    ("POST", "/api/v1/samples/{sample}/items/{item}/scores", {Role.EQUALITIES}, 403),
    # The finding belongs to the assessment's author, who is nobody the matrix signs in as.
    ("GET", "/api/v1/samples/findings/{finding}", SEES_SAMPLES, 403),
    ("POST", "/api/v1/samples/findings/{finding}/done", {Role.EQUALITIES}, 403),
]


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _completed(author, title: str, approved: str = "2025-05-01", **fields):
    """An assessment approved on *approved* (2025-Q1 is April to June 2025)."""
    return make_eia(author=author, title=title, state=EiaState.APPROVED, approved_at=at(approved), **fields)


def _five_completed():
    """Five assessments approved in 2025-Q1 in two service areas, one approved in Q2 and a draft."""
    first, second = make_user(Role.AUTHOR), make_user(Role.AUTHOR)
    eias = [_completed(first if n % 2 else second, f"Leisure pricing {n}") for n in range(5)]
    _completed(first, "Approved in July", approved="2025-07-02")
    make_eia(author=first, title="Still a draft")
    return eias


def _population(eias) -> list[list]:
    return sorted([e.reference, e.service_area_id] for e in eias)


def _scores(rubric: dict, **overrides: int) -> dict[str, int]:
    return {c["key"]: overrides.get(c["key"], 2) for c in rubric["criteria"]}


def _drawn(api, **body):
    sent = {
        key: value for key, value in {"period": "2025-Q1", "exclude_months": 0, **body}.items() if value is not None
    }
    response = api.post("/api/v1/samples/", json=sent)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# Drawing and checking ------------------------------------------------------------------------------


def test_a_sample_drawn_through_the_api_can_be_drawn_again_by_anyone(db, api_as):
    eias = _five_completed()
    auditor = api_as(Role.EQUALITIES)
    response = auditor.post(
        "/api/v1/samples/", json={"period": "2025-q1", "size": "2", "seed": "audit-2025", "exclude_months": 0}
    )
    assert response.status_code == 201, response.get_json()
    sample = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/samples/{sample['id']}")
    assert sample["period"] == {"label": "2025-Q1", "start": "2025-04-01", "end": "2025-06-30"}
    assert sample["size_asked"] == "2" and sample["size"] == 2 and sample["seed"] == "audit-2025"
    assert sample["population_size"] == 5 and sample["method"] == "v1"
    assert sample["drawn_by"] == {"id": auditor.user.id, "name": auditor.user.name}

    # The documented method, done here without the app: the same seed and population, the same EIAs.
    population = _population(eias)
    assert (
        sample["population_hash"] == hashlib.sha256(json.dumps(population, separators=(",", ":")).encode()).hexdigest()
    )
    expected = random.Random("v1:audit-2025").sample([reference for reference, _ in population], 2)
    assert [item["eia"]["reference"] for item in sample["items"]] == expected
    assert [item["position"] for item in sample["items"]] == [1, 2]
    assert all(item["visible"] and item["scorings"] == 0 and item["can_score"] for item in sample["items"])

    read = auditor.get(f"/api/v1/samples/{sample['id']}")
    assert read.status_code == 200 and read.get_json() == sample and read.headers["ETag"]

    check = auditor.post(f"/api/v1/samples/{sample['id']}/verification")
    assert check.status_code == 200
    assert check.get_json() == {
        "sample_id": sample["id"],
        "matches": True,
        "problems": [],
        "seed": "audit-2025",
        "population_hash": sample["population_hash"],
    }
    logged = auditor.get(f"/api/v1/audit-log/?entity_type=sample&entity_id={sample['id']}").get_json()["items"]
    assert [entry["action"] for entry in logged] == ["sample_verified", "sample_drawn"]
    assert logged[0]["detail"] == "matches" and "API token" in logged[0]["actor"]
    assert logged[1]["changes"]["seed"] == [None, "audit-2025"]
    assert logged[1]["changes"]["references"] == [None, expected]

    # The default leaves out what was sampled in the last 12 months.
    again = _drawn(auditor, size="100%", exclude_months=12)
    assert again["population_size"] == 3 and sorted(again["excluded"]) == sorted(expected)
    assert again["exclude_months"] == 12
    assert auditor.get("/api/v1/samples/?per_page=1").get_json()["total"] == 2


def test_dates_service_areas_and_one_per_service_area(db, api_as):
    eias = _five_completed()
    auditor = api_as(Role.EQUALITIES)
    areas = sorted({e.service_area_id for e in eias})
    sample = _drawn(auditor, period=None, from_date="2025-04-01", to_date="2025-12-31", size="1", per_service_area=True)
    assert sample["period"]["label"] == "01 Apr 2025 to 31 Dec 2025"
    assert sample["population_size"] == 6 and sample["per_service_area"] is True
    assert sorted(item["service_area"]["id"] for item in sample["items"]) == areas  # grew to one per area
    only = _drawn(auditor, size="1", service_area_ids=[areas[0]])
    assert only["service_areas"][0]["id"] == areas[0] and only["population_size"] == 2


def test_a_sample_whose_seed_was_changed_fails_the_check(app, db, api_as):
    _five_completed()
    auditor = api_as(Role.EQUALITIES)
    sample = _drawn(auditor, size="2", seed="first")
    # What someone with database access could do; the ORM refuses to change a drawn sample.
    _db.session.execute(text("UPDATE samples SET seed = 'second' WHERE id = :id"), {"id": sample["id"]})
    _db.session.commit()
    check = auditor.post(f"/api/v1/samples/{sample['id']}/verification").get_json()
    assert check["matches"] is False
    assert "the seed differs from the one in the audit log" in check["problems"]
    logged = auditor.get(f"/api/v1/audit-log/?action=sample_verified&entity_id={sample['id']}").get_json()
    assert "the seed differs from the one in the audit log" in logged["items"][0]["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "size", "Enter the sample size"),
        ({"size": " "}, "size", "Enter the sample size"),
        ({"size": "5"}, "period", "Enter a quarter like 2025-Q1, or the dates to draw from"),
        ({"size": "5", "period": "2025-Q5"}, "period", "Enter a financial-year quarter like 2025-Q1"),
        ({"size": "5", "period": "1999-Q1"}, "period", "Enter a financial-year quarter like 2025-Q1"),
        ({"size": "5", "period": "2025-Q1-and-more"}, "period", "Enter a quarter like 2025-Q1"),
        ({"size": "5", "period": 2025}, "period", "Not a valid string."),
        ({"size": "5", "from_date": "2025-04-01"}, "to_date", "Enter both dates, or a quarter"),
        ({"size": "5", "to_date": "2025-04-01"}, "from_date", "Enter both dates, or a quarter"),
        ({"size": "5", "from_date": "2025-13-45", "to_date": "2025-06-30"}, "from_date", "Not a valid date."),
        ({"size": "5", "from_date": "0001-01-01", "to_date": "2025-06-30"}, "from_date", "from 1990 to 2100"),
        ({"size": "5", "from_date": "2025-06-30", "to_date": "2025-04-01"}, "to_date", "on or after the start"),
        ({"size": "5", "period": " ", "from_date": "2025-04-01", "to_date": "2025-03-01"}, "to_date", "on or after"),
        (
            {"size": "5", "period": "2025-Q1", "from_date": "2025-04-01", "to_date": "2025-06-30"},
            "period",
            "Give a quarter or dates, not both",
        ),
        ({"period": "2025-Q1", "size": "0"}, "size", "Enter the size as a whole number"),
        ({"period": "2025-Q1", "size": "101%"}, "size", "Enter the size as a whole number"),
        ({"period": "2025-Q1", "size": "five"}, "size", "Enter the size as a whole number"),
        ({"period": "2025-Q1", "size": "9" * 10_000}, "size", "Enter the size as a whole number"),
        ({"period": "2025-Q1", "size": 5}, "size", "Not a valid string."),
        ({"period": "2025-Q1", "size": "6"}, "size", "larger than the population: 5 completed EIAs"),
        ({"period": "2030-Q1", "size": "1"}, "size", "There are no completed EIAs approved in 2030-Q1"),
        ({"period": "2025-Q1", "size": "1", "exclude_months": 121}, "exclude_months", "from 0 to 120"),
        ({"period": "2025-Q1", "size": "1", "exclude_months": -1}, "exclude_months", "from 0 to 120"),
        ({"period": "2025-Q1", "size": "1", "exclude_months": "12"}, "exclude_months", "Not a valid integer."),
        ({"period": "2025-Q1", "size": "1", "exclude_months": 10**30}, "exclude_months", "from 0 to 120"),
        ({"period": "2025-Q1", "size": "1", "seed": "x" * 65}, "seed", "64 characters or fewer"),
        ({"period": "2025-Q1", "size": "1", "seed": "bell\x07"}, "seed", "64 printable characters or fewer"),
        ({"period": "2025-Q1", "size": "1", "service_area_ids": [999_999]}, "service_area_ids", "999999"),
        ({"period": "2025-Q1", "size": "1", "service_area_ids": [2**40]}, "service_area_ids", "less than or equal"),
        ({"period": "2025-Q1", "size": "1", "service_area_ids": "1"}, "service_area_ids", "Not a valid list."),
        ({"period": "2025-Q1", "size": "1", "per_service_area": "perhaps"}, "per_service_area", "Not a valid boolean."),
        ({"period": "2025-Q1", "size": "1", "colour": "red"}, "colour", "Unknown field."),
    ],
)
def test_a_draw_that_breaks_a_rule_is_refused_field_by_field(db, api_as, body, field, message):
    _five_completed()
    auditor = api_as(Role.EQUALITIES)
    response = auditor.post("/api/v1/samples/", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert message in json.dumps(errors[field], ensure_ascii=False), errors
    assert auditor.get("/api/v1/samples/").get_json()["total"] == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"period": "2025-Q1", "size": "1", "exclude_months": 1' + "0" * 10_000 + "}",
        '{"period": "2025-Q1", "size": ',
        "[]",
        "null",
    ],
    ids=["10,000-digit number", "broken JSON", "a list", "null"],
)
def test_a_body_that_is_not_an_object_is_a_4xx_not_a_500(db, api_as, raw):
    auditor = api_as(Role.EQUALITIES)
    response = auditor.post("/api/v1/samples/", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "application/problem+json"


def test_only_the_equalities_team_draws_and_a_refusal_comes_before_the_body(db, api_as):
    for role in (Role.DECISION_MAKER, Role.ADMIN, Role.AUTHOR):
        response = api_as(role).post("/api/v1/samples/", json={"size": "not even a size"})
        assert response.status_code == 403, role


# Scoring and findings ------------------------------------------------------------------------------


def test_score_with_findings_then_the_owner_marks_a_finding_done_and_a_retest(db, api_as):
    author = make_user(Role.AUTHOR)
    colleague = make_user(Role.AUTHOR)
    eia = _completed(author, "Home care charging")
    auditor = api_as(Role.EQUALITIES)
    sample = _drawn(auditor, size="1")
    item = sample["items"][0]
    rubric = auditor.get("/api/v1/samples/rubric").get_json()
    assert rubric["key"] == "quality" and rubric["version"] == 2 and len(rubric["criteria"]) == 18
    engagement = next(c for c in rubric["criteria"] if c["key"] == "engagement")
    assert set(engagement["guidance"]) == {"0", "1", "2"}

    url = f"/api/v1/samples/{sample['id']}/items/{item['id']}/scores"
    body = {
        "scores": _scores(rubric, engagement=0),
        "comments": {"engagement": "  No one who uses the service was asked.  "},
        "summary": "Sound analysis, no engagement.",
        "findings": [
            {"text": "Consult home care users", "criterion": "engagement", "due_on": "2026-09-30"},
            {"text": "Name the data gaps", "owner_id": colleague.id, "due_on": "2026-10-31"},
        ],
        "scored_before": 0,
    }
    scored = auditor.post(url, json=body)
    assert scored.status_code == 201, scored.get_json()
    first = scored.get_json()
    assert scored.headers["Location"].endswith(f"/api/v1/samples/{sample['id']}/items/{item['id']}")
    # 34 of 36 points (rubric v2), but a criterion at 0: not good.
    assert (first["points"], first["max_points"], first["rating"]) == (34, 36, "requires_improvement")
    assert first["retest_of"] is None and first["rubric"]["version"] == 2
    assert first["scored_by"] == {"id": auditor.user.id, "name": auditor.user.name}
    scores = {c["criterion"]: c for c in first["criteria"]}
    assert (
        scores["engagement"]["score"] == 0
        and scores["engagement"]["comment"] == "No one who uses the service was asked."
    )
    assert scores["engagement"]["title"] == "Engagement on equality impacts"
    owners = [(f["text"], f["owner"]["id"], f["due_on"], f["status"]) for f in first["findings"]]
    assert owners == [
        ("Consult home care users", author.id, "2026-09-30", "open"),
        ("Name the data gaps", colleague.id, "2026-10-31", "open"),
    ]

    twice = auditor.post(url, json=body)  # the same form sent again
    assert twice.status_code == 409 and "Nothing was saved" in twice.get_json()["detail"]
    read = auditor.get(f"/api/v1/samples/{sample['id']}").get_json()["items"][0]
    assert read["scorings"] == 1 and read["rating"] == "requires_improvement" and read["points"] == 34
    assert read["scores"] == [first]

    # The author reads their finding with their own token and marks it done.
    owner = api_as(user=author)
    finding_url = f"/api/v1/samples/findings/{first['findings'][0]['id']}"
    finding = owner.get(finding_url)
    assert finding.status_code == 200
    assert finding.get_json() | {"done_at": None} == {
        **first["findings"][0],
        "criterion_title": "Engagement on equality impacts",
        "eia": {"reference": eia.reference, "title": "Home care charging"},
        "sample_id": sample["id"],
        "item_id": item["id"],
        "score_id": first["id"],
        "scored_by": first["scored_by"],
        "can_mark_done": True,
    }
    done_url = f"{finding_url}/done"
    assert owner.post(done_url, json={"note": "Survey sent"}).status_code == 428
    assert owner.post(done_url, json={"note": "Survey sent"}, headers={"If-Match": '"stale"'}).status_code == 412
    empty = owner.post(done_url, json={"note": "   "}, headers={"If-Match": finding.headers["ETag"]})
    assert empty.status_code == 422 and empty.get_json()["errors"] == {"note": "Say what was done to put this right"}
    done = owner.post(
        done_url, json={"note": "Survey of 40 users in May"}, headers={"If-Match": finding.headers["ETag"]}
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done" and done.get_json()["done_note"] == "Survey of 40 users in May"
    assert done.get_json()["can_mark_done"] is False and done.get_json()["done_at"]
    again = owner.post(done_url, json={"note": "Again"}, headers={"If-Match": done.headers["ETag"]})
    assert again.status_code == 409 and again.get_json()["detail"] == "This finding is already done."
    # Another service manager's finding is not theirs to read or close.
    other = owner.get(f"/api/v1/samples/findings/{first['findings'][1]['id']}")
    assert other.status_code == 403

    retest = auditor.post(url, json={"scores": _scores(rubric), "scored_before": 1})
    assert retest.status_code == 201, retest.get_json()
    assert retest.get_json()["retest_of"] == first["id"] and retest.get_json()["rating"] == "good"
    item_read = auditor.get(f"/api/v1/samples/{sample['id']}/items/{item['id']}").get_json()
    assert [s["id"] for s in item_read["scores"]] == [first["id"], retest.get_json()["id"]]
    assert item_read["rating"] == "good" and item_read["scorings"] == 2

    actions = [
        e["action"]
        for e in auditor.get("/api/v1/audit-log/?order=oldest&per_page=200").get_json()["items"]
        if e["entity_type"] in {"quality_score", "quality_finding"}
    ]
    assert actions == ["sample_scored", "finding_raised", "finding_raised", "finding_done", "sample_retested"]
    # Scoring never changes the assessment.
    assert auditor.get(f"/api/v1/eias/{eia.reference}").get_json()["state"] == "approved"


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (lambda b: b["scores"].pop("timeliness"), {"scores": {"timeliness": "Score 'Timeliness' 0, 1 or 2"}}),
        (
            lambda b: b["scores"].update(speed=2),
            {"scores": {"speed": "EIA quality audit rubric version 2 has no criterion 'speed'"}},
        ),
        (lambda b: b["scores"].update(timeliness=3), {"scores": {"timeliness": {"value": ["Score 0, 1 or 2"]}}}),
        (lambda b: b["scores"].update(timeliness="2"), {"scores": {"timeliness": {"value": ["Not a valid integer."]}}}),
        (
            lambda b: b["scores"].update(timeliness=True),
            {"scores": {"timeliness": {"value": ["Not a valid integer."]}}},
        ),
        (lambda b: b["scores"].update(timeliness=1.5), {"scores": {"timeliness": {"value": ["Not a valid integer."]}}}),
        (lambda b: b.pop("scores"), {"scores": ["Score every criterion of the rubric 0, 1 or 2"]}),
        (
            lambda b: b.pop("scored_before"),
            {"scored_before": ["Say how many scorings the assessment had when you read it (0 the first time)"]},
        ),
        (lambda b: b["comments"].update(speed="Quick"), {"comments": {"speed": "No criterion 'speed' in the rubric"}}),
        (lambda b: b.update(summary="x" * 5001), {"summary": ["Must be 5,000 characters or fewer"]}),
        (
            lambda b: b["findings"][0].pop("due_on"),
            {"findings": {"0": {"due_on": ["Enter the date the finding is due by"]}}},
        ),
        (
            lambda b: b["findings"][0].update(due_on="2026-02-30"),
            {"findings": {"0": {"due_on": ["Not a valid date."]}}},
        ),
        (
            lambda b: b["findings"][0].update(due_on="2101-01-01"),
            {"findings": {"0": {"due_on": ["Must be a date from 1990 to 2100"]}}},
        ),
        (
            lambda b: b["findings"][0].update(text=" "),
            {"findings": {"0": {"text": ["Say what the author should put right"]}}},
        ),
        (
            lambda b: b["findings"][0].update(criterion="speed"),
            {"findings": {"0": {"criterion": "Choose a criterion of the rubric, or none"}}},
        ),
        (
            lambda b: b["findings"][0].update(owner_id=999_999),
            {"findings": {"0": {"owner_id": "The owner must be a person with an enabled account"}}},
        ),
        (
            lambda b: b["findings"][0].update(owner_id=2**63),
            {
                "findings": {
                    "0": {"owner_id": ["Must be greater than or equal to 1 and less than or equal to 2147483647."]}
                }
            },
        ),
        (
            lambda b: b.update(findings=[b["findings"][0]] * 21),
            {"findings": ["Give at most 20 findings in one scoring"]},
        ),
    ],
    ids=[
        "a criterion unscored",
        "an unknown criterion",
        "a score of 3",
        "a score as text",
        "a score of true",
        "a score of 1.5",
        "no scores",
        "no scored_before",
        "a comment on no criterion",
        "a long summary",
        "a finding with no due date",
        "30 February",
        "due in 2101",
        "a finding with no text",
        "a finding on no criterion",
        "an unknown owner",
        "an owner id too big",
        "21 findings",
    ],
)
def test_a_scoring_that_breaks_a_rule_is_refused_field_by_field(db, api_as, change, errors):
    eia = _completed(make_user(Role.AUTHOR), "Parking permits")
    auditor = api_as(Role.EQUALITIES)
    sample = _drawn(auditor, size="1")
    rubric = auditor.get("/api/v1/samples/rubric").get_json()
    body = {
        "scores": _scores(rubric),
        "comments": {},
        "findings": [{"text": "Name the gaps", "due_on": "2026-09-30", "owner_id": eia.author_id}],
        "scored_before": 0,
    }
    change(body)
    url = f"/api/v1/samples/{sample['id']}/items/{sample['items'][0]['id']}/scores"
    response = auditor.post(url, json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == errors
    assert auditor.get(f"/api/v1/samples/{sample['id']}").get_json()["items"][0]["scorings"] == 0


def test_an_auditor_never_scores_what_they_wrote(db, api_as):
    auditor = make_user(Role.EQUALITIES, service_area=make_service_area("Equalities"))
    own = _completed(auditor, "Equality strategy refresh")
    api = api_as(user=auditor)
    sample = _drawn(api, size="1")
    item = sample["items"][0]
    assert item["eia"]["reference"] == own.reference and item["can_score"] is False
    response = api.post(f"/api/v1/samples/{sample['id']}/items/{item['id']}/scores", json={"scores": "garbage"})
    assert response.status_code == 403  # refused before the body is read
    assert (
        api_as(Role.EQUALITIES)
        .post(f"/api/v1/samples/{sample['id']}/items/{item['id']}/scores", json={"scores": "garbage"})
        .status_code
        == 422
    )


def test_decision_makers_never_see_an_individual_action_assessment_in_a_sample(db, api_as):
    author = make_user(Role.AUTHOR)
    standard = _completed(author, "Library opening hours")
    private = _completed(author, "Post room restructure", kind=EiaKind.INDIVIDUAL)
    assert private.is_individual
    auditor = api_as(Role.EQUALITIES)
    sample = _drawn(auditor, size="100%")
    rubric = auditor.get("/api/v1/samples/rubric").get_json()
    by_reference = {item["eia"]["reference"]: item for item in sample["items"]}
    hidden_item = by_reference[private.reference]
    scored = auditor.post(
        f"/api/v1/samples/{sample['id']}/items/{hidden_item['id']}/scores",
        json={
            "scores": _scores(rubric),
            "findings": [{"text": "Publish the redeployment policy", "due_on": "2026-09-30"}],
            "scored_before": 0,
        },
    ).get_json()

    slt = api_as(Role.DECISION_MAKER)
    response = slt.get(f"/api/v1/samples/{sample['id']}")
    assert response.status_code == 200
    items = {item["id"]: item for item in response.get_json()["items"]}
    hidden = items[hidden_item["id"]]
    assert hidden["visible"] is False and hidden["eia"] is None and hidden["scores"] == []
    # As on the sample page: its place, service area and rating stay.
    assert hidden["rating"] == "good" and hidden["service_area"]["id"] == private.service_area_id
    assert items[by_reference[standard.reference]["id"]]["eia"]["title"] == "Library opening hours"
    page = response.get_data(as_text=True)
    assert private.reference not in page and "Post room" not in page and "redeployment" not in page
    assert slt.get(f"/api/v1/samples/{sample['id']}/items/{hidden_item['id']}").status_code == 404
    assert slt.get(f"/api/v1/samples/findings/{scored['findings'][0]['id']}").status_code == 404
    assert auditor.get(f"/api/v1/samples/findings/{scored['findings'][0]['id']}").status_code == 200
    # Its author reads their own finding.
    assert api_as(user=author).get(f"/api/v1/samples/findings/{scored['findings'][0]['id']}").status_code == 200


def test_what_does_not_exist_is_a_404(db, api_as):
    _completed(make_user(Role.AUTHOR), "Parks byelaws")
    auditor = api_as(Role.EQUALITIES)
    sample = _drawn(auditor, size="1")
    item = sample["items"][0]["id"]
    _completed(make_user(Role.AUTHOR), "Cemetery fees", approved="2025-08-01")
    other = _drawn(auditor, period="2025-Q2", size="1")
    for path in (
        "/api/v1/samples/999999",
        f"/api/v1/samples/{2**40}",
        "/api/v1/samples/" + "9" * 5000,
        f"/api/v1/samples/{sample['id']}/items/999999",
        f"/api/v1/samples/{other['id']}/items/{item}",  # an item of another sample
        f"/api/v1/samples/{sample['id']}/items/{2**63}",
        "/api/v1/samples/findings/999999",
        f"/api/v1/samples/findings/{2**63}",
    ):
        response = auditor.get(path)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"
    assert auditor.post("/api/v1/samples/999999/verification").status_code == 404
    assert auditor.post(f"/api/v1/samples/{other['id']}/items/{item}/scores", json={}).status_code == 404
    assert auditor.post("/api/v1/samples/findings/999999/done", json={}).status_code == 404
    assert _db.session.get(Sample, other["id"]) is not None


def test_a_sample_is_read_in_the_same_number_of_queries_however_many_it_holds(db, api_as, count_queries):
    author = make_user(Role.AUTHOR)
    for n in range(6):
        _completed(author, f"Bus routes {n}")
    auditor = api_as(Role.EQUALITIES)
    rubric = auditor.get("/api/v1/samples/rubric").get_json()

    def scored(size: int) -> int:
        sample = _drawn(auditor, size=str(size))
        for item in sample["items"]:
            body = {
                "scores": _scores(rubric),
                "findings": [{"text": "Name the gaps", "due_on": "2026-09-30"}],
                "scored_before": 0,
            }
            url = f"/api/v1/samples/{sample['id']}/items/{item['id']}/scores"
            assert auditor.post(url, json=body).status_code == 201
        return sample["id"]

    small, large = scored(1), scored(5)
    with count_queries() as few:
        assert len(auditor.get(f"/api/v1/samples/{small}").get_json()["items"][0]["scores"]) == 1
    with count_queries() as many:
        assert len(auditor.get(f"/api/v1/samples/{large}").get_json()["items"]) == 5
    assert many.count == few.count


def test_the_documentation_page_lists_the_quality_audit_operations(db, client):
    page = client.get("/api/v1/").get_data(as_text=True)
    for path in ("/api/v1/samples/{sample_id}/items/{item_id}/scores", "/api/v1/samples/findings/{finding_id}/done"):
        assert path in page


def test_samples_list_newest_first_in_pages(db, api_as):
    _five_completed()
    auditor = api_as(Role.EQUALITIES)
    ids = [_drawn(auditor, size="1", seed=f"s{n}")["id"] for n in range(3)]
    page = auditor.get("/api/v1/samples/?per_page=2").get_json()
    assert (page["total"], page["pages"], page["page"]) == (3, 2, 1)
    assert [s["id"] for s in page["items"]] == ids[::-1][:2]
    assert page["items"][0]["population_size"] == 5 and page["items"][0]["size"] == 1
    assert [s["id"] for s in auditor.get("/api/v1/samples/?per_page=2&page=2").get_json()["items"]] == ids[:1]
    for bad in ("per_page=0", "per_page=201", "page=0", "page=" + "9" * 5000, "page=abc"):
        response = auditor.get(f"/api/v1/samples/?{bad}")
        assert response.status_code == 422, bad
        assert set(response.get_json()["errors"]) <= {"page", "per_page"}
