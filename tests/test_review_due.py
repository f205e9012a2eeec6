"""``eia daily``: signed-off and published assessments whose review date has come move to review due,
once, with an audit entry, and reach their author's My work and digest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.states import EiaState
from eia.auditlog.models import AuditEntry
from eia.extensions import db as _db
from eia.notifications import services as reminders
from tests.conftest import sign_in_session
from tests.factories import make_eia, make_user


def test_eia_daily_moves_assessments_whose_review_has_come_once(app, client, db):
    author = make_user(Role.AUTHOR)
    published = make_eia(
        author=author,
        title="Library opening hours",
        state=EiaState.PUBLISHED,
        review_date=date(2026, 3, 31),
        published_at=None,
    )
    signed = make_eia(author=author, title="Parking charges", state=EiaState.SIGNED_OFF, review_date=date(2026, 4, 1))
    later = make_eia(author=author, title="Grants", state=EiaState.PUBLISHED, review_date=date(2026, 4, 2))
    draft = make_eia(author=author, title="Draft", review_date=date(2020, 1, 1))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["daily", "--date", "2026-04-01"])
    assert result.exit_code == 0, result.output
    assert "2 assessments moved to review due." in result.output
    for eia in (published, signed, later, draft):
        db.session.refresh(eia)
    assert (published.state, signed.state) == (EiaState.REVIEW_DUE, EiaState.REVIEW_DUE)
    assert (later.state, draft.state) == (EiaState.PUBLISHED, EiaState.DRAFT)
    entries = (
        _db.session.execute(select(AuditEntry).where(AuditEntry.action == "eia_review_due").order_by(AuditEntry.id))
        .scalars()
        .all()
    )
    assert [e.entity_id for e in entries] == [str(published.id), str(signed.id)]
    assert entries[0].changes == {"state": ["published", "review_due"]}

    again = runner.invoke(args=["daily", "--date", "2026-04-01"])
    assert again.exit_code == 0 and "0 assessments moved to review due." in again.output
    assert runner.invoke(args=["daily", "--date", "1 April"]).exit_code != 0

    digest = reminders.reminders(date(2026, 4, 1), user_id=author.id)[author.id]
    assert any(f"{signed.reference} Parking charges" in r.text and "start its next version" in r.text for r in digest)
    sign_in_session(client, author)
    home = client.get("/").get_data(as_text=True)
    assert "Parking charges" in home and "Review due" in home
