"""The public register: published EIAs only, as pages and PDFs, for anyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from marshmallow import ValidationError

from eia.assessments import queries
from eia.assessments.pdf import eia_pdf_response
from eia.evidence import queries as evidence_queries
from eia.evidence.storage import send_evidence
from eia.page_cache import public_page
from eia.register import queries as register_queries
from eia.register.equality_information import decision_in_words
from eia.register.schemas import RegisterArgs
from eia.reports.figures import outcome_words
from eia.web import filter_args, is_past_the_end, paginate
from eia.working_days import uk_today

bp = Blueprint("register", __name__, url_prefix="/register")


#: Rows on a page of the register.
PER_PAGE = 50


FILTERS = ("q", "service_area", "year", "outcome", "negative", "round")


@bp.get("/")
@public_page
def index():
    """Published assessments, filtered by what the query string asks (so a search can be shared)."""
    try:
        chosen = RegisterArgs().load_args(request.args)
    except ValidationError as exc:
        abort(400, " ".join(f"{m}." for messages in exc.normalized_messages().values() for m in messages))
    page = paginate(register_queries.register(chosen), per_page=PER_PAGE)
    past_the_end = is_past_the_end(page)  # says so, with a link to the first page, and answers 404
    return render_template(
        "register/index.html",
        page=page,
        past_the_end=past_the_end,
        filters=request.args,
        filter_args=filter_args(*FILTERS),
        options=register_queries.filter_options(uk_today()),
    ), 404 if past_the_end else 200


@bp.get("/<reference>")
@public_page
def show(reference: str):
    eia = queries.published_or_404(reference)
    return render_template(
        "register/show.html",
        eia=eia,
        doc=queries.document(eia),
        evidence=evidence_queries.for_subject(eia, public_only=True),
        summary=eia.answers("about").get("plain_summary") or eia.answers("outcome").get("summary") or "",
        outcome=outcome_words(eia.outcome, eia.closed_at_screening),
        decision=decision_in_words(eia.decision),
    )


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
