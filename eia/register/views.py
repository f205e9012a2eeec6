"""The public register: published EIAs only, as pages and PDFs, for anyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from eia.assessments import queries
from eia.assessments.pdf import eia_pdf_response
from eia.evidence import queries as evidence_queries
from eia.evidence.storage import send_evidence
from eia.extensions import db

bp = Blueprint("register", __name__, url_prefix="/register")


@bp.get("/")
def index():
    text = request.args.get("q", "").strip()[:200]
    eias = db.session.execute(queries.published(text or None).limit(500)).scalars().all()
    return render_template("register/index.html", eias=eias, q=text)


@bp.get("/<reference>")
def show(reference: str):
    eia = queries.published_or_404(reference)
    public = evidence_queries.for_subject(eia, public_only=True)
    return render_template("register/show.html", eia=eia, doc=queries.document(eia), evidence=public)


@bp.get("/<reference>.pdf")
def pdf(reference: str):
    eia = queries.published_or_404(reference)
    return eia_pdf_response(eia)


@bp.get("/<reference>/evidence/<int:evidence_id>")
def evidence_file(reference: str, evidence_id: int):
    """A public evidence file of a published EIA; internal items are not found."""
    eia = queries.published_or_404(reference)
    item = evidence_queries.item_or_404(eia, evidence_id)
    if not item.is_public or item.is_removed:
        abort(404)
    return send_evidence(item)
