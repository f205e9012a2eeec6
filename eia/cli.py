"""The ``eia`` command: Flask's CLI for this app, plus the commands each package adds in its
``init_app``.

Errors are printed as one line with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from eia.commands import HANDLED, one_line_error
from eia.config import ConfigError


def _create_app() -> Flask:
    from eia import create_app

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


class EiaGroup(FlaskGroup):
    """Also covers Flask's and Flask-Migrate's own commands (``eia db upgrade`` on a database that is down)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """``eia --help`` when the app cannot start: the reason in one line (Flask would print a
        traceback), then Flask's own commands."""
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException as exc:
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
            return sorted(self.commands)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HANDLED as exc:
            raise one_line_error(exc) from None


def main() -> None:
    cli = EiaGroup(
        create_app=_create_app,
        help="Equality impact assessments: run the app and manage its data.",
        set_debug_flag=False,
    )
    cli.main(prog_name="eia")
