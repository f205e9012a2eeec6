"""The EIA programme: the assessments each service area plans in a financial year."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import queries as eia_queries
from eia.extensions import db
from eia.forms_support import bind_form, submit_form
from eia.permissions import can, permit
from eia.web import int_arg
from eia.working_days import uk_today
from tracker import programme
from tracker.forms import (
    LinkPlannedForm,
    PlannedEiaForm,
)
from tracker.models import PlannedEia

bp = Blueprint("programme", __name__, url_prefix="/programme")


@bp.route("/", methods=["GET", "POST"])
@login_required
def programme_index():
    """The EIA programme of a financial year, with completion and publication rates."""
    permit(current_user, "plan.view")
    today = uk_today()
    year = int_arg("year", eia_queries.financial_year_of(today), minimum=2000, maximum=2100)
    if request.method == "POST":
        permit(current_user, "plan.edit")
    form = bind_form(PlannedEiaForm, **programme.planned_form_choices())
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: programme.add_planned(form.values(), by=current_user),
            saved=f"'{form.title.data}' added to the programme.",
            then=lambda planned: url_for(
                "programme.programme_index", year=eia_queries.financial_year_of(planned.planned_start)
            ),
        )
        if done is not None:
            return done
    editable = can(current_user, "plan.edit")
    return render_template(
        "plans/programme.html",
        **programme.page(year, today),
        form=form if editable else None,
        link_form=LinkPlannedForm(),
    )


@bp.post("/<int:entry_id>/link")
@login_required
def link_entry(entry_id: int):
    permit(current_user, "plan.edit")
    entry = db.session.get(PlannedEia, entry_id)
    if entry is None:
        abort(404)
    form = LinkPlannedForm()
    if form.validate_on_submit():
        eia = eia_queries.eia_or_404(form.reference.data)
        programme.link_planned(entry, eia, by=current_user)
        db.session.commit()
        flash(f"'{entry.title}' is now linked to {eia.reference}.", "success")
    else:
        flash("Enter the EIA reference to link.", "important")
    return redirect(url_for("programme.programme_index", year=eia_queries.financial_year_of(entry.planned_start)))
