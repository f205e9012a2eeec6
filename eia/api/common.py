"""Helpers every API view uses: pages of results and optimistic locking with ETag / If-Match."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from sqlalchemy import Select, func, select

from eia.errors import EiaError
from eia.extensions import db
from eia.permissions import permit

#: The If-Match header, for the OpenAPI document of every write that changes an existing resource.
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the resource as you last read it; 412 if it has changed since.",
    "schema": {"type": "string"},
}


class PreconditionFailed(EiaError):
    status = 412


class PreconditionRequired(EiaError):
    status = 428


def etag_of(data: Any) -> str:
    """A strong ETag for a resource's JSON representation."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32] + '"'


def check_if_match(current: Any) -> None:
    """Refuse a write unless If-Match names the resource as it is now (*current*, its JSON).

    :raises PreconditionRequired: when no If-Match was sent.
    :raises PreconditionFailed: when the resource has changed since that ETag.
    """
    sent = request.headers.get("If-Match", "").strip()
    if not sent:
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so a change by someone else is not lost."
        )
    if sent == "*":
        return
    wanted = etag_of(current)
    tags = [tag.strip().removeprefix("W/") for tag in sent.split(",")]
    if wanted not in tags:
        raise PreconditionFailed("Someone has changed this since you read it. Read it again, then repeat your change.")


def person(user_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    """``{"id", "name"}`` of a person named by id, with names from ``user_names`` (one query)."""
    return None if user_id is None else {"id": user_id, "name": names.get(user_id, "")}


def paginated(query: Select, args: dict[str, Any], *, scalars: bool = True) -> dict[str, Any]:
    """One page of *query* as ``{items, page, per_page, total, pages}`` (a COUNT and a page query)."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    rows = result.scalars().all() if scalars else result.all()
    return {
        "items": list(rows),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": max(1, -(-total // per_page)),
    }


def respond(data: dict[str, Any] | list[Any], status: int = 200, *, etag: bool = True, headers: dict | None = None):
    """A JSON response of already-dumped *data*, with its ETag (the same one If-Match checks)."""
    response = jsonify(data)
    response.status_code = status
    if etag and isinstance(data, dict):
        response.headers["ETag"] = etag_of(data)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def before_body(check: Callable[..., dict[str, Any]]) -> Callable:
    """Run *check* on a view's URL arguments before its body is parsed, so a person who may not
    touch the resource is refused (403/404) whatever they sent, rather than told what is wrong with
    it (422). *check* raises to refuse, or returns the keyword arguments the view receives.
    Put it between the route decorator and ``@bp.arguments``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **check(**kwargs))

        return wrapper

    return decorator


def requires(action: str) -> Callable:
    """:func:`before_body` for a permission that is not about one object (``eia.create``)."""

    def check(**kwargs: Any) -> dict[str, Any]:
        permit(g.api_user, action)
        return kwargs

    return before_body(check)
