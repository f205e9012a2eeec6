"""Quality audits of random samples: the reproducible draw and the check of it.

The draw (method "v1"): the population is every completed EIA (approved, signed off, published or
due for review) approved within the period, optionally in chosen service areas, less those drawn into
a sample in the last *exclude_months* months. It is sorted by reference and stored with the seed, so
the draw never depends on database row order. ``random.Random("v1:" + seed)`` then picks, in order:
with "at least one per service area", one EIA from each service area (areas in ascending id order),
then the rest of the size from those left; otherwise ``sample(population, size)``. Drawing again from
the stored seed and population gives the same EIAs (:func:`verify_sample`).

Scoring against the rubric and the findings are in :mod:`eia.quality.scoring`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from eia.assessments.models import COMPLETED_STATES, Eia
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.quality.models import Sample, SampleItem

METHOD = "v1"
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


def population_hash(population: list[list[Any]]) -> str:
    return hashlib.sha256(json.dumps(population, separators=(",", ":")).encode()).hexdigest()


def choose(population: list[list[Any]], size: int, *, per_service_area: bool, seed: str, method: str = METHOD) -> list:
    """The references drawn from *population* ([[reference, service_area_id], ...] sorted by reference)."""
    if method != METHOD:
        raise ValueError(f"unknown sampling method {method!r}")
    rng = random.Random(f"{method}:{seed}")
    references = [reference for reference, _ in population]
    picked: list[str] = []
    if per_service_area:
        by_area: dict[int, list[str]] = {}
        for reference, area in population:
            by_area.setdefault(area, []).append(reference)
        picked = [rng.choice(by_area[area]) for area in sorted(by_area)]
    taken = set(picked)
    rest = [reference for reference in references if reference not in taken]
    return picked + rng.sample(rest, max(0, size - len(picked)))


def _population(
    period: Period, service_area_ids: list[int], exclude_months: int, at: datetime
) -> tuple[list, list[str]]:
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)
    query = select(Eia.reference, Eia.service_area_id).where(
        Eia.state.in_(COMPLETED_STATES), Eia.approved_at >= start, Eia.approved_at < end
    )
    if service_area_ids:
        query = query.where(Eia.service_area_id.in_(service_area_ids))
    rows = db.session.execute(query.order_by(Eia.reference)).all()
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
    # Sorted here, not by the database, whose collation could order references differently.
    population = sorted([reference, area] for reference, area in rows if reference not in recent)
    return population, sorted(reference for reference, _ in rows if reference in recent)


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
    at: datetime | None = None,
) -> Sample:
    """Draw and freeze a sample; the audit entry holds the seed and the population's hash.

    :raises ValidationFailed: for a bad size or seed, no population, or a size larger than it.
    """
    areas = sorted(set(service_area_ids or []))
    at = at or utcnow()
    population, excluded = _population(period, areas, exclude_months, at)
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
        wanted = max(wanted, len({area for _, area in population}))
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > 64 or not seed.isprintable():
        raise ValidationFailed("Seed not usable", {"seed": "The seed must be 64 printable characters or fewer"})
    chosen = choose(population, wanted, per_service_area=per_service_area, seed=seed)
    ids = dict(db.session.execute(select(Eia.reference, Eia.id).where(Eia.reference.in_(chosen))).all())
    sample = Sample(
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        service_area_ids=areas,
        size_asked=_normalised_size(size),
        per_service_area=per_service_area,
        exclude_months=exclude_months,
        method=METHOD,
        seed=seed,
        population=population,
        population_hash=population_hash(population),
        excluded=excluded,
        drawn_at=at,
        drawn_by_id=by.id if by else None,
    )
    sample.items = [SampleItem(eia_id=ids[reference], position=n) for n, reference in enumerate(chosen, start=1)]
    db.session.add(sample)
    db.session.flush()
    audit.record(
        "sample_drawn",
        sample,
        by=by,
        detail=f"{len(chosen)} of {len(population)} {scope}: {', '.join(chosen)}",
        changes={
            "seed": [None, seed],
            "method": [None, METHOD],
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
    stored = [item_reference for item_reference in _item_references(sample)]
    redrawn = choose(
        sample.population, len(stored), per_service_area=sample.per_service_area, seed=sample.seed, method=sample.method
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


def _item_references(sample: Sample) -> list[str]:
    ids = [item.eia_id for item in sample.items]
    references = dict(db.session.execute(select(Eia.id, Eia.reference).where(Eia.id.in_(ids))).all())
    return [references[item.eia_id] for item in sample.items]
