"""Who writes an assessment and where it belongs: the service area it is filed under, its co-authors,
and handing a draft over to another author. Each change is checked, audit-logged and flushed; the
view or command commits."""

from __future__ import annotations

from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.assessments.models import Coauthor, Eia
from eia.assessments.services import check_area, check_editable
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.permissions import permit


def move_eia(eia: Eia, area_id: int, *, by: User) -> None:
    """File a draft under another service area (its lists, the register and the report count it there).

    :raises WorkflowError: once it has been submitted.
    :raises ValidationFailed: for an area that is not one of *by*'s.
    """
    permit(by, "eia.move", eia)
    check_editable(eia)
    area = check_area(area_id, by)
    if area.id == eia.service_area_id:
        return
    old = eia.service_area
    eia.service_area_id = area.id
    audit.record(
        "eia_moved",
        eia,
        by=by,
        detail=f"from {old.full_name} to {area.full_name}",
        changes={"service_area_id": [old.id, area.id]},
    )
    db.session.flush()


def _writer(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not person.is_enabled:
        raise ValidationFailed("Not a person", {"user_id": "Choose a person who can sign in"})
    return person


def add_coauthor(eia: Eia, user_id: int, *, by: User) -> Coauthor:
    """Let someone who signs in help write the assessment: they may edit it as its author does.

    :raises ValidationFailed: for someone already writing it, or who cannot sign in.
    """
    permit(by, "eia.manage_coauthors", eia)
    check_editable(eia)
    person = _writer(user_id)
    if person.id in eia.writer_ids:
        raise ValidationFailed("Already writing it", {"user_id": f"{person.name} already writes this assessment"})
    coauthor = Coauthor(user_id=person.id, added_by_id=by.id, added_at=utcnow())
    eia.coauthors.append(coauthor)
    db.session.flush()
    audit.record("eia_coauthor_added", eia, by=by, detail=person.name, changes={"coauthors": [None, person.id]})
    return coauthor


def remove_coauthor(eia: Eia, coauthor: Coauthor, *, by: User) -> None:
    """Stop someone co-writing the assessment (what they wrote stays)."""
    permit(by, "eia.manage_coauthors", eia)
    name = coauthor.user.name
    audit.record("eia_coauthor_removed", eia, by=by, detail=name, changes={"coauthors": [coauthor.user_id, None]})
    eia.coauthors.remove(coauthor)
    db.session.flush()


def hand_over(eia: Eia, user_id: int, *, by: User) -> None:
    """Make someone else the author of a draft: they find it in My work and their next daily email;
    the previous author stays on as a co-author.

    :raises ValidationFailed: for someone who is not a service manager who can sign in, or who
        could not see it.
    """
    permit(by, "eia.hand_over", eia)
    check_editable(eia)
    person = _writer(user_id)
    if person.id == eia.author_id:
        raise ValidationFailed("Already the author", {"user_id": f"{person.name} is already the author"})
    if person.role is not Role.AUTHOR:
        raise ValidationFailed("Not a service manager", {"user_id": "Choose a service manager to hand it to"})
    previous = eia.author_id
    existing = next((c for c in eia.coauthors if c.user_id == person.id), None)
    if existing is not None:
        eia.coauthors.remove(existing)
    eia.author_id = person.id
    eia.handed_over_at = utcnow()
    eia.handed_over_by_id = by.id
    if not eia.is_individual:  # an individual action stays with one author only
        eia.coauthors.append(Coauthor(user_id=previous, added_by_id=by.id, added_at=utcnow()))
    audit.record(
        "eia_handed_over",
        eia,
        by=by,
        detail=f"to {person.name}",
        changes={"author_id": [previous, person.id]},
    )
    db.session.flush()


def _people(*, authors_only: bool = False) -> list[tuple[int, str]]:
    query = select(User.id, User.name, User.email).where(User.is_enabled.is_(True)).order_by(User.name)
    if authors_only:
        query = query.where(User.role == Role.AUTHOR)
    return [(r.id, f"{r.name} ({r.email})") for r in db.session.execute(query)]


def people_who_may_write(eia: Eia) -> list[tuple[str, str]]:
    """Choices for a co-author: enabled people, by name, not already writing it."""
    return [(str(person), label) for person, label in _people() if person not in eia.writer_ids]


def people_to_hand_to(eia: Eia) -> list[tuple[str, str]]:
    """Choices for a new author: enabled service managers, by name, its co-authors among them."""
    return [(str(person), label) for person, label in _people(authors_only=True) if person != eia.author_id]
