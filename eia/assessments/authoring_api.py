"""The API for who writes an assessment and where it belongs: its service area, its co-authors and
handing a draft over, through the same services (and checks) as the People page. Abandoning,
restoring and withdrawing a submission are workflow steps: ``POST /eias/{reference}/transitions``."""

from __future__ import annotations

from typing import Any

from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.assessments import authoring, queries
from eia.assessments.api import eia_first, shown_eia
from eia.assessments.models import Coauthor, Eia
from eia.assessments.schemas import CoauthorSchema, EiaSchema, PersonInputSchema, ServiceAreaInputSchema
from eia.errors import NotFound
from eia.extensions import db

bp = api_blueprint(
    "eia_authoring", __name__, url_prefix="/eias", description="Who writes an assessment and where it belongs"
)


@bp.put("/<reference>/service-area")
@eia_first("eia.move")
@bp.etag
@bp.arguments(ServiceAreaInputSchema, location="json")
@bp.response(200, EiaSchema)
def move(values: dict[str, Any], eia: Eia):
    """File a draft under another service area.

    One of the areas you work in (the equalities team and admins: any). Audit-logged with the old and
    new area. If-Match takes the ETag of ``GET /eias/{reference}``."""
    bp.check_etag(shown_eia(eia), EiaSchema)
    authoring.move_eia(eia, values["service_area_id"], by=api_user())
    db.session.commit()
    return shown_eia(queries.eia_or_404(eia.reference))


@bp.get("/<reference>/coauthors")
@eia_first()
@bp.response(200, CoauthorSchema(many=True))
def coauthors(eia: Eia) -> list[Coauthor]:
    """The people who help write the assessment (they may edit it as its author does)."""
    return list(eia.coauthors)


@bp.post("/<reference>/coauthors")
@eia_first("eia.manage_coauthors")
@bp.arguments(PersonInputSchema, location="json")
@bp.response(201, CoauthorSchema)
def add_coauthor(values: dict[str, Any], eia: Eia) -> Coauthor:
    """Add a co-author: someone who signs in, who may then edit every section."""
    coauthor = authoring.add_coauthor(eia, values["user_id"], by=api_user())
    db.session.commit()
    return coauthor


@bp.delete("/<reference>/coauthors/<int:coauthor_id>")
@eia_first("eia.manage_coauthors")
@bp.response(204)
def remove_coauthor(eia: Eia, coauthor_id: int) -> None:
    """Stop someone co-writing the assessment (what they wrote stays)."""
    found = next((c for c in eia.coauthors if c.id == coauthor_id), None)
    if found is None:
        raise NotFound(f"{eia.reference} has no co-author {coauthor_id}.")
    authoring.remove_coauthor(eia, found, by=api_user())
    db.session.commit()


@bp.post("/<reference>/hand-over")
@eia_first("eia.hand_over")
@bp.etag
@bp.arguments(PersonInputSchema, location="json")
@bp.response(200, EiaSchema)
def hand_over(values: dict[str, Any], eia: Eia):
    """Hand the draft over to another service manager.

    They become its author and find it in My work and their next daily email; you stay on as a
    co-author. If-Match takes the ETag of ``GET /eias/{reference}``."""
    bp.check_etag(shown_eia(eia), EiaSchema)
    authoring.hand_over(eia, values["user_id"], by=api_user())
    db.session.commit()
    return shown_eia(queries.eia_or_404(eia.reference))
