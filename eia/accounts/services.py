"""Write use-cases for people, service areas and signing in. They flush and audit, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update

from eia.accounts import passwords
from eia.accounts.models import Role, SavedForm, ServiceArea, User, new_session_token
from eia.accounts.queries import user_by_email
from eia.audit import services as audit
from eia.db_types import utcnow
from eia.errors import ConflictError, ValidationFailed
from eia.extensions import db

SAVED_FORM_LIFETIME = timedelta(hours=24)


class SignInOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    locked_until: datetime | None = None


def authenticate(
    email: str, password: str, *, max_failures: int, lock_minutes: int, now: datetime | None = None
) -> SignInResult:
    """Check a sign-in attempt, counting failures and locking the account after *max_failures*.

    Every outcome is audit-logged. The caller commits whatever the outcome.
    """
    now = now or utcnow()
    user = user_by_email(email)
    if user is None:
        passwords.verify_password(None, password)  # same cost as a real check
        audit.record("sign_in_failed", by=None, entity_type="user", detail=f"unknown email {email.strip()[:200]}")
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)

    if user.is_locked(now):
        audit.record("sign_in_refused_locked", user, by=user, detail="account locked")
        return SignInResult(SignInOutcome.LOCKED, user, user.locked_until)

    if not passwords.verify_password(user.password_hash, password):
        failures = (user.failed_sign_ins if user.locked_until is None else 0) + 1
        values: dict[str, Any] = {"failed_sign_ins": failures, "locked_until": None}
        locked = failures >= max_failures
        if locked:
            values = {"failed_sign_ins": 0, "locked_until": now + timedelta(minutes=lock_minutes)}
        _write_sign_in_state(user, values)
        audit.record("sign_in_failed", user, by=user, detail=f"wrong password ({failures} in a row)")
        if locked:
            audit.record(
                "account_locked",
                user,
                by=None,
                detail=f"{failures} failed sign-ins; locked for {lock_minutes} minutes",
                changes={"locked_until": [None, values["locked_until"]]},
            )
            return SignInResult(SignInOutcome.LOCKED, user, values["locked_until"])
        return SignInResult(SignInOutcome.BAD_CREDENTIALS, user)

    if not user.is_enabled:
        audit.record("sign_in_refused_disabled", user, by=user, detail="account disabled")
        return SignInResult(SignInOutcome.DISABLED, user)

    values = {"failed_sign_ins": 0, "locked_until": None, "last_sign_in_at": now}
    if passwords.needs_rehash(user.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    _write_sign_in_state(user, values)
    audit.record("signed_in", user, by=user)
    return SignInResult(SignInOutcome.OK, user)


def _write_sign_in_state(user: User, values: dict[str, Any]) -> None:
    # A Core UPDATE: sign-in bookkeeping must not bump the version an administrator's form holds.
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    db.session.refresh(user)


def record_sign_out(user: User) -> None:
    audit.record("signed_out", user, by=user)
    db.session.flush()


def _normalise_email(email: str) -> str:
    return email.strip().lower()


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
    password: str,
    by: User | None,
    service_area: ServiceArea | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a person with a role.

    :raises ValidationFailed: if the email is taken, the password too weak or an author has no service area.
    """
    email = _normalise_email(email)
    _check_unique_email(email)
    _check_service_area(role, service_area)
    problem = passwords.password_problem(password, email=email, name=name)
    if problem:
        raise ValidationFailed(problem, {"password": problem})
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        service_area=service_area,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        password_changed_at=utcnow(),
        session_token=new_session_token(),
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

    :raises ConflictError: if someone saved a change after *expected_version* was read.
    :raises ValidationFailed: on a taken email or an author without a service area.
    """
    if user.version != expected_version:
        raise ConflictError(
            f"{user.name}'s details were changed by someone else after you opened the page. "
            "Nothing was saved: open the page again to see the current details."
        )
    email = _normalise_email(email)
    _check_unique_email(email, exclude_id=user.id)
    _check_service_area(role, service_area)
    user.name = name.strip()
    user.email = email
    user.role = role
    user.service_area = service_area
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
    if not enabled:
        user.session_token = new_session_token()
    changes = audit.field_changes(user)
    audit.record("user_enabled" if enabled else "user_disabled", user, by=by, changes=changes, detail=reason)
    db.session.flush()


def unlock_user(user: User, *, by: User) -> None:
    """Lift a sign-in lock before it runs out."""
    old = user.locked_until
    _write_sign_in_state(user, {"locked_until": None, "failed_sign_ins": 0})
    audit.record("account_unlocked", user, by=by, changes={"locked_until": [old, None]})


def change_password(user: User, *, current: str, new: str, by: User) -> None:
    """Change one's own password, signing out every other session.

    :raises ValidationFailed: if the current password is wrong or the new one too weak.
    """
    if not passwords.verify_password(user.password_hash, current):
        audit.record("password_change_failed", user, by=by, detail="current password wrong")
        raise ValidationFailed("Your current password is wrong", {"current_password": "Your current password is wrong"})
    if current == new:
        raise ValidationFailed(
            "The new password is the same",
            {"new_password": "Enter a password different from your current one"},
        )
    problem = passwords.password_problem(new, email=user.email, name=user.name)
    if problem:
        raise ValidationFailed(problem, {"new_password": problem})
    set_password(user, new, by=by)


def set_password(user: User, password: str, *, by: User | None, must_change: bool = False) -> None:
    """Store a new password hash and end every session of *user*."""
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.session_token = new_session_token()
    changes = audit.field_changes(user)
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


def save_form(user_id: int, path: str, data: dict[str, list[str]]) -> str:
    """Keep what someone typed when their session ended; returns the token to restore it with."""
    db.session.execute(delete(SavedForm).where(SavedForm.created_at < utcnow() - SAVED_FORM_LIFETIME))
    token = secrets.token_urlsafe(32)
    db.session.add(SavedForm(token=token, user_id=user_id, path=path, data=data))
    db.session.flush()
    return token


def take_saved_form(token: str, user: User, path: str) -> dict[str, list[str]] | None:
    """Return and forget the saved form for *user* at *path*, or ``None``."""
    saved = db.session.execute(
        select(SavedForm).where(SavedForm.token == token, SavedForm.user_id == user.id, SavedForm.path == path)
    ).scalar_one_or_none()
    if saved is None or saved.created_at < utcnow() - SAVED_FORM_LIFETIME:
        return None
    data = saved.data
    db.session.delete(saved)
    db.session.flush()
    return data
