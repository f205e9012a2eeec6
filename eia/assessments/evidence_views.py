"""Evidence pages on an EIA: list, add a file, link or note, download, remove."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import evidence_services
from eia.assessments import queries as eia_queries
from eia.assessments import services as eia_services
from eia.assessments.models import Characteristic
from eia.evidence import queries, services
from eia.evidence.models import EvidenceKind
from eia.evidence.storage import send_evidence, store_for
from eia.extensions import db
from eia.forms_support import also_check, bind_form, submit_form
from eia.permissions import can, permit
from eia.web import accepts_uploads
from forms.evidence import EvidenceForm, RemoveEvidenceForm

bp = Blueprint("evidence", __name__, url_prefix="/eias/<reference>/evidence")


def _eia_for(reference: str, action: str = "eia.view"):
    eia = eia_queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    if action != "eia.view":
        permit(current_user, action, eia)
    return eia


@bp.get("/")
@login_required
def index(reference: str):
    eia = _eia_for(reference)
    return render_template(
        "evidence/index.html",
        eia=eia,
        items=queries.for_subject(eia),
        removed=queries.for_subject(eia, include_removed=True),
        can_add=can(current_user, "eia.edit", eia) and eia.state.is_editable,
        section_titles={s.key: s.title for s in eia.form.sections},
    )


@bp.route("/new/<kind>", methods=["GET", "POST"])
@accepts_uploads
@login_required
def new(reference: str, kind: str):
    eia = _eia_for(reference, "eia.edit")
    eia_services.check_editable(eia)
    evidence_kind = EvidenceKind(kind) if kind in EvidenceKind._value2member_map_ else abort(404)
    characteristics = eia_queries.characteristics_for(eia)
    form = _evidence_form(eia, characteristics)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: _add(eia, evidence_kind, form, characteristics),
            saved=f"'{form.title.data}' added to the evidence.",
            then=url_for("evidence.index", reference=eia.reference),
        )
        if done is not None:
            return done
    elif request.method == "POST":
        also_check(form, lambda: _check(evidence_kind, form))  # every problem in one round
    return render_template("evidence/new.html", eia=eia, form=form, kind=evidence_kind)


def _evidence_form(eia, characteristics: list[Characteristic]) -> EvidenceForm:
    """The form for one piece of evidence, its section ticked when the page was opened from one."""
    form = bind_form(
        EvidenceForm,
        characteristics=[(str(c.id), c.name) for c in characteristics],
        sections=[(s.key, s.title) for s in eia.form.sections],
    )
    if request.method == "GET" and request.args.get("section") in {s.key for s in eia.form.sections}:
        form.sections.data = [request.args["section"]]
    return form


def _check(kind: EvidenceKind, form: EvidenceForm) -> None:
    """Check what the form describes as adding it would, storing nothing."""
    upload = request.files.get("file") if kind is EvidenceKind.FILE else None
    services.check_evidence(
        kind,
        form.values(),
        stream=upload.stream if upload and upload.filename else None,
        file_name=upload.filename if upload else None,
        max_bytes=current_app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024,
    )


def _add(eia, kind: EvidenceKind, form: EvidenceForm, characteristics: list[Characteristic]) -> Any:
    """Add the file (checked by its content and size), link or note the form describes, with the
    characteristics ticked on it."""
    chosen = [c.key for c in characteristics if str(c.id) in (form.characteristics.data or [])]
    upload = request.files.get("file") if kind is EvidenceKind.FILE else None
    return evidence_services.add_evidence(
        eia,
        kind,
        form.values() | {"characteristics": chosen},
        by=current_user,
        store=store_for(),
        max_bytes=current_app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024,
        stream=upload.stream if upload and upload.filename else None,
        file_name=upload.filename if upload else None,
    )


@bp.get("/<int:evidence_id>/download")
@login_required
def download(reference: str, evidence_id: int):
    eia = _eia_for(reference)
    return send_evidence(queries.item_or_404(eia, evidence_id))


@bp.route("/<int:evidence_id>/remove", methods=["GET", "POST"])
@login_required
def remove(reference: str, evidence_id: int):
    eia = _eia_for(reference, "eia.edit")
    eia_services.check_editable(eia)
    item = queries.item_or_404(eia, evidence_id)
    form = RemoveEvidenceForm()
    if form.validate_on_submit():
        services.remove_evidence(eia, item, reason=form.reason.data, by=current_user)
        db.session.commit()
        flash(f"'{item.title}' removed from the evidence.", "success")
        return redirect(url_for("evidence.index", reference=eia.reference))
    return render_template("evidence/remove.html", eia=eia, item=item, form=form)
