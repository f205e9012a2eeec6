"""Jinja filters for dates, times and numbers as UK readers expect them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from eia.forms_support import error_summary
from eia.permissions import can


def format_datetime(value: datetime | None) -> str:
    """``22 November 2026 at 14:05 UTC``."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


UK = ZoneInfo("Europe/London")


def format_uk_datetime(value: datetime | None) -> str:
    """``3 May 2027 at 10:15``, in UK time (British Summer Time when it applies)."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def register(app: Flask) -> None:

    app.add_template_global(can)
    app.add_template_global(error_summary)

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_uk_datetime, "uk_datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_number, "number")
