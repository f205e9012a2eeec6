"""``/rounds/``: budget rounds, each round's matrix of impacts, and its members' pack."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia import render_cache
from eia.assessments import queries as eia_queries
from eia.auditlog import services as audit
from eia.extensions import db
from eia.forms_support import bind_form, submit_checked
from eia.permissions import can, permit
from eia.rounds import pack, queries, services
from eia.working_days import uk_today
from forms.rounds import JoinRoundForm, RoundForm

bp = Blueprint("rounds", __name__)


@bp.get("/rounds/")
@login_required
def index():
    permit(current_user, "round.view")
    return render_template("rounds/index.html", rounds=queries.rounds(), can_create=can(current_user, "round.create"))


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new():
    permit(current_user, "round.create")
    form = bind_form(RoundForm)
    done = submit_checked(
        form,
        lambda: services.create_round(name=form.name.data, decision_on=form.decision_on.data, by=current_user),
        saved=lambda r: f"{r.name} created. Proposals join it from their assessment's page.",
        then=lambda r: url_for("rounds.show", round_id=r.id),
    )
    if done is not None:
        return done
    return render_template("rounds/new.html", form=form)


def _directorate() -> int | None:
    value = request.args.get("directorate", "")
    if not value:
        return None
    if not value.isdigit():
        abort(400, "Choose a directorate from the list.")
    return int(value)


@bp.get("/rounds/<int:round_id>")
@login_required
def show(round_id: int):
    permit(current_user, "round.view")
    budget_round = queries.round_or_404(round_id)
    directorate = _directorate()
    characteristics = queries.characteristics()
    return render_template(
        "rounds/show.html",
        round=budget_round,
        directorate=directorate,
        directorates=queries.directorates(budget_round),
        proposals=queries.proposals(budget_round, directorate),
        characteristics=characteristics,
        cells=queries.cells(budget_round, directorate),
        summaries=queries.group_summaries(budget_round, characteristics),
        outcomes=pack.OUTCOMES,
    )


@bp.post("/rounds/<int:round_id>/members-pack.<any(pdf, docx):file_format>")
@login_required
def members_pack(round_id: int, file_format: str):
    permit(current_user, "round.view")
    budget_round = queries.round_or_404(round_id)
    contents = pack.members_pack(budget_round)
    body = pack.pack_pdf(budget_round, contents) if file_format == "pdf" else pack.pack_docx(contents)
    if body is None:
        return render_cache.preparing(f"The members' pack for {budget_round.name}")
    audit.record("round_pack_downloaded", budget_round, by=current_user, detail=f"{budget_round.name}.{file_format}")
    db.session.commit()
    mimetype = (
        "application/pdf"
        if file_format == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{pack.file_name(budget_round)}.{file_format}"'},
    )


@bp.post("/eias/<reference>/budget-round")
@login_required
def join(reference: str):
    eia = eia_queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    permit(current_user, "round.join", eia)
    form = bind_form(JoinRoundForm, rounds=queries.round_choices(uk_today(), keep=queries.round_of(eia)))
    if not form.validate_on_submit():
        flash("Choose a budget round from the list.", "important")
        return redirect(url_for("assessments.show", reference=eia.reference))
    budget_round = queries.round_or_404(int(form.round_id.data)) if form.round_id.data else None
    services.set_round(eia, budget_round, by=current_user)
    db.session.commit()
    flash(
        f"{eia.reference} is part of {budget_round.name}."
        if budget_round
        else f"{eia.reference} is not part of a budget round.",
        "success",
    )
    return redirect(url_for("assessments.show", reference=eia.reference))
