"""The yearly equality information: public pages and PDF, and the equalities team's narrative."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from eia import render_cache
from eia.extensions import db
from eia.page_cache import public_page
from eia.pdf import render_pdf
from eia.permissions import permit
from eia.register import equality_information
from eia.reports.models import TextKind, YearText
from eia.reports.year_texts import edit_year_text
from eia.working_days import uk_today
from forms.reports import EqualityNarrativeForm

bp = Blueprint("equality_information", __name__, url_prefix="/register/equality-information")

FIRST_YEAR, LAST_YEAR = 2000, 2100


@bp.get("/")
def index():
    years = db.session.execute(
        select(YearText.year).where(YearText.kind == TextKind.EQUALITY_INFORMATION).order_by(YearText.year.desc())
    ).scalars()
    return render_template("register/equality_information_index.html", years=list(years))


def _published_or_404(year: int) -> equality_information.EqualityInformation:
    found = equality_information.build(year, uk_today()) if FIRST_YEAR <= year <= LAST_YEAR else None
    if found is None:
        abort(404, f"The equality information for {year} to {year + 1} has not been published.")
    return found


@bp.get("/<int:year>")
@public_page
def show(year: int):
    return render_template("register/equality_information.html", info=_published_or_404(year))


@bp.get("/<int:year>.pdf")
def pdf(year: int):
    info = _published_or_404(year)
    html = render_template("pdf/equality_information.html", info=info)
    # A public download: rendered once for what it says now, as the assessments' PDFs are.
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]
    body = render_cache.cached(f"equality-information-{year}", key, lambda: render_pdf(html))
    if body is None:
        return render_cache.preparing(f"The equality information for {year} to {year + 1}")
    name = f"equality-information-{year}-{(year + 1) % 100:02d}.pdf"
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:year>/edit", methods=["GET", "POST"])
@login_required
def edit(year: int):
    """Write the year's narrative; saving publishes it (a new version, audit-logged)."""
    permit(current_user, "report.commentary")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return edit_year_text(
        TextKind.EQUALITY_INFORMATION,
        year,
        EqualityNarrativeForm,
        what="The narrative",
        saved="The equality information is published.",
        then=url_for("equality_information.show", year=year),
        template="register/equality_information_edit.html",
    )
