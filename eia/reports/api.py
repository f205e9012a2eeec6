"""The API for the annual EIA report: its figures for a financial year as JSON, counted the same way
as the page at ``/reports/<year>`` (for the equalities team, decision makers and administrators)."""

from __future__ import annotations

from eia.api import api_blueprint
from eia.api.common import requires
from eia.errors import ValidationFailed
from eia.reports import figures
from eia.reports.schemas import AnnualReportSchema
from eia.working_days import uk_today

bp = api_blueprint("annual_report", __name__, url_prefix="/reports", description="The annual EIA report's figures")

FIRST_YEAR, LAST_YEAR = 2000, 2100


@bp.get("/<int:year>")
@requires("report.view")
@bp.etag
@bp.response(200, AnnualReportSchema)
def report(year: int):
    """The annual report for financial year *year* (``2025`` is 1 April 2025 to 31 March 2026): the
    assessments started, completed and published by directorate, type and programme; outcomes;
    negative impacts and mitigations; care experience and the Armed Forces Covenant; quality audits;
    action-plan progress; the audit log's chain; change since last year; the appendix."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            "Year out of range", {"year": f"Give a financial year from {FIRST_YEAR} to {LAST_YEAR}, like 2025"}
        )
    return figures.build(year, uk_today())
