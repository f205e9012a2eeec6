"""The impact on each characteristic, in two steps.

Step one, one page: a direction for every characteristic in the register (positive, neutral, negative
or not known), with a short reason for a neutral one. Step two, a page each for the others: the real
effect on people, who exactly, how severe (negative only), the evidence behind it, and for one not
known what will be done to find out. Then the section's own questions (intersectional and cumulative
effects, the three aims of the duty) and whether it is complete.

``save_impacts`` saves all of it at once, as the API does.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from eia import signals
from eia.accounts.models import User
from eia.assessments.evidence_services import set_characteristic_evidence
from eia.assessments.models import Characteristic, Eia, EiaSection, Impact
from eia.assessments.queries import characteristics_for, readable_answers
from eia.assessments.services import check_editable, open_section, plain_answer, store_section
from eia.assessments.states import Direction, Severity
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, check_version
from eia.evidence import queries as evidence_queries
from eia.evidence.models import EvidenceItem
from eia.extensions import db
from forms.definitions import Section

IMPACT_FIELDS = ("direction", "severity", "description", "who_affected", "evidence", "finding_out")

#: Reasons people often give for no differential effect, offered as they type.
COMMON_NEUTRAL_REASONS = (
    "The change applies to everyone in the same way",
    "No difference in use or need by this group in the service data",
    "The consultation raised nothing for this group",
    "The service is not used by this group",
)


def impact_problems(characteristic: Characteristic, values: dict[str, Any]) -> dict[str, str]:
    """What one characteristic's impact still needs before the section is complete (messages name it)."""
    problems = {}
    prefix = f"c_{characteristic.key}_"
    direction = values.get("direction")
    name = characteristic.name
    if not direction:
        problems[prefix + "direction"] = (
            f"{name}: select whether the impact is positive, neutral, negative or not known"
        )
        return problems
    if direction == Direction.NEUTRAL.value:
        if not values.get("description"):
            problems[prefix + "description"] = f"{name}: say briefly why there is no effect"
        return problems
    if not values.get("description"):
        problems[prefix + "description"] = f"{name}: describe the real effect on people"
    if direction == Direction.NEGATIVE.value and not values.get("severity"):
        problems[prefix + "severity"] = f"{name}: select how severe the negative impact is"
    if direction == Direction.NOT_KNOWN.value and not values.get("finding_out"):
        problems[prefix + "finding_out"] = f"{name}: say what will be done to find out the impact"
    return problems


def values_of(impact: Impact | None) -> dict[str, Any]:
    """An impact's fields as plain values (directions and severities by their value)."""
    if impact is None:
        return {}
    return {name: (v.value if isinstance(v := getattr(impact, name), Enum) else (v or None)) for name in IMPACT_FIELDS}


def all_problems(eia: Eia) -> dict[str, str]:
    """What every characteristic's impact still needs."""
    saved = {impact.characteristic_id: impact for impact in eia.impacts}
    problems: dict[str, str] = {}
    for characteristic in characteristics_for(eia):
        problems |= impact_problems(characteristic, values_of(saved.get(characteristic.id)))
    return problems


def _apply(
    eia: Eia, characteristic: Characteristic, raw: dict[str, Any], changes: dict[str, list[Any]]
) -> Impact | None:
    """Set one characteristic's impact from *raw* (fields left out stay as they are), noting each change."""
    existing = next((i for i in eia.impacts if i.characteristic_id == characteristic.id), None)
    values = values_of(existing) | {name: plain_answer(raw[name]) or None for name in IMPACT_FIELDS if name in raw}
    if values.get("direction") != Direction.NEGATIVE.value:
        values["severity"] = None  # severity belongs to a negative impact only
    impact = existing
    if impact is None:
        if not any(values.get(name) for name in IMPACT_FIELDS):
            return None
        impact = Impact(
            characteristic_id=characteristic.id, description="", who_affected="", evidence="", finding_out=""
        )
        eia.impacts.append(impact)
    before = values_of(existing)
    for name in IMPACT_FIELDS:
        if before.get(name) != values.get(name):
            changes[f"impacts.{characteristic.key}.{name}"] = [before.get(name), values.get(name)]
            if name == "direction":
                impact.direction = Direction(values[name]) if values[name] else None
            elif name == "severity":
                impact.severity = Severity(values[name]) if values[name] else None
            else:
                setattr(impact, name, values.get(name) or "")
    return impact


def _touch(section: EiaSection, by: User) -> None:
    """Mark the section as changed (its version moves on, so a page opened before sees a clash)."""
    section.updated_at = utcnow()
    section.updated_by_id = by.id


def save_directions(
    eia: Eia,
    directions: dict[Characteristic, dict[str, Any]],
    *,
    expected_version: int,
    by: User,
) -> EiaSection:
    """Step one: the direction of the impact on each characteristic, and a short reason for a neutral
    one. The details of the others are asked for on a page each; a characteristic left without a
    direction is asked for again when the section is completed.

    :raises ConflictError: if the section was saved by someone else after *expected_version*.
    :raises ValidationFailed: naming each neutral impact with no reason.
    """
    section, definition = open_section(eia, "impacts", expected_version)
    problems: dict[str, str] = {}
    for characteristic, raw in directions.items():
        if raw.get("direction") == Direction.NEUTRAL.value and not (raw.get("reason") or "").strip():
            problems[f"c_{characteristic.key}_reason"] = f"{characteristic.name}: say briefly why there is no effect"
    if problems:
        raise ValidationFailed("Some impacts need attention", problems)
    changes: dict[str, list[Any]] = {}
    for characteristic, raw in directions.items():
        if not raw.get("direction"):
            continue  # not answered yet: the section cannot be completed until it is
        fields = {"direction": raw["direction"]}
        if raw["direction"] == Direction.NEUTRAL.value:
            fields["description"] = raw.get("reason")
        _apply(eia, characteristic, fields, changes)
    if changes:
        _touch(section, by)
        audit.record("eia_section_saved", eia, by=by, detail=f"{definition.title}: directions", changes=changes)
    db.session.flush()
    return section


def save_impact_detail(
    eia: Eia,
    characteristic: Characteristic,
    values: dict[str, Any],
    *,
    expected_version: int,
    by: User,
    evidence_ids: list[int] | None = None,
) -> Impact:
    """Step two, for one characteristic: the real effect, who exactly, the severity of a negative
    impact, the evidence, and for one not known what will be done to find out; with *evidence_ids*,
    the assessment's evidence items that support it (replacing those linked before).

    :raises ConflictError: if someone saved this impact after *expected_version*.
    :raises ValidationFailed: for what it still needs.
    """
    check_editable(eia)
    impact = next((i for i in eia.impacts if i.characteristic_id == characteristic.id), None)
    if impact is None or not impact.needs_detail:
        raise ValidationFailed("Choose a direction first", {"direction": "Choose the direction of the impact first"})
    check_version(
        impact, expected_version, f"Someone else saved the impact on {characteristic.name.lower()} after you opened it."
    )
    merged = values_of(impact) | {
        name: values.get(name) for name in ("description", "who_affected", "severity", "evidence", "finding_out")
    }
    problems = impact_problems(characteristic, merged)
    if problems:
        raise ValidationFailed(
            "Some answers need attention",
            {key.removeprefix(f"c_{characteristic.key}_"): text for key, text in problems.items()},
        )
    changes: dict[str, list[Any]] = {}
    _apply(eia, characteristic, values, changes)
    if changes:
        if (section := eia.section("impacts")) is not None:
            _touch(section, by)
        audit.record(
            "eia_section_saved", eia, by=by, detail=f"Impact on {characteristic.name.lower()}", changes=changes
        )
    if evidence_ids is not None:
        set_characteristic_evidence(eia, characteristic, evidence_ids, by=by)
    db.session.flush()
    return impact


def save_impact_summary(
    eia: Eia, answers: dict[str, Any], *, completed: bool, expected_version: int, by: User
) -> EiaSection:
    """Step three: the section's own questions (intersectional and cumulative effects, the three aims of
    the duty) and whether the whole section is complete, which needs every impact answered.

    :raises ConflictError: if the section was saved by someone else after *expected_version*.
    :raises ValidationFailed: naming each answer, here or on another step, still missing.
    """
    section, definition = open_section(eia, "impacts", expected_version)
    problems = all_problems(eia) if completed else {}
    try:
        return store_section(eia, section, definition, answers, completed=completed, by=by, problems=problems)
    except ValidationFailed as exc:
        if not set(exc.fields) <= set(problems):
            raise
        # Only the other steps miss an answer: what was written here is kept, in progress.
        store_section(eia, section, definition, answers, completed=False, by=by)
        raise ValidationFailed(str(exc), exc.fields, keep_record=True) from None


def save_impacts(
    eia: Eia,
    impacts: dict[Characteristic, dict[str, Any]],
    answers: dict[str, Any],
    *,
    completed: bool,
    expected_version: int,
    by: User,
) -> EiaSection:
    """Save the impact on each characteristic and the section's own questions at once (the API).

    :raises ConflictError: if the section was saved by someone else after *expected_version*.
    :raises ValidationFailed: naming each characteristic still missing an answer, when completed.
    """
    section, definition = open_section(eia, "impacts", expected_version)
    changes: dict[str, list[Any]] = {}
    for characteristic, raw in impacts.items():
        _apply(eia, characteristic, {name: raw.get(name) for name in IMPACT_FIELDS}, changes)
    problems = all_problems(eia) if completed else {}
    return store_section(
        eia, section, definition, answers, completed=completed, by=by, problems=problems, changes=changes
    )


def across_groups_page(eia: Eia, definition: Section, saved: EiaSection, user: User) -> dict[str, Any]:
    """What step three shows besides its form: the answers as saved, every problem still in the way
    of completing the section, and the panels other packages add to the page."""
    return {
        "saved": saved,
        "readable": readable_answers(definition, saved.answers),
        "problems": all_problems(eia),
        "panels": signals.values_from(signals.eia_panels.send(None, eia=eia, page="across_groups", user=user)),
    }


def evidence_for(eia: Eia, characteristic: Characteristic) -> tuple[list[EvidenceItem], list[int]]:
    """The assessment's evidence, and the ids of the items that support *characteristic*."""
    items = evidence_queries.for_subject(eia)
    return items, [item.id for item in items if characteristic in item.characteristics]


def impact_page(eia: Eia, impact: Impact, items: list[EvidenceItem]) -> dict[str, Any]:
    """What step two shows besides its form: the impact and its characteristic, its place among the
    impacts that need their details, and the assessment's evidence by characteristic."""
    characteristic = impact.characteristic
    needing = [
        c for c in characteristics_for(eia) if any(i.characteristic_id == c.id and i.needs_detail for i in eia.impacts)
    ]
    return {
        "impact": impact,
        "characteristic": characteristic,
        "position": needing.index(characteristic) + 1,
        "count": len(needing),
        "evidence": evidence_queries.by_characteristic(items),
    }
