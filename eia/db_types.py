"""Column types and clock helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Enum, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

#: A 64-bit key on PostgreSQL that SQLite still treats as its ROWID alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class StoryClock:
    """A clock that starts at a given moment and moves on by *tick* each time it is read."""

    def __init__(self, start: datetime, tick: timedelta) -> None:
        self.at = start
        self.tick = tick

    def now(self) -> datetime:
        at, self.at = self.at, self.at + self.tick
        return min(at, datetime.now(UTC))


_story: ContextVar[StoryClock | None] = ContextVar("eia_story_clock", default=None)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (or the demo's story time inside ``story_at``)."""
    clock = _story.get()
    return datetime.now(UTC) if clock is None else clock.now()


@contextmanager
def story_at(start: datetime, *, tick: timedelta = timedelta(seconds=10)) -> Iterator[StoryClock]:
    """Inside the block, ``utcnow()`` tells the time of a story instead of the real one: from *start*,
    a little later at each reading, never past the real time. The demo writes its assessments, their
    steps and their audit entries on the days its story says they happened."""
    from flask import has_request_context

    if has_request_context():
        raise RuntimeError("the story clock is for loaders like the demo, never inside a request")
    clock = StoryClock(start, tick)
    token = _story.set(clock)
    try:
        yield clock
    finally:
        _story.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; use eia.db_types.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_class: type[PyEnum], length: int = 32) -> Enum:
    """A portable string column holding the enum's *values* (``"author"``, not ``"AUTHOR"``)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class uk_day(FunctionElement[date]):
    """The day a :class:`UTCDateTime` column's moment falls on in the UK, in SQL, as
    ``eia.working_days.uk_day`` works it out in Python: the time zone's rules on PostgreSQL; on
    SQLite (which stores UTC and knows no time zones) British Summer Time's own rule, an hour ahead
    from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October."""

    type = Date()
    inherit_cache = True
    name = "uk_day"


@compiles(uk_day)
def _uk_day_sqlite(element: uk_day, compiler: Any, **kw: Any) -> str:
    def moment() -> str:
        return compiler.process(element.clauses, **kw)

    def change(month: str) -> str:  # 01:00 UTC on the last Sunday before the first of *month*
        return f"datetime(date(strftime('%Y', {moment()}) || '-{month}-01', 'weekday 0', '-7 days'), '+1 hour')"

    summer = f"{moment()} >= {change('04')} AND {moment()} < {change('11')}"
    return f"date({moment()}, CASE WHEN {summer} THEN '+1 hour' ELSE '+0 hours' END)"


@compiles(uk_day, "postgresql")
def _uk_day_postgresql(element: uk_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Europe/London' AS DATE)"
