"""Reading a page never changes anything: every GET of every page, for every role allowed to read it,
runs no INSERT, UPDATE or DELETE except the sign-in session's own bookkeeping.

One GET writes by design: the OpenID Connect provider sends the browser back to
``/sign-in/oidc/callback`` with a GET (the protocol's redirect), and that request is the sign-in
itself (the person, the session, the audit entry). Here it answers 404, no provider being set up;
tests/test_oidc.py covers what it writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from eia.accounts.models import Role, TokenScope
from eia.accounts.tokens import create_token
from tests.factories import matrix_objects
from tests.test_permissions import ANONYMOUS, MATRIX

#: What a signed-in request may write on any page: when the session was last seen.
BOOKKEEPING = re.compile(r"^\s*UPDATE sign_in_sessions\b", re.IGNORECASE)
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

READS = [(path, allowed) for method, path, allowed in MATRIX if method == "GET"]


@contextmanager
def writes_made() -> Iterator[list[str]]:
    """The statements that change data, run while the block runs."""
    found: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if WRITES.match(statement) and not BOOKKEEPING.match(statement):
            found.append(" ".join(statement.split())[:160])

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", listen)


def test_the_listener_sees_a_write(db):
    from tests.factories import make_user

    with writes_made() as found:
        make_user()
    assert any(statement.startswith("INSERT INTO users") for statement in found)


@pytest.mark.parametrize(("path", "allowed"), READS, ids=[path for path, _ in READS])
def test_a_get_writes_nothing(client, login_as, db, path, allowed):
    objects = matrix_objects()
    target = objects["target"]
    token, _ = create_token(target, name="script", scope=TokenScope.READ, days=30, max_days=365, by=target)
    db.session.commit()
    objects.update(token=token.id, secret="not-a-real-link")
    url = path.format_map(objects)  # made before anything is measured
    readers = [who for who in allowed if who != ANONYMOUS] or [ANONYMOUS]
    for who in readers:
        if who != ANONYMOUS:
            login_as(Role(who))
        client.get("/")  # the first request of a session may record it; the page is what is measured
        with writes_made() as found:
            response = client.get(url)
        assert response.status_code < 500
        assert found == [], f"GET {path} as {who} wrote: {found}"
