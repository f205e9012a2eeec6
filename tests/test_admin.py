"""Administration: creating, editing, disabling people; service areas; every change logged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from eia.accounts import passwords
from eia.accounts.models import Role, ServiceArea, SignInThrottle, User
from eia.accounts.signing_in import throttle_key
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from tests.conftest import sign_in_session
from tests.factories import PASSWORD, make_service_area, make_user


def latest_entry(db, action: str) -> AuditEntry:
    return db.session.execute(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one()


def new_user_form(area: ServiceArea | None, **overrides) -> dict:
    data = {
        "name": "Dana Whitfield",
        "email": "Dana.Whitfield@council.example",
        "role": "author",
        "service_area_id": str(area.id) if area else "",
        "sign_in": "password",
        "password": "temporary password 42",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_who_must_then_choose_a_password(client, login_as, db):
    admin = login_as(Role.ADMIN)
    area = make_service_area("Libraries", parent=make_service_area("Communities"))
    response = client.post("/admin/users/new", data=new_user_form(area))
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.email == "dana.whitfield@council.example")).scalar_one()
    assert user.role is Role.AUTHOR and user.service_area_id == area.id and user.must_change_password
    assert passwords.verify_password(user.password_hash, "temporary password 42")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dana Whitfield can now sign in" in page

    entry = latest_entry(db, "user_created")
    assert entry.actor_id == admin.id and entry.entity_id == str(user.id)
    assert entry.changes["role"] == [None, "author"]
    assert entry.changes["password_hash"] == ["(not shown)", "(not shown)"]
    assert entry.ip_address == "127.0.0.1"


def test_bad_new_user_form_keeps_what_was_typed(client, login_as, db):
    login_as(Role.ADMIN)
    page = client.post("/admin/users/new", data=new_user_form(None, email="not-an-email", password="short")).get_data(
        as_text=True
    )
    assert "There is a problem" in page
    assert "Enter an email address in the correct format" in page
    assert 'value="Dana Whitfield"' in page
    assert 'value="not-an-email"' in page
    assert db.session.execute(select(User).where(User.name == "Dana Whitfield")).first() is None


def test_service_manager_needs_a_service_area_and_email_must_be_free(client, login_as, db):
    login_as(Role.ADMIN)
    page = client.post("/admin/users/new", data=new_user_form(None)).get_data(as_text=True)
    assert "Select the service area this service manager works in" in page
    taken = make_user(Role.EQUALITIES)
    page = client.post("/admin/users/new", data=new_user_form(None, email=taken.email, role="equalities")).get_data(
        as_text=True
    )
    assert "A user with this email address already exists" in page


def test_role_change_is_logged_with_old_and_new_values(client, login_as, db):
    admin = login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    response = client.post(
        f"/admin/users/{person.id}",
        data={
            "name": person.name,
            "email": person.email,
            "role": "equalities",
            "service_area_id": str(person.service_area_id),
            "version": str(person.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.role is Role.EQUALITIES
    entry = latest_entry(db, "user_role_changed")
    assert entry.changes == {"role": ["author", "equalities"]}
    assert entry.actor_id == admin.id


def test_two_admins_editing_the_same_person_get_a_conflict_not_an_overwrite(client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR, name="Original Name")
    opened_version = person.version
    person.name = "Changed By Someone Else"
    db.session.commit()

    response = client.post(
        f"/admin/users/{person.id}",
        data={
            "name": "My Edit",
            "email": person.email,
            "role": "author",
            "service_area_id": str(person.service_area_id),
            "version": str(opened_version),
        },
    )
    assert response.status_code == 409
    assert "changed by someone else after you opened the page" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.name == "Changed By Someone Else"


def test_disable_signs_out_and_enable_lets_back_in(app, client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    their_browser = app.test_client()
    sign_in_session(their_browser, person)
    assert their_browser.get("/").status_code == 200

    response = client.post(f"/admin/users/{person.id}/disable", data={"reason": "Left the council"})
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302
    entry = latest_entry(db, "user_disabled")
    assert entry.detail == "Left the council" and entry.changes["is_enabled"] == [True, False]

    assert client.post(f"/admin/users/{person.id}/enable").status_code == 302
    db.session.refresh(person)
    assert person.is_enabled
    assert latest_entry(db, "user_enabled").entity_id == str(person.id)
    response = their_browser.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_unlock_lifts_a_sign_in_lock(client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    db.session.add(
        SignInThrottle(key=throttle_key(person.email), failures=0, locked_until=utcnow() + timedelta(minutes=10))
    )
    db.session.commit()
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Locked after failed sign-ins until" in page and "Unlock account" in page
    assert "Locked" in client.get("/admin/users/").get_data(as_text=True)
    client.post(f"/admin/users/{person.id}/unlock")
    assert db.session.execute(select(SignInThrottle)).first() is None
    assert latest_entry(db, "account_unlocked").entity_id == str(person.id)
    assert "Unlock account" not in client.get(f"/admin/users/{person.id}").get_data(as_text=True)


def test_service_area_change_is_logged(client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    new_area = make_service_area("Licensing", parent=make_service_area("Regulatory Services"))
    old_area_id = person.service_area_id
    client.post(
        f"/admin/users/{person.id}",
        data={
            "name": person.name,
            "email": person.email,
            "role": "author",
            "service_area_id": str(new_area.id),
            "version": str(person.version),
        },
    )
    db.session.refresh(person)
    assert person.service_area_id == new_area.id
    assert latest_entry(db, "user_updated").changes == {"service_area_id": [old_area_id, new_area.id]}


def test_tampered_form_values_get_a_clear_refusal(client, login_as, db):
    login_as(Role.ADMIN)
    person = make_user(Role.AUTHOR)
    data = {"name": "X", "email": person.email, "role": "author", "service_area_id": str(person.service_area_id)}
    assert client.post(f"/admin/users/{person.id}", data={**data, "version": "abc"}).status_code == 409
    assert client.get("/admin/users/?service_area=²").status_code == 400
    assert client.get("/admin/users/?status=maybe").status_code == 400


def test_user_list_filters_by_role_and_text(client, login_as, db):
    login_as(Role.ADMIN, name="Zed Admin")
    make_user(Role.EQUALITIES, name="Erin Equalities")
    make_user(Role.AUTHOR, name="Arthur Author")
    page = client.get("/admin/users/?role=equalities").get_data(as_text=True)
    assert "Erin Equalities" in page and "Arthur Author" not in page
    page = client.get("/admin/users/?q=arthur").get_data(as_text=True)
    assert "Arthur Author" in page and "Erin Equalities" not in page
    assert client.get("/admin/users/?role=emperor").status_code == 400

    exported = client.post("/admin/users/export.csv?role=equalities")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="users.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(row["name"], row["role"]) for row in rows] == [("Erin Equalities", "Equalities team")]
    assert latest_entry(db, "users_exported").detail == "1 user"


def test_service_areas_directorate_then_team_and_no_duplicates(client, login_as, db):
    login_as(Role.ADMIN)
    assert client.post("/admin/service-areas/", data={"name": "Culture", "parent_id": ""}).status_code == 302
    culture = db.session.execute(select(ServiceArea).where(ServiceArea.name == "Culture")).scalar_one()
    client.post("/admin/service-areas/", data={"name": "Museums", "parent_id": str(culture.id)})
    page = client.get("/admin/service-areas/").get_data(as_text=True)
    assert "Culture" in page and "Museums" in page
    page = client.post("/admin/service-areas/", data={"name": "museums", "parent_id": str(culture.id)}).get_data(
        as_text=True
    )
    assert "There is already a service area called museums in Culture" in page
    assert latest_entry(db, "service_area_created").changes["parent"] == [None, "Culture"]
