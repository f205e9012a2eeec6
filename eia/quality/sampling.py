"""Quality audits of random samples: the period, the population a sample is drawn from, the draw
and the check of it.

The population is every completed EIA (approved, signed off, published or due for review) approved
within the period, optionally in chosen service areas, less those drawn into a sample in the last
*exclude_months* months. It is sorted by reference and stored with the seed (and, for a risk-weighted
draw, each EIA's strata), so the draw never depends on database row order; who is picked from it is
:mod:`eia.quality.choosing`. Drawing again from the stored seed and population gives the same EIAs
(:func:`verify_sample`).

Scoring against the rubric and the findings are in :mod:`eia.quality.scoring`.
"""

from __future__ import annotations

import gc
import math
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from eia.accounts.queries import service_areas
from eia.assessments.models import DecisionRecord, Eia, Impact
from eia.assessments.states import COMPLETED_STATES, Severity
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.quality.choosing import METHOD, RISK_WEIGHTED, check_strata, choose, population_hash
from eia.quality.models import Sample, SampleItem
from forms.strata import STRATA

QUARTER = re.compile(r"^\s*(\d{4})-?Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str


def quarter(year: int, number: int) -> Period:
    """Quarter *number* of financial year *year*: Q1 is April to June of *year*, Q4 January to March after."""
    month = 4 + 3 * (number - 1)
    start = date(year + (month > 12), (month - 1) % 12 + 1, 1)
    following = date(start.year + (start.month > 9), (start.month + 2) % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), f"{year}-Q{number}")


def parse_period(text: str) -> Period:
    """``2025-Q1`` (April to June 2025).

    :raises ValidationFailed: for anything else.
    """
    found = QUARTER.match(text or "")
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ValidationFailed(
            "Period not recognised",
            {"period": "Enter a financial-year quarter like 2025-Q1 (April to June 2025), or choose dates"},
        )
    return quarter(int(found.group(1)), int(found.group(2)))


def date_period(start: date, end: date) -> Period:
    """:raises ValidationFailed: if *end* is before *start*."""
    if end < start:
        raise ValidationFailed("Dates the wrong way round", {"to_date": "The end date must be on or after the start"})
    return Period(start, end, f"{start:%d %b %Y} to {end:%d %b %Y}")


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time *months* calendar months earlier (the month's last day if shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _population(
    period: Period, service_area_ids: list[int], exclude_months: int, at: datetime, *, with_strata: bool = False
) -> tuple[list, list[str], dict[str, int]]:
    """The population (sorted by reference; with each EIA's strata for a v2 draw), the references
    left out as sampled too recently, and each reference's EIA id."""
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)
    in_scope = [Eia.state.in_(COMPLETED_STATES), Eia.approved_at >= start, Eia.approved_at < end]
    if service_area_ids:
        in_scope.append(Eia.service_area_id.in_(service_area_ids))
    columns = [Eia.reference, Eia.service_area_id, Eia.id]
    if with_strata:
        columns += [Eia.proposal_type, Eia.outcome]
    # Sorted here, not by the database, whose collation could order references differently
    # (references are unique, so the key is enough). Core rows: the ORM's row handling costs a tenth
    # of a second at 100,000.
    rows: list[Any] = list(db.session.connection().execute(select(*columns).where(*in_scope)).all())
    rows.sort(key=itemgetter(0))
    recent: set[str] = set()
    if exclude_months:
        recent = set(
            db.session.execute(
                select(Eia.reference)
                .join(SampleItem, SampleItem.eia_id == Eia.id)
                .join(Sample, Sample.id == SampleItem.sample_id)
                .where(Sample.drawn_at >= months_before(at, exclude_months))
            ).scalars()
        )
    ids = {row[0]: row[2] for row in rows}
    excluded = [row[0] for row in rows if row[0] in recent] if recent else []
    kept = [row for row in rows if row[0] not in recent] if recent else rows
    if not with_strata:
        return [[reference, area] for reference, area, _ in kept], excluded, ids
    # Driven from the (smaller) decision and impact tables; membership is checked against the scope.
    key_decisions = set(
        db.session.execute(select(DecisionRecord.eia_id).where(DecisionRecord.is_key_decision.is_(True))).scalars()
    )
    high = set(db.session.execute(select(Impact.eia_id).where(Impact.severity == Severity.HIGH)).scalars())
    # One shared list per combination of strata: most assessments are in none, and a list each
    # would be 100,000 more objects at scale.
    shared: dict[tuple[str, ...], list[str]] = {}
    population = []
    for reference, area, eia_id, proposal_type, outcome in kept:
        flags = (
            *(("budget",) if proposal_type == "budget" else ()),
            *(("key_decision",) if eia_id in key_decisions else ()),
            *(("continue_adverse",) if outcome == "continue" else ()),
            *(("high_severity",) if eia_id in high else ()),
        )
        population.append([reference, area, shared.setdefault(flags, list(flags))])
    return population, excluded, ids


def _size(size_text: str, available: int) -> int:
    text = (size_text or "").strip()
    percent = text.endswith("%")
    number = text[:-1].strip() if percent else text
    if (
        not (number.isascii() and number.isdigit())
        or len(number) > 6
        or int(number) < 1
        or (percent and int(number) > 100)
    ):
        raise ValidationFailed(
            "Size not recognised", {"size": "Enter the size as a whole number, like 5, or a percentage, like 10%"}
        )
    return max(1, math.ceil(available * int(number) / 100)) if percent else int(number)


def _normalised_size(size_text: str) -> str:
    text = size_text.strip()
    return f"{int(text[:-1])}%" if text.endswith("%") else str(int(text))


def draw_sample(
    *,
    period: Period,
    size: str,
    by: Any,
    service_area_ids: list[int] | None = None,
    per_service_area: bool = False,
    seed: str | None = None,
    exclude_months: int = 12,
    strata: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> Sample:
    """Draw and freeze a sample; the audit entry holds the seed and the population's hash. With
    *strata* (even none) the draw is risk-weighted (method v2), otherwise uniform (method v1).

    :raises ValidationFailed: for a bad size, seed or stratum, no population, or a size larger than it.
    """
    with _no_cyclic_gc():
        return _draw(period, size, by, service_area_ids, per_service_area, seed, exclude_months, strata, at)


def requested_period(quarter_text: str | None, start: date | None, end: date | None) -> Period:
    """The period a person asked for: a financial-year quarter (``2025-Q1``), else two dates.

    :raises ValidationFailed: naming the field, for a quarter not recognised, a date missing, or dates
        the wrong way round.
    """
    if (quarter_text or "").strip():
        return parse_period(quarter_text or "")
    if start is None or end is None:
        raise ValidationFailed("Dates missing", {"to_date": "Enter both dates, or a quarter"})
    return date_period(start, end)


def draw_requested(values: dict[str, Any], *, by: Any) -> Sample:
    """Draw the sample a person asked for, on the page or through the API. *values* holds ``period``
    or ``from_date`` and ``to_date``, ``size``, ``service_area_ids``, ``per_service_area``, ``seed``,
    ``exclude_months`` (None for the council's default) and ``strata`` (None for a uniform draw).

    :raises ValidationFailed: naming the field, for a service area not in use, a period that cannot
        be read, or a size, seed or stratum that cannot be drawn.
    """
    active = {area.id for area in service_areas() if area.is_active}
    unknown = [str(i) for i in values["service_area_ids"] if i not in active]
    if unknown:
        raise ValidationFailed(
            "Unknown service areas", {"service_area_ids": f"Not service areas in use: {', '.join(unknown)}"}
        )
    exclude_months = values["exclude_months"]
    return draw_sample(
        period=requested_period(values.get("period"), values.get("from_date"), values.get("to_date")),
        size=values["size"],
        service_area_ids=values["service_area_ids"],
        per_service_area=values["per_service_area"],
        seed=values["seed"],
        exclude_months=current_app.config["EIA_SAMPLE_EXCLUDE_MONTHS"] if exclude_months is None else exclude_months,
        strata=values["strata"],
        by=by,
    )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector: building a population of 100,000 small lists would otherwise
    set off collections that each walk every object in the process (a third of a large draw's time).
    Reference counting still frees everything the draw drops."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _draw(
    period: Period,
    size: str,
    by: Any,
    service_area_ids: list[int] | None,
    per_service_area: bool,
    seed: str | None,
    exclude_months: int,
    strata: list[dict[str, Any]] | None,
    at: datetime | None,
) -> Sample:
    method = METHOD if strata is None else RISK_WEIGHTED
    chosen_strata = check_strata(strata) if strata is not None else []
    areas = sorted(set(service_area_ids or []))
    at = at or utcnow()
    population, excluded, ids = _population(period, areas, exclude_months, at, with_strata=method == RISK_WEIGHTED)
    wanted = _size(size, len(population))
    scope = f"completed EIAs approved in {period.label}" + (" in the chosen service areas" if areas else "")
    left_out = f", after leaving out {len(excluded)} sampled in the last {exclude_months} months" if excluded else ""
    if not population:
        raise ValidationFailed("Nothing to sample", {"size": f"There are no {scope}{left_out} to sample"})
    if wanted > len(population):
        raise ValidationFailed(
            "Sample larger than the population",
            {"size": f"The sample size ({wanted}) is larger than the population: {len(population)} {scope}{left_out}"},
        )
    if per_service_area:
        wanted = max(wanted, len({row[1] for row in population}))
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > 64 or not seed.isprintable():
        raise ValidationFailed("Seed not usable", {"seed": "The seed must be 64 printable characters or fewer"})
    chosen = choose(
        population, wanted, per_service_area=per_service_area, seed=seed, method=method, strata=chosen_strata
    )
    sample = Sample(
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        service_area_ids=areas,
        size_asked=_normalised_size(size),
        per_service_area=per_service_area,
        exclude_months=exclude_months,
        method=method,
        strata=chosen_strata,
        seed=seed,
        population=population,
        population_hash=population_hash(population),
        excluded=excluded,
        drawn_at=at,
        drawn_by_id=by.id if by else None,
    )
    db.session.add(sample)
    db.session.flush()
    # In one statement: thousands of items through the unit of work cost seconds at scale.
    db.session.execute(
        insert(SampleItem),
        [{"sample_id": sample.id, "eia_id": ids[reference], "position": n} for n, reference in enumerate(chosen, 1)],
    )
    db.session.expire(sample, ["items"])
    audit.record(
        "sample_drawn",
        sample,
        by=by,
        detail=f"{len(chosen)} of {len(population)} {scope}: {', '.join(chosen)}",
        changes={
            "seed": [None, seed],
            "method": [None, method],
            **({"strata": [None, chosen_strata]} if method == RISK_WEIGHTED else {}),
            "population_hash": [None, sample.population_hash],
            "population_size": [None, len(population)],
            "references": [None, chosen],
        },
    )
    return sample


@dataclass(frozen=True)
class Verification:
    matches: bool
    stored: list[str]
    redrawn: list[str]
    problems: list[str]


def verify_sample(sample: Sample) -> Verification:
    """Draw again from the stored seed and population and compare, and check both against the
    audit-log entry written when the sample was drawn."""
    with _no_cyclic_gc():
        return _verify(sample)


def _verify(sample: Sample) -> Verification:
    stored = _item_references(sample)
    redrawn = choose(
        sample.population,
        len(stored),
        per_service_area=sample.per_service_area,
        seed=sample.seed,
        method=sample.method,
        strata=sample.strata or [],
    )
    problems = []
    if redrawn != stored:
        problems.append("drawing again from the stored seed and population gives different EIAs")
    if population_hash(sample.population) != sample.population_hash:
        problems.append("the stored population no longer matches its hash")
    entry = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "sample_drawn",
            AuditEntry.entity_type == "sample",
            AuditEntry.entity_id == str(sample.id),
        )
    ).scalar_one_or_none()
    if entry is None:
        problems.append("the audit log has no entry for this draw")
    else:
        logged = entry.changes or {}
        if sample.method == RISK_WEIGHTED and logged.get("strata", [None, None])[1] != sample.strata:
            problems.append("the strata or their weights differ from the ones in the audit log")
        if logged.get("seed", [None, None])[1] != sample.seed:
            problems.append("the seed differs from the one in the audit log")
        if logged.get("population_hash", [None, None])[1] != sample.population_hash:
            problems.append("the population differs from the one in the audit log")
        if logged.get("references", [None, None])[1] != stored:
            problems.append("the sampled EIAs differ from the ones in the audit log")
    return Verification(not problems, stored, redrawn, problems)


def check_draw(sample: Sample, *, by: Any) -> Verification:
    """:func:`verify_sample`, recorded in the audit log ("Check the draw", ``eia sample verify``, the API)."""
    result = verify_sample(sample)
    audit.record("sample_verified", sample, by=by, detail="matches" if result.matches else "; ".join(result.problems))
    return result


def stratum_counts(sample: Sample) -> dict[str, tuple[int, int]]:
    """For a risk-weighted sample: each stratum's members in the population and in the sample."""
    if sample.method != RISK_WEIGHTED:
        return {}
    drawn = set(_item_references(sample))
    counts = {key: [0, 0] for key in STRATA}
    for reference, _, flags in sample.population:
        for key in flags:
            counts[key][0] += 1
            counts[key][1] += reference in drawn
    return {key: (population, sampled) for key, (population, sampled) in counts.items()}


def _item_references(sample: Sample) -> list[str]:
    ids = [item.eia_id for item in sample.items]
    references = dict(db.session.execute(select(Eia.id, Eia.reference).where(Eia.id.in_(ids))).all())
    return [references[item.eia_id] for item in sample.items]
