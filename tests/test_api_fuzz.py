"""Schemathesis against the API's own OpenAPI document, in process (no network): for every
operation it sends generated requests, valid and not, and checks that none gets a 5xx and that every
answer matches the document (status codes, content types, bodies). Bounded and reproducible."""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eia import create_app
from eia.accounts.models import Role
from eia.extensions import db as _db
from tests.factories import complete_eia, make_eia, make_plan, make_scored_sample, make_user


def _operations() -> list[tuple[str, str]]:
    """Every (path, method) of the document, read from an app on a throwaway database."""
    spec_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    paths = spec_app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    return [(path, method.upper()) for path, item in paths.items() for method in item if method != "parameters"]


OPERATIONS = _operations()
#: Parts of the API only the equalities team uses; the rest is fuzzed as a service manager.
EQUALITIES_PATHS = ("/api/v1/samples", "/api/v1/audit-log", "/api/v1/reports", "/api/v1/plans")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def world(app, db, api_as, monkeypatch):
    """A service manager with a completed EIA of their own, an equalities officer, a plan and a
    scored sample, so generated requests reach real objects as well as missing ones."""
    monkeypatch.setitem(app.config, "EIA_API_REQUESTS_PER_MINUTE", 1_000_000)
    author = api_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author.user, title="Library opening hours 2026"), by=author.user)
    other = make_eia(make_user(Role.AUTHOR), title="Parks grounds maintenance")
    make_scored_sample(other)
    plan = make_plan()
    return {
        "author": author,
        "equalities": api_as(Role.EQUALITIES),
        "reference": eia.reference,
        "ids": {"plan_id": plan.id, "action_id": plan.priorities[0].actions[0].id},
    }


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_operation_fails_or_breaks_its_schema(app, world, path, method):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    api = world["equalities"] if path.startswith(EQUALITIES_PATHS) else world["author"]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        # Half the cases aim at objects that exist, chosen from the generated data so a run repeats.
        aim = int(hashlib.sha256(repr(case.path_parameters).encode()).hexdigest(), 16) % 2 == 0
        if aim and case.path_parameters:
            if "reference" in case.path_parameters:
                case.path_parameters["reference"] = world["reference"]
            for name, value in world["ids"].items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        _db.session.expire_all()
        headers = {"Authorization": f"Bearer {api.secret}"}
        if case.headers and "If-Match" in case.headers:
            headers["If-Match"] = case.headers["If-Match"]
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
