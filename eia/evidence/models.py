"""Evidence items and the characteristics they support."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eia.accounts.models import User
from eia.db_types import UTCDateTime, enum_column, utcnow
from eia.extensions import Model, db

if TYPE_CHECKING:  # evidence sits below assessments: the link is made by name
    from eia.assessments.models import Characteristic


class EvidenceKind(StrEnum):
    FILE = "file"
    LINK = "link"
    NOTE = "note"

    @property
    def label(self) -> str:
        return self.value.capitalize()


evidence_characteristics = Table(
    "evidence_characteristics",
    db.metadata,
    Column("evidence_id", ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True),
    Column("characteristic_id", ForeignKey("characteristics.id"), primary_key=True),
)


class EvidenceItem(Model):
    """A file, link or note supporting an EIA (or a plan progress update: ``subject_type`` says which).

    Files live outside the web root under a generated name; ``stored_name`` is never derived from
    what the uploader called the file. Removal is soft: the bytes stay for the retention period.
    """

    __tablename__ = "evidence_items"
    __table_args__ = (Index("ix_evidence_items_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    evidence_date: Mapped[date | None] = mapped_column(Date)
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removal_reason: Mapped[str | None] = mapped_column(Text)
    bytes_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    characteristics: Mapped[list[Characteristic]] = relationship(
        "Characteristic", secondary=evidence_characteristics, order_by="Characteristic.position"
    )

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def __repr__(self) -> str:
        return f"<EvidenceItem {self.id} {self.kind} on {self.subject_type}:{self.subject_id}>"
