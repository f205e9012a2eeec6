"""Running the app: JSON-lines logs with a request id, the person and the route; Prometheus metrics
at /metrics only from the configured addresses or with the token; eia check-deploy."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from prometheus_client import REGISTRY

from eia import create_app
from eia.accounts.models import Role
from eia.extensions import db as _db
from eia.logs import JsonFormatter
from tests.conftest import Inbox, reset_postgres_schema, worker_database
from tests.factories import make_eia, make_user
from tests.oidc_support import OidcProvider, run_provider
from tests.processes import free_port
from tests.s3_support import S3Server, run_s3_server, use_s3

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "a-metrics-token-that-is-long-enough-0123"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_answer_loopback_and_refuse_other_addresses(client, db, app, monkeypatch):
    client.get("/sign-in")
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    text = answer.get_data(as_text=True)
    assert 'eia_http_requests_total{method="GET",route="/sign-in",status="200"}' in text
    assert 'eia_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/sign-in"}' in text
    refused = client.get("/metrics", environ_base=OUTSIDE)
    assert refused.status_code == 403
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403
    monkeypatch.setitem(app.config, "EIA_METRICS_TOKEN", TOKEN)
    allowed = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer wrong"}).status_code == 403
    monkeypatch.setitem(app.config, "EIA_METRICS_ALLOWED_IPS", ["203.0.113.0/24"])
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics").status_code == 403


def test_routes_are_labelled_by_their_rule_not_their_url(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    before = sample("eia_http_requests_total", route="/eias/<reference>", method="GET", status="200")
    client.get(f"/eias/{eia.reference}")
    after = sample("eia_http_requests_total", route="/eias/<reference>", method="GET", status="200")
    assert after == before + 1
    client.get("/no/such/page")
    assert sample("eia_http_requests_total", route="(no route)", method="GET", status="404") >= 1


def test_pdf_renders_are_counted_and_a_cached_copy_is_not(client, login_as, db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_REPORT_DIR", str(tmp_path / "reports"))
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    before = sample("eia_pdf_renders_total", kind="assessment")
    assert client.get(f"/eias/{eia.reference}.pdf").status_code == 200
    assert client.get(f"/eias/{eia.reference}.pdf").status_code == 200
    assert sample("eia_pdf_renders_total", kind="assessment") == before + 1
    assert sample("eia_pdf_render_duration_seconds_count", kind="assessment") >= 1


def test_reminder_sends_are_counted(app, db, monkeypatch):
    from datetime import timedelta

    from eia.assessments.states import EiaState
    from eia.db_types import utcnow

    port = free_port()
    inbox = Inbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "EIA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "EIA_SMTP_PORT", port)
        author = make_user(Role.AUTHOR)
        make_eia(author=author, state=EiaState.PUBLISHED, review_date=utcnow().date() + timedelta(days=5))
        before = sample("eia_reminder_emails_total", outcome="sent")
        result = app.test_cli_runner().invoke(args=["remind"])
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    assert len(inbox.messages) >= 1
    assert sample("eia_reminder_emails_total", outcome="sent") == before + len(inbox.messages)


def test_each_request_is_logged_with_its_id_person_and_route(client, login_as, db, caplog):
    person = login_as(Role.AUTHOR)
    with caplog.at_level(logging.INFO, logger="eia.requests"):
        answer = client.get("/eias/")
    (record,) = [r for r in caplog.records if r.name == "eia.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == answer.headers["X-Request-Id"] and len(line["request_id"]) == 32
    assert line["user_id"] == person.id and line["route"] == "/eias/" and line["method"] == "GET"
    assert line["status"] == 200 and line["duration_ms"] >= 0 and line["level"] == "info"
    assert line["logger"] == "eia.requests" and line["message"] == "GET /eias/ 200"


def test_a_request_id_from_a_trusted_proxy_is_kept_and_any_other_is_not(client, app, db, monkeypatch):
    sent = {"X-Request-Id": "proxy-7f3a9c21"}
    assert client.get("/healthz", headers=sent).headers["X-Request-Id"] != "proxy-7f3a9c21"
    monkeypatch.setitem(app.config, "EIA_TRUSTED_PROXIES", 1)
    assert client.get("/healthz", headers=sent).headers["X-Request-Id"] == "proxy-7f3a9c21"
    assert client.get("/healthz", headers={"X-Request-Id": "x;forged"}).headers["X-Request-Id"] != "x;forged"


def test_an_error_is_one_json_line_with_the_traceback_inside():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("eia.test").makeRecord("eia.test", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "failed" and "ValueError: boom" in line["exception"]


def production_app(tmp_path: Path, **overrides):
    settings = {
        "EIA_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'deploy.sqlite'}",
        "EIA_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "EIA_REPORT_DIR": str(tmp_path / "reports"),
        **overrides,
    }
    return create_app(settings)


def test_check_deploy_lists_each_problem_of_a_demo_like_configuration(tmp_path):
    app = production_app(
        tmp_path, SECRET_KEY="short-but-allowed-key", SESSION_COOKIE_SECURE=False, EIA_LOCAL_SIGN_IN=False
    )
    result = app.test_cli_runner().invoke(args=["check-deploy", "--servers", "2", "--no-connect"])
    assert result.exit_code == 1
    out = result.output
    for expected in (
        "SECRET_KEY is shorter than 32 characters",
        "EIA_BASE_URL is http://127.0.0.1:5000: serve the app over HTTPS",
        "SESSION_COOKIE_SECURE is off",
        "EIA_TRUSTED_PROXIES is 0",
        "DATABASE_URL is SQLite",
        "2 servers keep files on their own disks: set EIA_STORAGE_URL",
        "EIA_SMTP_HOST is not set",
        "EIA_MAIL_FROM is equality-assessments@localhost",
        "EIA_AUDIT_SIGNING_KEY_FILE is not set",
        "EIA_LOCAL_SIGN_IN is off but OpenID Connect is not set up",
        "EIA_LOCAL_SIGN_IN is off and EIA_BREAK_GLASS_EMAIL is not set",
    ):
        assert expected in out, expected
    assert out.splitlines()[0] == f"{len(out.splitlines()) - 1} problems with this configuration:"
    with app.app_context():
        _db.engine.dispose()


def test_check_deploy_reports_what_does_not_answer(tmp_path):
    app = production_app(
        tmp_path, EIA_SMTP_HOST="127.0.0.1", EIA_SMTP_PORT=free_port(), EIA_STORAGE_URL="s3://council-eia/live"
    )
    nowhere = {
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "y",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_CONFIG_FILE": os.devnull,
    }
    result = app.test_cli_runner().invoke(args=["check-deploy"], env=nowhere)
    assert result.exit_code == 1
    assert "The database schema is not the latest: run `eia db upgrade`" in result.output
    assert (
        "The store for evidence files (s3://council-eia/live/evidence/) cannot be written to or reached."
        in result.output
    )
    assert "SMTP: cannot send through 127.0.0.1" in result.output
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[OidcProvider]:
    yield from run_provider(tmp_path_factory.mktemp("oidc"), ["https://eia.council.example/sign-in/oidc/callback"])


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    yield from run_s3_server(tmp_path_factory.mktemp("s3"))


@pytest.mark.postgres
def test_check_deploy_passes_a_production_configuration(tmp_path, provider, s3_server, monkeypatch):
    use_s3(monkeypatch, s3_server)
    s3_server.make_bucket("council-eia-deploy")
    url = worker_database(os.environ["TEST_DATABASE_URL"], "deploy_" + os.environ.get("PYTEST_XDIST_WORKER", "main"))
    reset_postgres_schema(url)
    key = tmp_path / "audit.key"
    key.write_text("not read here, only checked for its permissions")
    key.chmod(0o600)
    port = free_port()
    controller = Controller(Inbox(port), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = production_app(
            tmp_path,
            SQLALCHEMY_DATABASE_URI=url,
            EIA_BASE_URL="https://eia.council.example",
            EIA_TRUSTED_PROXIES=1,
            EIA_STORAGE_URL="s3://council-eia-deploy/live",
            EIA_SMTP_HOST="127.0.0.1",
            EIA_SMTP_PORT=port,
            EIA_MAIL_FROM="equality@council.example",
            EIA_AUDIT_SIGNING_KEY_FILE=str(key),
            EIA_OIDC_ISSUER=provider.url,
            EIA_OIDC_CLIENT_ID=provider.client_id,
            EIA_OIDC_CLIENT_SECRET=provider.client_secret,
            EIA_LOCAL_SIGN_IN=False,
            EIA_BREAK_GLASS_EMAIL="break.glass@council.example",
        )
        with app.app_context():
            upgrade()
            make_user(Role.ADMIN, email="break.glass@council.example")
        result = app.test_cli_runner().invoke(args=["check-deploy", "--servers", "2"])
        assert result.output == "No problems found: this configuration is fit for production.\n"
        assert result.exit_code == 0
        key.chmod(0o644)
        again = app.test_cli_runner().invoke(args=["check-deploy", "--servers", "2"])
        assert again.exit_code == 1 and "can be read by other users; chmod 600 it" in again.output
        with app.app_context():
            _db.engine.dispose()
    finally:
        controller.stop()


def test_a_log_line_names_the_person_without_asking_the_database(app, db, count_queries):
    """After the database goes away every loaded object is expired; the line saying so must still be
    written (reading the person's id from the database there turned a 503 into a 500)."""
    from flask import g

    from eia.logs import _person_id

    user = make_user(Role.AUTHOR)
    user_id = user.id
    with app.test_request_context("/"):
        g._login_user = user
        db.session.expire(user)
        with count_queries() as counter:
            assert _person_id() == user_id
        assert counter.count == 0
