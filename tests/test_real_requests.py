"""Requests as a deployed app serves them: each in its own app context and database session.

The other tests share one context with the test (to roll everything back); these use a separate app
on its own SQLite file, so anything that outlives the request (a streamed CSV body) is exercised.
"""

from __future__ import annotations

import csv
import io

import pytest
from flask_migrate import upgrade

from eia import create_app
from eia.auditlog.services import command_line_actor
from eia.demo.people import DEMO_PASSWORD, PEOPLE, load_demo
from eia.extensions import db


def _real_app(folder):
    """An app on its own SQLite file with the demo people, whose requests commit for real."""
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'real.sqlite'}", "SECRET_KEY": "r" * 32}
    )
    with app.app_context():
        upgrade()
        load_demo(by=command_line_actor())
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    """One for the module's tests that only read (signing in is all they write)."""
    yield from _real_app(tmp_path_factory.mktemp("real"))


@pytest.fixture
def own_real_app(tmp_path):
    """One of its own, for a test that counts what the audit log holds."""
    yield from _real_app(tmp_path)


def page_token(client, path: str) -> str:
    """The CSRF token a page's forms carry, as a browser would send it back."""
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def signed_in_admin(app):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": "alex.green@council.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_csv_exports_stream_after_the_request_commits(own_real_app):
    client = signed_in_admin(own_real_app)
    token = page_token(client, "/admin/users/")
    users = client.post("/admin/users/export.csv", data={"csrf_token": token})
    rows = list(csv.DictReader(io.StringIO(users.get_data(as_text=True))))
    assert users.status_code == 200 and len(rows) == len(PEOPLE)  # the demo's people
    assert {"name", "email", "role", "service_area", "active"} == set(rows[0])

    log = client.post("/audit-log/export.csv?action=signed_in", data={"csrf_token": token})
    rows = list(csv.DictReader(io.StringIO(log.get_data(as_text=True))))
    assert log.status_code == 200
    assert [row["actor"] for row in rows] == ["alex.green@council.example"]


@pytest.mark.parametrize(
    "query",
    ["page=²", "page=99999999999999999999999", "page=0", "since=2026-13-01", "until=tomorrow"],
)
def test_malformed_list_parameters_get_400_not_500(real_app, query):
    client = signed_in_admin(real_app)
    response = client.get(f"/audit-log/?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["until=9999-12-31", "endpoint=x&_external=1&_anchor=y", "page=1"])
def test_odd_but_harmless_parameters_are_fine(real_app, query):
    client = signed_in_admin(real_app)
    response = client.get(f"/audit-log/?{query}")
    assert response.status_code == 200
    assert "http://localhost" not in response.get_data(as_text=True)


def test_production_cookies_are_secure_even_on_loopback(tmp_path, monkeypatch):
    monkeypatch.setenv("EIA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    app = create_app()
    response = app.test_client().get("/sign-in", base_url="http://127.0.0.1:8000")
    assert "Secure" in response.headers["Set-Cookie"]


def test_demo_refuses_to_run_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("EIA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    app = create_app()
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "runs only with EIA_ENV=demo" in result.output
