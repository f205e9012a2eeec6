"""What has been emailed, so the same item is never sent twice on the same day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eia.db_types import UTCDateTime, utcnow
from eia.extensions import Model


class SentReminder(Model):
    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "item_key", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(120))
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SentReminder {self.user_id} {self.item_key} {self.sent_on}>"
