"""What a client needs to fill in the rest: who the token belongs to, the characteristic register,
service areas and the people who can own an action."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields
from sqlalchemy import func, select

from eia.accounts import queries as accounts
from eia.accounts.models import User
from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import Shown
from eia.assessments import queries
from eia.assessments.schemas import CharacteristicSchema, PersonSchema, ServiceAreaSchema
from eia.extensions import db

bp = api_blueprint("reference", __name__, url_prefix="", description="Who you are, the register, service areas, people")


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String(attribute="role.value")
    service_area = fields.Nested(ServiceAreaSchema, allow_none=True)
    token = fields.Dict(metadata={"description": "The token this request came with: name, scope, expiry"})


@bp.get("/me")
@bp.response(200, MeSchema)
def me() -> Shown:
    """The token's owner and the token itself."""
    token = g.api_token
    return Shown(
        api_user(),
        token={"name": token.name, "scope": token.scope.value, "expires_at": token.expires_at.isoformat()},
    )


@bp.get("/characteristics")
@bp.response(200, CharacteristicSchema(many=True))
def characteristics():
    """The characteristic register.

    The nine protected characteristics of the Equality Act 2010 and the council's own."""
    return queries.characteristics()


@bp.get("/service-areas")
@bp.response(200, ServiceAreaSchema(many=True))
def service_areas():
    """Directorates and their teams."""
    return accounts.service_areas()


@bp.get("/people")
@bp.response(200, PersonSchema(many=True))
def people():
    """People with an enabled account.

    Lead officers and the owners of mitigations are chosen from them."""
    return db.session.execute(
        select(User.id, User.name).where(User.is_enabled.is_(True)).order_by(func.lower(User.name), User.id)
    ).all()
