"""Two app servers (gunicorn, two workers each, as in production) on one PostgreSQL database and
one S3-compatible store, as behind a load balancer: a file uploaded through the first downloads
through the second, a report rendered by one is served from the cache by the other, and a sign-in
throttle hit on one holds on the other. Each server and the store are processes of their own on
loopback, stopped by their ids."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from eia import create_app
from eia.accounts.models import Role
from eia.auditlog.services import command_line_actor
from eia.evidence.models import EvidenceItem
from eia.extensions import db
from eia.signals import load_shipped
from tests.conftest import reset_postgres_schema, worker_database
from tests.factories import PASSWORD, make_eia, make_user
from tests.processes import answers, free_port, start, stop
from tests.s3_support import S3Server, run_s3_server

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SECRET_KEY = "two-servers-test-secret-key-0123456789"
BUCKET = "eia-two-servers"


@dataclass
class Cluster:
    app: object  # an app in this process on the same database, to set up data and look
    servers: list[str]
    logs: list[Path]
    s3: S3Server

    def metric(self, server: str, name: str, **labels: str) -> float:
        text = requests.get(f"{server}/metrics", timeout=TIMEOUT).text
        wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(f"{name}{{{wanted}}} "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("two-servers")
    url = worker_database(os.environ["TEST_DATABASE_URL"], "servers_" + os.environ.get("PYTEST_XDIST_WORKER", "main"))
    reset_postgres_schema(url)
    s3_processes = run_s3_server(tmp)
    s3 = next(s3_processes)
    s3.make_bucket(BUCKET)
    app = create_app(
        {
            "TESTING": False,
            "EIA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "EIA_EVIDENCE_DIR": str(tmp / "setup-evidence"),
            "EIA_REPORT_DIR": str(tmp / "setup-reports"),
        }
    )
    with app.app_context():
        upgrade()
        load_shipped(by=command_line_actor())
        db.session.commit()
    processes, servers, logs = [], [], []
    try:
        for n in range(2):
            port = free_port()
            metrics_dir = tmp / f"metrics-{n}"
            metrics_dir.mkdir()
            env = {
                "PATH": os.environ["PATH"],
                "HOME": str(tmp),
                "EIA_ENV": "production",
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": url,
                "EIA_STORAGE_URL": f"s3://{BUCKET}/council",
                # Each server's own folders stay empty: the files are in the store.
                "EIA_EVIDENCE_DIR": str(tmp / f"server-{n}-evidence"),
                "EIA_REPORT_DIR": str(tmp / f"server-{n}-reports"),
                "SESSION_COOKIE_SECURE": "false",
                "EIA_LOG_FORMAT": "json",
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                **s3.environment,
            }
            command = [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "python:eia.ops.gunicorn_conf",
                "-w",
                "2",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "eia:create_app()",
            ]
            log = tmp / f"server-{n}.log"
            base = f"http://127.0.0.1:{port}"
            processes.append(start(command, ready=answers(f"{base}/healthz"), env=env, log=log, cwd=ROOT))
            servers.append(base)
            logs.append(log)
        yield Cluster(app, servers, logs, s3)
    finally:
        for process in processes:
            stop(process)
        next(s3_processes, None)  # stops the store
        with app.app_context():
            db.engine.dispose()


def setup(cluster: Cluster, work):
    with cluster.app.app_context():
        result = work()
        db.session.commit()
        return result


def csrf(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=TIMEOUT)
    found = CSRF.search(page.text)
    assert found, f"no form at {url}: {page.status_code} {page.text[:300]}"
    return found.group(1)


def sign_in(browser: requests.Session, server: str, email: str, password: str = PASSWORD) -> requests.Response:
    token = csrf(browser, f"{server}/sign-in")
    return browser.post(
        f"{server}/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def test_both_servers_are_ready_with_the_shared_store(cluster):
    for server in cluster.servers:
        ready = requests.get(f"{server}/readyz", timeout=TIMEOUT)
        assert ready.json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_a_file_uploaded_through_one_server_downloads_through_the_other(cluster, tmp_path):
    first, second = cluster.servers
    author, eia = setup(cluster, lambda: (lambda a: (a.email, make_eia(author=a).reference))(make_user(Role.AUTHOR)))
    browser = requests.Session()
    assert sign_in(browser, first, author).status_code == 302
    token = csrf(browser, f"{first}/eias/{eia}/evidence/new/file")
    data = b"ward,visits\nEastbrook,1204\nWestfield,877\n"
    sent = browser.post(
        f"{first}/eias/{eia}/evidence/new/file",
        data={"csrf_token": token, "title": "Library visits by ward", "description": ""},
        files={"file": ("visits.csv", data, "text/csv")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert sent.status_code == 302, sent.text[:500]
    item_id, stored = setup(
        cluster,
        lambda: db.session.execute(
            select(EvidenceItem.id, EvidenceItem.stored_name).where(EvidenceItem.title == "Library visits by ward")
        ).one(),
    )
    assert cluster.s3.keys(BUCKET, "council/evidence/") == [f"council/evidence/{stored}"]
    # The same browser (its cookie), now sent to the other server by the load balancer.
    download = browser.get(f"{second}/eias/{eia}/evidence/{item_id}/download", timeout=TIMEOUT)
    assert download.status_code == 200 and download.content == data
    assert not any((cluster.logs[0].parent / name).exists() for name in ("server-0-evidence", "server-1-evidence"))


def test_a_plan_file_previewed_on_one_server_is_imported_through_the_other(cluster):
    from tracker.models import Plan

    first, second = cluster.servers
    email = setup(cluster, lambda: make_user(Role.EQUALITIES).email)
    browser = requests.Session()
    assert sign_in(browser, first, email).status_code == 302
    data = b"plan,organisation,priority_ref,priority,action,action_ref,target\nTwo servers,O,R,T,Act,1,\n"
    preview = browser.post(
        f"{first}/plans/import",
        data={"csrf_token": csrf(browser, f"{first}/plans/import")},
        files={"file": ("plan.csv", data, "text/csv")},
        timeout=TIMEOUT,
    )
    assert preview.status_code == 200 and "Confirm the import" in preview.text, preview.text[:500]
    token = csrf(browser, f"{second}/plans/import")
    confirmed = browser.post(
        f"{second}/plans/import/confirm", data={"csrf_token": token}, allow_redirects=False, timeout=TIMEOUT
    )
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/plans/")
    assert setup(cluster, lambda: db.session.execute(select(Plan.title).where(Plan.title == "Two servers")).scalar())
    assert cluster.s3.keys(BUCKET, "council/pending-imports/") == []


def test_a_report_rendered_by_one_server_is_served_from_the_cache_by_the_other(cluster):
    first, second = cluster.servers
    email = setup(cluster, lambda: make_user(Role.EQUALITIES).email)
    browser = requests.Session()
    assert sign_in(browser, first, email).status_code == 302
    rendered = browser.get(f"{first}/reports/2025.pdf", timeout=TIMEOUT)
    assert rendered.status_code == 200 and rendered.content.startswith(b"%PDF")
    served = browser.get(f"{second}/reports/2025.pdf", timeout=TIMEOUT)
    assert served.status_code == 200 and served.content == rendered.content
    assert cluster.metric(first, "eia_pdf_renders_total", kind="annual_report") == 1
    assert cluster.metric(second, "eia_pdf_renders_total", kind="annual_report") == 0
    assert len(cluster.s3.keys(BUCKET, "council/rendered/eia-report-2025--")) == 1


def test_a_sign_in_throttle_hit_on_one_server_holds_on_the_other(cluster):
    first, second = cluster.servers
    email = setup(cluster, lambda: make_user(Role.AUTHOR).email)
    for _ in range(5):
        answer = sign_in(requests.Session(), first, email, "not the password at all")
        assert answer.status_code == 200
    assert "This account is locked after 5 failed sign-in attempts" in answer.text
    refused = sign_in(requests.Session(), second, email)  # the right password, on the other server
    assert refused.status_code == 200 and "This account is locked after 5 failed sign-in attempts" in refused.text


def test_each_server_logs_json_lines_with_the_request_id_person_and_route(cluster):
    first, _ = cluster.servers
    email = setup(cluster, lambda: make_user(Role.AUTHOR).email)
    browser = requests.Session()
    sign_in(browser, first, email)
    answer = browser.get(f"{first}/eias/", timeout=TIMEOUT)
    request_id = answer.headers["X-Request-Id"]
    lines = [json.loads(line) for line in cluster.logs[0].read_text().splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line.get("request_id") == request_id]
    assert line["route"] == "/eias/" and line["status"] == 200 and isinstance(line["user_id"], int)
    assert line["logger"] == "eia.requests" and line["method"] == "GET"
