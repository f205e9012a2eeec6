"""``/dashboard``: the equalities team's view of the pipeline and its risks."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from eia.dashboard import queries
from eia.page_cache import signed_in_page
from eia.permissions import permit
from eia.working_days import uk_today

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
@signed_in_page
def show():
    permit(current_user, "dashboard.view")
    today = uk_today()  # the day the list's timing filters use, so each count matches its list
    target = current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"]
    at_risk_total, at_risk = queries.at_risk(current_user, today)
    areas, totals = queries.pipeline(current_user)
    return render_template(
        "dashboard/show.html",
        today=today,
        target=target,
        at_risk_days=queries.AT_RISK_DAYS,
        at_risk_until=today + timedelta(days=queries.AT_RISK_DAYS),
        at_risk_total=at_risk_total,
        at_risk=at_risk,
        states=queries.PIPELINE_STATES,
        areas=areas,
        totals=totals,
        reviews=queries.reviews_waiting(current_user, today),
        mitigations=queries.overdue_mitigations(current_user, today),
        review_dates=queries.review_dates(current_user, today),
        timings=queries.timings(current_user, today, queries.questions(target)),
        sampling=queries.sampling_progress(today, current_app.config["EIA_AUDITS_PER_QUARTER"]),
    )
