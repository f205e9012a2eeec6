"""``eia check-deploy``: what in this configuration is not fit for production, one problem a line."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from eia.web import is_loopback


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.netloc))


def configuration_problems(config: dict[str, Any], *, servers: int) -> list[str]:
    """What is wrong with the settings themselves (no connection made)."""
    problems = []
    if config["EIA_ENV"] != "production":
        problems.append(f"EIA_ENV is {config['EIA_ENV']}: set EIA_ENV=production (or leave it unset).")
    if len(config["SECRET_KEY"] or "") < 32:
        problems.append("SECRET_KEY is shorter than 32 characters: use a long random value.")
    if not config["EIA_BASE_URL"].startswith("https://"):
        problems.append(
            f"EIA_BASE_URL is {config['EIA_BASE_URL']}: serve the app over HTTPS and give its https:// address "
            "(the links in emails and the sign-in provider's return address use it)."
        )
    if not config["SESSION_COOKIE_SECURE"]:
        problems.append("SESSION_COOKIE_SECURE is off: session cookies would be sent over plain HTTP.")
    if config["EIA_TRUSTED_PROXIES"] < 1:
        problems.append(
            "EIA_TRUSTED_PROXIES is 0: behind the TLS-terminating proxy set it to the number of proxies, or the "
            "app takes every request for plain HTTP and logs the proxy's address as everyone's."
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append(
            "DATABASE_URL is SQLite: use PostgreSQL in production (postgresql+psycopg://user:password@host/db)."
        )
    if servers > 1 and not config["EIA_STORAGE_URL"]:
        problems.append(
            f"{servers} servers keep files on their own disks: set EIA_STORAGE_URL=s3://bucket/prefix so every "
            "server sees every evidence file and rendered PDF."
        )
    if config["EIA_SMTP_HOST"] in {"", "localhost"}:
        problems.append("EIA_SMTP_HOST is not set: invitations, password resets and reminders cannot be sent.")
    if config["EIA_MAIL_FROM"].endswith("@localhost"):
        problems.append(f"EIA_MAIL_FROM is {config['EIA_MAIL_FROM']}: use an address of the council's.")
    problems += _signing_key_problems(config)
    problems += _oidc_problems(config)
    token = config["EIA_METRICS_TOKEN"]
    if token and len(token) < 32:
        problems.append("EIA_METRICS_TOKEN is shorter than 32 characters: use a long random value.")
    return problems


def _signing_key_problems(config: dict[str, Any]) -> list[str]:
    path = config.get("EIA_AUDIT_SIGNING_KEY_FILE") or os.environ.get("EIA_AUDIT_SIGNING_KEY_FILE", "")
    if not path:
        return [
            "EIA_AUDIT_SIGNING_KEY_FILE is not set: make a key with `eia audit-log keygen` so checkpoints of "
            "the audit log are signed."
        ]
    key = Path(path)
    if not key.is_file() or not os.access(key, os.R_OK):
        return [f"EIA_AUDIT_SIGNING_KEY_FILE: {path} is not a file this user can read."]
    if key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"EIA_AUDIT_SIGNING_KEY_FILE: {path} can be read by other users; chmod 600 it."]
    return []


def _oidc_problems(config: dict[str, Any]) -> list[str]:
    names = ("EIA_OIDC_ISSUER", "EIA_OIDC_CLIENT_ID", "EIA_OIDC_CLIENT_SECRET")
    missing = [name for name in names if not config[name]]
    problems = []
    if len(missing) < len(names) and missing:
        problems.append(f"OpenID Connect is half set up: {', '.join(missing)} not set.")
    if not config["EIA_LOCAL_SIGN_IN"]:
        if missing:
            problems.append(
                "EIA_LOCAL_SIGN_IN is off but OpenID Connect is not set up: nobody but the break-glass "
                "administrator could sign in."
            )
        if not config["EIA_BREAK_GLASS_EMAIL"]:
            problems.append(
                "EIA_LOCAL_SIGN_IN is off and EIA_BREAK_GLASS_EMAIL is not set: if the provider fails, no "
                "administrator can sign in."
            )
    if config["EIA_OIDC_ISSUER"] and not _https(config["EIA_OIDC_ISSUER"]):
        problems.append(f"EIA_OIDC_ISSUER is {config['EIA_OIDC_ISSUER']}: a provider's address starts https://.")
    return problems


def connection_problems(app: Flask) -> list[str]:
    """What does not answer: the database (and its schema), the store, the SMTP server, the provider."""
    problems = _database_problems(app)
    from eia.storage import StorageError, evidence_store, rendered_store

    for what, store in (("evidence files", evidence_store(app)), ("rendered PDFs", rendered_store(app))):
        try:
            ready = store.is_ready()
        except StorageError:
            ready = False
        if not ready:
            problems.append(f"The store for {what} ({store.description}) cannot be written to or reached.")
    from eia.mail import SmtpFailed, connect

    try:
        connect().quit()
    except SmtpFailed as exc:
        problems.append(f"SMTP: {exc}.")
    except OSError as exc:
        problems.append(f"SMTP: the server closed the connection ({exc}).")
    config = app.config
    if config["EIA_OIDC_ISSUER"] and config["EIA_OIDC_CLIENT_ID"]:
        from eia.accounts.provider import discovery_problem

        problem = discovery_problem(config["EIA_OIDC_ISSUER"])
        if problem:
            problems.append(f"OpenID Connect: {problem}")
    return problems


def _database_problems(app: Flask) -> list[str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from eia.extensions import db
    from eia.wiring import resource_dir

    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return [f"The database does not answer: {reason}."]
    heads = set(ScriptDirectory(str(resource_dir("migrations"))).get_heads())
    if current != heads:
        return ["The database schema is not the latest: run `eia db upgrade` (then `eia forms load`)."]
    problems = []
    from eia.accounts.models import Role, User
    from eia.accounts.queries import service_area_by_name

    glass = app.config["EIA_BREAK_GLASS_EMAIL"]
    if glass and not app.config["EIA_LOCAL_SIGN_IN"]:
        admin = db.session.execute(select(User).where(User.email == glass)).scalar_one_or_none()
        if admin is None or admin.role is not Role.ADMIN or not admin.is_enabled or not admin.password_hash:
            problems.append(
                f"EIA_BREAK_GLASS_EMAIL is {glass}, but that is not an enabled administrator with a password."
            )
    for mapping in app.config["EIA_OIDC_GROUP_ROLES"]:
        if mapping.service_area and service_area_by_name(mapping.service_area) is None:
            problems.append(
                f"EIA_OIDC_GROUP_ROLES: no single service area called {mapping.service_area!r} (for {mapping.group})."
            )
    db.session.rollback()
    return problems


@click.command("check-deploy")
@click.option(
    "--servers", type=click.IntRange(1, 100), default=1, show_default=True, help="How many app servers will run."
)
@click.option("--no-connect", is_flag=True, help="Check the settings only; reach no database, store or server.")
@with_appcontext
def check_deploy_command(servers: int, no_connect: bool) -> None:
    """Check this configuration for production and print each problem; exit 1 if there is any."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    problems = configuration_problems(app.config, servers=servers)
    if not no_connect:
        problems += connection_problems(app)
    if not problems:
        click.echo("No problems found: this configuration is fit for production.")
        return
    click.echo(f"{len(problems)} problem{'' if len(problems) == 1 else 's'} with this configuration:")
    for problem in problems:
        click.echo(f"- {problem}")
    raise SystemExit(1)
