"""If-Match means what it says every time, and every collection answers with or without its slash.

Two writers who read the same version both pass the ETag check; the second one's write then meets
the row's version column. Its If-Match named a version that is no longer there, so the answer is 412
(not 409). A second session commits a change between the ETag check and the write: in the test's
rolled-back transaction on both databases, and on PostgreSQL also for real, each request and the
other writer on a connection of their own (a schema of its own), where the first change stands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from eia import create_app
from eia.accounts.models import Role, TokenScope
from eia.accounts.tokens import create_token
from eia.assessments import mitigations, workflow
from eia.assessments.models import Eia, Mitigation
from eia.auditlog.services import command_line_actor
from eia.extensions import db as _db
from eia.signals import load_shipped
from tests.factories import complete_eia, make_eia, make_plan, make_scored_sample, make_user

SCHEMA = "api_races"


def _schema(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="module")
def own_app(app: Flask) -> Iterator[Flask]:
    """An app on a schema of its own in the run's PostgreSQL database, whose requests and sessions
    commit for real."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    _schema(url, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE", f"CREATE SCHEMA {SCHEMA}")
    own = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}",
            "SECRET_KEY": "races-secret-key-that-is-long-enough",
        }
    )
    with own.app_context():
        upgrade()
        load_shipped(by=command_line_actor())
        _db.session.commit()
    yield own
    with own.app_context():
        _db.engine.dispose()
    _schema(url, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _commit_elsewhere(change: Callable[[Session], None]) -> None:
    """Commit *change* in a session of its own, as another request would: on a connection of its
    own, or (in the rolled-back test transaction) as a SAVEPOINT of the test's connection."""
    with Session(_db.engines[None], join_transaction_mode="create_savepoint") as other:
        change(other)
        other.commit()


def _racing(real: Callable[..., Any], change: Callable[[Session], None]) -> Callable[..., Any]:
    """*real*, once another writer has committed *change* (after this request's ETag check)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        _commit_elsewhere(change)
        return real(*args, **kwargs)

    return call


def test_a_change_that_loses_a_race_after_its_if_match_passed_gets_412(db, api_as, monkeypatch):
    author = api_as(Role.AUTHOR)
    eia = make_eia(author.user)
    body = {"action": "Extend opening on Tuesdays", "owner_id": author.user.id, "due_on": "2099-06-30"}
    added = author.post(f"/api/v1/eias/{eia.reference}/mitigations", json=body).get_json()
    url = f"/api/v1/eias/{eia.reference}/mitigations/{added['id']}"
    etag = author.get(url).headers["ETag"]

    def other_writer(session: Session) -> None:
        session.get(Mitigation, added["id"]).action = "Extend opening on Thursdays"

    monkeypatch.setattr(mitigations, "update_mitigation", _racing(mitigations.update_mitigation, other_writer))
    response = author.put(url, json=body | {"action": "Extend opening on Mondays"}, headers={"If-Match": etag})
    assert response.status_code == 412, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "changed this since you read it" in response.get_json()["detail"]
    assert author.get(url).get_json()["action"] != "Extend opening on Mondays"


def test_a_transition_that_loses_a_race_after_its_if_match_passed_gets_412(db, api_as, monkeypatch):
    author = api_as(Role.AUTHOR)
    eia = complete_eia(make_eia(author.user, title="Library opening hours"), by=author.user)
    url = f"/api/v1/eias/{eia.reference}"
    etag = author.get(url).headers["ETag"]

    def other_writer(session: Session) -> None:
        session.get(Eia, eia.id).title = "Library opening hours (revised)"

    monkeypatch.setattr(workflow, "transition", _racing(workflow.transition, other_writer))
    response = author.post(f"{url}/transitions", json={"name": "submit", "confirmed": True}, headers={"If-Match": etag})
    assert response.status_code == 412, response.get_json()
    assert author.get(url).get_json()["state"] == "draft"


@pytest.mark.postgres
def test_two_writers_on_connections_of_their_own_the_second_gets_412_and_the_first_change_stands(own_app, monkeypatch):
    with own_app.app_context():
        author = make_user(Role.AUTHOR)
        author_id, reference = author.id, make_eia(author).reference
        _, secret = create_token(author, name="race", scope=TokenScope.WRITE, days=30, max_days=365, by=author)
        _db.session.commit()
    token = {"Authorization": f"Bearer {secret}"}
    client = own_app.test_client()  # each request in a context and a session of its own
    body = {"action": "Extend opening on Tuesdays", "owner_id": author_id, "due_on": "2099-06-30"}
    added = client.post(f"/api/v1/eias/{reference}/mitigations", json=body, headers=token).get_json()
    url = f"/api/v1/eias/{reference}/mitigations/{added['id']}"
    etag = client.get(url, headers=token).headers["ETag"]

    def other_writer(session: Session) -> None:
        session.get(Mitigation, added["id"]).action = "Extend opening on Thursdays"

    monkeypatch.setattr(mitigations, "update_mitigation", _racing(mitigations.update_mitigation, other_writer))
    response = client.put(url, json=body | {"action": "Extend opening on Mondays"}, headers=token | {"If-Match": etag})
    assert response.status_code == 412, response.get_json()
    assert client.get(url, headers=token).get_json()["action"] == "Extend opening on Thursdays"


def test_a_clash_on_a_page_is_still_the_conflict_page(db, client, login_as, monkeypatch):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author)
    mitigation = mitigations.add_mitigation(
        eia, {"action": "Extend opening", "owner_id": author.id, "due_on": eia.created_at.date()}, by=author
    )
    _db.session.commit()

    def other_writer(session: Session) -> None:
        session.get(Mitigation, mitigation.id).action = "Shorten opening"

    monkeypatch.setattr(mitigations, "update_mitigation", _racing(mitigations.update_mitigation, other_writer))
    response = client.post(
        f"/eias/{eia.reference}/mitigations/{mitigation.id}",
        data={
            "action": "Extend opening further",
            "owner_id": str(author.id),
            "due_on-day": "30",
            "due_on-month": "6",
            "due_on-year": "2099",
            "status": "not_started",
            "measure": "Visits",
            "version": str(mitigation.version),
        },
    )
    assert response.status_code == 409


COLLECTIONS = ["/api/v1/eias", "/api/v1/samples", "/api/v1/plans", "/api/v1/audit-log"]


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize("slash", ["", "/"])
def test_every_collection_answers_with_or_without_its_slash(db, api_as, path, slash):
    make_scored_sample(make_eia(api_as(Role.AUTHOR).user))
    make_plan()
    team = api_as(Role.EQUALITIES)
    response = team.get(path + slash)
    assert response.status_code == 200, response.headers.get("Location")
    assert response.get_json()["total"] >= 1


@pytest.mark.parametrize("slash", ["", "/"])
def test_an_assessment_is_started_with_or_without_the_slash(db, api_as, slash):
    author = api_as(Role.AUTHOR)
    response = author.post("/api/v1/eias" + slash, json={"title": "Allotment rents"})
    assert response.status_code == 201, response.headers.get("Location")
    assert author.get(response.headers["Location"]).get_json()["title"] == "Allotment rents"
