"""The whole demo council in one call, for `eia demo` and for the browser tests' live app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from eia.assessments.queries import financial_year_of
from eia.auditlog import services as audit
from eia.demo import STORY_DAYS
from eia.demo.authoring import load_demo_authoring
from eia.demo.decisions import load_demo_decisions
from eia.demo.eias import load_demo_eias, settle_updated
from eia.demo.people import load_demo
from eia.demo.reports import load_demo_commentary
from eia.demo.samples import load_demo_samples
from eia.demo.story import on_day, told_at
from eia.signals import demo_loaded, load_shipped, values_from


@dataclass
class Loaded:
    people: list[Any] = field(default_factory=list)  # (person, added)
    others: list[str] = field(default_factory=list)  # what each package's demo says it added
    eias: int = 0


def load_demo_council(today: date, *, by: Any) -> Loaded:
    """Form templates and rubrics, the people, the assessments with their decisions, each package's
    part (the plans, a budget round), the quality audits and last year's texts; safe to run twice.

    Each part is written on the day the demo's story puts it, counted back from *today*, and the
    audit log holds the entries in the order of those days."""
    with audit.held_in_time_order():
        return _load(today, by=by)


def _load(today: date, *, by: Any) -> Loaded:
    with told_at(on_day(today - timedelta(days=STORY_DAYS), 9)):
        load_shipped(by=by)
        loaded = Loaded(people=load_demo(by=by))
    loaded.eias = load_demo_eias(today)
    if loaded.eias:
        load_demo_decisions(today, by=by)
        with told_at(on_day(today - timedelta(days=14))):
            load_demo_authoring(today)
    # After the assessments, so a package's demo (a budget round's proposals) adds to them.
    loaded.others = values_from(demo_loaded.send(None, today=today, by=by))
    load_demo_samples(today)
    with told_at(on_day(date(financial_year_of(today), 5, 2))):  # after the year's figures are in
        load_demo_commentary(today)
    if loaded.eias:
        settle_updated(today)
    return loaded
