"""The one form path: a refused save undoes only its own changes (a SAVEPOINT, not a rollback of the
request), a clash shows both versions and keeps what was typed, optimistic locking in one place."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import inspect, select, update
from wtforms import HiddenField, StringField

from eia.accounts.models import Role
from eia.auditlog.models import AuditEntry
from eia.errors import ConflictError, ValidationFailed, check_version
from eia.forms_support import Conflict, submit_form
from tests.factories import make_eia, make_plan, make_user
from tracker.models import PlanAction


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Full name")
    version = HiddenField()


def test_a_refused_save_undoes_its_own_change_and_nothing_else(app, db):
    person = make_user(Role.AUTHOR, name="Ada Lovelace")
    other = make_user(Role.AUTHOR, name="Grace Hopper")
    assert other.name == "Grace Hopper"  # loaded: a full rollback would expire it

    def save():
        person.name = "Changed then refused"
        db.session.flush()
        raise ValidationFailed("No", {"name": "Enter a name the council recognises"})

    with app.test_request_context(method="POST", data={"name": "Changed then refused"}):
        form = NameForm()
        assert submit_form(form, save, saved="Saved.", then="/") is None
        assert form.name.errors == ["Enter a name the council recognises"]
    assert person.name == "Ada Lovelace"
    assert inspect(other).expired_attributes == set()


def test_a_refusal_that_keeps_its_record_commits_the_audit_entry(app, db):
    person = make_user(Role.AUTHOR)

    def save():
        from eia.auditlog import services as audit

        audit.record("password_change_failed", person, by=person, detail="current password wrong")
        raise ValidationFailed("Wrong", {"name": "Wrong"}, keep_record=True)

    with app.test_request_context(method="POST", data={"name": "x"}):
        assert submit_form(NameForm(), save, saved="Saved.", then="/") is None
    db.session.rollback()  # what a later error would do: the entry was committed before it
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "password_change_failed")).scalar_one()


def test_check_version_names_the_clash_and_carries_the_saved_object(db):
    person = make_user(Role.AUTHOR)
    check_version(person, person.version, "unused")
    with pytest.raises(ConflictError) as raised:
        check_version(person, person.version - 1, "Changed by someone else.")
    assert str(raised.value) == "Changed by someone else." and raised.value.current is person


def test_a_clash_shows_both_versions_and_posts_what_was_typed_again_at_the_new_version(app, db):
    person = make_user(Role.AUTHOR, name="Ada Lovelace")
    opened = person.version
    db.session.execute(
        update(type(person)).where(type(person).id == person.id).values(name="Ada King", version=opened + 1)
    )

    def save():
        check_version(person, opened, "Their details were changed by someone else after you opened the page.")

    with app.test_request_context(method="POST", data={"name": "Augusta Ada", "version": str(opened)}):
        answer = submit_form(
            NameForm(),
            save,
            saved="Saved.",
            then="/",
            conflict=Conflict(person, lambda saved: {"name": saved.name}, "Ada's details"),
        )
    page, status = answer
    assert status == 409
    assert "Ada&#39;s details changed while you were editing" in page
    assert "Augusta Ada" in page and "Ada King" in page
    assert f'name="version" value="{opened + 1}"' in page and 'name="name" value="Augusta Ada"' in page


def test_a_progress_update_that_moves_the_status_is_not_refused_by_a_concurrent_change(db):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    lead = make_user(Role.EQUALITIES)
    # The row changed since this session read it (another person's update or correction).
    db.session.execute(update(PlanAction).where(PlanAction.id == action.id).values(version=action.version + 1))
    from datetime import date

    from tracker import services
    from tracker.models import ActionStatus

    services.add_progress_update(
        action, note="On track now", status=ActionStatus.ON_TRACK, written_on=date(2026, 1, 5), by=lead
    )
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    assert saved.status is ActionStatus.ON_TRACK and [u.note for u in saved.updates] == ["On track now"]


def test_a_stale_action_correction_keeps_what_was_typed(client, login_as, db):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    login_as(Role.EQUALITIES)
    opened = str(action.version)
    data = {"text": "Their wording", "leads": "Housing", "target_text": "", "success_measures": "", "version": opened}
    assert client.post(f"/plans/actions/{action.id}/edit", data=data).status_code == 302
    late = client.post(f"/plans/actions/{action.id}/edit", data={**data, "text": "My wording"})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Action " in page and "changed while you were editing" in page
    assert "My wording" in page and "Their wording" in page
    db.session.refresh(action)
    assert action.text == "Their wording" and f'name="version" value="{action.version}"' in page


def test_a_finding_closed_twice_shows_the_first_note_beside_the_second(client, login_as, db):
    from tests.factories import make_scored_sample

    author = make_user(Role.AUTHOR)
    _sample, _item, finding = make_scored_sample(make_eia(author=author))
    login_as(Role.EQUALITIES)
    opened = str(finding.version)
    url = f"/samples/findings/{finding.id}"
    assert client.post(url, data={"note": "Template revised.", "version": opened}).status_code == 302
    late = client.post(url, data={"note": "Guidance written.", "version": opened})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "This finding changed while you were editing" in page
    assert "Guidance written." in page and "Template revised." in page
