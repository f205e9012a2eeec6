"""Wiring for ``create_app``: extensions, database engine settings, templates, blueprints."""

from __future__ import annotations

import contextlib
import logging
from contextvars import ContextVar
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from flask import Flask, has_request_context, request, session
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from eia.config import ConfigError
from eia.extensions import csrf, db, login_manager

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: beside the package in a checkout, inside it in a wheel."""
    bundled = PACKAGE_DIR / f"_{name}"
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / name


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on; write-ahead logging, so reading never waits for a write; and transactions
    SQLAlchemy controls (so SAVEPOINTs work, see the SQLAlchemy docs on pysqlite's transaction
    handling). A request that may write takes the write lock when it begins (``BEGIN IMMEDIATE``,
    waiting up to the busy timeout for another writer), so it never fails half-way on a lock another
    writer took after it had read; a page that only reads does not wait for anyone."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut loses at most the last commits
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    """Whether the transaction belongs to something that may write: a request other than a page
    read (API calls count their use), or work outside a request (a command)."""
    if not has_request_context():
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/")


def _init_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            folder = Path(uri.removeprefix("sqlite:///")).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot create {folder} for the SQLite database: {exc.strerror}") from None
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's own, so it runs first and leaves that one nothing to fail on.
    app.teardown_appcontext(_end_session)
    _init_migrations(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            _configure_sqlite(db.engine)


def _end_session(_exc: BaseException | None) -> None:
    """End the request's database session. When the database went away under the request, rolling
    back its connection fails too: the connection is dropped (the pool makes a new one) instead of the
    error escaping the app after the answer was made, which the server would turn into a bare 500."""
    try:
        db.session.remove()
    except DBAPIError as exc:
        log.warning("database session ended without its rollback: %s", exc.orig if exc.orig is not None else exc)
        with contextlib.suppress(Exception):
            db.session.registry().invalidate()
        db.session.registry.clear()


class _Migrations:
    """Stands in ``app.extensions["migrate"]`` for Flask-Migrate's own settings object, which it makes
    the first time a migration runs: Flask-Migrate imports Alembic, a quarter of the app's start-up,
    and only ``eia db ...`` (and ``flask_migrate.upgrade()``) need it."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._settings: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._settings is None:
            from flask_migrate import Migrate, _MigrateConfig

            migrate = Migrate(db=db, **self._options)
            self._settings = _MigrateConfig(migrate, db, **migrate.alembic_ctx_kwargs)
        return getattr(self._settings, name)


def _migration_commands() -> click.Group:
    """``eia db``: Flask-Migrate's command group, imported when it is run (``eia --help`` lists it
    without importing Alembic)."""

    def real() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    class MigrationCommands(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return real().list_commands(ctx)

        def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
            return real().get_command(ctx, name)

        def invoke(self, ctx: click.Context) -> Any:
            # The real group's callback (it notes -d and -x for the subcommand) instead of ours.
            self.callback = real().callback
            return super().invoke(ctx)

    return MigrationCommands(
        "db",
        help="Perform database migrations.",
        params=[
            click.Option(
                ["-d", "--directory"], default=None, help='Migration script directory (default is "migrations")'
            ),
            click.Option(
                ["-x", "--x-arg"], multiple=True, help="Additional arguments consumed by custom env.py scripts"
            ),
        ],
    )


def _init_migrations(app: Flask) -> None:
    app.extensions["migrate"] = _Migrations(
        directory=str(resource_dir("migrations")), render_as_batch=True, compare_type=True
    )
    app.cli.add_command(_migration_commands())


def _import_models() -> tuple[ModuleType, ...]:
    """Every model class, so relationships named by class resolve and the metadata is whole."""
    from eia.accounts import models as accounts
    from eia.assessments import models as assessments
    from eia.auditlog import models as auditlog
    from eia.evidence import models as evidence
    from eia.notifications import models as notifications
    from eia.quality import models as quality
    from eia.reports import models as reports
    from eia.rounds import models as rounds

    return accounts, assessments, auditlog, evidence, notifications, quality, reports, rounds


def _init_login(app: Flask) -> None:
    from eia.accounts.models import User
    from eia.accounts.signing_in import session_user

    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "important"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The signed cookie names the person and their sign-in session; both must still be valid.
        if not (user_id.isascii() and user_id.isdigit()):
            return None
        return session_user(int(user_id), session.get("sid"), app.config["PERMANENT_SESSION_LIFETIME"])


class QueryInTemplate(RuntimeError):
    """A template ran SQL (a lazy relationship): load what it shows in the view's queries instead."""


_rendering: ContextVar[str | None] = ContextVar("template_rendering", default=None)
_BOOKKEEPING = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


class _TemplateRunningNoQueries(Template):
    """A template that counts itself as rendering, so SQL run meanwhile can be refused."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if has_request_context():  # the signed-in person is loaded (again, after a rollback) first
            user = current_user._get_current_object()
            if user.is_authenticated and sa_inspect(user).expired_attributes:
                db.session.refresh(user)
        token = _rendering.set(_rendering.get() or self.name)
        try:
            return super().render(*args, **kwargs)
        finally:
            _rendering.reset(token)


def _refuse_queries_in_templates(app: Flask) -> None:
    """Under TESTING, any SQL run while a template renders raises, so a template that loads a
    relationship lazily fails its test (templates run no queries)."""

    def check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        template = _rendering.get()
        if template and not statement.lstrip().upper().startswith(_BOOKKEEPING):
            raise QueryInTemplate(f"{template} ran SQL: {' '.join(statement.split())[:400]}")

    app.jinja_env.template_class = _TemplateRunningNoQueries
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", check)


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(resource_dir("templates"))),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from eia import template_filters

    template_filters.register(app)


#: The packages that add pages, API operations, commands and signal receivers, each in its own
#: ``init_app`` (the plan tracker adds its own from ``create_app``).
PACKAGES = (
    "main",
    "accounts",
    "admin",
    "auditlog",
    "assessments",
    "register",
    "evidence",
    "quality",
    "notifications",
    "reports",
    "dashboard",
    "rounds",
    "demo",
    "ops",
)


def init_app(app: Flask) -> None:
    import importlib

    from eia import api
    from eia.accounts import init_request_hooks
    from eia.errors import register_error_handlers
    from eia.web import init_web

    _init_database(app)
    init_web(app)
    init_request_hooks(app)  # before CSRF, so an idle session is ended (and its form kept) first
    csrf.init_app(app)
    _import_models()
    _init_login(app)
    _init_templates(app)
    api.init_api(app)
    for name in PACKAGES:
        importlib.import_module(f"eia.{name}").init_app(app)
    register_error_handlers(app)
    if app.config["TESTING"]:
        _refuse_queries_in_templates(app)
