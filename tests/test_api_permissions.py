"""Every API route against every role, with a token and without: the API refuses what the pages
refuse. Each tests/test_api_*.py module lists its routes in ``API_PERMISSIONS`` as
``(method, path, roles allowed, status for the others)``; this module walks all of them and fails
when a route under /api/v1/ is in none."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from eia.accounts.models import Role, TokenScope
from tests.factories import make_eia, make_user, matrix_objects

SIGNED_IN = set(Role)
EQUALITIES_AND_ADMIN = {Role.EQUALITIES, Role.ADMIN}
#: {eia} belongs to a service area the service manager here does not work in: to them it does not exist.
SEES_OTHER_AREAS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

API_PERMISSIONS = [
    ("GET", "/api/v1/me", SIGNED_IN, 403),
    ("GET", "/api/v1/characteristics", SIGNED_IN, 403),
    ("GET", "/api/v1/service-areas", SIGNED_IN, 403),
    ("GET", "/api/v1/people", SIGNED_IN, 403),
    ("GET", "/api/v1/eias/", SIGNED_IN, 403),
    ("POST", "/api/v1/eias/", {Role.AUTHOR, Role.EQUALITIES, Role.ADMIN}, 403),
    ("GET", "/api/v1/eias/{eia}", SEES_OTHER_AREAS, 404),
    ("GET", "/api/v1/eias/{eia}/sections/about", SEES_OTHER_AREAS, 404),
    # Nobody but its own service area edits it; the others who see it are refused, the rest never find it.
    ("PUT", "/api/v1/eias/{eia}/sections/about", set(), (403, 404)),
    ("PUT", "/api/v1/eias/{eia}/impacts", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/mitigations", SEES_OTHER_AREAS, 404),
    ("POST", "/api/v1/eias/{eia}/mitigations", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/mitigations/{mitigation}", SEES_OTHER_AREAS, 404),
    ("PUT", "/api/v1/eias/{eia}/mitigations/{mitigation}", set(), (403, 404)),
    ("DELETE", "/api/v1/eias/{eia}/mitigations/{mitigation}", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/evidence", SEES_OTHER_AREAS, 404),
    ("POST", "/api/v1/eias/{eia}/evidence", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/evidence/{evidence}", SEES_OTHER_AREAS, 404),
    # A draft: the review steps are refused (409 for the state) only after the role is checked.
    ("POST", "/api/v1/eias/{eia}/transitions", SEES_OTHER_AREAS, 404),
    # Only a finished assessment's own service area starts its next version.
    ("POST", "/api/v1/eias/{eia}/versions", set(), (403, 404)),
    ("GET", "/api/v1/eias/{eia}/history", SEES_OTHER_AREAS, 404),
]


def _all_rows() -> list[tuple]:
    rows = list(API_PERMISSIONS)
    for path in sorted(Path(__file__).parent.glob("test_api_*.py")):
        if path.stem == Path(__file__).stem:
            continue
        rows += getattr(importlib.import_module(f"tests.{path.stem}"), "API_PERMISSIONS", [])
    return rows


ROWS = _all_rows()


def _rule(path: str) -> str:
    """The Flask rule a matrix path stands for."""
    replacements = {
        "{eia}": "<reference>",
        "/about": "/<key>",
        "{mitigation}": "<int:mitigation_id>",
        "{evidence}": "<int:evidence_id>",
        "{plan}": "<int:plan_id>",
        "{action}": "<int:action_id>",
        "{link}": "<int:link_id>",
        "{sample}": "<int:sample_id>",
        "{item}": "<int:item_id>",
        "{score}": "<int:score_id>",
        "{finding}": "<int:finding_id>",
        "{year}": "<int:year>",
        "{user}": "<int:user_id>",
        "{token}": "<int:token_id>",
        "{coauthor}": "<int:coauthor_id>",
        "/impacts/age": "/impacts/<characteristic>",
        "{round}": "<int:round_id>",
    }
    for placeholder, rule in replacements.items():
        path = path.replace(placeholder, rule)
    return path


def test_every_api_route_is_in_a_matrix(app):
    covered = {(method, _rule(path)) for method, path, *_ in ROWS}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    public = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/")}
    assert routes - covered - public == set(), "API routes missing from every API_PERMISSIONS"
    assert covered - routes == set(), "API_PERMISSIONS rows with no route"


@pytest.mark.parametrize("who", list(Role), ids=str)
@pytest.mark.parametrize(("method", "path", "allowed", "denied"), ROWS, ids=[f"{r[0]} {r[1]}" for r in ROWS])
def test_api_route_allows_and_denies(db, api_as, who, method, path, allowed, denied):
    objects = matrix_objects()
    api = api_as(who)
    objects["token"] = api.token.id
    url = path.format_map(objects)
    response = api.open(method, url, json={})
    assert response.status_code < 500, f"{who} {method} {path}: {response.status_code}"
    if response.status_code != 204:
        assert response.headers["Content-Type"] in ("application/json", "application/problem+json")
    denied_codes = denied if isinstance(denied, tuple) else (denied,)
    if who in allowed:
        assert response.status_code not in (401, 403), f"{who} should be allowed {method} {path}: {response.get_json()}"
        # 404 means "not visible" only where the path names no object that may simply not exist.
        if 404 in denied_codes and not any(p in path for p in ("{mitigation}", "{evidence}", "{link}", "{coauthor}")):
            assert response.status_code != 404, f"{who} should see {method} {path}"
    else:
        assert response.status_code in denied_codes, f"{who} should be refused {method} {path}: {response.status_code}"


@pytest.mark.parametrize(("method", "path", "allowed", "denied"), ROWS, ids=[f"{r[0]} {r[1]}" for r in ROWS])
def test_no_token_gets_401_everywhere(client, db, method, path, allowed, denied):
    url = re.sub(r"<int:\w+>", "1", _rule(path)).replace("<reference>", "EIA-2026-0001").replace("<key>", "about")
    response = client.open(url, method=method, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_read_only_token_cannot_write(db, api_as, method):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    api = api_as(user=author, scope=TokenScope.READ)
    assert api.get(f"/api/v1/eias/{eia.reference}").status_code == 200
    url = {
        "POST": "/api/v1/eias/",
        "PUT": f"/api/v1/eias/{eia.reference}/sections/about",
        "DELETE": f"/api/v1/eias/{eia.reference}/mitigations/1",
    }[method]
    response = api.open(method, url, json={"title": "Not allowed"})
    assert response.status_code == 403
    assert "read-only" in response.get_json()["detail"]
