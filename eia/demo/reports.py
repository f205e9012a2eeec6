"""The equalities team's commentary on last year's annual report, as a demo council would write it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.assessments.queries import financial_year_of
from eia.extensions import db
from eia.reports import queries, services
from eia.reports.models import TextKind

COMMENTARY = """More assessments were started before options were fixed this year, and every budget proposal \
had its assessment approved before Cabinet. Two decisions went ahead before their assessment was approved; \
both were delegated officer decisions, and officers with delegated powers have since been briefed.

The quality audits found the weakest answers on engagement: too many assessments describe a survey but not \
what disabled and older residents said about the change, or how it changed the proposal.

Recommendations for next year:
1. Start each budget proposal's assessment before the first options paper, not with the Cabinet report.
2. Collect service data by disability and ethnicity in the housing and leisure services, where "not known" \
impacts recur.
3. Keep the quarterly audit sample, and add a panel review of one high-risk decision each quarter."""


def load_demo_commentary(today: date) -> bool:
    """Write last financial year's commentary once (as the first member of the equalities team)."""
    year = financial_year_of(today) - 1
    if queries.year_text(TextKind.REPORT_COMMENTARY, year) is not None:
        return False
    writer = db.session.execute(
        select(User).where(User.role == Role.EQUALITIES, User.is_enabled.is_(True)).order_by(User.id).limit(1)
    ).scalar_one_or_none()
    if writer is None:
        return False
    services.save_year_text(TextKind.REPORT_COMMENTARY, year, COMMENTARY, expected_version=0, by=writer)
    return True
