"""Personal access tokens for the JSON API: made, used, limited and revoked.

A token is ``eia_`` and 43 random characters. Only its SHA-256 is stored (a random secret this long
needs no slow hash); the secret is shown once. A token acts as its owner: the API checks the same
permissions as the pages, and a read-only token may only read.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, select, update

from eia.accounts.models import ApiToken, TokenScope, User
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import EiaError, ValidationFailed, WorkflowError
from eia.extensions import db

PREFIX = "eia_"
#: Most tokens a person may have active at once.
MAX_ACTIVE = 20


class TokenRefused(EiaError):
    """No usable token came with the request; the message says why without revealing more."""

    status = 401


class RateLimited(EiaError):
    """The token has made too many requests this minute."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__(f"This token has made too many requests. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_tokens(user: User, now: datetime | None = None) -> list[ApiToken]:
    now = now or utcnow()
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def create_token(
    user: User, *, name: str, scope: TokenScope, days: int, max_days: int, by: User | audit.SystemActor
) -> tuple[ApiToken, str]:
    """Make a token for *user* and return it with its secret, which is never shown again.

    :raises ValidationFailed: for an empty or long name, a life outside 1..*max_days* days, or too
        many active tokens.
    """
    name = (name or "").strip()
    problems = {}
    if not name:
        problems["name"] = "Enter a name for the token, for example what will use it"
    elif len(name) > 100:
        problems["name"] = "The name must be 100 characters or fewer"
    if not 1 <= days <= max_days:
        problems["days"] = f"A token lasts from 1 to {max_days} days"
    if not user.is_active:
        problems["user"] = "Tokens are only made for people whose account is enabled"
    if problems:
        raise ValidationFailed("The token could not be made", problems)
    if len(active_tokens(user)) >= MAX_ACTIVE:
        raise ValidationFailed(
            "Too many tokens", {"name": f"You already have {MAX_ACTIVE} active tokens: revoke one you no longer use"}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        secret_hash=secret_hash(secret),
        hint=secret[: len(PREFIX) + 4],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
        window_count=0,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token_created",
        token,
        by=by,
        detail=f"for {user.email}",
        changes={"name": [None, name], "scope": [None, scope.value], "expires_at": [None, token.expires_at]},
    )
    return token, secret


def revoke_token(token: ApiToken, *, by: User | audit.SystemActor) -> None:
    """Stop *token* working at once (views check ``token.revoke`` first).

    :raises WorkflowError: if it was already revoked.
    """
    if token.revoked_at is not None:
        raise WorkflowError("This token has already been revoked.")
    token.revoked_at = utcnow()
    audit.record("api_token_revoked", token, by=by, detail=f"{token.name} of user {token.user_id}")
    db.session.flush()


def token_or_none(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def authenticate_bearer(header: str | None, *, now: datetime | None = None) -> ApiToken:
    """The usable token named by an ``Authorization: Bearer`` header.

    :raises TokenRefused: for a missing, malformed, unknown, expired or revoked token, or a disabled owner.
    """
    now = now or utcnow()
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise TokenRefused("Send a personal access token: 'Authorization: Bearer <token>'.")
    if not secret.startswith(PREFIX) or len(secret) > 100 or not secret.isascii():
        raise TokenRefused("The token is not valid.")
    token = db.session.execute(select(ApiToken).where(ApiToken.secret_hash == secret_hash(secret))).scalar_one_or_none()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        # One answer for unknown, expired, revoked and disabled, so nothing is learnt by trying.
        raise TokenRefused("The token is not valid, has expired or has been revoked.")
    return token


def count_request(token: ApiToken, *, now: datetime | None = None, ip_address: str | None = None) -> int:
    """Count a request against *token* in this minute's window (kept in the database, so every
    worker shares it) and note its use: the first use each day goes in the audit log. Returns the
    requests made in the window so far; the caller commits before refusing one over the limit, so
    refused requests count too."""
    now = now or utcnow()
    window = now.replace(second=0, microsecond=0)
    first_today = token.last_used_at is None or token.last_used_at.date() != now.date()
    count = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(
            window_count=case((ApiToken.window_start == window, ApiToken.window_count + 1), else_=1),
            window_start=window,
            last_used_at=now,
        )
        .returning(ApiToken.window_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if first_today:
        audit.record(
            "api_token_used",
            token,
            by=token.user,
            detail=f"{token.name}: first request of the day",
            ip_address=ip_address,
        )
    return count


def retry_after(now: datetime | None = None) -> int:
    """Seconds until the next window opens."""
    return max(1, 60 - (now or utcnow()).second)
