"""My work's parts: a group of things a person has to do (their drafts, the mitigations they own, the
plan actions they lead ...), each thing with what to call it, where it is and when it is due.

Packages add their groups through ``eia.signals.my_work``; the page puts the most urgent group first
(one with something overdue, then one with something due this week, then the rest), shows the first
few of each with a count, and lists a whole group on a page of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum

#: How many of a group My work shows before "See all".
FIRST_FEW = 3
#: The most a group holds (its "See all" page says when there are more).
MOST = 200


class Urgency(IntEnum):
    OVERDUE = 0
    THIS_WEEK = 1
    LATER = 2

    @property
    def label(self) -> str:
        return {0: "Overdue", 1: "Due this week", 2: ""}[self.value]


def urgency(due_on: date | None, today: date) -> Urgency:
    """Overdue when the date has passed; due this week within seven days; otherwise later."""
    if due_on is None:
        return Urgency.LATER
    if due_on < today:
        return Urgency.OVERDUE
    return Urgency.THIS_WEEK if due_on <= today + timedelta(days=7) else Urgency.LATER


@dataclass(frozen=True)
class WorkItem:
    """One thing to do: *text* links to *href*; *context* says what it belongs to."""

    text: str
    href: str
    context: str = ""
    due_on: date | None = None
    status: str = ""
    note: str = ""


@dataclass
class WorkGroup:
    """Things of one kind to do, most urgent first. *key* names its "See all" page."""

    key: str
    title: str
    items: list[WorkItem]
    today: date
    due_label: str = "Due"
    noun: str = "items"
    #: Shown when the group is empty (None: the group is left out when it has nothing).
    empty: str | None = None
    counts: dict[Urgency, int] = field(init=False)

    def __post_init__(self) -> None:
        # Soonest due first; things with no date keep their order, after the dated ones.
        order = {id(item): n for n, item in enumerate(self.items)}
        self.items = sorted(
            self.items,
            key=lambda i: (urgency(i.due_on, self.today), i.due_on or date.max, order[id(i)]),
        )
        self.counts = {u: 0 for u in Urgency}
        for item in self.items:
            self.counts[urgency(item.due_on, self.today)] += 1

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def is_capped(self) -> bool:
        return self.total >= MOST

    @property
    def first_few(self) -> list[WorkItem]:
        return self.items[:FIRST_FEW]

    @property
    def most_urgent(self) -> Urgency:
        return min((urgency(i.due_on, self.today) for i in self.items), default=Urgency.LATER)

    @property
    def has_status(self) -> bool:
        return any(item.status for item in self.items)

    @property
    def has_dates(self) -> bool:
        return any(item.due_on for item in self.items)

    def urgency_of(self, item: WorkItem) -> Urgency:
        return urgency(item.due_on, self.today)

    @property
    def summary(self) -> str:
        """``12 in all: 9 overdue, 1 due this week``."""
        total = f"{self.total:,}{' or more' if self.is_capped else ''} in all"
        parts = []
        if self.counts[Urgency.OVERDUE]:
            parts.append(f"{self.counts[Urgency.OVERDUE]:,} overdue")
        if self.counts[Urgency.THIS_WEEK]:
            parts.append(f"{self.counts[Urgency.THIS_WEEK]:,} due this week")
        return total + (": " + ", ".join(parts) if parts else "")


def in_order(groups: Iterable[WorkGroup]) -> list[WorkGroup]:
    """Groups with something to show, most urgent first (overdue, due this week, the rest), keeping
    the order they came in among equals."""
    shown = [g for g in groups if g.items or g.empty is not None]
    return sorted(shown, key=lambda g: g.most_urgent if g.items else Urgency.LATER + 1)


def groups_from(answers: Iterable[WorkGroup | Iterable[WorkGroup] | None]) -> list[WorkGroup]:
    """Flatten what the ``my_work`` receivers returned (a group, several, or None)."""
    found: list[WorkGroup] = []
    for answer in answers:
        if answer is None:
            continue
        if isinstance(answer, WorkGroup):
            found.append(answer)
        else:
            found.extend(answer)
    return found
