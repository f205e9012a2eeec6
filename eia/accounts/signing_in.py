"""Signing in and out: the throttle on failed attempts, the password check, each browser's sign-in
session, and the form kept while a person signs in again. They flush and audit, never commit."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eia.accounts import passwords
from eia.accounts.models import SavedForm, ServiceArea, SignInSession, SignInThrottle, User
from eia.accounts.queries import user_by_email
from eia.auditlog import services as audit
from eia.db_types import utcnow
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
    session_token: str | None = None


_LOOKS_LIKE_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,60}$")


def throttle_key(email: str) -> str:
    """Throttles are keyed by a hash, so what people type into the email box is never stored."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


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
    typed = normalise_email(email)
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


def normalise_email(email: str) -> str:
    return email.strip().lower()


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
