"""The roles people have in the app (kept apart from the accounts models so that the permission
rules, the navigation and the forms can name them without loading the accounts package)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AUTHOR = "author"
    EQUALITIES = "equalities"
    DECISION_MAKER = "decision_maker"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.AUTHOR: "Service manager (author)",
    Role.EQUALITIES: "Equalities team",
    Role.DECISION_MAKER: "Decision maker (SLT)",
    Role.ADMIN: "Administrator",
}
