"""Real parallel clients against a live server on loopback: what many people doing the same thing at
the same moment must never do (let a locked account in, collide on a reference, answer 500, lose
an update, render the same report twice, give 503 on the embedded database).

The server runs in a thread of this process on a database of its own (a PostgreSQL database beside
the suite's, or an SQLite file), so the clients' requests really overlap in the database.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import make_server

from eia import create_app
from eia.accounts.models import Role, User
from eia.auditlog.models import AuditEntry
from eia.auditlog.services import command_line_actor
from eia.extensions import db
from eia.signals import load_shipped
from tests.conftest import reset_postgres_schema, worker_database
from tests.factories import PASSWORD, make_plan, make_user

TIMEOUT = 60
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class Live:
    app: Flask
    url: str

    def session(self) -> requests.Session:
        return requests.Session()

    def signed_in(self, email: str) -> requests.Session:
        browser = self.session()
        token = csrf(browser, f"{self.url}/sign-in")
        answer = browser.post(
            f"{self.url}/sign-in",
            data={"csrf_token": token, "email": email, "password": PASSWORD},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 302, answer.text[:500]
        return browser

    def run(self, work: Callable[[], Any]) -> Any:
        with self.app.app_context():
            result = work()
            db.session.commit()
            return result


def csrf(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=TIMEOUT)
    found = CSRF.search(page.text)
    assert found, f"no form on {url}: {page.status_code}"
    return found.group(1)


def all_at_once(count: int, task: Callable[[int], Any]) -> list[Any]:
    """*count* calls of *task*, released together."""
    start = threading.Barrier(count)

    def run(n: int) -> Any:
        start.wait(timeout=TIMEOUT)
        return task(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _live(url: str, tmp_path: Path) -> Iterator[Live]:
    app = create_app(
        {
            "TESTING": False,
            "EIA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "concurrency-test-secret-key",
            "EIA_EVIDENCE_DIR": str(tmp_path / "evidence"),
            "EIA_REPORT_DIR": str(tmp_path / "reports"),
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        upgrade()
        load_shipped(by=command_line_actor())
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_postgres(tmp_path: Path) -> Iterator[Live]:
    base = os.environ["TEST_DATABASE_URL"]
    url = worker_database(base, "live_" + os.environ.get("PYTEST_XDIST_WORKER", "main"))
    reset_postgres_schema(url)
    yield from _live(url, tmp_path)


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[Live]:
    yield from _live(f"sqlite:///{tmp_path / 'live.sqlite'}", tmp_path)


def _entries(action: str) -> int:
    return db.session.execute(select(func.count()).where(AuditEntry.action == action)).scalar_one()


@pytest.mark.postgres
def test_twenty_sign_ins_at_once_check_at_most_five_wrong_passwords(live_postgres):
    from eia.accounts.passwords import STANDARD

    live = live_postgres
    # The production cost of checking a password: the window the race used to slip through.
    email = live.run(lambda: make_user(Role.AUTHOR, password_hash=STANDARD.hash(PASSWORD)).email)
    browsers = [live.session() for _ in range(20)]
    tokens = [csrf(b, f"{live.url}/sign-in") for b in browsers]

    def attempt(n: int) -> int:
        password = PASSWORD if n == 19 else f"wrong password {n}"
        return (
            browsers[n]
            .post(
                f"{live.url}/sign-in",
                data={"csrf_token": tokens[n], "email": email, "password": password},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            .status_code
        )

    statuses = all_at_once(20, attempt)
    assert all(status < 500 for status in statuses)
    with live.app.app_context():
        assert _entries("sign_in_failed") <= 5
        assert _entries("account_locked") <= 1
        signed_in = _entries("signed_in")
    # The right password signs in only if it was among the first five counted; never after a lock.
    assert signed_in <= 1
    if signed_in == 0:
        assert statuses[19] == 200  # the sign-in page again, with the lock message


@pytest.mark.postgres
def test_twenty_people_starting_an_assessment_at_once_get_twenty_references(live_postgres):
    live = live_postgres
    emails = live.run(lambda: [make_user(Role.AUTHOR).email for _ in range(20)])
    browsers = [live.signed_in(email) for email in emails]
    tokens = [csrf(b, f"{live.url}/eias/new") for b in browsers]

    def start(n: int) -> requests.Response:
        return browsers[n].post(
            f"{live.url}/eias/new",
            data={"csrf_token": tokens[n], "kind": "standard", "title": f"Proposal {n}"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    answers = all_at_once(20, start)
    assert [a.status_code for a in answers] == [302] * 20
    references = {a.headers["Location"].rsplit("/", 1)[1] for a in answers}
    assert len(references) == 20
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert numbers == list(range(numbers[0], numbers[0] + 20))  # no gaps


@pytest.mark.postgres
def test_two_people_confirming_the_same_new_plan_at_once(live_postgres):
    live = live_postgres
    emails = live.run(lambda: [make_user(Role.EQUALITIES).email for _ in range(2)])
    browsers = [live.signed_in(email) for email in emails]
    plan = (
        b"plan,organisation,priority_ref,priority,action\n"
        b"Race plan,Testshire County Council,P1,Fair access,Review the access policy\n"
    )
    for browser in browsers:
        token = csrf(browser, f"{live.url}/plans/import")
        preview = browser.post(
            f"{live.url}/plans/import",
            data={"csrf_token": token},
            files={"file": ("race.csv", plan, "text/csv")},
            timeout=TIMEOUT,
        )
        assert preview.status_code == 200 and "Race plan" in preview.text
    tokens = [csrf(b, f"{live.url}/plans/import") for b in browsers]

    def confirm(n: int) -> requests.Response:
        return browsers[n].post(f"{live.url}/plans/import/confirm", data={"csrf_token": tokens[n]}, timeout=TIMEOUT)

    answers = all_at_once(2, confirm)
    assert [a.status_code for a in answers] == [200, 200]
    said = " ".join(a.text for a in answers)
    assert "Imported race.csv" in said
    with live.app.app_context():
        from tracker.models import Plan

        assert db.session.execute(select(func.count()).where(Plan.title == "Race plan")).scalar_one() == 1


@pytest.mark.postgres
def test_two_progress_updates_at_once_are_both_kept(live_postgres):
    live = live_postgres

    def setup() -> tuple[int, list[str]]:
        action = make_plan().priorities[0].actions[0]
        return action.id, [make_user(Role.EQUALITIES).email for _ in range(2)]

    action_id, emails = live.run(setup)
    browsers = [live.signed_in(email) for email in emails]
    url = f"{live.url}/plans/actions/{action_id}"
    tokens = [csrf(b, url) for b in browsers]
    statuses = ["on_track", "at_risk"]

    def update(n: int) -> int:
        data = {
            "csrf_token": tokens[n],
            "note": f"Update from officer {n}",
            "status": statuses[n],
            "written_on-day": "1",
            "written_on-month": "10",
            "written_on-year": "2026",
        }
        return browsers[n].post(url, data=data, allow_redirects=False, timeout=TIMEOUT).status_code

    assert all_at_once(2, update) == [302, 302]
    with live.app.app_context():
        from tracker.models import ProgressUpdate

        notes = db.session.execute(select(ProgressUpdate.note).where(ProgressUpdate.action_id == action_id)).scalars()
        assert sorted(notes) == ["Update from officer 0", "Update from officer 1"]


@pytest.mark.postgres
def test_eight_downloads_of_a_changed_report_render_it_once(live_postgres, monkeypatch):
    from eia.reports import annual

    live = live_postgres
    emails = live.run(lambda: [make_user(Role.EQUALITIES).email for _ in range(8)])
    browsers = [live.signed_in(email) for email in emails]
    renders: list[int] = []
    real = annual.report_pdf

    def counted(*args: Any, **kwargs: Any) -> bytes:
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(annual, "report_pdf", counted)
    answers = all_at_once(8, lambda n: browsers[n].get(f"{live.url}/reports/2025.pdf", timeout=TIMEOUT))
    assert len(renders) == 1
    assert all(a.status_code in (200, 503) for a in answers)
    pdfs = [a for a in answers if a.status_code == 200]
    assert pdfs and all(a.content.startswith(b"%PDF") for a in pdfs)
    waiting = [a for a in answers if a.status_code == 503]
    assert all("is being prepared" in a.text and a.headers["Retry-After"] for a in waiting)
    # Once ready, everyone gets the same file without another render.
    again = browsers[0].get(f"{live.url}/reports/2025.pdf", timeout=TIMEOUT)
    assert again.status_code == 200 and len(renders) == 1


@pytest.mark.sqlite
def test_a_dozen_people_writing_at_once_on_the_embedded_database_never_see_a_503(live_sqlite):
    live = live_sqlite
    emails = live.run(lambda: [make_user(Role.AUTHOR).email for _ in range(12)])

    def work(n: int) -> list[int]:
        browser = live.signed_in(emails[n])
        token = csrf(browser, f"{live.url}/eias/new")
        started = browser.post(
            f"{live.url}/eias/new",
            data={"csrf_token": token, "kind": "standard", "title": f"Proposal {n}"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        page = f"{live.url}{started.headers['Location']}/sections/about"
        saved = browser.post(
            page,
            data={"csrf_token": csrf(browser, page), "title": f"Proposal {n}", "completed": "no", "version": "1"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        return [started.status_code, saved.status_code, browser.get(f"{live.url}/", timeout=TIMEOUT).status_code]

    results = all_at_once(12, work)
    assert results == [[302, 302, 200]] * 12
    with live.app.app_context():
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 12
