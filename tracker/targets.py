"""Reading a due date out of a target as a council wrote it.

Rules (the written text is always kept as it is):

- a month and year ("September 2021", "Sept 2021") is due on the last day of that month;
- a date ("2022-03-31", "31/03/2022", "31 March 2022") is due that day;
- a year on its own ("2028", "by 2028") is due on 31 December of that year, the end of the year named;
- "Ongoing", "Quarterly", "Monthly", "Annually", "Yearly" and the like have no due date and are
  marked recurring;
- when a target names several dates ("March 2021 & March 2022"), the action is due on the *last*
  of them: the action is not done until its final milestone is met;
- anything else has no due date (and is not recurring);
- a date that cannot be ("31/02/2027", "2027-13-45", "30 February 2027") is refused
  (:class:`ImpossibleDate`), never read as something else.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9

RECURRING_WORDS = (
    "ongoing",
    "on-going",
    "quarterly",
    "monthly",
    "annually",
    "annual",
    "yearly",
    "weekly",
    "continuous",
    "regularly",
)

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?\s+(\d{4})\b")
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{4})\b")
_YEAR = re.compile(r"\b(20\d{2}|19\d{2})\b")


class ImpossibleDate(ValueError):
    """A target written as a date that does not exist; the message quotes it."""


def _real(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ImpossibleDate(f"'{text}' is not a real date") from None


def _dates_in(text: str) -> list[date]:
    found: list[date] = []
    rest = text
    for pattern, build in (
        (_ISO, lambda m: _real(m[0], int(m[1]), int(m[2]), int(m[3]))),
        (_DMY, lambda m: _real(m[0], int(m[3]), int(m[2]), int(m[1]))),
        (
            _DAY_MONTH_YEAR,
            lambda m: _real(m[0], int(m[3]), MONTHS[m[2].lower()], int(m[1])) if m[2].lower() in MONTHS else None,
        ),
        (_MONTH_YEAR, lambda m: _month_end(int(m[2]), MONTHS[m[1].lower()]) if m[1].lower() in MONTHS else None),
    ):
        for match in pattern.finditer(rest):
            value = build(match)
            if value is not None:
                found.append(value)
                rest = rest.replace(match[0], " ", 1)
    if not found:
        found = [date(int(year), 12, 31) for year in _YEAR.findall(rest)]
    return [d for d in found if d is not None]


def _month_end(year: int, month: int) -> date | None:
    try:
        return date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:  # "March 0000"
        return None


def parse_target(text: str | None) -> tuple[date | None, bool]:
    """``(due date or None, is recurring)`` for a target as written.

    :raises ImpossibleDate: for a date that does not exist.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        return None, False
    lowered = cleaned.lower()
    dates = _dates_in(cleaned)
    if not dates and any(word in lowered for word in RECURRING_WORDS):
        return None, True
    return (max(dates), False) if dates else (None, False)
