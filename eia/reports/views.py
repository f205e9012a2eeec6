"""The annual EIA report page and its PDF, for the equalities team and the senior leadership team."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from flask_login import current_user, login_required

from eia import render_cache
from eia.assessments.queries import financial_year_of
from eia.permissions import can, permit
from eia.reports import annual
from eia.reports.models import TextKind
from eia.reports.year_texts import edit_year_text
from eia.web import int_arg
from eia.working_days import uk_today
from forms.reports import YearTextForm

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _years() -> list[int]:
    this_year = financial_year_of(uk_today())
    return list(range(this_year, this_year - 6, -1))


@bp.get("/")
@login_required
def choose():
    permit(current_user, "report.view")
    year = int_arg("year", financial_year_of(uk_today()), minimum=2000, maximum=2100)
    return redirect(url_for("reports.show", year=year))


@bp.get("/<int:year>")
@login_required
def show(year: int):
    permit(current_user, "report.view")
    if not 2000 <= year <= 2100:
        return redirect(url_for("reports.choose"))
    return annual.page_html(year, uk_today(), _years(), may_edit=can(current_user, "report.commentary"))


@bp.get("/<int:year>.pdf")
@login_required
def pdf(year: int):
    permit(current_user, "report.view")
    if not 2000 <= year <= 2100:
        return redirect(url_for("reports.choose"))
    data = annual.cached_pdf(year, uk_today())
    if data is None:
        return render_cache.preparing(f"The annual EIA report for {year} to {year + 1}")
    name = f"annual-eia-report-{year}-{(year + 1) % 100:02d}.pdf"
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:year>/commentary", methods=["GET", "POST"])
@login_required
def commentary(year: int):
    """The equalities team's commentary and recommendations, shown at the front of the year's report."""
    permit(current_user, "report.commentary")
    if not 2000 <= year <= 2100:
        return redirect(url_for("reports.choose"))
    return edit_year_text(
        TextKind.REPORT_COMMENTARY,
        year,
        YearTextForm,
        what="The commentary",
        saved="The commentary is saved. It is at the front of the report and its PDF.",
        then=url_for("reports.show", year=year, _anchor="commentary"),
        template="reports/commentary.html",
    )
