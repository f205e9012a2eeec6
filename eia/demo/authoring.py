"""Who writes the demo's drafts: one written with a colleague and filed under the team whose policy it
is, one handed over, one abandoned, and one abandoned and then restored by the equalities team."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import authoring, workflow
from eia.assessments.models import Coauthor, Eia, EiaKind, EiaState
from eia.demo.story import on_day, told_at
from eia.extensions import db

ABANDONED_BECAUSE = (
    "Cabinet dropped this option at the first budget workshop, so the phone line stays open five days a week. "
    "Nothing here is needed for the remaining proposals."
)
SET_ASIDE_BECAUSE = "The review of library charges has moved to next year's budget, so this can wait."
RESTORED_BECAUSE = (
    "Cabinet asked for the children's charges to be decided this year after all. Restored so it can be "
    "finished before the February meeting."
)
#: The drafts: (written with a colleague, handed to a colleague, abandoned, abandoned and restored).
HELPED = "Tenancy strategy review"
#: The team whose policy it is, in its author's directorate (the author works in Housing Options).
HELPED_FOR = "Tenancy Management"
HANDED = "Housing register renewal letters"
DROPPED = "Closing the council tax phone line on Wednesdays"
RESTORED = "Removing overdue charges on children's library books"


def load_demo_authoring(today: date) -> bool:
    """Once, on the demo's drafts: a co-author from the same team helping on one, which its author
    files under the team whose policy it is, another handed to a colleague (who finds it in My work),
    a third abandoned with its reason, and a fourth set aside by its author and restored by the
    equalities team a few days later."""
    if db.session.execute(select(Coauthor.id).limit(1)).first() is not None:
        return False
    drafts = {
        eia.title: eia
        for eia in db.session.execute(
            select(Eia).where(
                Eia.state == EiaState.DRAFT,
                Eia.kind == EiaKind.STANDARD,
                Eia.title.in_([HELPED, HANDED, DROPPED, RESTORED]),
            )
        ).scalars()
    }
    authors = db.session.execute(select(User).where(User.role == Role.AUTHOR).order_by(User.id)).scalars().all()
    if len(drafts) < 4:
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
    restored = drafts[RESTORED]
    workflow.transition(restored, "abandon", by=restored.author, comment=SET_ASIDE_BECAUSE, confirmed=True)
    team = db.session.execute(select(User).where(User.role == Role.EQUALITIES).order_by(User.id).limit(1)).scalar_one()
    with told_at(on_day(today - timedelta(days=9), 11)):
        workflow.transition(restored, "restore", by=team, comment=RESTORED_BECAUSE, confirmed=True)
    return True
