"""When the steps of the demo's story were taken."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def on_day(day: date, hour: int = 10) -> datetime:
    """*day* at *hour* o'clock UTC: when a step of the demo's story was taken."""
    return datetime.combine(day, time(hour), tzinfo=UTC)
