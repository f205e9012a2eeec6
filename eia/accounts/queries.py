"""Reading people and service areas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from eia.accounts.models import Role, ServiceArea, SignInThrottle, User
from eia.db_types import utcnow
from eia.errors import NotFound
from eia.extensions import db


def user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def users(
    text: str | None = None,
    role: Role | None = None,
    service_area_id: int | None = None,
    enabled: bool | None = None,
) -> Select[User]:
    """Users matching the filters, by name, with their service areas loaded in the same query."""
    query = select(User).options(selectinload(User.service_area).selectinload(ServiceArea.parent))
    if text:
        words = text.strip()  # "%" and "_" match themselves
        query = query.where(
            or_(User.name.icontains(words, autoescape=True), User.email.icontains(words, autoescape=True))
        )
    if role:
        query = query.where(User.role == role)
    if service_area_id:
        query = query.where(User.service_area_id == service_area_id)
    if enabled is not None:
        query = query.where(User.is_enabled.is_(enabled))
    return query.order_by(func.lower(User.name), User.id)


def service_area_or_404(area_id: int) -> ServiceArea:
    area = db.session.get(ServiceArea, area_id)
    if area is None:
        raise NotFound("There is no such service area.")
    return area


def service_areas() -> list[ServiceArea]:
    """Every service area, directorates first then their teams, for lists and choices (one query)."""
    parent = aliased(ServiceArea)
    rows = db.session.execute(
        select(ServiceArea, parent)
        .outerjoin(parent, ServiceArea.parent_id == parent.id)
        .order_by(
            func.lower(func.coalesce(parent.name, ServiceArea.name)),
            ServiceArea.parent_id.is_not(None),
            func.lower(ServiceArea.name),
        )
    ).all()
    return [area for area, _ in rows]


def areas_for(user: User) -> list[ServiceArea]:
    """The service areas *user* may file an assessment under: every one for the equalities team and
    administrators; for anyone else their own team, its directorate and the directorate's other teams."""
    every = [area for area in service_areas() if area.is_active]
    if user.role in (Role.EQUALITIES, Role.ADMIN):
        return every
    own = user.service_area
    if own is None:
        return []
    directorate = own.parent_id or own.id
    return [area for area in every if directorate in (area.id, area.parent_id)]


def service_area_choices(include_blank: bool = True) -> list[tuple[str, str]]:
    choices = [("", "None")] if include_blank else []
    return choices + [(str(area.id), area.full_name) for area in service_areas() if area.is_active]


def directorate_choices() -> list[tuple[str, str]]:
    return [("", "None: this is a directorate")] + [
        (str(area.id), area.name) for area in service_areas() if area.is_directorate
    ]


def service_area_by_name(name: str) -> ServiceArea | None:
    """Find by team or directorate name, or by ``Directorate > Team``."""
    name = name.strip()
    if ">" in name:
        directorate, _, team = (part.strip() for part in name.partition(">"))
        parent = aliased(ServiceArea)
        return db.session.execute(
            select(ServiceArea)
            .join(parent, ServiceArea.parent_id == parent.id)
            .where(func.lower(parent.name) == directorate.lower(), func.lower(ServiceArea.name) == team.lower())
        ).scalar_one_or_none()
    matches = (
        db.session.execute(select(ServiceArea).where(func.lower(ServiceArea.name) == name.lower())).scalars().all()
    )
    return matches[0] if len(matches) == 1 else None


def locks_for(people: Sequence[User]) -> dict[int, datetime]:
    """Current sign-in locks of *people*, by user id (one query for the whole list)."""
    from eia.accounts.signing_in import throttle_key

    keys = {throttle_key(person.email): person.id for person in people}
    if not keys:
        return {}
    rows = db.session.execute(
        select(SignInThrottle.key, SignInThrottle.locked_until).where(
            SignInThrottle.key.in_(keys), SignInThrottle.locked_until > utcnow()
        )
    ).all()
    return {keys[key]: until for key, until in rows if until is not None}


def count_users_by_role() -> dict[Role | None, int]:
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    return {role: count for role, count in rows}
