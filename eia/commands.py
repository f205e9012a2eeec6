"""What every ``eia`` command shares: errors printed as one line with a non-zero exit (never a
traceback), and the parsing of dates given as options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from eia.config import ConfigError
from eia.errors import EiaError, ValidationFailed


def one_line_error(exc: Exception) -> click.ClickException:
    """The message a person can act on, for the errors they can cause or fix."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return click.ClickException(f"{exc}: {'; '.join(dict.fromkeys(exc.fields.values()))}")
    if isinstance(exc, ConfigError | EiaError):
        return click.ClickException(str(exc))
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if "no such table" in reason or "does not exist" in reason:
        return click.ClickException(f"the database is not ready ({reason}); run `eia db upgrade` first")
    return click.ClickException(f"cannot reach the database: {reason}")


HANDLED = (ConfigError, EiaError, OperationalError, ProgrammingError)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print handled errors as one line with exit status 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HANDLED as exc:
            raise one_line_error(exc) from None

    return wrapper


def parse_day(value: str | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option's date, or None when it was not given.

    :raises click.BadParameter: naming *option*, for anything else.
    """
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"use YYYY-MM-DD, for example 2026-04-01 (got {value!r})", param_hint=option) from None
