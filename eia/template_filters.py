"""Jinja filters for dates, times and numbers as UK readers expect them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from eia.permissions import can


def format_datetime(value: datetime | None) -> str:
    """``22 November 2026 at 14:05 UTC``."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def register(app: Flask) -> None:

    app.add_template_global(can)

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_number, "number")
