"""Fixtures: one app per run on the database in TEST_DATABASE_URL (SQLite by default), each test in a
SAVEPOINT that is rolled back, a test client that sends CSRF tokens like a browser, and login_as(role).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine

from eia import create_app
from eia.accounts.models import Role, User
from eia.accounts.signing_in import start_session
from eia.auditlog.services import command_line_actor
from eia.extensions import db as _db
from eia.signals import load_shipped
from tests.factories import make_user

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database_url(tmp_dir: Path) -> str:
    """SQLite in a folder of this run's own, or the PostgreSQL database in TEST_DATABASE_URL; with
    pytest-xdist, each worker gets a database of its own beside it (``test_gw0``, ``test_gw1``)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database(url, worker) if worker else url


def worker_database(url: str, worker: str) -> str:
    """The PostgreSQL database for xdist *worker*, made beside the one in *url* if it is missing."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def is_postgres(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


class CsrfClient(FlaskClient):
    """Posts carry a valid CSRF token, as a browser's would, unless ``csrf=False`` is passed.

    Requests share the test's app context (and so its database session); before each request the
    session's objects are expired and the signed-in person Flask-Login caches on ``g`` is forgotten,
    as a real request would start. Tests commit what they set up (factories do).
    """

    def open(self, *args: Any, **kwargs: Any):
        if has_app_context():
            g.pop("_login_user", None)
            # Like a fresh session per request: nothing is served from what the test loaded.
            _db.session.expire_all()
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any):
        if csrf and "json" not in kwargs:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        reset_postgres_schema(url)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "EIA_COUNCIL_NAME": "Testshire County Council",
            "EIA_EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
            "EIA_REPORT_DIR": str(tmp_path_factory.mktemp("reports")),
            # Factories write rows without audit entries, which the page cache keys on: tests that
            # want it switch it on.
            "EIA_PAGE_CACHE": False,
            # Tests see a change on the public pages at once (one test holds the version: page_cache).
            "EIA_PUBLIC_PAGE_SECONDS": 0,
        }
    )
    application.test_client_class = CsrfClient
    with application.app_context():
        upgrade()  # the schema comes from the migrations, as in production
        load_shipped(by=command_line_actor())
        _db.session.commit()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """Each test runs inside a transaction (and a SAVEPOINT for its commits) that is rolled back."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        _db.session.remove()
        engines[None] = connection
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            engines[None] = engine
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, db: Any) -> CsrfClient:
    return app.test_client()


def sign_in_session(client: FlaskClient, user: User) -> str:
    """Give *client* a signed-in session for *user*, as the sign-in page would; returns its token."""
    token = start_session(user).token
    _db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["sid"] = token
        session["_fresh"] = True
        session["last_seen"] = time.time()
    return token


@pytest.fixture
def login_as(client: CsrfClient) -> Callable[..., User]:
    """``login_as(Role.ADMIN)`` makes a person with that role and signs the client in as them."""

    def _login(role: Role | str = Role.AUTHOR, **overrides: Any) -> User:
        user = make_user(Role(role), **overrides)
        sign_in_session(client, user)
        return user

    return _login


class ApiClient:
    """Calls the JSON API with a personal access token, as a script would (no cookies, no CSRF)."""

    def __init__(self, client: CsrfClient, secret: str, user: User, token: Any) -> None:
        self.client, self.secret, self.user, self.token = client, secret, user, token

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any):
        sent = {"Authorization": f"Bearer {self.secret}", **(headers or {})}
        if has_app_context():
            g.pop("_login_user", None)
            _db.session.expire_all()
        return self.client.open(path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any):
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api_as(client: CsrfClient) -> Callable[..., ApiClient]:
    """``api_as(Role.EQUALITIES)`` makes a person with that role and a token for them (read and write
    unless ``scope=TokenScope.READ``); ``api_as(user=someone)`` uses an existing person."""
    from eia.accounts.models import TokenScope
    from eia.accounts.tokens import create_token

    def _make(role: Role | str = Role.AUTHOR, *, scope: Any = None, user: User | None = None, **overrides: Any):
        person = user or make_user(Role(role), **overrides)
        token, secret = create_token(
            person, name="test", scope=scope or TokenScope.WRITE, days=30, max_days=365, by=person
        )
        _db.session.commit()
        return ApiClient(client, secret, person, token)

    return _make


@pytest.fixture
def audit_key(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A key that signs checkpoints of the audit log, in the file ``EIA_AUDIT_SIGNING_KEY_FILE`` names."""
    from eia.auditlog.signing import SigningKey, write_key_file

    key = SigningKey.generate("testshire.example/eia-audit-log")
    path = tmp_path / "audit-log-signing.key"
    write_key_file(path, key)
    monkeypatch.setitem(app.config, "EIA_AUDIT_SIGNING_KEY_FILE", str(path))
    return key


class QueryCounter:
    """Counts the SQL statements run while it is active (SAVEPOINT bookkeeping excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> Callable[[], Any]:
    """``with count_queries() as counter: ...`` then ``counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(Engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(Engine, "before_cursor_execute", counter)

    return _count


class Inbox:
    """What the loopback SMTP server received, and the recipients it refuses."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        #: While set to an unset event, the server holds each message before accepting it (up to 10 s).
        self.hold: threading.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 10)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def arrived(self, address: str, count: int = 1, within: float = 10.0) -> list[EmailMessage]:
        """The messages to *address* once *count* of them have arrived (for mail sent after the answer),
        or what arrived when *within* seconds have passed."""
        deadline = time.monotonic() + within
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.to(address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback (aiosmtpd) that the app is pointed at; its messages are kept."""
    port = free_port()
    inbox = Inbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "EIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", port)
    monkeypatch.setitem(app.config, "EIA_BASE_URL", "https://eia.council.example")
    yield inbox
    controller.stop()


#: Fixtures through which a test reaches the database in TEST_DATABASE_URL.
ON_THE_TEST_DATABASE = {"app", "live_postgres"}


def uses_the_test_database(item: pytest.Item) -> bool:
    """Whether *item* reaches the database in TEST_DATABASE_URL: through the session's app (directly
    or through a fixture built on it), through its own PostgreSQL fixture, or by being marked
    ``postgres``. A test that does not (a module walk, a console script on a SQLite file of its own)
    gives the same result on either run."""
    return (
        bool(ON_THE_TEST_DATABASE & set(getattr(item, "fixturenames", ())))
        or item.get_closest_marker("postgres") is not None
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` only mean something on PostgreSQL, ``sqlite`` only on SQLite: leave
    each out of the other database's run. The PostgreSQL run also leaves out the tests that never reach
    its database, which the SQLite run has run the same way."""
    on_postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    other = "sqlite" if on_postgres else "postgres"
    kept = [
        item
        for item in items
        if item.get_closest_marker(other) is None and (not on_postgres or uses_the_test_database(item))
    ]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
