"""What the equalities team writes for a year, beside the figures: the annual report's commentary
and recommendations, and the narrative of the yearly equality information."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eia.accounts.models import User
from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model


class TextKind(StrEnum):
    REPORT_COMMENTARY = "report_commentary"
    EQUALITY_INFORMATION = "equality_information"

    @property
    def label(self) -> str:
        return {
            TextKind.REPORT_COMMENTARY: "Commentary and recommendations",
            TextKind.EQUALITY_INFORMATION: "The council's narrative",
        }[self]


class YearText(Model):
    """One year's text of one kind; each save is a new version, and the audit log keeps every one."""

    __tablename__ = "year_texts"
    __table_args__ = (UniqueConstraint("kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TextKind] = mapped_column(enum_column(TextKind))
    year: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<YearText {self.kind} {self.year} v{self.version}>"
