"""The API's moderation of a scoring."""

from __future__ import annotations

from eia.accounts.models import Role
from tests.factories import make_eia, make_scored_sample

API_PERMISSIONS = [
    ("POST", "/api/v1/samples/{sample}/items/{item}/scores/{score}/moderation", {Role.EQUALITIES}, 403),
]


def test_moderate_through_the_api(api_as, db):
    eia = make_eia(title="Café licences")
    sample, item, _ = make_scored_sample(eia)
    first = item.scores[0]
    url = f"/api/v1/samples/{sample.id}/items/{item.id}/scores/{first.id}/moderation"
    scorer = api_as(Role.EQUALITIES, user=db.session.get(type(eia.author), first.scored_by_id))
    assert scorer.post(url, json={"agrees": True}).status_code == 403
    api = api_as(Role.EQUALITIES)
    wrong = api.post(url, json={"agrees": False, "scores": {"timeliness": None, "speed": 1}})
    assert wrong.status_code == 422
    errors = wrong.get_json()["errors"]["scores"]
    assert errors["timeliness"] == "'Timeliness' cannot be scored not applicable" and "speed" in errors
    no_note = api.post(url, json={"agrees": False, "scores": {c["key"]: 2 for c in first.rubric.criteria}})
    assert no_note.status_code == 422 and "note" in no_note.get_json()["errors"]
    scores = {c["key"]: 2 for c in first.rubric.criteria} | {"covenant": None}
    done = api.post(url, json={"agrees": False, "scores": scores, "note": "All good."})
    assert done.status_code == 201, done.get_json()
    data = done.get_json()
    assert (data["points"], data["max_points"]) == (18, 36)  # the first scoring, kept
    assert data["moderation"]["points"] == 34 and data["moderation"]["rating"] == "good"
    assert data["moderation"]["scores"]["covenant"] is None
    again = api.post(url, json={"agrees": True})
    assert again.status_code == 409
    read = api.get(f"/api/v1/samples/{sample.id}").get_json()
    assert read["items"][0]["scores"][0]["moderation"]["note"] == "All good."
