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
had its assessment approved before Cabinet. One decision went ahead before its assessment was approved, at a \
committee; report authors have since been reminded that the assessment is approved before the report goes out.

The quality audits found the weakest answers on engagement: too many assessments describe a survey but not \
what disabled and older residents said about the change, or how it changed the proposal.

Recommendations for next year:
1. Start each budget proposal's assessment before the first options paper, not with the Cabinet report.
2. Collect service data by disability and ethnicity in the housing and leisure services, where "not known" \
impacts recur.
3. Keep the quarterly audit sample, and add a panel review of one high-risk decision each quarter."""


NARRATIVE = """We use equality impact assessments to understand how our decisions affect the people who live and work in the borough, before we take them. This year every budget proposal that reduced a service was assessed before Cabinet decided, and we published each assessment here once it was signed off.

The assessments changed decisions. Library opening hours were restored on two weekday mornings after older borrowers told us when they visit, and the leisure centre's women-only swimming sessions were kept after consultation with local faith groups.

Our equality objectives are set out in our equality action plan. The table below shows how far each has moved this year; where an action is at risk, the plan says what we are doing about it."""


def load_demo_commentary(today: date) -> bool:
    """Write last financial year's report commentary and publish its equality information, once
    each (as the first member of the equalities team)."""
    year = financial_year_of(today) - 1
    writer = db.session.execute(
        select(User).where(User.role == Role.EQUALITIES, User.is_enabled.is_(True)).order_by(User.id).limit(1)
    ).scalar_one_or_none()
    if writer is None:
        return False
    added = False
    for kind, text in ((TextKind.REPORT_COMMENTARY, COMMENTARY), (TextKind.EQUALITY_INFORMATION, NARRATIVE)):
        if queries.year_text(kind, year) is None:
            services.save_year_text(kind, year, text, expected_version=0, by=writer)
            added = True
    return added
