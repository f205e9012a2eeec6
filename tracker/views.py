"""Plan pages (read by everyone signed in) and the links from an EIA to the actions it evidences."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import queries as eia_queries
from eia.auditlog import services as audit
from eia.csv_export import csv_lines
from eia.evidence import services as evidence_services
from eia.evidence.models import EvidenceItem
from eia.evidence.storage import send_evidence, store_for
from eia.extensions import db
from eia.forms_support import Conflict, bind_form, submit_form
from eia.page_cache import signed_in_page
from eia.permissions import can, permit
from eia.web import filter_args, form_version, int_arg, paginate
from eia.working_days import uk_today
from tracker import dashboard, importing, pending_imports, queries, services
from tracker.forms import (
    ActionEditForm,
    OwnerForm,
    PlanEditForm,
    PlanUploadForm,
    ProgressForm,
)
from tracker.models import ActionStatus, PlanAction

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/")
@login_required
def index():
    permit(current_user, "plan.view")
    council = current_app.config["EIA_COUNCIL_NAME"]
    summaries = queries.plan_summaries()
    return render_template(
        "plans/index.html",
        own=sorted(  # the current plan first
            (row for row in summaries if row["plan"].organisation == council), key=lambda row: not row["plan"].is_active
        ),
        others=[row for row in summaries if row["plan"].organisation != council],
        council=council,
    )


DASHBOARD_FILTERS = ("plan", "lead", "owner", "status", "attention")
DASHBOARD_PAGE_SIZE = 50


def _dashboard_filter() -> dashboard.DashboardFilter:
    status = request.args.get("status") or None
    if status and status not in ActionStatus._value2member_map_:
        abort(400, "Choose a status from the list.")
    attention = request.args.get("attention") or None
    if attention and attention not in dashboard.ATTENTION:
        abort(400, "Choose what needs attention from the list.")
    return dashboard.DashboardFilter(
        plan_id=int_arg("plan"),
        lead=request.args.get("lead", "").strip()[:200] or None,
        owner_id=int_arg("owner"),
        status=ActionStatus(status) if status else None,
        attention=attention,
    )


@bp.get("/dashboard")
@login_required
@signed_in_page
def dashboard_page():
    """Progress by priority, and the actions that are overdue or have had no update for a while."""
    permit(current_user, "plan.view")
    filters = _dashboard_filter()
    today = uk_today()
    summaries = dashboard.priority_summaries(filters, today)
    page = paginate(dashboard.matching_actions(filters, today), per_page=DASHBOARD_PAGE_SIZE)
    return render_template(
        "plans/dashboard.html",
        summaries=summaries,
        totals=dashboard.totals(summaries),
        page=page,
        rows=dashboard.rows_for(page.items, today),
        filters=request.args,
        filter_args=filter_args(*DASHBOARD_FILTERS),
        statuses=list(ActionStatus),
        stale_days=dashboard.STALE_AFTER_DAYS,
        options=dashboard.filter_options(),
    )


@bp.post("/dashboard/export.csv")
@login_required
def dashboard_export():
    permit(current_user, "plan.view")
    rows = dashboard.export_rows(_dashboard_filter(), uk_today())
    audit.record("plan_actions_exported", by=current_user, entity_type="plan_action", detail=f"{len(rows)} actions")
    db.session.commit()
    return Response(
        csv_lines(dashboard.EXPORT_HEADER, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="plan-actions.csv"'},
    )


@bp.get("/<int:plan_id>")
@login_required
def show(plan_id: int):
    permit(current_user, "plan.view")
    plan = queries.plan_or_404(plan_id)
    ids = [action.id for priority in plan.priorities for action in priority.actions]
    return render_template("plans/show.html", plan=plan, counts=queries.link_counts(ids, current_user))


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int):
    permit(current_user, "plan.edit")
    plan = queries.plan_or_404(plan_id)
    form = bind_form(PlanEditForm, data=PlanEditForm.data_from(plan))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.update_plan(
                plan,
                title=form.title.data,
                is_active=form.is_active.data == "yes",
                expected_version=form_version(form.version),
                by=current_user,
            ),
            saved="Plan saved.",
            then=url_for("plans.show", plan_id=plan.id),
            conflict=Conflict(plan, PlanEditForm.data_from, f"The plan '{plan.title}'"),
        )
        if done is not None:
            return done
    return render_template("plans/edit_plan.html", plan=plan, form=form)


@bp.post("/<int:plan_id>/export.<any(csv, xlsx):file_format>")
@login_required
def export_plan(plan_id: int, file_format: str):
    """The plan in the import format, so it can be edited in a spreadsheet and imported again."""
    permit(current_user, "plan.view")
    plan = queries.plan_or_404(plan_id)
    importing.record_export(plan, by=current_user, file_format=file_format)
    db.session.commit()
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in f"{plan.organisation} {plan.title}".lower())
    name = "-".join(words.split()) or f"plan-{plan.id}"
    body: str | bytes
    if file_format == "csv":
        body, mimetype = importing.export_csv(plan), "text/csv"
    else:
        body = importing.export_xlsx(plan)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{file_format}"'}
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(action_id: int):
    """Correct an action's wording, leads, target or measures (its status moves by progress updates)."""
    permit(current_user, "plan.edit")
    found = queries.action_or_404(action_id)
    form = bind_form(ActionEditForm, data=ActionEditForm.data_from(found))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.update_action(
                found, form.values(), expected_version=form_version(form.version), by=current_user
            ),
            saved="Action saved.",
            then=url_for("plans.action", action_id=found.id),
            conflict=Conflict(found, ActionEditForm.data_from, f"Action {found.ref}"),
        )
        if done is not None:
            return done
    return render_template("plans/edit_action.html", action=found, form=form)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def action(action_id: int):
    """An action: its details, progress updates (with evidence) and the EIAs that evidence it."""
    permit(current_user, "plan.view")
    found = queries.action_or_404(action_id)
    may_update = can(current_user, "plan.update_progress", found)
    if request.method == "POST":
        permit(current_user, "plan.update_progress", found)
    form = bind_form(ProgressForm, data={"written_on": uk_today(), "status": found.status.value})
    if form.validate_on_submit():
        done = submit_form(form, lambda: _add_progress(found, form), saved="Progress update added.", then=request.path)
        if done is not None:
            return done
    return render_template("plans/action.html", action=found, form=form if may_update else None, **_action_page(found))


def _action_page(found: PlanAction) -> dict[str, Any]:
    """What the action's page shows besides the action: the assessments evidencing it that the
    person may see, the owner form, the updates' evidence and the names of the people in it."""
    people = {u.by_id for u in found.updates} | ({found.owner_id} if found.owner_id else set())
    return {
        "eias": queries.eias_for_action(found.id, current_user),
        "owner_form": OwnerForm(people=eia_queries.people_choices(), data={"owner_id": str(found.owner_id or "")}),
        "evidence": queries.update_evidence(found),
        "names": eia_queries.user_names(people),
    }


def _add_progress(found: PlanAction, form: ProgressForm) -> None:
    """The progress update the form describes, with its evidence file if one was chosen."""
    update = services.add_progress_update(
        found,
        note=form.note.data,
        status=ActionStatus(form.status.data),
        written_on=form.written_on.data,
        by=current_user,
    )
    upload = request.files.get("file")
    if upload and upload.filename:
        evidence_services.add_file(
            update,
            {"title": f"Evidence for the update of {form.written_on.data:%d %B %Y}"},
            stream=upload.stream,
            file_name=upload.filename,
            characteristics=[],
            by=current_user,
            store=store_for(),
            max_bytes=current_app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024,
        )


@bp.post("/actions/<int:action_id>/owner")
@login_required
def owner(action_id: int):
    permit(current_user, "plan.edit")
    found = queries.action_or_404(action_id)
    form = OwnerForm(people=eia_queries.people_choices())
    if form.validate_on_submit():
        services.set_owner(found, int(form.owner_id.data) if form.owner_id.data else None, by=current_user)
        db.session.commit()
        flash("Owner saved.", "success")
    return redirect(url_for("plans.action", action_id=found.id))


@bp.get("/actions/<int:action_id>/evidence/<int:evidence_id>")
@login_required
def update_evidence(action_id: int, evidence_id: int):
    permit(current_user, "plan.view")
    found = queries.action_or_404(action_id)
    item = db.session.get(EvidenceItem, evidence_id)
    if item is None or item.subject_type != "progress_update" or item.subject_id not in {u.id for u in found.updates}:
        abort(404)
    return send_evidence(item)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a plan file, see what it would add and change, then confirm (nothing is written before)."""
    permit(current_user, "plan.import")
    form = PlanUploadForm()
    preview, problems = (
        pending_imports.preview_upload(request.files.get("file")) if form.validate_on_submit() else (None, None)
    )
    return render_template("plans/upload.html", form=form, problems=problems, preview=preview), (
        422 if problems else 200
    )


@bp.post("/import/confirm")
@login_required
def confirm_import():
    permit(current_user, "plan.import")
    pending = pending_imports.take_pending()
    if pending is None:
        flash("There was no import waiting to be confirmed. Upload the file again.", "important")
        return redirect(url_for("plans.upload"))
    try:
        counts = importing.confirm_import(pending.data, by=current_user, source=pending.name)
        db.session.commit()
    except importing.ImportFailed as exc:
        db.session.rollback()
        return render_template("plans/upload.html", form=PlanUploadForm(), problems=exc.problems, preview=None), 422
    flash(*pending_imports.outcome_message(pending.name, counts))
    return redirect(url_for("plans.index"))
