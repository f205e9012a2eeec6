"""The links from an EIA to the action-plan items it evidences, on the EIA's own pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import queries as eia_queries
from eia.assessments.models import Eia
from eia.extensions import db
from eia.forms_support import bind_form, submit_form
from eia.permissions import can, permit
from tracker import queries, services
from tracker.forms import (
    ActionLinkForm,
)
from tracker.models import EiaActionLink

bp = Blueprint("action_links", __name__, url_prefix="/eias/<reference>/actions")


@bp.route("/", methods=["GET", "POST"])
@login_required
def eia_links(reference: str):
    eia = eia_queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    editable = can(current_user, "eia.edit", eia) and eia.state.is_editable
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
    form = bind_form(ActionLinkForm, actions=queries.action_choices())
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.link_eia(
                eia, queries.action_or_404(int(form.action_id.data)), note=form.note.data, by=current_user
            ),
            saved="Link to the action plan saved.",
            then=url_for("action_links.eia_links", reference=eia.reference),
        )
        if done is not None:
            return done
    return render_template(
        "plans/eia_links.html", eia=eia, links=queries.links_for_eia(eia.id), form=form, editable=editable
    )


def _link_or_404(eia: Eia, link_id: int) -> EiaActionLink:
    link = db.session.get(EiaActionLink, link_id)
    if link is None or link.eia_id != eia.id:
        abort(404)
    return link


@bp.route("/<int:link_id>/remove", methods=["GET", "POST"])
@login_required
def remove(reference: str, link_id: int):
    eia = eia_queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    permit(current_user, "eia.edit", eia)
    link = _link_or_404(eia, link_id)
    back = url_for("action_links.eia_links", reference=eia.reference)
    if request.method == "GET":
        action = link.action
        return render_template(
            "confirm.html",
            caption=f"{eia.reference}: {eia.title}",
            heading="Remove this link to the action plan?",
            detail=f"{action.priority.plan.title}, {action.priority.ref} {action.ref}: {action.text}",
            warning="The assessment no longer counts as evidence for this action. You can link it again.",
            button="Remove the link",
            back=back,
        )
    services.unlink_eia(eia, link, by=current_user)
    db.session.commit()
    flash("Link removed.", "success")
    return redirect(back)
