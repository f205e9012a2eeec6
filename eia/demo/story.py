"""When the steps of the demo's story were taken."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from eia.db_types import story_at
from eia.extensions import db
from eia.working_days import is_working_day


def working_day(day: date) -> date:
    """*day*, or the first working day after it: councils do not meet or sign off at weekends."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def on_day(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """*day* (moved on to a working day) at *hour*:*minute* UTC: when a step of the demo's story was
    taken."""
    return datetime.combine(working_day(day), time(hour, minute), tzinfo=UTC)


@contextmanager
def told_at(when: datetime) -> Iterator[None]:
    """What the block writes happens at *when* (``eia.db_types.story_at``), its rows flushed before the
    block ends so that their own times (filled in at the flush) are the story's too."""
    with story_at(when):
        yield
        db.session.flush()
