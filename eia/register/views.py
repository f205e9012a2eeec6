"""The public register: published EIAs only, as pages and PDFs, for anyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from eia.assessments import queries
from eia.assessments.pdf import eia_pdf_response
from eia.evidence import queries as evidence_queries
from eia.evidence.storage import send_evidence
from eia.page_cache import public_page
from eia.web import filter_args, paginate

bp = Blueprint("register", __name__, url_prefix="/register")


#: Rows on a page of the register.
PER_PAGE = 50


@bp.get("/")
@public_page
def index():
    text = request.args.get("q", "").strip()[:200]
    page = paginate(queries.published(text or None), per_page=PER_PAGE)
    return render_template("register/index.html", page=page, q=text, filter_args=filter_args("q"))


@bp.get("/<reference>")
@public_page
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
