"""Who writes the demo's drafts: one written with a colleague and filed under the team whose policy it
is, one handed over, one abandoned."""

from __future__ import annotations

from sqlalchemy import select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import authoring, workflow
from eia.assessments.models import Coauthor, Eia, EiaKind, EiaState
from eia.extensions import db

ABANDONED_BECAUSE = (
    "Cabinet dropped this option at the first budget workshop, so the phone line stays open five days a week. "
    "Nothing here is needed for the remaining proposals."
)
#: The drafts: (written with a colleague, handed to a colleague, abandoned).
HELPED = "Tenancy strategy review"
#: The team whose policy it is, in its author's directorate (the author works in Housing Options).
HELPED_FOR = "Tenancy Management"
HANDED = "Housing register renewal letters"
DROPPED = "Closing the council tax phone line on Wednesdays"


def load_demo_authoring() -> bool:
    """Once, on the demo's drafts: a co-author from the same team helping on one, which its author
    files under the team whose policy it is, another handed to a colleague (who finds it in My work),
    a third abandoned with its reason."""
    if db.session.execute(select(Coauthor.id).limit(1)).first() is not None:
        return False
    drafts = {
        eia.title: eia
        for eia in db.session.execute(
            select(Eia).where(
                Eia.state == EiaState.DRAFT, Eia.kind == EiaKind.STANDARD, Eia.title.in_([HELPED, HANDED, DROPPED])
            )
        ).scalars()
    }
    authors = db.session.execute(select(User).where(User.role == Role.AUTHOR).order_by(User.id)).scalars().all()
    if len(drafts) < 3:
        return False

    def colleague(of: User) -> User:
        """Someone in the same team, who can see the draft."""
        return next(p for p in authors if p.id != of.id and p.service_area_id == of.service_area_id)

    helped, handed, dropped = drafts[HELPED], drafts[HANDED], drafts[DROPPED]
    authoring.add_coauthor(helped, colleague(helped.author).id, by=helped.author)
    owner = db.session.execute(select(ServiceArea).where(ServiceArea.name == HELPED_FOR)).scalar_one()
    authoring.move_eia(helped, owner.id, by=helped.author)
    authoring.hand_over(handed, colleague(handed.author).id, by=handed.author)
    workflow.transition(dropped, "abandon", by=dropped.author, comment=ABANDONED_BECAUSE, confirmed=True)
    return True
