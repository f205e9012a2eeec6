"""Who writes the demo's drafts: one written with a colleague, one handed over, one abandoned."""

from __future__ import annotations

from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.assessments import authoring, workflow
from eia.assessments.models import Coauthor, Eia, EiaKind, EiaState
from eia.extensions import db

ABANDONED_BECAUSE = (
    "Cabinet dropped this option at the first budget workshop, so the service stays as it is. "
    "Nothing here is needed for the remaining proposals."
)


def load_demo_authoring() -> bool:
    """Once, on the demo's drafts: a co-author helping on the first, the second handed to a colleague
    (who finds it in My work), the third abandoned with its reason."""
    if db.session.execute(select(Coauthor.id).limit(1)).first() is not None:
        return False
    drafts = (
        db.session.execute(
            select(Eia).where(Eia.state == EiaState.DRAFT, Eia.kind == EiaKind.STANDARD).order_by(Eia.id).limit(3)
        )
        .scalars()
        .all()
    )
    authors = db.session.execute(select(User).where(User.role == Role.AUTHOR).order_by(User.id)).scalars().all()
    if len(drafts) < 3 or len(authors) < 2:
        return False

    def colleague(of: User) -> User:
        return next(person for person in authors if person.id != of.id)

    helped, handed, dropped = drafts
    authoring.add_coauthor(helped, colleague(helped.author).id, by=helped.author)
    authoring.hand_over(handed, colleague(handed.author).id, by=handed.author)
    workflow.transition(dropped, "abandon", by=dropped.author, comment=ABANDONED_BECAUSE, confirmed=True)
    return True
