"""Argon2id password hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both paths cost the same time. Made on first
    use, not at import: every ``eia`` command would otherwise pay for an argon2 hash."""
    return _hasher.hash("not a real password, only here to spend the same time")


MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
