"""Budget rounds: the proposals a council decides together, whose impacts add up for the same people."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eia.accounts.models import User
from eia.assessments.models import Eia
from eia.db_types import UTCDateTime, utcnow
from eia.extensions import Model

#: A group hit by this many proposals of one round or more is flagged as a cumulative impact.
CUMULATIVE_THRESHOLD = 3


class BudgetRound(Model):
    """A budget round ("Budget 2027/28") and the day members decide it."""

    __tablename__ = "budget_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    decision_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()
    proposals: Mapped[list[RoundProposal]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundProposal.id"
    )

    def __repr__(self) -> str:
        return f"<BudgetRound {self.id} {self.name!r}>"


class RoundProposal(Model):
    """An assessment's place in a round: an assessment is in one round at most."""

    __tablename__ = "round_proposals"
    __table_args__ = (UniqueConstraint("eia_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_rounds.id", ondelete="CASCADE"), index=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eias.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    round: Mapped[BudgetRound] = relationship(back_populates="proposals")
    eia: Mapped[Eia] = relationship()

    def __repr__(self) -> str:
        return f"<RoundProposal {self.eia_id} in {self.round_id}>"
