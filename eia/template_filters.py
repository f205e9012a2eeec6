"""Jinja filters for dates, times and numbers as UK readers expect them."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from eia.forms_support import error_summary
from eia.permissions import can

UK = ZoneInfo("Europe/London")


def format_uk_datetime(value: datetime | None) -> str:
    """``3 May 2027 at 10:15``, in UK time (British Summer Time when it applies)."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


#: Every time a person reads is in UK time (the ``datetime`` filter too).
format_datetime = format_uk_datetime


def format_date(value: date | datetime | None) -> str:
    """``3 May 2027``; the day of a moment is its day in the UK (23:30 UTC in summer is the next day)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UK)
    return f"{value.day} {value:%B %Y}"


def format_number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def megabytes(size: int | None) -> str:
    """``30 MB``; ``20.1 MB`` for a size just over 20 (rounded up, so it never reads as the limit)."""
    if size is None:
        return ""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def percent(part: int, whole: int) -> str:
    """*part* of *whole* as a whole percentage, rounded half up as a person would (2 of 3 is 67%), or a
    dash when there is no whole."""
    if not whole:
        return "–"
    return f"{(200 * part + whole) // (2 * whole)}%"


def register(app: Flask) -> None:

    app.add_template_global(can)
    app.add_template_global(error_summary)

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_uk_datetime, "uk_datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(megabytes, "megabytes")
    app.add_template_global(percent, "pct")
