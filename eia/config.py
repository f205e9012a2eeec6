"""Configuration, read from the environment.

``EIA_ENV`` chooses the mode: ``production`` (the default), ``demo`` or ``testing``. Outside demo and
testing the app refuses to start without a ``SECRET_KEY``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_addresses(name: str) -> list[str]:
    """Email addresses separated by commas, semicolons or spaces."""
    raw = os.environ.get(name, "")
    addresses = [part for part in raw.replace(";", ",").replace(" ", ",").split(",") if part]
    if not addresses:
        return []
    from email_validator import EmailNotValidError, validate_email  # only when there is something to check

    for address in addresses:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ConfigError(f"{name}: {address!r} is not an email address ({exc}).") from None
    return addresses


def _env_list(name: str, default: str) -> list[str]:
    """Values separated by commas, semicolons or line breaks."""
    raw = os.environ.get(name)
    raw = default if raw is None else raw
    return [part.strip() for part in raw.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


@dataclass(frozen=True)
class GroupRole:
    """People in the provider's *group* get *role* (and *service_area*, a name as ``eia users
    create`` takes it) when they first sign in."""

    group: str
    role: str
    service_area: str | None = None


ROLE_NAMES = ("author", "equalities", "decision_maker", "admin")


def parse_group_roles(raw: str) -> list[GroupRole]:
    """``group=role`` or ``group=role:Service area`` entries, separated by ``;`` or line breaks.

    :raises ConfigError: naming the entry that cannot be read.
    """
    mapping = []
    for entry in (part.strip() for part in raw.replace("\n", ";").split(";")):
        if not entry:
            continue
        group, equals, rest = entry.partition("=")
        role, _, area = rest.partition(":")
        group, role, area = group.strip(), role.strip(), area.strip()
        if not equals or not group or role not in ROLE_NAMES:
            raise ConfigError(
                f"EIA_OIDC_GROUP_ROLES: cannot read {entry!r}; write group=role or group=role:Service area, "
                f"with a role out of {', '.join(ROLE_NAMES)}."
            )
        if role == "author" and not area:
            raise ConfigError(
                f"EIA_OIDC_GROUP_ROLES: {entry!r} gives service managers no service area; write {group}=author:Team name."
            )
        mapping.append(GroupRole(group, role, area or None))
    return mapping


def default_database_url(instance_path: Path) -> str:
    """The embedded SQLite database under ``instance/``."""
    return f"sqlite:///{instance_path / 'eia.sqlite'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _demo_secret(instance_path: Path) -> str:
    """A random key kept under ``instance/`` so demo sessions survive a restart."""
    path = instance_path / "demo-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration from the environment, then apply *overrides* (tests, tools).

    :raises ConfigError: when a required setting is missing or malformed.
    """
    overrides = dict(overrides or {})
    env = overrides.get("EIA_ENV") or os.environ.get("EIA_ENV", "production")
    if overrides.get("TESTING"):
        env = "testing"
    if env not in {"production", "demo", "testing"}:
        raise ConfigError(f"EIA_ENV must be production, demo or testing, not {env!r}.")

    config: dict[str, Any] = {
        "EIA_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url(instance_path)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EIA_COUNCIL_NAME": os.environ.get("EIA_COUNCIL_NAME", "Example Borough Council"),
        "EIA_SERVICE_NAME": "Equality impact assessments",
        # A link to the council's own guidance on equality impact assessments, shown on each section.
        "EIA_GUIDANCE_URL": os.environ.get("EIA_GUIDANCE_URL", ""),
        # Where people ask for an accessible format or report an accessibility problem (the statement).
        "EIA_ACCESSIBILITY_EMAIL": os.environ.get("EIA_ACCESSIBILITY_EMAIL", "equalities@council.example"),
        "EIA_ACCESSIBILITY_PHONE": os.environ.get("EIA_ACCESSIBILITY_PHONE", "020 7946 0123"),
        # Sessions: the cookie lives for a working day; inactivity ends the session sooner.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_NAME": "eia_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "EIA_SESSION_IDLE_MINUTES": _env_int("EIA_SESSION_IDLE_MINUTES", 30),
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Sign-in throttling.
        "EIA_MAX_FAILED_SIGN_INS": _env_int("EIA_MAX_FAILED_SIGN_INS", 5),
        "EIA_LOCK_MINUTES": _env_int("EIA_LOCK_MINUTES", 15),
        # Cheap argon2 parameters for the test suite; never read from the environment.
        "EIA_FAST_PASSWORD_HASHES": env == "testing",
        # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
        "EIA_TRUSTED_PROXIES": _env_int("EIA_TRUSTED_PROXIES", 0),
        # Evidence files: a cap per file, a little headroom for the rest of the form in the request.
        "EIA_MAX_UPLOAD_MB": _env_int("EIA_MAX_UPLOAD_MB", 20),
        "EIA_EVIDENCE_DIR": os.environ.get("EIA_EVIDENCE_DIR") or str(instance_path / "evidence"),
        "EIA_EVIDENCE_RETENTION_DAYS": _env_int("EIA_EVIDENCE_RETENTION_DAYS", 6 * 365),
        # Rendered annual-report PDFs, kept until the data or the day changes.
        "EIA_REPORT_DIR": os.environ.get("EIA_REPORT_DIR") or str(instance_path / "reports"),
        # Empty: evidence and rendered PDFs in the two folders above (one server). s3://bucket/prefix:
        # in an S3-compatible store that every server shares (boto3 reads the endpoint, region and
        # credentials from the AWS_* variables).
        "EIA_STORAGE_URL": os.environ.get("EIA_STORAGE_URL", "").strip(),
        # Signing in: local passwords (off: only the break-glass administrator may use one), and an
        # OpenID Connect provider (Microsoft Entra ID, Google Workspace ...) found by its issuer URL.
        "EIA_LOCAL_SIGN_IN": _env_bool("EIA_LOCAL_SIGN_IN", True),
        "EIA_BREAK_GLASS_EMAIL": os.environ.get("EIA_BREAK_GLASS_EMAIL", "").strip().lower(),
        "EIA_OIDC_ISSUER": os.environ.get("EIA_OIDC_ISSUER", "").strip().rstrip("/"),
        "EIA_OIDC_CLIENT_ID": os.environ.get("EIA_OIDC_CLIENT_ID", "").strip(),
        "EIA_OIDC_CLIENT_SECRET": os.environ.get("EIA_OIDC_CLIENT_SECRET", ""),
        "EIA_OIDC_PROVIDER_NAME": os.environ.get("EIA_OIDC_PROVIDER_NAME", "").strip() or "your council account",
        "EIA_OIDC_SCOPES": os.environ.get("EIA_OIDC_SCOPES", "").strip() or "openid email profile",
        "EIA_OIDC_SUBJECT_CLAIM": os.environ.get("EIA_OIDC_SUBJECT_CLAIM", "").strip() or "sub",
        "EIA_OIDC_GROUPS_CLAIM": os.environ.get("EIA_OIDC_GROUPS_CLAIM", "").strip() or "groups",
        "EIA_OIDC_GROUP_ROLES": parse_group_roles(os.environ.get("EIA_OIDC_GROUP_ROLES", "")),
        # Forgotten passwords: links asked for in an hour, per email address and per client address.
        "EIA_PASSWORD_RESETS_PER_ADDRESS": _env_int("EIA_PASSWORD_RESETS_PER_ADDRESS", 3),
        "EIA_PASSWORD_RESETS_PER_CLIENT": _env_int("EIA_PASSWORD_RESETS_PER_CLIENT", 20),
        # Operations: log lines (json or text) and their level; who may read /metrics (client
        # addresses or networks, or anyone sending the token as a bearer token).
        "EIA_LOG_FORMAT": os.environ.get("EIA_LOG_FORMAT", "").strip().lower()
        or ("json" if env == "production" else "text"),
        "EIA_LOG_LEVEL": os.environ.get("EIA_LOG_LEVEL", "").strip().upper() or "INFO",
        "EIA_METRICS_ALLOWED_IPS": _env_list("EIA_METRICS_ALLOWED_IPS", "127.0.0.1/32, ::1/128"),
        "EIA_METRICS_TOKEN": os.environ.get("EIA_METRICS_TOKEN", ""),
        # Quality audits: the target of EIAs audited each quarter, and how long an audited EIA is
        # left out of later draws.
        "EIA_AUDITS_PER_QUARTER": _env_int("EIA_AUDITS_PER_QUARTER", 1),
        # The yearly equality information (Specific Duties Regulations 2017): the day ("DD-MM") by which
        # it is published each year; the equalities team is reminded 8 and 2 weeks before.
        "EIA_EQUALITY_INFORMATION_DUE": os.environ.get("EIA_EQUALITY_INFORMATION_DUE", "31-01"),
        "EIA_SAMPLE_EXCLUDE_MONTHS": _env_int("EIA_SAMPLE_EXCLUDE_MONTHS", 12),
        # Reminders (`eia remind`): the SMTP server, the sender, and the address links point to.
        "EIA_SMTP_HOST": os.environ.get("EIA_SMTP_HOST", "localhost"),
        "EIA_SMTP_PORT": _env_int("EIA_SMTP_PORT", 25),
        "EIA_SMTP_STARTTLS": os.environ.get("EIA_SMTP_STARTTLS", "").lower() in {"1", "true", "yes"},
        "EIA_SMTP_USERNAME": os.environ.get("EIA_SMTP_USERNAME", ""),
        "EIA_SMTP_PASSWORD": os.environ.get("EIA_SMTP_PASSWORD", ""),
        "EIA_MAIL_FROM": os.environ.get("EIA_MAIL_FROM", "equality-assessments@localhost"),
        "EIA_BASE_URL": os.environ.get("EIA_BASE_URL", "http://127.0.0.1:5000"),
        "EIA_REVIEW_NOTICE_DAYS": _env_int("EIA_REVIEW_NOTICE_DAYS", 30),
        "EIA_REVIEW_TARGET_WORKING_DAYS": _env_int("EIA_REVIEW_TARGET_WORKING_DAYS", 10),
        # Signed checkpoints of the audit log: the Ed25519 key that signs them (`eia audit-log keygen`;
        # the demo keeps one under instance/), a checkpoint every N entries (0: only `eia audit-log
        # checkpoint`), and the addresses each checkpoint is emailed to.
        "EIA_AUDIT_SIGNING_KEY_FILE": os.environ.get("EIA_AUDIT_SIGNING_KEY_FILE")
        or (str(instance_path / "audit-log-signing.key") if env == "demo" else ""),
        "EIA_AUDIT_CHECKPOINT_EVERY": _env_int("EIA_AUDIT_CHECKPOINT_EVERY", 1000),
        "EIA_AUDIT_WITNESS_EMAILS": _env_addresses("EIA_AUDIT_WITNESS_EMAILS"),
        # Public pages and the annual report's figures kept in each worker's memory until the data
        # changes (eia.page_cache); off, they are built for every request (ETags still answer 304).
        "EIA_PAGE_CACHE": _env_bool("EIA_PAGE_CACHE", True),
        # How often (seconds) each worker asks the database whether the public pages it keeps are
        # still current, for visitors who are not signed in; 0: on every request.
        "EIA_PUBLIC_PAGE_SECONDS": _env_int("EIA_PUBLIC_PAGE_SECONDS", 1),
        # The JSON API: requests each personal access token may make in a minute, and the longest
        # life a new token may be given.
        "EIA_API_REQUESTS_PER_MINUTE": _env_int("EIA_API_REQUESTS_PER_MINUTE", 120),
        "EIA_API_TOKEN_MAX_DAYS": _env_int("EIA_API_TOKEN_MAX_DAYS", 365),
        # flask-smorest: the OpenAPI document is served at /api/v1/openapi.json.
        "API_TITLE": "Equality impact assessments API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    config.update(overrides)
    if env != "testing":
        config["EIA_FAST_PASSWORD_HASHES"] = False
    config.setdefault("MAX_CONTENT_LENGTH", (config["EIA_MAX_UPLOAD_MB"] + 1) * 1024 * 1024)
    # Upload views read a body up to this size, so a file over the limit is measured and refused on
    # its form (see eia.web.accepts_uploads); beyond it the 413 page says the size.
    config.setdefault("EIA_UPLOAD_READ_LIMIT_MB", _env_int("EIA_UPLOAD_READ_LIMIT_MB", config["EIA_MAX_UPLOAD_MB"] * 5))
    config["EIA_ENV"] = env
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])

    if not config["SECRET_KEY"]:
        if env == "demo":
            config["SECRET_KEY"] = _demo_secret(instance_path)
        elif env == "testing":
            config["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise ConfigError(
                "SECRET_KEY is not set: the app signs sessions with it and will not start without one. "
                "Set SECRET_KEY to a long random value (python3 -c 'import secrets; "
                "print(secrets.token_hex(32))'), or set EIA_ENV=demo to try the demo."
            )
    if config["EIA_AUDIT_CHECKPOINT_EVERY"] < 0:
        raise ConfigError("EIA_AUDIT_CHECKPOINT_EVERY must be 0 (off) or a number of entries, like 1000.")
    if not 0 <= config["EIA_PUBLIC_PAGE_SECONDS"] <= 60:
        raise ConfigError("EIA_PUBLIC_PAGE_SECONDS must be a number of seconds from 0 to 60, like 1.")
    _check_operations(config)
    if len(config["SECRET_KEY"]) < 16 and env == "production":
        raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
    return config


def _check_operations(config: dict[str, Any]) -> None:
    """Refuse settings that cannot be read (what is merely unwise, ``eia check-deploy`` reports)."""
    import ipaddress

    from eia.storage import parse_storage_url

    try:
        parse_storage_url(config["EIA_STORAGE_URL"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if config["EIA_LOG_FORMAT"] not in {"json", "text"}:
        raise ConfigError(f"EIA_LOG_FORMAT must be json or text, not {config['EIA_LOG_FORMAT']!r}.")
    if config["EIA_LOG_LEVEL"] not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"EIA_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {config['EIA_LOG_LEVEL']!r}.")
    for network in config["EIA_METRICS_ALLOWED_IPS"]:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(
                f"EIA_METRICS_ALLOWED_IPS: {network!r} is not an address or network (like 10.0.0.0/8)."
            ) from None
    for name in ("EIA_PASSWORD_RESETS_PER_ADDRESS", "EIA_PASSWORD_RESETS_PER_CLIENT"):
        if config[name] < 1:
            raise ConfigError(f"{name} must be 1 or more.")
