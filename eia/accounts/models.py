"""People, roles and service areas."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model
from eia.roles import ROLE_LABELS as ROLE_LABELS  # re-exported: where the people are, their roles are too
from eia.roles import Role as Role


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ServiceArea(Model):
    """A directorate (no parent) or a team within a directorate."""

    __tablename__ = "service_areas"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[ServiceArea | None] = relationship(remote_side=[id], back_populates="teams")
    teams: Mapped[list[ServiceArea]] = relationship(back_populates="parent", order_by="ServiceArea.name")

    @property
    def is_directorate(self) -> bool:
        return self.parent_id is None

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} > {self.name}" if self.parent else self.name

    def __repr__(self) -> str:
        return f"<ServiceArea {self.id} {self.full_name!r}>"


class User(UserMixin, Model):
    """A person who signs in. Each browser they sign in from has a :class:`SignInSession`."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # None: signed in through the council's provider for the first time and waiting for an
    # administrator to give them a role; they can do nothing until then.
    role: Mapped[Role | None] = mapped_column(enum_column(Role))
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"), index=True)
    # None: no password of their own (yet): invited, or signing in only through the provider.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The OpenID Connect provider's stable id for this person (its issuer and their subject).
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The daily digest of what is due (``eia remind``); the app shows the same items either way.
    wants_reminder_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service_area: Mapped[ServiceArea | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions for disabled people
        return self.is_enabled

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def role_label(self) -> str:
        return self.role.label if self.role else "No role yet"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class SignInSession(Model):
    """One signed-in browser. Signing out ends it; a password change or disabling ends them all;
    it also ends by itself after the absolute session lifetime."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"<SignInSession {self.id} user {self.user_id}>"


class SignInThrottle(Model):
    """Failed sign-ins for one email address, known or not, keyed by a hash of the address so that
    nothing typed into the email box is kept. Unknown addresses lock exactly like real ones."""

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<SignInThrottle {self.id} {self.failures}>"


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountLink(Model):
    """A single-use link emailed to a person: an invitation to set their password, or a password
    reset. Only a SHA-256 of the link's secret is kept."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it can no longer be used: "used", or "replaced" by a newer link or a password change.
    end_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AccountLink {self.id} {self.purpose} of user {self.user_id}>"


class RateLimit(Model):
    """Requests counted in a fixed window for one key (a hashed email address, a client address),
    shared by every worker and server through the database."""

    __tablename__ = "rate_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<RateLimit {self.key} {self.count}>"


class SavedForm(Model):
    """What someone typed into a form when their session had expired, kept until they sign in again."""

    __tablename__ = "saved_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SavedForm {self.id} {self.path}>"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return "Read only" if self is TokenScope.READ else "Read and write"


class ApiToken(Model):
    """A personal access token for the JSON API. Only a SHA-256 of the secret is kept: the secret
    is shown once, when the token is made. A token acts as its owner, within its scope."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so a person can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(12))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Requests in the current minute (fixed window), shared by every worker through the database.
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.expires_at <= now else "Active"

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r} of user {self.user_id}>"
