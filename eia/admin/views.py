"""Administration pages: people, their roles and service areas."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.accounts import links, provider, queries, services
from eia.accounts.models import LinkPurpose, Role, User
from eia.assessments import form_templates
from eia.assessments import queries as eia_queries
from eia.auditlog import services as audit
from eia.csv_export import csv_lines
from eia.extensions import db
from eia.forms_support import Conflict, bind_form, submit_form
from eia.permissions import can, permit
from eia.web import filter_args, form_version, int_arg
from forms.admin import (
    INVITE,
    PROVIDER,
    TEMPORARY_PASSWORD,
    ConfirmForm,
    DisableUserForm,
    EditUserForm,
    NewUserForm,
    ServiceAreaForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _service_area(raw: str | None):
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        abort(400, "Choose a service area from the list.")
    return queries.service_area_or_404(int(raw))


@bp.get("/")
@login_required
def index():
    permit(current_user, "admin.view")
    return render_template("admin/index.html", counts=queries.count_users_by_role())


USER_FILTERS = ("q", "role", "service_area", "status")


def _user_filters() -> dict:
    role = request.args.get("role") or None
    if role and role not in Role._value2member_map_:
        abort(400, "Choose a role from the list.")
    status = request.args.get("status") or None
    if status not in (None, "enabled", "disabled"):
        abort(400, "Choose active or disabled.")
    return {
        "text": request.args.get("q", "").strip()[:200] or None,
        "role": Role(role) if role else None,
        "service_area_id": int_arg("service_area"),
        "enabled": {"enabled": True, "disabled": False}.get(status or ""),
    }


@bp.get("/users/")
@login_required
def users():
    permit(current_user, "user.list")
    people = db.session.execute(queries.users(**_user_filters())).scalars().all()
    return render_template(
        "admin/users.html",
        people=people,
        locks=queries.locks_for(people),
        filters=request.args,
        filter_args=filter_args(*USER_FILTERS),
        role_options=[(role.value, role.label) for role in Role],
        service_areas=queries.service_area_choices(include_blank=False),
    )


@bp.post("/users/export.csv")
@login_required
def export_users():
    permit(current_user, "user.list")
    filters = _user_filters()
    people = db.session.execute(queries.users(**filters)).scalars().all()
    # Rows are built before the commit, which expires the loaded objects.
    rows = [
        (
            p.name,
            p.email,
            p.role.label if p.role else "",
            p.service_area.full_name if p.service_area else "",
            p.is_enabled,
        )
        for p in people
    ]
    count = len(rows)
    audit.record(
        "users_exported", by=current_user, entity_type="user", detail=f"{count} user{'' if count == 1 else 's'}"
    )
    db.session.commit()
    header = ("name", "email", "role", "service_area", "active")
    return Response(
        csv_lines(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="users.csv"'},
    )


def _sign_in_choices() -> list[tuple[str, str]]:
    """The ways a new person may be let in, as this council signs people in."""
    config = current_app.config
    choices = []
    if provider.is_enabled(config):
        choices.append((PROVIDER, f"They sign in with {config['EIA_OIDC_PROVIDER_NAME']}"))
    if config["EIA_LOCAL_SIGN_IN"]:
        choices.append((INVITE, "Email them an invitation to choose their own password (the link works for 72 hours)"))
        choices.append((TEMPORARY_PASSWORD, "Set a temporary password and tell them it yourself"))
    return choices


def _create_person(form: NewUserForm):
    """The person, and for an invitation its link's secret (emailed after the commit)."""
    method = form.sign_in.data
    person = services.create_user(
        email=form.email.data,
        name=form.name.data,
        role=Role(form.role.data),
        password=form.password.data if method == TEMPORARY_PASSWORD else None,
        service_area=_service_area(form.service_area_id.data),
        must_change_password=method == TEMPORARY_PASSWORD,
        by=current_user,
    )
    secret = links.issue_link(person, LinkPurpose.INVITATION, by=current_user) if method == INVITE else None
    return person, secret


def _added(created) -> str:
    """Runs after the commit: sends the invitation, then says what happened."""
    person, secret = created
    if secret is None:
        if person.password_hash:
            return f"{person.name} can now sign in with the temporary password you set."
        return f"{person.name} can now sign in with {current_app.config['EIA_OIDC_PROVIDER_NAME']}."
    failure = links.send_link(person, LinkPurpose.INVITATION, secret, invited_by=current_user)
    if failure:
        flash(
            f"The invitation email to {person.email} could not be sent ({failure}). Send it again from this page "
            "when the email server works.",
            "important",
        )
        return f"{person.name} has been added."
    return f"{person.name} has been added and invited by email to choose a password. The link works for 72 hours."


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    permit(current_user, "user.create")
    choices = _sign_in_choices()
    form = bind_form(NewUserForm, service_areas=queries.service_area_choices(), sign_in_choices=choices)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: _create_person(form),
            saved=_added,
            then=lambda created: url_for("admin.user", user_id=created[0].id),
        )
        if done is not None:
            return done
    return render_template("admin/new_user.html", form=form)


@bp.post("/users/<int:user_id>/invite")
@login_required
def invite_user(user_id: int):
    """Email a new single-use link to choose a password (ending any earlier one)."""
    person = queries.user_or_404(user_id)
    permit(current_user, "user.invite", person)
    if not person.is_enabled or not links.may_use_password(person):
        abort(
            409,
            f"{person.name} cannot be sent a link: their account is disabled or signs in only through the provider.",
        )
    secret = links.issue_link(person, LinkPurpose.INVITATION, by=current_user)
    db.session.commit()
    failure = links.send_link(person, LinkPurpose.INVITATION, secret, invited_by=current_user)
    if failure:
        flash(f"The email to {person.email} could not be sent ({failure}). Try again later.", "important")
    else:
        flash(f"{person.name} has been emailed a link to choose a password. It works for 72 hours.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id: int):
    person = queries.user_or_404(user_id)
    permit(current_user, "user.view", person)
    form = bind_form(EditUserForm, obj=person, service_areas=queries.service_area_choices())
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.update_user(
                person, by=current_user, expected_version=form_version(form.version), **_details(form)
            ),
            saved=f"{person.name}'s details have been saved.",
            then=url_for("admin.user", user_id=person.id),
            conflict=Conflict(person, EditUserForm.data_from, f"{person.name}'s details"),
        )
        if done is not None:
            return done
    return render_template("admin/user.html", person=person, form=form, **_user_page(person))


def _details(form: EditUserForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "role": Role(form.role.data),
        "service_area": _service_area(form.service_area_id.data),
    }


def _user_page(person: User) -> dict[str, Any]:
    """What a person's page shows besides their details: a lock, the forms that act on them."""
    return {
        "locked_until": queries.locks_for([person]).get(person.id),
        "confirm": ConfirmForm(),
        "disable_form": DisableUserForm(),
        "can": can,
        "may_invite": person.is_enabled and links.may_use_password(person),
    }


@bp.post("/users/<int:user_id>/disable")
@login_required
def disable_user(user_id: int):
    person = queries.user_or_404(user_id)
    permit(current_user, "user.disable", person)
    form = DisableUserForm()
    if not form.validate_on_submit():
        abort(400, "The reason must be 500 characters or fewer.")
    services.set_user_enabled(person, False, by=current_user, reason=form.reason.data or None)
    db.session.commit()
    flash(f"{person.name} has been disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/enable")
@login_required
def enable_user(user_id: int):
    person = queries.user_or_404(user_id)
    permit(current_user, "user.enable", person)
    services.set_user_enabled(person, True, by=current_user)
    db.session.commit()
    flash(f"{person.name} can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/unlock")
@login_required
def unlock_user(user_id: int):
    person = queries.user_or_404(user_id)
    permit(current_user, "user.unlock", person)
    services.unlock_user(person, by=current_user)
    db.session.commit()
    flash(f"{person.name}'s account is unlocked.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/service-areas/", methods=["GET", "POST"])
@login_required
def service_areas():
    permit(current_user, "service_area.list")
    form = bind_form(ServiceAreaForm, directorates=queries.directorate_choices())
    if form.validate_on_submit():
        permit(current_user, "service_area.manage")
        done = submit_form(
            form,
            lambda: services.create_service_area(
                form.name.data, parent=_service_area(form.parent_id.data), by=current_user
            ),
            saved=lambda area: f"{area.full_name} has been added.",
            then=url_for("admin.service_areas"),
        )
        if done is not None:
            return done
    return render_template("admin/service_areas.html", areas=queries.service_areas(), form=form)


@bp.get("/characteristics/")
@login_required
def characteristics():
    permit(current_user, "characteristic.manage")
    return render_template(
        "admin/characteristics.html", characteristics=eia_queries.characteristics(), confirm=ConfirmForm()
    )


@bp.post("/characteristics/<int:characteristic_id>")
@login_required
def switch_characteristic(characteristic_id: int):
    permit(current_user, "characteristic.manage")
    characteristic = eia_queries.characteristic_or_404(characteristic_id)
    active = request.form.get("active") == "yes"
    form_templates.set_characteristic_active(characteristic, active, by=current_user)
    db.session.commit()
    flash(f"{characteristic.name} is now {'on' if active else 'off'} for new impact assessments.", "success")
    return redirect(url_for("admin.characteristics"))
