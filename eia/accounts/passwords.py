"""Argon2id password hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

#: argon2id with argon2-cffi's parameters (RFC 9106's second recommendation: 64 MiB, 3 passes).
STANDARD = PasswordHasher()
#: The same algorithm at a fraction of the cost, for the test suite only (``TESTING``): hashes stay
#: real argon2id, verifiable by the standard hasher; a sign-in there rehashes them.
FAST_FOR_TESTS = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("EIA_FAST_PASSWORD_HASHES"):
        return FAST_FOR_TESTS
    return STANDARD


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so both paths cost the same time. Made on first
    use, not at import: every ``eia`` command would otherwise pay for an argon2 hash."""
    return hasher.hash("not a real password, only here to spend the same time")


MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why *password* is not good enough, or ``None``. Length over composition rules (NCSC advice)."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    lowered = password.lower()
    if email and lowered == email.lower():
        return "Password must not be your email address"
    if name and lowered == name.lower():
        return "Password must not be your name"
    if len(set(password)) < 4:
        return "Password must not repeat the same few characters"
    return None
