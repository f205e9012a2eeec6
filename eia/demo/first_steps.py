"""Three things to try first as each role, printed by ``eia demo`` after the sign-ins."""

from __future__ import annotations

from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.models import Eia
from eia.extensions import db


def _ref(title: str) -> str:
    """The assessment called *title* as "EIA-2026-0007 (title)", or the title alone if it is not there."""
    reference = db.session.execute(
        select(Eia.reference).where(Eia.title == title).order_by(Eia.id.desc()).limit(1)
    ).scalar_one_or_none()
    return f"{reference} ({title})" if reference else f'"{title}"'


def first_steps() -> dict[Role, list[str]]:
    """For each role, three things to try first, with the addresses to go to."""
    return {
        Role.AUTHOR: [
            "As sam.patel: My work (/) lists the draft " + _ref("Tenancy strategy review") + ", written with Mei "
            "Chen and filed under Tenancy Management, and the review of "
            + _ref("Housing allocations policy")
            + " falling due.",
            "As gareth.hughes: open " + _ref("Charges for replacement wheeled bins") + ", returned by the "
            "equalities team; its comment on Mitigations and monitoring is still to be dealt with: answer it and resubmit.",
            "Start an assessment of your own at /eias/new and work through its task list.",
        ],
        Role.EQUALITIES: [
            "The dashboard (/dashboard): the pipeline, decisions due in the next 28 days, overdue mitigations.",
            "Review " + _ref("Personal adviser service for care leavers: move to a hub model") + ", waiting at "
            "/eias/?state=submitted: start the review, then approve it or return it with a comment.",
            "This year's EIA programme (/programme/) and the quality audits of past quarters (/samples/).",
        ],
        Role.DECISION_MAKER: [
            "Sign off " + _ref("Restructure of the revenues and benefits team") + ", approved and waiting for "
            "you: confirm you have read its adverse impacts.",
            "The budget round (/rounds/): the cumulative effect of six proposals on older and disabled people.",
            "This year's annual EIA report (/reports/), and as a PDF from its page.",
        ],
        Role.ADMIN: [
            "People and their roles (/admin/users/), and the service areas they belong to (/admin/service-areas/).",
            "The characteristic register (/admin/characteristics/): switch a local characteristic on or off.",
            'The audit log (/audit-log/): press "Check the chain now" to prove no entry was altered.',
        ],
    }
