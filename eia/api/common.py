"""Helpers the API's views share: permission before the body, and what a response shows of an object.

Pages of results come from :func:`eia.web.paginate` (the same paginator as the pages); ETags and
If-Match from flask-smorest's ``etag`` decorator and ``check_etag``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import g

from eia.errors import ValidationFailed
from eia.permissions import permit


class Shown:
    """*base* as a response shows it: its own attributes, with *extra* ones added or replaced
    (what only the response knows, such as names of people or the steps open to the token's owner).
    The view returns it and ``@bp.response`` dumps it with the schema."""

    def __init__(self, base: Any, **extra: Any) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def person(user_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    """``{"id", "name"}`` of a person named by id, with names from ``user_names`` (one query)."""
    return None if user_id is None else {"id": user_id, "name": names.get(user_id, "")}


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """Name a service's field-level messages as the API's body names those fields
    (``fields_named(characteristic_id="characteristic")``)."""
    try:
        yield
    except ValidationFailed as exc:
        exc.fields = {names.get(name, name): message for name, message in exc.fields.items()}
        raise


def before_body(check: Callable[..., dict[str, Any]]) -> Callable:
    """Run *check* on a view's URL arguments before its body is parsed, so a person who may not
    touch the resource is refused (403/404) whatever they sent, rather than told what is wrong with
    it (422). *check* raises to refuse, or returns the keyword arguments the view receives.
    Put it between the route decorator and ``@bp.etag`` / ``@bp.arguments``."""

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
