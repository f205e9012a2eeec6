"""Wiring for ``create_app``: extensions, database engine settings, templates, blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, session
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine

from eia.config import ConfigError
from eia.extensions import csrf, db, login_manager, migrate

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: beside the package in a checkout, inside it in a wheel."""
    bundled = PACKAGE_DIR / f"_{name}"
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / name


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, and transactions SQLAlchemy controls (so SAVEPOINTs work, see the SQLAlchemy
    docs on pysqlite's transaction handling)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


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
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True, compare_type=True)
    if uri.startswith("sqlite"):
        with app.app_context():
            _configure_sqlite(db.engine)


def _init_login(app: Flask) -> None:
    import eia.assessments.models
    import eia.evidence.models
    import eia.notifications.models  # noqa: F401
    import tracker.models  # noqa: F401
    from eia.accounts.models import User
    from eia.accounts.services import session_user

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


def _register_blueprints(app: Flask) -> None:
    from eia.accounts.views import bp as accounts_bp
    from eia.admin.views import bp as admin_bp
    from eia.assessments import workflow_views  # noqa: F401  (adds the workflow routes to the blueprint)
    from eia.assessments.views import bp as assessments_bp
    from eia.audit.sample_views import bp as samples_bp
    from eia.audit.sample_views import my_work_section as my_findings
    from eia.audit.views import bp as audit_bp
    from eia.evidence.views import bp as evidence_bp
    from eia.main.views import bp as main_bp
    from eia.notifications.views import bp as notifications_bp
    from eia.register.views import bp as register_bp
    from eia.reports.views import bp as reports_bp

    for bp in (
        main_bp,
        accounts_bp,
        admin_bp,
        audit_bp,
        assessments_bp,
        register_bp,
        evidence_bp,
        samples_bp,
        notifications_bp,
        reports_bp,
    ):
        app.register_blueprint(bp)
    app.extensions.setdefault("eia.my_work", []).append(my_findings)

    from tracker.views import bp as plans_bp
    from tracker.views import links_bp, programme_bp

    app.register_blueprint(plans_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(programme_bp)
    from tracker.views import my_work_section, plan_reminders, report_sections

    # My work and the reminders show items from other packages without eia importing them.
    app.extensions.setdefault("eia.my_work", []).append(my_work_section)
    app.extensions.setdefault("eia.reminders", []).append(plan_reminders)
    app.extensions.setdefault("eia.report_sections", []).append(report_sections)
    from tracker.demo import scale_links

    app.extensions["eia.scale_links"] = scale_links
    _register_api(app)


def _register_api(app: Flask) -> None:
    from eia.api import audit_log, eias, init_api, reference, reports, samples
    from tracker import api as tracker_api

    init_api(app, [reference.bp, eias.bp, samples.bp, audit_log.bp, reports.bp, tracker_api.bp, tracker_api.links_bp])
    tracker_api.init_api_extras(app)


def init_app(app: Flask) -> None:
    from eia.cli import register_commands
    from eia.errors import register_error_handlers
    from eia.web import init_web

    _init_database(app)
    init_web(app)  # before CSRF, so an idle session is ended (and its form kept) first
    csrf.init_app(app)
    _init_login(app)
    _init_templates(app)
    _register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
