"""The OpenAPI document only ever grows: every path, operation, parameter, request body type and
response code of the published document (``tests/data/openapi-v1-baseline.json``, saved before the
API's plumbing was reworked) is still there, and every error is still documented as problem details."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eia.accounts.models import Role, TokenScope
from tests.factories import make_eia

BASELINE = json.loads((Path(__file__).parent / "data" / "openapi-v1-baseline.json").read_text())
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [(path, method) for path, item in BASELINE["paths"].items() for method in METHODS if method in item]


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """*item* itself, or what its ``$ref`` points at in *spec*."""
    ref = item.get("$ref")
    if ref is None:
        return item
    found: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def _parameters(spec: dict[str, Any], path: str, method: str) -> dict[tuple[str, str], bool]:
    """(name, in) -> required, for the path's and the operation's parameters."""
    item = spec["paths"][path]
    found = {}
    for parameter in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        parameter = _resolve(spec, parameter)
        found[(parameter["name"], parameter["in"])] = parameter.get("required", False)
    return found


@pytest.fixture(scope="module")
def document(app) -> dict[str, Any]:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_baseline_is_the_published_document_of_43_operations():
    assert len(OPERATIONS) == 43 and BASELINE["info"] == {"title": "Equality impact assessments API", "version": "v1"}


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_published_operation_is_still_documented_as_before_or_more(document, path, method):
    assert path in document["paths"], path
    assert method in document["paths"][path], (method, path)
    was, now = BASELINE["paths"][path][method], document["paths"][path][method]

    before, after = _parameters(BASELINE, path, method), _parameters(document, path, method)
    assert set(before) <= set(after), set(before) - set(after)
    assert all(after[key] or not required for key, required in before.items()), "a required parameter became optional"

    body_before = set(was.get("requestBody", {}).get("content", {}))
    assert body_before <= set(now.get("requestBody", {}).get("content", {}))

    assert set(was["responses"]) <= set(now["responses"]), set(was["responses"]) - set(now["responses"])
    for code in was["responses"]:
        if code.startswith(("4", "5")):
            content = _resolve(document, now["responses"][code])["content"]
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}, code


def test_every_error_is_problem_details_from_the_apps_own_handlers(app, db, api_as, monkeypatch):
    author = api_as(Role.AUTHOR)
    reader = api_as(Role.AUTHOR, scope=TokenScope.READ)
    reference = make_eia(author.user).reference
    mitigation = f"/api/v1/eias/{reference}/mitigations"
    body = {"action": "Keep Tuesday mornings", "owner_id": author.user.id, "due_on": "2099-06-30"}
    one = f"{mitigation}/{author.post(mitigation, json=body).get_json()['id']}"
    answers = {
        400: author.post(mitigation, data="{not json", headers={"Content-Type": "application/json"}),
        401: app.test_client().get("/api/v1/eias/"),
        403: reader.post(mitigation, json=body),
        404: author.get("/api/v1/no-such-thing"),
        405: author.open("PATCH", one),
        409: api_as(Role.EQUALITIES).post(
            f"/api/v1/eias/{reference}/transitions", json={"name": "approve"}, headers={"If-Match": "*"}
        ),
        412: author.put(one, json=body, headers={"If-Match": '"stale"'}),
        422: author.post(mitigation, json={"owner_id": "someone"}),
        428: author.delete(one),
    }
    monkeypatch.setitem(app.config, "EIA_API_REQUESTS_PER_MINUTE", 1)
    answers[429] = author.get("/api/v1/eias/")
    for status, response in answers.items():
        problem = response.get_json()
        assert (response.status_code, response.mimetype) == (status, "application/problem+json"), problem
        assert problem["status"] == status and problem["type"] == "about:blank" and problem["title"], status
