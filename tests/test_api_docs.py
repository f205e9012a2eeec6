"""The OpenAPI document and its page are public, complete and in step with the routes."""

from __future__ import annotations

from typing import Any


def test_the_openapi_document_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["personalAccessToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token from 'Your account'.",
    }
    documented = {(m.upper(), path) for path, item in spec["paths"].items() for m in item if m != "parameters"}
    routes = {
        (method, rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule not in ("/api/v1/", "/api/v1/openapi.json")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    transition = spec["paths"]["/api/v1/eias/{reference}/transitions"]["post"]
    assert {"412", "428", "422", "401", "403", "404"} <= set(transition["responses"])
    # Shared responses and parameters are written once, under components, and referred to.
    problem = _resolve(spec, transition["responses"]["412"])["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    parameters = [_resolve(spec, p) for p in transition["parameters"]]
    assert any(p["name"] == "If-Match" and p["in"] == "header" and p["required"] for p in parameters)


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in item:
        return item
    found: Any = spec
    for part in item["$ref"].removeprefix("#/").split("/"):
        found = found[part]
    return found


def test_the_documentation_page_lists_the_operations_without_a_sign_in(client):
    response = client.get("/api/v1/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">API documentation</h1>' in html
    assert "<code>/api/v1/eias/{reference}/transitions</code>" in html
    assert "Move the assessment along the workflow" in html
    assert "Authorization: Bearer" in html
    assert 'id="schema-Problem"' in html
    assert "<script>" not in html  # nothing inline, as the CSP demands
