"""Write use-cases for people and service areas. They flush and audit, never commit; signing in and
out is in :mod:`eia.accounts.signing_in`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from eia.accounts import passwords
from eia.accounts.links import end_links
from eia.accounts.models import Role, ServiceArea, SignInThrottle, User
from eia.accounts.signing_in import end_sessions, normalise_email, throttle_key
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, check_version
from eia.extensions import db
from eia.permissions import permit


def _check_unique_email(email: str, exclude_id: int | None = None) -> None:
    query = select(func.count()).select_from(User).where(User.email == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if db.session.execute(query).scalar_one():
        raise ValidationFailed(
            "That email address is taken", {"email": "A user with this email address already exists"}
        )


def _check_service_area(role: Role, service_area: ServiceArea | None) -> None:
    if role is Role.AUTHOR and service_area is None:
        raise ValidationFailed(
            "A service manager needs a service area",
            {"service_area_id": "Select the service area this service manager works in"},
        )


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    by: User | audit.SystemActor | None,
    service_area: ServiceArea | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a person with a role; with no *password* they sign in through the provider or set
    their own from an invitation.

    :raises ValidationFailed: if the email is taken, the password too weak or an author has no service area.
    """
    email = normalise_email(email)
    _check_unique_email(email)
    _check_service_area(role, service_area)
    if password is not None:
        problem = passwords.password_problem(password, email=email, name=name)
        if problem:
            raise ValidationFailed(problem, {"password": problem})
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        service_area_id=service_area.id if service_area else None,
        password_hash=passwords.hash_password(password) if password is not None else None,
        must_change_password=must_change_password and password is not None,
        password_changed_at=utcnow() if password is not None else None,
        is_enabled=True,
    )
    db.session.add(user)
    changes = audit.field_changes(user)
    db.session.flush()
    audit.record("user_created", user, by=by, changes=changes)
    return user


def update_user(
    user: User,
    *,
    by: User,
    expected_version: int,
    name: str,
    email: str,
    role: Role,
    service_area: ServiceArea | None,
) -> dict[str, list[Any]]:
    """Change a person's details, role or service area; returns the field changes.

    :raises PermissionDenied: unless *by* may edit *user* (and change their role, when it changes).
    :raises ConflictError: if someone saved a change after *expected_version* was read.
    :raises ValidationFailed: on a taken email or an author without a service area.
    """
    permit(by, "user.edit", user)
    if role is not user.role:
        permit(by, "user.change_role", user)
    check_version(
        user,
        expected_version,
        f"{user.name}'s details were changed by someone else after you opened the page.",
    )
    email = normalise_email(email)
    _check_unique_email(email, exclude_id=user.id)
    _check_service_area(role, service_area)
    user.name = name.strip()
    user.email = email
    user.role = role
    # The column, not the relationship: field_changes sees columns, and the log needs this change.
    user.service_area_id = service_area.id if service_area else None
    changes = audit.field_changes(user)
    if changes:
        action = "user_role_changed" if "role" in changes else "user_updated"
        audit.record(action, user, by=by, changes=changes)
        db.session.flush()
    return changes


def set_user_enabled(user: User, enabled: bool, *, by: User, reason: str | None = None) -> None:
    """Disable (signing them out everywhere) or re-enable a person."""
    if user.is_enabled == enabled:
        return
    user.is_enabled = enabled
    changes = audit.field_changes(user)
    if not enabled:
        end_sessions(user, "disabled")
        end_links(user, "disabled")
    audit.record("user_enabled" if enabled else "user_disabled", user, by=by, changes=changes, detail=reason)
    db.session.flush()


def unlock_user(user: User, *, by: User) -> None:
    """Lift a sign-in lock before it runs out."""
    throttle = db.session.execute(
        select(SignInThrottle).where(SignInThrottle.key == throttle_key(user.email))
    ).scalar_one_or_none()
    if throttle is None:
        return
    audit.record("account_unlocked", user, by=by, changes={"locked_until": [throttle.locked_until, None]})
    db.session.delete(throttle)
    db.session.flush()


def change_password(user: User, *, current: str, new: str, by: User, keep_session: str | None = None) -> None:
    """Change one's own password, signing out every other session (all but *keep_session*).

    :raises ValidationFailed: if the current password is wrong or the new one too weak.
    """
    if not passwords.verify_password(user.password_hash, current):
        audit.record("password_change_failed", user, by=by, detail="current password wrong")
        raise ValidationFailed(
            "Your current password is wrong", {"current_password": "Your current password is wrong"}, keep_record=True
        )
    if current == new:
        raise ValidationFailed(
            "The new password is the same",
            {"new_password": "Enter a password different from your current one"},
        )
    problem = passwords.password_problem(new, email=user.email, name=user.name)
    if problem:
        raise ValidationFailed(problem, {"new_password": problem})
    set_password(user, new, by=by, keep_session=keep_session)


def set_password(
    user: User, password: str, *, by: User | None, must_change: bool = False, keep_session: str | None = None
) -> None:
    """Store a new password hash and end every session of *user* (but *keep_session*)."""
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    changes = audit.field_changes(user)
    end_sessions(user, "password changed", keep=keep_session)
    end_links(user, "password changed")
    audit.record("password_changed" if by is user else "password_reset", user, by=by, changes=changes)
    db.session.flush()


def create_service_area(name: str, *, by: User | None, parent: ServiceArea | None = None) -> ServiceArea:
    """Add a directorate (no parent) or a team in a directorate.

    :raises ValidationFailed: on a duplicate name in the same directorate or a team under a team.
    """
    name = " ".join(name.split())
    if parent is not None and not parent.is_directorate:
        raise ValidationFailed("Teams sit in a directorate", {"parent_id": "Choose a directorate, not a team"})
    clash = select(func.count()).select_from(ServiceArea).where(func.lower(ServiceArea.name) == name.lower())
    clash = clash.where(ServiceArea.parent_id == parent.id if parent else ServiceArea.parent_id.is_(None))
    if db.session.execute(clash).scalar_one():
        where = f"in {parent.name}" if parent else "as a directorate"
        raise ValidationFailed("That name is taken", {"name": f"There is already a service area called {name} {where}"})
    area = ServiceArea(name=name, parent=parent, is_active=True)
    db.session.add(area)
    db.session.flush()
    audit.record(
        "service_area_created",
        area,
        by=by,
        changes={"name": [None, name], "parent": [None, parent and parent.name]},
    )
    return area


def set_reminder_emails(user: User, wanted: bool, *, by: User) -> None:
    """Turn a person's daily reminder email on or off."""
    user.wants_reminder_emails = wanted
    changes = audit.field_changes(user)
    if changes:
        audit.record("reminder_emails_set", user, by=by, changes=changes)
        db.session.flush()
