"""The API for the impacts in two steps, as the pages ask for them: first the direction of every
impact (with a line on why for a neutral one), then, for each impact that is not neutral, the real
effect, who exactly, the severity of a negative one, the evidence and, for one not known, what will
be done to find out. ``PUT /eias/{reference}/impacts`` still sets everything at once."""

from __future__ import annotations

from typing import Any

from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import Shown
from eia.assessments import impacts as impacts_service
from eia.assessments import queries
from eia.assessments.api import eia_first, shown_section
from eia.assessments.models import Characteristic, Eia, Impact
from eia.assessments.schemas import DirectionsInputSchema, ImpactDetailInputSchema, ImpactSchema, SectionSchema
from eia.errors import NotFound, ValidationFailed
from eia.extensions import db

bp = api_blueprint("eia_impacts", __name__, url_prefix="/eias", description="Impacts in two steps")


def _impacts_key(eia: Eia) -> str:
    definition = next((s for s in eia.form.sections if s.kind == "impacts"), None)
    if definition is None:
        raise NotFound(f"{eia.reference} has no impacts section.")
    return definition.key


def _characteristic(eia: Eia, key: str) -> Characteristic:
    found = next((c for c in queries.characteristics_for(eia) if c.key == key), None)
    if found is None:
        raise NotFound(f"{eia.reference} has no impact on {key[:40]!r} to record.")
    return found


def _shown_impact(eia: Eia, characteristic: Characteristic) -> Impact | Shown:
    impact = next((i for i in eia.impacts if i.characteristic_id == characteristic.id), None)
    if impact is not None:
        return impact
    empty = {
        "direction": None,
        "stated_severity": None,
        "description": "",
        "who_affected": "",
        "evidence": "",
        "finding_out": "",
    }
    return Shown(characteristic, characteristic=characteristic, **empty)


@bp.put("/<reference>/impacts/directions")
@eia_first("eia.edit")
@bp.etag
@bp.arguments(DirectionsInputSchema, location="json")
@bp.response(200, SectionSchema)
def save_directions(values: dict[str, Any], eia: Eia) -> dict[str, Any]:
    """Step one: the direction of each impact, by characteristic key (others stay as they are).

    A neutral impact needs a one-line ``reason``; every problem is reported at once. If-Match takes
    the ETag of ``GET .../sections/impacts``."""
    key = _impacts_key(eia)
    current = shown_section(eia, key)
    bp.check_etag(current, SectionSchema)
    by_key = {c.key: c for c in queries.characteristics_for(eia)}
    unknown = sorted(set(values["directions"]) - set(by_key))
    if unknown:
        raise ValidationFailed(
            "Unknown characteristics", {"directions": f"Not in the register for this assessment: {', '.join(unknown)}"}
        )
    directions = {
        by_key[name]: {"direction": given["direction"].value, "reason": given["reason"]}
        for name, given in values["directions"].items()
    }
    impacts_service.save_directions(eia, directions, expected_version=current["version"], by=api_user())
    db.session.commit()
    return shown_section(queries.eia_or_404(eia.reference), key)


@bp.get("/<reference>/impacts/<characteristic>")
@eia_first()
@bp.etag
@bp.response(200, ImpactSchema)
def impact(eia: Eia, characteristic: str) -> Impact | Shown:
    """The impact on one characteristic (by key)."""
    return _shown_impact(eia, _characteristic(eia, characteristic))


@bp.put("/<reference>/impacts/<characteristic>")
@eia_first("eia.edit")
@bp.etag
@bp.arguments(ImpactDetailInputSchema, location="json")
@bp.response(200, ImpactSchema)
def save_detail(values: dict[str, Any], eia: Eia, characteristic: str) -> Impact:
    """Step two, for an impact that is positive, negative or not known.

    The real effect on people, who exactly, the severity (negative only), the evidence and, for one
    not known, what will be done to find out; every problem is reported at once. If-Match takes the
    ETag of ``GET .../impacts/{characteristic}``."""
    found = _characteristic(eia, characteristic)
    current = _shown_impact(eia, found)
    bp.check_etag(current, ImpactSchema)
    if not isinstance(current, Impact):
        raise ValidationFailed("Choose a direction first", {"direction": "Choose the direction of the impact first"})
    detail = dict(values) | {"severity": values["severity"].value if values["severity"] else None}
    saved = impacts_service.save_impact_detail(eia, found, detail, expected_version=current.version, by=api_user())
    db.session.commit()
    return saved
