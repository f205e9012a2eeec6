"""Signing in through the council's OpenID Connect provider (Microsoft Entra ID, Google Workspace or
any other), with Authlib: the authorisation code flow with PKCE, the state and nonce checked, and
the ID token's signature (against the provider's published keys), issuer, audience and expiry
verified before anyone is signed in.

People are matched by the provider's stable subject id, never by their email alone: an existing
account is connected to a provider identity by its email only when the provider says the address is
verified, or when the account was made for provider sign-in (no password, never signed in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import requests
from flask import Flask, current_app
from sqlalchemy import select, update

from eia.accounts.models import Role, User
from eia.accounts.queries import service_area_by_name, user_by_email
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.extensions import db

#: Seconds allowed for clock differences with the provider when checking a token's times.
CLOCK_LEEWAY = 60
#: Seconds to wait for the provider's discovery document, keys and token endpoint.
PROVIDER_TIMEOUT = 10
_EXTENSION = "eia.oidc"


def is_enabled(config: Mapping[str, Any]) -> bool:
    """Whether a provider is configured (its issuer, client id and secret)."""
    return bool(config["EIA_OIDC_ISSUER"] and config["EIA_OIDC_CLIENT_ID"] and config["EIA_OIDC_CLIENT_SECRET"])


def init_provider(app: Flask) -> None:
    """Register the provider's client with Authlib when one is configured (nothing is fetched yet:
    the discovery document is read at the first sign-in)."""
    if not is_enabled(app.config):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=app.config["EIA_OIDC_CLIENT_ID"],
        client_secret=app.config["EIA_OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['EIA_OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["EIA_OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )
    app.extensions[_EXTENSION] = oauth.create_client("oidc")


def client() -> Any | None:
    """This app's provider client, or None when no provider is configured."""
    return current_app.extensions.get(_EXTENSION)


def callback_url() -> str:
    """Where the provider sends people back: built from ``EIA_BASE_URL`` (the address registered
    with the provider), never from the request's Host header."""
    return current_app.config["EIA_BASE_URL"].rstrip("/") + "/sign-in/oidc/callback"


class ProviderError(Exception):
    """The provider's answer cannot be trusted or used; the message says why, for the audit log."""

    def __init__(self, reason: str, *, kind: str = "invalid"):
        super().__init__(reason)
        #: "state" (expired, replayed or from another browser), "denied" (at the provider),
        #: "unreachable" or "invalid".
        self.kind = kind


def verified_claims() -> dict[str, Any]:
    """Finish the authorisation code flow for the request the provider sent back: check the state
    (one use, this browser's), exchange the code with its PKCE verifier, and verify the ID token.

    :raises ProviderError: naming what failed.
    """
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    oidc = client()
    if oidc is None:
        raise ProviderError("no provider is configured")
    issuer = current_app.config["EIA_OIDC_ISSUER"]
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": current_app.config["EIA_OIDC_CLIENT_ID"]},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    try:
        token = oidc.authorize_access_token(claims_options=options, leeway=CLOCK_LEEWAY)
    except MismatchingStateError:
        raise ProviderError("the state was missing, used before or from another browser", kind="state") from None
    except OAuthError as exc:
        kind = "denied" if exc.error in {"access_denied", "login_required", "consent_required"} else "invalid"
        raise ProviderError(
            f"the provider answered {exc.error}: {exc.description or 'no description'}", kind=kind
        ) from None
    except JoseError as exc:
        raise ProviderError(f"the ID token failed its checks ({type(exc).__name__}: {exc})") from None
    except requests.RequestException as exc:
        raise ProviderError(
            f"the provider could not be reached ({type(exc).__name__}: {exc})", kind="unreachable"
        ) from None
    except (ValueError, KeyError) as exc:
        raise ProviderError(f"the provider answered strangely ({type(exc).__name__}: {exc})") from None
    if oidc.server_metadata.get("issuer") != issuer:
        raise ProviderError(f"the discovery document names the issuer {oidc.server_metadata.get('issuer')!r}")
    claims = token.get("userinfo")
    if not claims:
        raise ProviderError("the provider sent no ID token")
    return dict(claims)


def discovery_problem(issuer: str) -> str | None:
    """Why the provider's discovery document cannot be used, or None (for ``eia check-deploy``)."""
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=PROVIDER_TIMEOUT)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as exc:
        return f"cannot read {url} ({type(exc).__name__}: {exc})."
    if document.get("issuer") != issuer:
        return f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}."
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(key)]
    if missing:
        return f"{url} has no {', '.join(missing)}."
    if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
        return f"{url} does not offer PKCE with S256."
    return None


class ProviderOutcome(StrEnum):
    OK = "ok"
    DISABLED = "disabled"
    NO_SUBJECT = "no_subject"
    NO_EMAIL = "no_email"
    NOT_CONNECTED = "not_connected"


@dataclass(frozen=True)
class ProviderSignIn:
    outcome: ProviderOutcome
    user: User | None = None
    created: bool = False
    session_token: str | None = None


def _email_of(claims: Mapping[str, Any]) -> str | None:
    for key in ("email", "preferred_username", "upn"):  # Entra ID gives preferred_username and upn
        value = claims.get(key)
        if isinstance(value, str) and "@" in value and len(value) <= 254:
            return value.strip().lower()
    return None


def _name_of(claims: Mapping[str, Any], email: str) -> str:
    name = claims.get("name")
    if not (isinstance(name, str) and name.strip()):
        name = " ".join(str(claims[key]) for key in ("given_name", "family_name") if claims.get(key))
    return (name or email.split("@")[0]).strip()[:200]


def _groups_of(claims: Mapping[str, Any], claim: str) -> set[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(item) for item in value}
    return set()


def _role_from_groups(claims: Mapping[str, Any]) -> tuple[Role | None, Any, str | None]:
    """The role and service area the first matching group mapping gives, and a note when a mapping
    matched but its service area does not exist."""
    config = current_app.config
    groups = _groups_of(claims, config["EIA_OIDC_GROUPS_CLAIM"])
    for mapping in config["EIA_OIDC_GROUP_ROLES"]:
        if mapping.group not in groups:
            continue
        area = service_area_by_name(mapping.service_area) if mapping.service_area else None
        if mapping.service_area and area is None:
            return None, None, f"group {mapping.group} maps to {mapping.service_area!r}, which is not a service area"
        return Role(mapping.role), area, None
    return None, None, None


def _may_connect(user: User, claims: Mapping[str, Any]) -> bool:
    """Whether an account found by its email may be connected to this provider identity."""
    config = current_app.config
    if user.oidc_subject is not None or user.email == config["EIA_BREAK_GLASS_EMAIL"]:
        return False
    verified = claims.get("email_verified")
    if verified is True:
        return True
    made_for_provider = user.password_hash is None and user.last_sign_in_at is None
    return verified is None and made_for_provider


def sign_in_with_provider(
    claims: Mapping[str, Any], *, ip_address: str | None = None, now: datetime | None = None
) -> ProviderSignIn:
    """Sign in the person the verified ID token *claims* name: found by issuer and subject, else an
    account connected by its email (see the module's rules), else a new person with the role and
    service area of the first matching group mapping, or no role until an administrator gives one.
    Disabled people are refused. Every outcome is audit-logged; the caller commits."""
    config = current_app.config
    now = now or utcnow()
    issuer = config["EIA_OIDC_ISSUER"]
    provider = config["EIA_OIDC_PROVIDER_NAME"]
    subject = claims.get(config["EIA_OIDC_SUBJECT_CLAIM"])
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        audit.record("sign_in_refused", entity_type="user", by=None, detail=f"{provider}: no usable subject id")
        return ProviderSignIn(ProviderOutcome.NO_SUBJECT)
    user = db.session.execute(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).scalar_one_or_none()
    created = False
    if user is None:
        email = _email_of(claims)
        if email is None:
            audit.record(
                "sign_in_refused",
                entity_type="user",
                by=None,
                detail=f"{provider}: subject {subject} sent no email address",
            )
            return ProviderSignIn(ProviderOutcome.NO_EMAIL)
        user = user_by_email(email)
        if user is not None:
            if not _may_connect(user, claims):
                audit.record(
                    "sign_in_refused",
                    user,
                    by=None,
                    detail=f"{provider}: subject {subject} has this account's email address, which cannot be connected",
                )
                return ProviderSignIn(ProviderOutcome.NOT_CONNECTED, user)
            if user.is_enabled:
                db.session.execute(
                    update(User).where(User.id == user.id).values(oidc_issuer=issuer, oidc_subject=subject)
                )
                db.session.refresh(user)
                audit.record(
                    "provider_connected",
                    user,
                    by=user,
                    detail=f"{provider}: subject {subject}",
                    changes={"oidc_subject": [None, subject]},
                )
        else:
            user = _create_from_claims(claims, email=email, issuer=issuer, subject=subject)
            created = True
    if not user.is_enabled:
        audit.record("sign_in_refused_disabled", user, by=user, detail=f"{provider}: account disabled")
        return ProviderSignIn(ProviderOutcome.DISABLED, user)
    values: dict[str, Any] = {"last_sign_in_at": now}
    if user.role is None and not created:
        role, area, _ = _role_from_groups(claims)
        if role is not None:
            values |= {"role": role, "service_area_id": area.id if area else None}
            audit.record(
                "user_role_changed",
                user,
                by=None,
                detail=f"{provider} group mapping",
                changes={"role": [None, role.value]},
            )
    # A Core UPDATE: sign-in bookkeeping must not bump the version an administrator's form holds.
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    db.session.refresh(user)
    from eia.accounts.signing_in import start_session

    sign_in = start_session(user, ip_address=ip_address, now=now)
    audit.record("signed_in", user, by=user, detail=f"through {provider}")
    return ProviderSignIn(ProviderOutcome.OK, user, created=created, session_token=sign_in.token)


def _create_from_claims(claims: Mapping[str, Any], *, email: str, issuer: str, subject: str) -> User:
    provider = current_app.config["EIA_OIDC_PROVIDER_NAME"]
    role, area, note = _role_from_groups(claims)
    user = User(
        email=email,
        name=_name_of(claims, email),
        role=role,
        service_area_id=area.id if area else None,
        password_hash=None,
        is_enabled=True,
        must_change_password=False,
        oidc_issuer=issuer,
        oidc_subject=subject,
    )
    db.session.add(user)
    changes = audit.field_changes(user)
    db.session.flush()
    detail = f"first sign-in through {provider}" + ("" if role else "; no role until an administrator gives one")
    audit.record("user_created", user, by=user, changes=changes, detail=detail + (f" ({note})" if note else ""))
    return user
