"""Working days: Monday to Friday, less the bank holidays of England and Wales (from the maintained
``holidays`` package, which follows the proclamations, substitute days included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from eia.db_types import utcnow


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays  # a tenth of the app's start-up, wanted only once a date is counted

    # England and Wales share their bank holidays; the package lists them under England.
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after *start* up to and including *end* (0 when *end* is not after *start*)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date *days* working days after *start*."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


def uk_day(moment: datetime) -> date:
    """The day *moment* falls on in the UK (23:30 UTC on 30 June is 1 July there)."""
    return moment.astimezone(ZoneInfo("Europe/London")).date()


def uk_today() -> date:
    """Today's date in the UK, so a run at 00:30 in summer counts as the day it is there."""
    return uk_day(utcnow())
