"""The budget rounds API: the rounds, and a round's proposals, impacts and cumulative findings."""

from __future__ import annotations

from eia.accounts.models import Role
from eia.rounds import services
from tests.factories import complete_eia, make_eia, make_round, make_user

READERS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

# (method, path, who may, what the others get): walked by tests/test_api_permissions.py.
API_PERMISSIONS = [
    ("GET", "/api/v1/rounds/", READERS, 403),
    ("GET", "/api/v1/rounds/{round}", READERS, 403),
]


def test_a_round_as_json(db, api_as):
    budget_round = make_round()
    references = []
    for title in ("Library visits", "Bus routes", "Alarm charges"):
        author = make_user(Role.AUTHOR)
        eia = complete_eia(make_eia(author=author, title=title), author, negative=("age",))
        services.join_round(eia, budget_round, by=author)
        references.append(eia.reference)
    db.session.commit()
    api = api_as(Role.DECISION_MAKER)

    listed = api.get("/api/v1/rounds/").get_json()
    assert listed == [{"id": budget_round.id, "name": "Budget 2027/28", "decision_on": "2099-02-24", "proposals": 3}]
    body = api.get(f"/api/v1/rounds/{budget_round.id}").get_json()
    assert [p["reference"] for p in body["proposals"]] == references
    age = next(g for g in body["groups"] if g["characteristic"] == "age")
    assert age == {
        "characteristic": "age",
        "name": "Age",
        "negative": 3,
        "highest_severity": "medium",
        "is_cumulative": True,
    }
    disability = next(g for g in body["groups"] if g["characteristic"] == "disability")
    assert disability["negative"] == 0 and not disability["is_cumulative"]
    assert {"reference": references[0], "characteristic": "age", "direction": "negative", "severity": "medium"} in body[
        "impacts"
    ]
    assert api.get("/api/v1/rounds/999999").status_code == 404
