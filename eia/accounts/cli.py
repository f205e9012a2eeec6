"""The ``eia users`` commands: the people who sign in and their API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors

users_cli = click.Group("users", help="Create and list the people who sign in.")


@users_cli.command("create")
@click.option("--email", required=True, help="Their email address; they sign in with it.")
@click.option("--name", required=True, help="Their full name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["author", "equalities", "decision_maker", "admin"]),
    help="author = service manager; equalities = equalities team; decision_maker = SLT; admin.",
)
@click.option("--service-area", default=None, help='Team or directorate name, or "Directorate > Team".')
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given (12 characters or more).",
)
@with_appcontext
@friendly_errors
def create_user_command(email: str, name: str, role: str, service_area: str | None, password: str) -> None:
    """Create a user with a role."""
    from eia.accounts import queries, services
    from eia.accounts.models import Role
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db

    area = None
    if service_area:
        area = queries.service_area_by_name(service_area)
        if area is None:
            known = ", ".join(a.full_name for a in queries.service_areas()) or "none yet"
            raise click.ClickException(f"no single service area called {service_area!r}; known: {known}")
    user = services.create_user(
        email=email, name=name, role=Role(role), password=password, service_area=area, by=command_line_actor()
    )
    db.session.commit()
    click.echo(f"Created {user.name} <{user.email}> as {user.role.label if user.role else 'no role'}.")


@users_cli.command("list")
@with_appcontext
@friendly_errors
def list_users_command() -> None:
    """List users with their role, service area and status."""
    from eia.accounts import queries
    from eia.extensions import db

    for user in db.session.execute(queries.users()).scalars():
        status = "active" if user.is_enabled else "disabled"
        area = user.service_area.full_name if user.service_area else "-"
        click.echo(f"{user.email}\t{user.name}\t{user.role.value if user.role else ''}\t{area}\t{status}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="read",
    show_default=True,
    help="write also changes things.",
)
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="How long it lasts.")
@with_appcontext
@friendly_errors
def token_command(email: str, name: str, scope: str, days: int) -> None:
    """Make a personal access token for the JSON API, acting as EMAIL. It is shown once."""
    from flask import current_app

    from eia.accounts import queries
    from eia.accounts.models import TokenScope
    from eia.accounts.tokens import create_token
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db

    user = queries.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the email address {email!r}")
    token, secret = create_token(
        user,
        name=name,
        scope=TokenScope(scope),
        days=days,
        max_days=current_app.config["EIA_API_TOKEN_MAX_DAYS"],
        by=command_line_actor(),
    )
    db.session.commit()
    click.echo(f"Token {token.id} for {user.email} ({token.scope.label.lower()}), until {token.expires_at:%d %B %Y}:")
    click.echo(secret)
    click.echo("Keep it secret: it is not shown again. Send it as 'Authorization: Bearer <token>'.", err=True)


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
@friendly_errors
def revoke_token_command(token_id: int) -> None:
    """Revoke personal access token TOKEN_ID at once."""
    from eia.accounts.tokens import revoke_token, token_or_none
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db

    token = token_or_none(token_id)
    if token is None:
        raise click.ClickException(f"there is no token {token_id}")
    revoke_token(token, by=command_line_actor())
    db.session.commit()
    click.echo(f"Revoked token {token.id} ({token.name}) of {token.user.email}.")
