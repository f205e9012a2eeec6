"""Who writes an assessment and where it belongs: its service area, its co-authors, handing it over,
and the author's answers to a reviewer's comments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from eia.accounts import queries as accounts
from eia.assessments import authoring, queries, workflow
from eia.assessments.models import Eia
from eia.extensions import db
from eia.forms_support import bind_form, submit_form
from eia.permissions import can, permit
from forms.eia import AreaForm, PersonForm, ReplyForm

bp = Blueprint("authoring", __name__, url_prefix="/eias/<reference>")


def _eia(reference: str) -> Eia:
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    return eia


def _forms(eia: Eia) -> dict[str, object]:
    writers = authoring.people_who_may_write(eia)
    return {
        "area_form": AreaForm(
            service_areas=[(str(a.id), a.full_name) for a in accounts.areas_for(current_user)],
            data={"service_area_id": str(eia.service_area_id)},
        ),
        "coauthor_form": PersonForm(
            people=writers, label="Add a co-author", hint="They sign in to help write it, and can edit every section."
        ),
        "hand_over_form": PersonForm(
            people=authoring.people_to_hand_to(eia),
            label="Hand it over to",
            hint="They become its author; you stay on as a co-author.",
        ),
    }


def _page(eia: Eia, status: int = 200, **forms: object):
    context = _forms(eia) | forms
    return render_template("assessments/people.html", eia=eia, **context), status


@bp.get("/people")
@login_required
def people(reference: str):
    return _page(_eia(reference))


@bp.post("/people/area")
@login_required
def move(reference: str):
    eia = _eia(reference)
    permit(current_user, "eia.move", eia)
    areas = [(str(a.id), a.full_name) for a in accounts.areas_for(current_user)]
    form = bind_form(AreaForm, service_areas=areas)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: authoring.move_eia(eia, int(form.service_area_id.data), by=current_user),
            saved=lambda _: f"{eia.reference} is now filed under {eia.service_area.full_name}.",
            then=url_for("authoring.people", reference=eia.reference),
        )
        if done is not None:
            return done
    return _page(eia, 422, area_form=form)


@bp.post("/people/coauthors")
@login_required
def add_coauthor(reference: str):
    eia = _eia(reference)
    permit(current_user, "eia.manage_coauthors", eia)
    form = bind_form(PersonForm, people=authoring.people_who_may_write(eia), label="Add a co-author")
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: authoring.add_coauthor(eia, int(form.user_id.data), by=current_user),
            saved=lambda added: f"{added.user.name} can now help write {eia.reference}.",
            then=url_for("authoring.people", reference=eia.reference),
        )
        if done is not None:
            return done
    return _page(eia, 422, coauthor_form=form)


@bp.post("/people/coauthors/<int:coauthor_id>/remove")
@login_required
def remove_coauthor(reference: str, coauthor_id: int):
    eia = _eia(reference)
    permit(current_user, "eia.manage_coauthors", eia)
    found = next((c for c in eia.coauthors if c.id == coauthor_id), None) or abort(404)
    authoring.remove_coauthor(eia, found, by=current_user)
    db.session.commit()
    flash(f"{found.user.name} no longer co-writes {eia.reference}.", "success")
    return redirect(url_for("authoring.people", reference=eia.reference))


@bp.post("/people/hand-over")
@login_required
def hand_over(reference: str):
    eia = _eia(reference)
    permit(current_user, "eia.hand_over", eia)
    form = bind_form(PersonForm, people=authoring.people_to_hand_to(eia), label="Hand it over to")
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: authoring.hand_over(eia, int(form.user_id.data), by=current_user),
            saved=lambda _: f"{eia.reference} is now {eia.author.name}'s: they will find it in their My work.",
            then=lambda _: (
                url_for("assessments.show", reference=eia.reference)
                if can(current_user, "eia.view", eia)
                else url_for("main.home")
            ),
        )
        if done is not None:
            return done
    return _page(eia, 422, hand_over_form=form)


@bp.post("/comments/<int:comment_id>/dealt-with")
@login_required
def dealt_with(reference: str, comment_id: int):
    eia = _eia(reference)
    permit(current_user, "eia.edit", eia)
    comment = next((c for c in eia.comments if c.id == comment_id and c.section_key), None) or abort(404)
    form = bind_form(ReplyForm)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: workflow.mark_dealt_with(comment, reply=form.reply.data or "", by=current_user),
            saved="Comment marked as dealt with. The reviewer sees it, and your reply, when you resubmit.",
            then=url_for("assessments.section", reference=eia.reference, key=comment.section_key),
        )
        if done is not None:
            return done
    return redirect(url_for("assessments.section", reference=eia.reference, key=comment.section_key))
