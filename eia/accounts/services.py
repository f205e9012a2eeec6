"""Write use-cases for people, service areas and signing in. They flush and audit, never commit."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eia.accounts import passwords
from eia.accounts.links import end_links
from eia.accounts.models import Role, SavedForm, ServiceArea, SignInSession, SignInThrottle, User
from eia.accounts.queries import user_by_email
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, check_version
from eia.extensions import db
from eia.permissions import permit

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
    session_token: str | None = None


_LOOKS_LIKE_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,60}$")


def throttle_key(email: str) -> str:
    """Throttles are keyed by a hash, so what people type into the email box is never stored."""
    return hashlib.sha256(_normalise_email(email).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in attempt that may go on to have its password checked (``allowed``), or is refused
    because the address is locked (``locked_until``); see :func:`begin_sign_in`."""

    key: str
    email: str
    user: User | None
    allowed: bool
    #: The attempt's place in the run of failures: the one that reaches the limit locks the address.
    position: int = 0
    locked_until: datetime | None = None


def _claim(key: str, now: datetime, max_failures: int) -> int | None:
    """Count one more attempt for *key*, atomically, unless the address is locked or as many attempts
    as the limit are already counted; returns the attempt's position, or None when refused.

    A lock that has run out starts the count again at 1.
    """
    expired = and_(SignInThrottle.locked_until.is_not(None), SignInThrottle.locked_until <= now)
    claim = (
        update(SignInThrottle)
        .where(
            SignInThrottle.key == key,
            or_(expired, and_(SignInThrottle.locked_until.is_(None), SignInThrottle.failures < max_failures)),
        )
        .values(
            failures=case((expired, 1), else_=SignInThrottle.failures + 1),
            locked_until=None,
            updated_at=now,
        )
        .returning(SignInThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    position = db.session.execute(claim).scalar()
    if position is not None:
        return position
    exists = db.session.execute(select(SignInThrottle.id).where(SignInThrottle.key == key)).scalar()
    if exists is not None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(SignInThrottle(key=key, failures=1, updated_at=now))
        return 1
    except IntegrityError:  # a parallel attempt created it first
        return db.session.execute(claim).scalar()


def local_sign_in_refused(email: str, *, local_sign_in: bool, break_glass: str) -> bool:
    """Whether a password sign-in for *email* is refused because local passwords are switched off
    (only the break-glass administrator may still use one). The refusal is audit-logged; no
    password is checked, so there is nothing to count."""
    typed = _normalise_email(email)
    if local_sign_in or (break_glass and typed == break_glass):
        return False
    user = user_by_email(typed)
    about = {"entity": user} if user else {"entity_type": "user"}
    audit.record("sign_in_refused", by=user, detail="password sign-in is switched off", **about)
    return True


def begin_sign_in(email: str, *, max_failures: int, now: datetime | None = None) -> SignInAttempt:
    """Count a sign-in attempt before its password is checked, so that however many arrive at once,
    at most *max_failures* passwords are checked for one address until it is locked or one of them
    succeeds. The caller commits straight away (the count must be seen by every worker), then calls
    :func:`finish_sign_in`."""
    now = now or utcnow()
    typed = email.strip()
    key = throttle_key(typed)
    user = user_by_email(typed)
    position = _claim(key, now, max_failures)
    if position is None:
        locked_until = db.session.execute(select(SignInThrottle.locked_until).where(SignInThrottle.key == key)).scalar()
        return SignInAttempt(key, typed, user, allowed=False, locked_until=locked_until)
    return SignInAttempt(key, typed, user, allowed=True, position=position)


def finish_sign_in(
    attempt: SignInAttempt,
    password: str,
    *,
    max_failures: int,
    lock_minutes: int,
    ip_address: str | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """Check the password of an attempt counted by :func:`begin_sign_in`; lock the address when this
    was the attempt that reached the limit and it failed; sign in when it is right.

    Known and unknown addresses behave and take the same: the password hash is always checked, and
    unknown addresses lock too, so the answers reveal nothing about who has an account. Every
    outcome is audit-logged; the caller commits whatever the outcome.
    """
    now = now or utcnow()
    user, key = attempt.user, attempt.key
    about = {"entity": user} if user else {"entity_type": "user"}
    unknown = (
        None
        if user
        else ("unknown address " + attempt.email if _LOOKS_LIKE_EMAIL.match(attempt.email) else "unknown address")
    )
    if not attempt.allowed:
        # Refused before any password is checked, a right one included.
        audit.record("sign_in_refused_locked", by=user, detail=unknown or "account locked", **about)
        return SignInResult(SignInOutcome.LOCKED, user, attempt.locked_until or now + timedelta(minutes=lock_minutes))

    password_ok = passwords.verify_password(user.password_hash if user else None, password)
    if not password_ok:
        failures = attempt.position
        locked_until = now + timedelta(minutes=lock_minutes) if failures >= max_failures else None
        if locked_until is not None:
            # The throttle's row before the audit log's lock, in the order a right password takes them
            # (below), so two attempts at once can never each hold what the other waits for.
            db.session.execute(
                update(SignInThrottle)
                .where(SignInThrottle.key == key)
                .values(failures=max_failures, locked_until=locked_until)
                .execution_options(synchronize_session=False)
            )
        audit.record("sign_in_failed", by=user, detail=unknown or f"wrong password ({failures} in a row)", **about)
        if locked_until is not None:
            audit.record(
                "account_locked",
                by=None,
                detail=f"{failures} failed sign-ins; locked for {lock_minutes} minutes"
                + (f" ({unknown})" if unknown else ""),
                changes={"locked_until": [None, locked_until]},
                **about,
            )
            return SignInResult(SignInOutcome.LOCKED, user, locked_until)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS, user)

    if user is None:  # unreachable: only a real hash can match
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not user.is_enabled:
        audit.record("sign_in_refused_disabled", user, by=user, detail="account disabled")
        return SignInResult(SignInOutcome.DISABLED, user)

    db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.key == key).execution_options(synchronize_session=False)
    )
    values: dict[str, Any] = {"last_sign_in_at": now}
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    # A Core UPDATE: sign-in bookkeeping must not bump the version an administrator's form holds.
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    db.session.refresh(user)
    sign_in = start_session(user, ip_address=ip_address, now=now)
    audit.record("signed_in", user, by=user)
    return SignInResult(SignInOutcome.OK, user, session_token=sign_in.token)


def authenticate(
    email: str,
    password: str,
    *,
    max_failures: int,
    lock_minutes: int,
    ip_address: str | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """:func:`begin_sign_in` then :func:`finish_sign_in` in one transaction (for scripts and tests;
    the sign-in page commits between the two)."""
    attempt = begin_sign_in(email, max_failures=max_failures, now=now)
    return finish_sign_in(
        attempt, password, max_failures=max_failures, lock_minutes=lock_minutes, ip_address=ip_address, now=now
    )


def start_session(user: User, *, ip_address: str | None = None, now: datetime | None = None) -> SignInSession:
    """Open a sign-in session for one browser; its token goes into the signed session cookie."""
    sign_in = SignInSession(user_id=user.id, started_at=now or utcnow(), ip_address=ip_address)
    db.session.add(sign_in)
    db.session.flush()
    return sign_in


def session_user(user_id: int, token: str | None, max_age: timedelta) -> User | None:
    """The enabled person behind an open, unexpired sign-in session (one query), or ``None``."""
    if not token:
        return None
    return db.session.execute(
        _session_user_query(), {"user_id": user_id, "token": token, "since": utcnow() - max_age}
    ).scalar_one_or_none()


@cache
def _session_user_query() -> Select[User]:
    # Built once: every signed-in request runs it, and building the statement cost more than running it.
    return (
        select(User)
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            User.is_enabled.is_(True),
            SignInSession.token == bindparam("token"),
            SignInSession.ended_at.is_(None),
            SignInSession.started_at > bindparam("since"),
        )
        .options(joinedload(User.service_area).joinedload(ServiceArea.parent))
    )


def end_sessions(user: User, reason: str, *, token: str | None = None, keep: str | None = None) -> None:
    """End one sign-in session (*token*), or all of *user*'s except *keep*."""
    query = update(SignInSession).where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
    if token is not None:
        query = query.where(SignInSession.token == token)
    if keep is not None:
        query = query.where(SignInSession.token != keep)
    db.session.execute(query.values(ended_at=utcnow(), end_reason=reason))


def end_session_by_token(user_id: int, token: str, reason: str) -> None:
    """End one sign-in session when only the ids are at hand (an idle session being closed)."""
    db.session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.token == token, SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def record_sign_out(user: User, token: str | None) -> None:
    end_sessions(user, "signed out", token=token or "")
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
    password: str | None,
    by: User | audit.SystemActor | None,
    service_area: ServiceArea | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a person with a role; with no *password* they sign in through the provider or set
    their own from an invitation.

    :raises ValidationFailed: if the email is taken, the password too weak or an author has no service area.
    """
    email = _normalise_email(email)
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
    email = _normalise_email(email)
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


def set_reminder_emails(user: User, wanted: bool, *, by: User) -> None:
    """Turn a person's daily reminder email on or off."""
    user.wants_reminder_emails = wanted
    changes = audit.field_changes(user)
    if changes:
        audit.record("reminder_emails_set", user, by=by, changes=changes)
        db.session.flush()
