"""Single-use links emailed to people: an invitation to set their password (72 hours) and a password
reset (1 hour). Only a SHA-256 of each link's secret is kept; using one sets the password and ends
every other session and link of that person. Requests for resets are counted per address and per
client in the database, so every server shares the count."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from eia import metrics
from eia.accounts import passwords
from eia.accounts.models import AccountLink, LinkPurpose, RateLimit, User
from eia.accounts.queries import user_by_email
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.mail import SmtpFailed, send_one
from eia.template_filters import format_datetime

log = logging.getLogger(__name__)

LIFETIMES = {LinkPurpose.INVITATION: timedelta(hours=72), LinkPurpose.PASSWORD_RESET: timedelta(hours=1)}
RESET_WINDOW = timedelta(hours=1)
PATHS = {LinkPurpose.INVITATION: "/invitation/", LinkPurpose.PASSWORD_RESET: "/sign-in/reset/"}


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _hashed(text: str) -> str:
    return hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()


def take_from_limit(key: str, *, limit: int, window: timedelta, now: datetime | None = None) -> bool:
    """Count one request for *key* in its current fixed window, atomically; False (nothing counted)
    when *limit* requests are already counted there. The caller commits before doing the work, so
    every worker and server sees the count."""
    now = now or utcnow()
    expired = RateLimit.window_start <= now - window
    claim = (
        update(RateLimit)
        .where(RateLimit.key == key, or_(expired, and_(~expired, RateLimit.count < limit)))
        .values(
            count=case((expired, 1), else_=RateLimit.count + 1),
            window_start=case((expired, now), else_=RateLimit.window_start),
        )
        .returning(RateLimit.count)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(claim).scalar() is not None:
        return True
    if db.session.execute(select(RateLimit.id).where(RateLimit.key == key)).scalar() is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(RateLimit(key=key, window_start=now, count=1))
        return True
    except IntegrityError:  # a parallel request made it first
        return db.session.execute(claim).scalar() is not None


def _window_end(key: str, window: timedelta) -> datetime | None:
    start = db.session.execute(select(RateLimit.window_start).where(RateLimit.key == key)).scalar()
    return start + window if start else None


def end_links(user: User, reason: str, *, now: datetime | None = None) -> None:
    """Make every unused link of *user* unusable (a newer one was sent, or the password changed)."""
    db.session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
        .values(used_at=now or utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def issue_link(user: User, purpose: LinkPurpose, *, by: User | None, now: datetime | None = None) -> str:
    """Make a new link for *user* (ending their older ones) and return its secret, which is never
    stored: only its SHA-256 is."""
    now = now or utcnow()
    end_links(user, "replaced", now=now)
    secret = secrets.token_urlsafe(32)
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        secret_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
    )
    db.session.add(link)
    db.session.flush()
    action = "invitation_made" if purpose is LinkPurpose.INVITATION else "password_reset_link_made"
    audit.record(action, user, by=by, detail=f"single-use link valid until {link.expires_at:%Y-%m-%d %H:%M} UTC")
    return secret


@dataclass(frozen=True)
class LinkState:
    """What a link's secret opens: its link and person, or why it cannot be used."""

    link: AccountLink | None
    problem: str | None  # "unknown", "used", "expired", "disabled"


def link_state(secret: str, purpose: LinkPurpose, now: datetime | None = None) -> LinkState:
    now = now or utcnow()
    if not secret or len(secret) > 100:
        return LinkState(None, "unknown")
    link = db.session.execute(
        select(AccountLink).where(AccountLink.secret_hash == secret_hash(secret), AccountLink.purpose == purpose)
    ).scalar_one_or_none()
    if link is None:
        return LinkState(None, "unknown")
    if link.used_at is not None:
        return LinkState(link, "used")
    if link.expires_at <= now:
        return LinkState(link, "expired")
    if not link.user.is_enabled:
        return LinkState(link, "disabled")
    return LinkState(link, None)


class LinkUnusable(Exception):
    """The link was used, ran out or was replaced while its page was open; ``problem`` says which."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def use_link(secret: str, purpose: LinkPurpose, password: str, *, now: datetime | None = None) -> User:
    """Set the password of the link's person and end the link, every other link of theirs and all
    their sessions. The link is taken by one atomic UPDATE, so two uses at once set it only once.

    :raises ValidationFailed: when the password is not good enough (the link stays usable).
    :raises LinkUnusable: when the link cannot be used (any more).
    """
    now = now or utcnow()
    state = link_state(secret, purpose, now)
    if state.problem or state.link is None:
        raise LinkUnusable(state.problem or "unknown")
    user = state.link.user
    problem = passwords.password_problem(password, email=user.email, name=user.name)
    if problem:
        raise ValidationFailed(problem, {"password": problem})
    taken = db.session.execute(
        update(AccountLink)
        .where(AccountLink.id == state.link.id, AccountLink.used_at.is_(None), AccountLink.expires_at > now)
        .values(used_at=now, end_reason="used")
        .returning(AccountLink.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if taken is None:
        raise LinkUnusable("used")
    from eia.accounts.services import set_password

    set_password(user, password, by=user)  # ends their other links and sessions too
    audit.record(
        "invitation_accepted" if purpose is LinkPurpose.INVITATION else "password_reset_used",
        user,
        by=user,
        detail="password set through a single-use link; every other session ended",
    )
    db.session.flush()
    return user


@dataclass(frozen=True)
class ResetRequest:
    """What to send after the commit: the person and the link's secret (None: send nothing)."""

    user: User | None = None
    secret: str | None = None


def may_use_password(user: User) -> bool:
    config = current_app.config
    return config["EIA_LOCAL_SIGN_IN"] or (
        bool(config["EIA_BREAK_GLASS_EMAIL"]) and user.email == config["EIA_BREAK_GLASS_EMAIL"]
    )


def request_password_reset(email: str, *, client: str | None, now: datetime | None = None) -> ResetRequest:
    """Count a request for a reset link per client and per address; make a link when the address
    belongs to an enabled person who signs in with a password and neither count is used up.

    The answer a person sees is the same whether or not the address has an account, and whether or
    not its count is used up; only a client sending too many requests is told so.

    :raises ValidationFailed: (keeping the audit entry) when the client has asked too often.
    """
    config = current_app.config
    now = now or utcnow()
    typed = email.strip().lower()
    client_key = f"reset-client:{_hashed(client or 'unknown')}"
    if not take_from_limit(client_key, limit=config["EIA_PASSWORD_RESETS_PER_CLIENT"], window=RESET_WINDOW, now=now):
        audit.record("password_reset_refused", entity_type="user", by=None, detail="too many requests from one client")
        until = _window_end(client_key, RESET_WINDOW) or now + RESET_WINDOW
        message = (
            f"Too many reset links have been asked for from your network. Try again after {format_datetime(until)}."
        )
        raise ValidationFailed(message, {"email": message}, keep_record=True)
    user = user_by_email(typed)
    about = {"entity": user} if user else {"entity_type": "user"}
    address_key = f"reset-address:{_hashed(typed)}"
    if not take_from_limit(address_key, limit=config["EIA_PASSWORD_RESETS_PER_ADDRESS"], window=RESET_WINDOW, now=now):
        audit.record("password_reset_refused", by=None, detail="too many requests for one address", **about)
        return ResetRequest()
    if user is None or not user.is_enabled or not may_use_password(user):
        why = (
            "unknown address"
            if user is None
            else ("account disabled" if not user.is_enabled else "signs in through the provider")
        )
        audit.record("password_reset_refused", by=None, detail=f"no link sent: {why}", **about)
        return ResetRequest()
    return ResetRequest(user, issue_link(user, LinkPurpose.PASSWORD_RESET, by=None, now=now))


def _link_url(purpose: LinkPurpose, secret: str) -> str:
    return current_app.config["EIA_BASE_URL"].rstrip("/") + PATHS[purpose] + secret


def link_email(user: User, purpose: LinkPurpose, secret: str, *, invited_by: User | None = None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["EIA_MAIL_FROM"]
    message["To"] = user.email
    if purpose is LinkPurpose.INVITATION:
        message["Subject"] = f"You have been invited to {config['EIA_SERVICE_NAME'].lower()}"
        template = "email/invitation.txt"
    else:
        message["Subject"] = f"Reset your password for {config['EIA_SERVICE_NAME'].lower()}"
        template = "email/password_reset.txt"
    message.set_content(
        render_template(
            template,
            user=user,
            url=_link_url(purpose, secret),
            hours=int(LIFETIMES[purpose].total_seconds() // 3600),
            invited_by=invited_by,
            council=config["EIA_COUNCIL_NAME"],
            service=config["EIA_SERVICE_NAME"],
            base_url=config["EIA_BASE_URL"],
        )
    )
    return message


def send_link(user: User, purpose: LinkPurpose, secret: str, *, invited_by: User | None = None) -> str | None:
    """Email a link (after the commit that stored it); the reason when it could not be sent."""
    return _deliver(link_email(user, purpose, secret, invited_by=invited_by), purpose, user.id)


def send_link_after_answering(user: User, purpose: LinkPurpose, secret: str) -> threading.Thread:
    """Email a link on a thread of its own, so the answer does not wait for the SMTP server: how long
    the answer took would otherwise tell anyone asking whether the address has an account. A failure
    is logged and counted, as :func:`send_link`'s are."""
    message = link_email(user, purpose, secret)
    app, user_id = current_app._get_current_object(), user.id  # type: ignore[attr-defined]

    def send() -> None:
        with app.app_context():
            _deliver(message, purpose, user_id)

    # Not a daemon: a worker that is stopping (a deploy, max-requests) waits for the email first.
    thread = threading.Thread(target=send, name=f"eia-{purpose.value}-email", daemon=False)
    thread.start()
    return thread


def _deliver(message: EmailMessage, purpose: LinkPurpose, user_id: int) -> str | None:
    kind = purpose.value
    try:
        send_one(message)
    except SmtpFailed as exc:
        metrics.ACCOUNT_EMAILS.labels(kind=kind, outcome="failed").inc()
        log.error("%s email to user %s not sent: %s", kind, user_id, exc)
        return str(exc)
    metrics.ACCOUNT_EMAILS.labels(kind=kind, outcome="sent").inc()
    return None
