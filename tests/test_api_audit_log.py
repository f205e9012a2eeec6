"""The audit-log API: the page's filters, pages in either order, the chain check (intact and
tampered) recorded in the log itself, and 422s for malformed filters."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from sqlalchemy import select, text

from eia.accounts.models import Role
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.extensions import db as _db
from tests.conftest import is_postgres

EQUALITIES_AND_ADMIN = {Role.EQUALITIES, Role.ADMIN}

API_PERMISSIONS = [
    ("GET", "/api/v1/audit-log/", EQUALITIES_AND_ADMIN, 403),
    ("GET", "/api/v1/audit-log/verification", EQUALITIES_AND_ADMIN, 403),
]


def _record_at(moment: str, action: str, **kwargs) -> AuditEntry:
    """An entry written as if at *moment* (UTC): the chain covers the time, so it is set as it is written."""
    when = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    with mock.patch("eia.auditlog.services.utcnow", return_value=when):
        entry = audit.record(action, by=None, **kwargs)
    _db.session.commit()
    return entry


def allow_tampering(app) -> None:
    """What a database administrator could do: switch off the append-only triggers (rolled back after the test)."""
    if is_postgres(app):
        _db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
    else:
        _db.session.execute(text("DROP TRIGGER audit_entries_no_update"))
        _db.session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def test_filters_and_pages_newest_or_oldest_first(db, api_as):
    january = _record_at(
        "2024-01-10T09:00:00", "api_test_thing", entity_type="widget", entity_id=7, detail="Blue widget"
    )
    february = _record_at(
        "2024-02-20T23:59:59", "api_test_thing", entity_type="widget", entity_id=8, detail="Red widget"
    )
    march = _record_at("2024-03-05T12:00:00", "api_test_thing", entity_type="gadget", entity_id=7, detail="Red gadget")
    other = _record_at(
        "2024-02-21T00:00:00", "api_test_other", detail="Red herring", changes={"colour": ["red", "blue"]}
    )
    api = api_as(Role.EQUALITIES)

    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/audit-log/?{query}")
        assert response.status_code == 200, response.get_json()
        return [entry["id"] for entry in response.get_json()["items"]]

    first = api.get("/api/v1/audit-log/?action=api_test_thing&per_page=2")
    page = first.get_json()
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (3, 2, 1, 2)
    assert [entry["id"] for entry in page["items"]] == [march.id, february.id]  # newest first, as on the page
    assert ids("action=api_test_thing&per_page=2&page=2") == [january.id]
    assert ids("action=api_test_thing&order=oldest") == [january.id, february.id, march.id]
    assert ids("entity_type=widget") == [february.id, january.id]
    assert ids("entity_type=widget&entity_id=7") == [january.id]
    assert ids("q=red+") == [other.id, march.id, february.id]  # trimmed; in the detail
    assert ids("q=BLUE&order=oldest") == [january.id, other.id]  # any case; in the changes too
    # until takes in the whole day; since starts at its midnight (UTC).
    assert ids("since=2024-02-01&until=2024-02-20") == [february.id]
    assert ids("since=2024-02-21&until=2024-03-05") == [other.id, march.id]
    assert ids("until=2024-01-10") == [january.id]

    entry = page["items"][0]
    assert entry == {
        "id": march.id,
        "seq": march.seq,
        "occurred_at": "2024-03-05T12:00:00+00:00",
        "actor": "system",
        "actor_id": None,
        "action": "api_test_thing",
        "entity_type": "gadget",
        "entity_id": "7",
        "detail": "Red gadget",
        "changes": None,
        "ip_address": None,
        "prev_hash": february.hash,  # the chain: each entry holds the hash of the one before
        "hash": march.hash,
    }
    assert "ETag" not in first.headers


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2025-13-45", "since"),
        ("until=yesterday", "until"),
        ("since=0001-01-01", "since"),
        ("since=2025-06-01&until=2025-05-01", "until"),
        ("order=sideways", "order"),
        ("q=" + "x" * 201, "q"),
        ("entity_id=" + "9" * 65, "entity_id"),
        ("per_page=0", "per_page"),
        ("page=" + "9" * 5000, "page"),
        ("page=1000001", "page"),
    ],
)
def test_malformed_filters_are_422_with_the_field(db, api_as, query, field):
    response = api_as(Role.ADMIN).get(f"/api/v1/audit-log/?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert list(response.get_json()["errors"]) == [field]


def test_the_chain_check_says_intact_and_is_itself_recorded(db, api_as):
    api = api_as(Role.EQUALITIES)
    api.get("/api/v1/audit-log/")  # the token's first use today is in the log before the check
    entries = _db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    response = api.get("/api/v1/audit-log/verification")
    assert response.status_code == 200
    check = response.get_json()
    assert check["intact"] is True
    assert check["entries"] == len(entries)
    assert (check["head_id"], check["head_hash"]) == (entries[-1].id, entries[-1].hash)
    assert check["broken_at"] is None and check["problem"] is None and check["checked_at"]
    logged = api.get("/api/v1/audit-log/?action=audit_log_verified").get_json()["items"]
    assert len(logged) == 1
    assert logged[0]["detail"] == f"{len(entries)} entries; intact"
    assert logged[0]["actor"].startswith(f"{api.user.email} (API token")
    assert logged[0]["prev_hash"] == entries[-1].hash
    # Checked again, the first check's own entry is among those checked.
    assert api.get("/api/v1/audit-log/verification").get_json()["entries"] == len(entries) + 1


def test_the_chain_check_names_an_altered_entry(app, db, api_as):
    api = api_as(Role.ADMIN)
    victim = _record_at("2024-05-01T10:00:00", "api_test_thing", detail="Approved by the cabinet")
    _record_at("2024-05-02T10:00:00", "api_test_thing", detail="A later entry")
    allow_tampering(app)
    _db.session.execute(
        text("UPDATE audit_entries SET detail = 'Approved by nobody' WHERE id = :id"), {"id": victim.id}
    )
    check = api.get("/api/v1/audit-log/verification").get_json()
    assert check["intact"] is False
    assert check["broken_at"] == victim.id
    assert check["problem"] == f"entry #{victim.id} was altered: its content no longer matches its hash"
    assert (
        check["head_id"]
        == _db.session.execute(select(AuditEntry.id).where(AuditEntry.seq == victim.seq - 1)).scalar_one()
    )
    logged = api.get("/api/v1/audit-log/?action=audit_log_verified").get_json()["items"][0]
    assert logged["detail"].endswith(f"broken: entry #{victim.id} was altered: its content no longer matches its hash")


@pytest.mark.parametrize("query", ["q=%00", "action=a%00b"])
def test_a_null_byte_in_a_filter_is_a_400(db, api_as, query):
    response = api_as(Role.ADMIN).get(f"/api/v1/audit-log/?{query}")
    assert response.status_code == 400
    assert "null byte" in response.get_json()["detail"]


def test_a_read_only_token_reads_and_checks_the_log(db, api_as):
    from eia.accounts.models import TokenScope

    api = api_as(Role.EQUALITIES, scope=TokenScope.READ)
    assert api.get("/api/v1/audit-log/").status_code == 200
    assert api.get("/api/v1/audit-log/verification").get_json()["intact"] is True
