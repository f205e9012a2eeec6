"""Builders for test data: ``make_user(role=...)`` and friends, each with sensible defaults.

Each commits, which in the test fixture only releases a SAVEPOINT: the data survives an error
handler's rollback during a later request and is still thrown away after the test.
"""

from __future__ import annotations

import itertools
from typing import Any

from eia.accounts import passwords
from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import Eia, EiaKind
from eia.assessments.queries import latest_template
from eia.assessments.services import create_eia
from eia.db_types import utcnow
from eia.extensions import db

PASSWORD = "correct horse battery staple"
# Hashing once keeps the suite fast; every user made here shares this password.
_PASSWORD_HASH = passwords.hash_password(PASSWORD)
_counter = itertools.count(1)


def make_service_area(name: str | None = None, parent: ServiceArea | None = None) -> ServiceArea:
    area = ServiceArea(name=name or f"Team {next(_counter)}", parent=parent, is_active=True)
    db.session.add(area)
    db.session.commit()
    return area


def make_user(role: Role = Role.AUTHOR, **overrides: Any) -> User:
    n = next(_counter)
    if "service_area" not in overrides and role is Role.AUTHOR:
        directorate = make_service_area(f"Directorate {n}")
        overrides["service_area"] = make_service_area(f"Team {n}", parent=directorate)
    values: dict[str, Any] = {
        "email": f"person{n}@council.example",
        "name": f"Person {n}",
        "role": role,
        "password_hash": _PASSWORD_HASH,
        "is_enabled": True,
        "password_changed_at": utcnow(),
    }
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_eia(
    author: User | None = None,
    kind: EiaKind = EiaKind.STANDARD,
    title: str = "Library opening hours 2026",
    **fields: Any,
) -> Eia:
    """A draft EIA started by *author* (a new service manager by default) on the newest template."""
    author = author or make_user(Role.AUTHOR)
    area = author.service_area or make_service_area(f"Team {next(_counter)}")
    template = latest_template(kind)
    eia = create_eia(kind=kind, title=title, service_area=area, by=author, template=template)
    for name, value in fields.items():
        setattr(eia, name, value)
    db.session.commit()
    return eia
