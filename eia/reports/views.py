"""The annual EIA report page and its PDF, for the equalities team and the senior leadership team."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user, login_required

from eia import render_cache
from eia.assessments.queries import financial_year_of
from eia.db_types import utcnow
from eia.forms_support import Conflict, bind_form, submit_form
from eia.permissions import can, permit
from eia.reports import annual, queries, services
from eia.reports.models import TextKind
from eia.web import form_version, int_arg
from forms.reports import YearTextForm

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _years() -> list[int]:
    this_year = financial_year_of(utcnow().date())
    return list(range(this_year, this_year - 6, -1))


@bp.get("/")
@login_required
def choose():
    permit(current_user, "report.view")
    year = int_arg("year", financial_year_of(utcnow().date()), minimum=2000, maximum=2100)
    return redirect(url_for("reports.show", year=year))


@bp.get("/<int:year>")
@login_required
def show(year: int):
    permit(current_user, "report.view")
    if not 2000 <= year <= 2100:
        return redirect(url_for("reports.choose"))
    return annual.page_html(year, utcnow().date(), _years(), may_edit=can(current_user, "report.commentary"))


@bp.get("/<int:year>.pdf")
@login_required
def pdf(year: int):
    permit(current_user, "report.view")
    if not 2000 <= year <= 2100:
        return redirect(url_for("reports.choose"))
    data = annual.cached_pdf(year, utcnow().date())
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
    text = queries.year_text(TextKind.REPORT_COMMENTARY, year)
    form = bind_form(YearTextForm, data=YearTextForm.data_from(text))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.save_year_text(
                TextKind.REPORT_COMMENTARY,
                year,
                form.body.data,
                expected_version=form_version(form.version),
                by=current_user,
            ),
            saved="The commentary is saved. It is at the front of the report and its PDF.",
            then=url_for("reports.show", year=year, _anchor="commentary"),
            conflict=Conflict(text, YearTextForm.data_from, "The commentary") if text else None,
        )
        if done is not None:
            return done
    return render_template("reports/commentary.html", form=form, year=year, text=text)
