"""The audit log pages: a filtered list with the log checked against its latest signed checkpoint, a
CSV export and an on-demand check of the whole chain."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from eia.auditlog import checkpoints, queries
from eia.auditlog import services as audit
from eia.auditlog.queries import AuditFilter
from eia.auditlog.readable import action_words, readable
from eia.csv_export import csv_lines
from eia.extensions import db
from eia.permissions import permit
from eia.web import filter_args, paginate
from forms.admin import ConfirmForm

bp = Blueprint("audit", __name__, url_prefix="/audit-log")

PAGE_SIZE = 50
AUDIT_FILTERS = ("q", "action", "entity_type", "entity_id", "since", "until")


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or day.year < 1900:
        abort(400, f"Enter the {name.replace('_', ' ')} date as YYYY-MM-DD, for example 2026-04-01.")
    return day


def _filters() -> AuditFilter:
    return AuditFilter(
        text=request.args.get("q", "").strip()[:200] or None,
        action=request.args.get("action") or None,
        entity_type=request.args.get("entity_type") or None,
        entity_id=request.args.get("entity_id") or None,
        since=_date_arg("since"),
        until=_date_arg("until"),
    )


@bp.get("/")
@login_required
def index():
    permit(current_user, "audit.view")
    filters = _filters()
    page = paginate(queries.entries(filters).order_by(None).order_by(queries.AuditEntry.id.desc()), per_page=PAGE_SIZE)
    return render_template(
        "audit/index.html",
        page=page,
        entries=readable(page.items),
        filters=request.args,
        filter_args=filter_args(*AUDIT_FILTERS),
        action_options=[
            (action, action_words(action)) for action in db.session.execute(queries.distinct_actions()).scalars()
        ],
        confirm=ConfirmForm(),
        consistency=checkpoints.check_since_latest(),
    )


@bp.post("/export.csv")
@login_required
def export():
    permit(current_user, "audit.export")
    # The export covers the log as it stood when asked for, not the entry that records the export.
    filters = dataclasses.replace(_filters(), up_to_id=queries.newest_id())
    audit.record("audit_log_exported", by=current_user, entity_type="audit_log", detail=_describe(filters))
    db.session.commit()
    lines = csv_lines(queries.EXPORT_HEADER, queries.export_rows(filters))
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@bp.post("/verify")
@login_required
def verify():
    permit(current_user, "audit.verify")
    report = audit.check_chain(by=current_user)
    db.session.commit()
    if report.is_intact:
        flash(f"The audit log is intact: all {report.entries:,} entries link up and match their hashes.", "success")
    else:
        flash(f"The audit log has been tampered with: {report.problem}.", "important")
    return redirect(url_for("audit.index"))


def _describe(filters: AuditFilter) -> str:
    parts = [f"{key}={value}" for key, value in vars(filters).items() if value and key != "up_to_id"]
    return "filters: " + (", ".join(parts) if parts else "none")
