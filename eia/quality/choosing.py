"""Who a sample picks from its stored population and seed: the same references every time, with
no database.

The population is sorted by reference. Method "v1": ``random.Random("v1:" + seed)`` then picks, in order:
with "at least one per service area", one EIA from each service area (areas in ascending id order),
then the rest of the size from those left; otherwise ``sample(population, size)``. Drawing again from
the stored seed and population gives the same EIAs (:func:`eia.quality.sampling.verify_sample`).

Method "v2" (risk-weighted) leans towards the riskiest decisions. Each EIA of the population is
stored with the strata it belongs to (:data:`STRATA`: budget proposals, key decisions, "continue
despite adverse impact", any high-severity impact), and the sample with each chosen stratum's weight
and minimum count. ``random.Random("v2:" + seed)`` then picks, in order: for each stratum with a
minimum (in :data:`STRATA` order), that many of its members not yet picked (all of them if fewer);
with "at least one per service area", one EIA from each area not yet covered; then the rest of the
size by weighted sampling without replacement (Efraimidis and Spirakis: each EIA left, in reference
order, gets the key ``u ** (1 / w)`` for ``u = random()`` and ``w`` the largest weight of its strata,
or 1; the largest keys win, ties to the lower reference). Minimums and areas may make the sample
larger than the size asked, never smaller.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import random
from typing import Any

from eia.errors import ValidationFailed
from forms.strata import MAX_MINIMUM, MAX_WEIGHT, STRATA

METHOD = "v1"


RISK_WEIGHTED = "v2"


METHODS = (METHOD, RISK_WEIGHTED)


def population_hash(population: list[list[Any]]) -> str:
    return hashlib.sha256(json.dumps(population, separators=(",", ":")).encode()).hexdigest()


def choose(
    population: list[list[Any]],
    size: int,
    *,
    per_service_area: bool,
    seed: str,
    method: str = METHOD,
    strata: list[dict[str, Any]] | None = None,
) -> list:
    """The references drawn from *population* (sorted by reference: ``[[reference, service_area_id],
    ...]`` for v1, ``[[reference, service_area_id, [stratum, ...]], ...]`` for v2)."""
    if method == RISK_WEIGHTED:
        return _choose_weighted(population, size, per_service_area=per_service_area, seed=seed, strata=strata or [])
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


def _choose_weighted(
    population: list[list[Any]], size: int, *, per_service_area: bool, seed: str, strata: list[dict[str, Any]]
) -> list[str]:
    """Method v2, as the module docstring describes it."""
    rng = random.Random(f"{RISK_WEIGHTED}:{seed}")
    settings = {s["key"]: s for s in strata}
    picked: list[str] = []
    taken: set[str] = set()
    for key in STRATA:
        minimum = (settings.get(key) or {}).get("minimum") or 0
        if minimum:
            members = [reference for reference, _, flags in population if key in flags and reference not in taken]
            chosen = rng.sample(members, min(minimum, len(members)))
            picked += chosen
            taken.update(chosen)
    if per_service_area:
        covered = {area for reference, area, _ in population if reference in taken}
        by_area: dict[int, list[str]] = {}
        for reference, area, _ in population:
            if area not in covered and reference not in taken:
                by_area.setdefault(area, []).append(reference)
        chosen = [rng.choice(by_area[area]) for area in sorted(by_area)]
        picked += chosen
        taken.update(chosen)
    wanted = size - len(picked)
    if wanted <= 0:
        return picked
    weights = {key: (settings.get(key) or {}).get("weight") or 1 for key in STRATA}
    draw = rng.random
    # Keys and references in two flat lists (floats and strings): no tuple per assessment.
    keys: list[float] = []
    left: list[str] = []
    for reference, _, flags in population:
        if reference in taken:
            continue
        u = draw()
        if flags:
            weight = max(weights[f] for f in flags)
            if weight != 1:
                u **= 1.0 / weight
        keys.append(u)
        left.append(reference)
    # nlargest is stable: equal keys (never in practice) go to the lower reference.
    return picked + [left[i] for i in heapq.nlargest(wanted, range(len(keys)), key=keys.__getitem__)]


def check_strata(strata: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strata of a risk-weighted draw in :data:`STRATA` order, each ``{"key", "weight",
    "minimum"}``; strata with neither a weight above 1 nor a minimum are left out.

    :raises ValidationFailed: naming the stratum with an unknown key or a weight or minimum out of range.
    """
    problems, kept = {}, {}
    for item in strata:
        key = item.get("key")
        if key not in STRATA:
            problems["strata"] = f"Choose strata from: {', '.join(STRATA.values())}"
            continue
        weight, minimum = item.get("weight"), item.get("minimum")
        if weight is not None and not (isinstance(weight, int) and 1 <= weight <= MAX_WEIGHT):
            problems[f"weight_{key}"] = f"Enter a weight for {STRATA[key].lower()} from 1 to {MAX_WEIGHT}"
        if minimum is not None and not (isinstance(minimum, int) and 0 <= minimum <= MAX_MINIMUM):
            problems[f"minimum_{key}"] = f"Enter a minimum for {STRATA[key].lower()} from 0 to {MAX_MINIMUM}"
        if (weight or 1) > 1 or minimum:
            kept[key] = {"key": key, "weight": weight or 1, "minimum": minimum or 0}
    if problems:
        raise ValidationFailed("Strata not usable", problems)
    return [kept[key] for key in STRATA if key in kept]
