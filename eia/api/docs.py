"""The API's documentation page at ``/api/v1/``, made on the server from the OpenAPI document (no
script, nothing from another site)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template

from eia.api import api

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(content: dict[str, Any] | None) -> str | None:
    if not content:
        return None
    for media in content.values():
        schema = media.get("schema", {})
        ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            return f"list of {name}" if "items" in schema else name
        return schema.get("type")
    return None


def _resolved(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """*item*, or the component its ``$ref`` names (``#/components/parameters/IF_MATCH``)."""
    ref = item.get("$ref")
    if ref is None:
        return item
    found: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each tag with its operations, in the order the document lists them."""
    groups: dict[str, dict[str, Any]] = {
        tag["name"]: {"name": tag["name"], "description": tag.get("description", ""), "operations": []}
        for tag in spec.get("tags", [])
    }
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [_resolved(spec, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
            body = operation.get("requestBody", {}).get("content")
            responses = operation.get("responses", {})
            success = sorted(code for code in responses if code.startswith("2"))
            for tag in operation.get("tags", ["other"]):
                groups.setdefault(tag, {"name": tag, "description": "", "operations": []})["operations"].append(
                    {
                        "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").strip("-"),
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": [
                            {
                                "name": p["name"],
                                "in": p["in"],
                                "required": p.get("required", False),
                                "description": p.get("description", ""),
                            }
                            for p in parameters
                        ],
                        "body": _schema_name(body),
                        "body_types": sorted(body) if body else [],
                        "success": [
                            (code, _schema_name(responses[code].get("content")) or "no content") for code in success
                        ],
                    }
                )
    return [group for group in groups.values() if group["operations"]]


@bp.get("/api/v1/")
def index():
    spec = api.spec.to_dict()
    return render_template(
        "api/docs.html",
        groups=operations(spec),
        schemas=sorted(spec.get("components", {}).get("schemas", {}).items()),
        rate=current_app.config["EIA_API_REQUESTS_PER_MINUTE"],
        version=spec["info"]["version"],
    )


def init_docs(app: Flask) -> None:
    app.register_blueprint(bp)
