"""Rules about what a mitigation, evidence and an action's owner may be live in the services, so the
pages and the API give the same answer from one place: a mitigation addresses a negative impact of
its own assessment and is owned by a person with an enabled account; evidence names only its
assessment's sections and the characteristics it may assess; an action's owner is enabled too."""

from __future__ import annotations

from datetime import date

import pytest

from eia.accounts.models import Role
from eia.assessments import evidence_services, mitigations
from eia.assessments.models import Characteristic
from eia.errors import ValidationFailed
from eia.evidence.models import EvidenceKind
from eia.evidence.storage import store_for
from eia.extensions import db as _db
from tests.factories import complete_eia, make_eia, make_plan, make_user
from tracker import services as tracker_services


def _mitigation(owner_id: int, characteristic_id: int | None) -> dict:
    return {
        "characteristic_id": characteristic_id,
        "action": "Keep Tuesday mornings open",
        "owner_id": owner_id,
        "due_on": date(2099, 6, 30),
        "measure": "Morning visits",
    }


def test_a_mitigation_addresses_a_negative_impact_and_has_an_enabled_owner(db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author), by=author, negative=("age",), mitigate=False)
    negative = next(i.characteristic_id for i in eia.impacts if i.is_negative)
    neutral = next(i.characteristic_id for i in eia.impacts if not i.is_negative)
    gone = make_user(Role.AUTHOR, is_enabled=False)

    with pytest.raises(ValidationFailed) as refused:
        mitigations.add_mitigation(eia, _mitigation(gone.id, neutral), by=author)
    assert refused.value.fields == {
        "characteristic_id": "Choose a characteristic with a negative impact here",
        "owner_id": "The owner must be a person with an enabled account",
    }
    added = mitigations.add_mitigation(eia, _mitigation(author.id, negative), by=author)
    whole = mitigations.add_mitigation(eia, _mitigation(author.id, None), by=author)  # the proposal as a whole
    with pytest.raises(ValidationFailed) as refused:
        mitigations.update_mitigation(added, _mitigation(gone.id, negative), expected_version=added.version, by=author)
    assert set(refused.value.fields) == {"owner_id"}
    assert [m.characteristic_id for m in eia.mitigations] == [negative, None] and whole.owner_id == author.id


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"characteristic": "disability"}, "characteristic"),  # assessed, but not a negative impact
        ({"characteristic": "height"}, "characteristic"),  # not in the register
        ({"owner": "disabled"}, "owner_id"),
        ({"owner": "unknown"}, "owner_id"),
    ],
)
def test_the_api_gets_the_services_answer_at_the_field_it_sent(db, api_as, sent, field):
    author = api_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author.user), by=author.user, negative=("age",), mitigate=False)
    owners = {"disabled": make_user(Role.AUTHOR, is_enabled=False).id, "unknown": 999_999}
    body = {"action": "Keep Tuesday mornings open", "owner_id": owners.get(sent.get("owner"), author.user.id)}
    body |= {"due_on": "2099-06-30", "characteristic": sent.get("characteristic", "age")}
    url = f"/api/v1/eias/{eia.reference}/mitigations"

    refused = author.post(url, json=body)
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {field}
    assert author.get(url).get_json() == []

    added = author.post(url, json=body | {"characteristic": "age", "owner_id": author.user.id})
    assert added.status_code == 201
    one = f"{url}/{added.get_json()['id']}"
    changed = author.put(one, json=body, headers={"If-Match": author.get(one).headers["ETag"]})
    assert changed.status_code == 422 and set(changed.get_json()["errors"]) == {field}
    assert author.get(one).get_json()["characteristic"] == "age"


def test_evidence_names_only_its_assessments_sections_and_characteristics(db, api_as):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    _db.session.add(Characteristic(key="former_group", name="A group no longer assessed", is_active=False))
    _db.session.commit()
    note = {"kind": "note", "title": "Library survey", "note": "Older borrowers use weekday mornings."}
    url = f"/api/v1/eias/{eia.reference}/evidence"

    for sent, field in [
        ({"sections": ["screening", "budget"]}, "sections"),
        ({"characteristics": ["age", "former_group"]}, "characteristics"),
        ({"characteristics": ["height"]}, "characteristics"),
    ]:
        response = author.post(url, json=note | sent)
        assert response.status_code == 422 and set(response.get_json()["errors"]) == {field}, sent
        with pytest.raises(ValidationFailed) as refused:
            evidence_services.add_evidence(
                eia, EvidenceKind.NOTE, note | sent, by=author.user, store=store_for(), max_bytes=1024
            )
        assert set(refused.value.fields) == {field}
    assert author.get(url).get_json() == []

    added = author.post(url, json=note | {"sections": ["screening"], "characteristics": ["age", "age"]})
    assert added.status_code == 201
    assert (added.get_json()["sections"], added.get_json()["characteristics"]) == (["screening"], ["age"])


def test_an_action_is_owned_only_by_a_person_with_an_enabled_account(db, api_as):
    action = make_plan().priorities[0].actions[0]
    team = api_as(Role.EQUALITIES)
    gone = make_user(Role.AUTHOR, is_enabled=False)
    with pytest.raises(ValidationFailed) as refused:
        tracker_services.set_owner(action, gone.id, by=team.user)
    assert refused.value.fields == {"owner_id": "The owner must be a person with an enabled account"}

    url = f"/api/v1/plans/actions/{action.id}"
    response = team.put(url, json={"text": action.text, "owner_id": gone.id}, headers={"If-Match": "*"})
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"owner_id"}
    assert team.get(url).get_json()["owner"] is None
