"""Daily reminder digests through a real SMTP server on loopback, never twice a day; the in-app list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from eia.accounts.models import Role
from eia.assessments.models import Mitigation
from eia.assessments.states import EiaState
from eia.db_types import utcnow
from eia.notifications.models import SentReminder
from eia.working_days import add_working_days, is_working_day, working_days_between
from tests.conftest import free_port, sign_in_session
from tests.factories import make_eia, make_plan, make_scored_sample, make_user


def _due_items(db):
    """An author with a mitigation overdue, an assessment due for review and a quality-audit finding;
    a plan action owner; an assessment waiting for review past the target."""
    today = utcnow().date()
    author = make_user(Role.AUTHOR)
    published = make_eia(
        author=author, title="Library hours", state=EiaState.PUBLISHED, review_date=today + timedelta(days=20)
    )
    db.session.add(
        Mitigation(
            eia_id=published.id,
            action="Extend Saturday opening at Central",
            owner_id=author.id,
            due_on=today - timedelta(days=3),
        )
    )
    reviewer = make_user(Role.EQUALITIES)
    waiting = make_eia(
        title="Parking charges",
        state=EiaState.SUBMITTED,
        submitted_at=datetime.combine(today - timedelta(days=30), datetime.min.time(), tzinfo=UTC),
    )
    make_scored_sample(make_eia(author=author, title="Grants"))
    owner = make_user(Role.AUTHOR)
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    action.owner_id = owner.id
    action.due_on = today - timedelta(days=10)
    db.session.commit()
    return author, reviewer, owner, published, waiting, action


def test_each_person_gets_one_digest_and_never_twice_a_day(app, db, smtp):
    author, reviewer, owner, published, waiting, action = _due_items(db)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output

    (mail,) = smtp.to(author.email)
    assert mail["Subject"] == "Equality impact assessments: 3 things due"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f"{published.reference} Library hours: its review is due on" in text
    assert "Extend Saturday opening at Central (overdue since" in text and "Name the gaps" in text
    assert f"https://eia.council.example/eias/{published.reference}/sections/mitigations" in text
    assert f'href="https://eia.council.example/eias/{published.reference}"' in html
    assert "Mitigations due" in html and "Quality-audit findings due" in html

    (plan_mail,) = smtp.to(owner.email)
    assert f"https://eia.council.example/plans/actions/{action.id}" in plan_mail.get_body(("plain",)).get_content()
    (review_mail,) = smtp.to(reviewer.email)
    review_text = review_mail.get_body(("plain",)).get_content()
    assert f"{waiting.reference} Parking charges: submitted" in review_text and "review was due by" in review_text

    received = len(smtp.messages)
    again = runner.invoke(args=["remind"])
    assert again.exit_code == 0 and "0 digests sent" in again.output
    assert len(smtp.messages) == received
    # A new item the same day is sent; the old ones are not repeated.
    db.session.add(
        Mitigation(eia_id=published.id, action="Publish the new timetable", owner_id=author.id, due_on=utcnow().date())
    )
    db.session.commit()
    runner.invoke(args=["remind"])
    latest = smtp.to(author.email)[-1]
    assert len(smtp.to(author.email)) == 2 and latest["Subject"] == "Equality impact assessments: 1 thing due"
    assert "Publish the new timetable" in latest.get_body(("plain",)).get_content()
    # The next day everything still due is sent again.
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    assert runner.invoke(args=["remind", "--date", tomorrow]).exit_code == 0
    assert len(smtp.to(author.email)) == 3


def test_a_failing_smtp_server_marks_nothing_and_the_next_run_sends(app, db, smtp, monkeypatch):
    author, *_ = _due_items(db)
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", free_port())  # nothing listens there
    failed = app.test_cli_runner().invoke(args=["remind"])
    assert failed.exit_code == 1
    assert "cannot send through 127.0.0.1" in failed.output and "the next run sends them" in failed.output
    assert "Traceback" not in failed.output
    assert db.session.execute(select(func.count()).select_from(SentReminder)).scalar() == 0
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", smtp.port)
    assert app.test_cli_runner().invoke(args=["remind"]).exit_code == 0
    assert len(smtp.to(author.email)) == 1


def test_dry_run_prints_and_sends_nothing(app, db, smtp):
    author, *_ = _due_items(db)
    result = app.test_cli_runner().invoke(args=["remind", "--dry-run"])
    assert result.exit_code == 0
    assert f"To {author.email}: Equality impact assessments: 3 things due" in result.output
    assert "[Mitigations due] " in result.output
    assert smtp.messages == []
    assert db.session.execute(select(func.count()).select_from(SentReminder)).scalar() == 0


def test_people_can_turn_emails_off_and_still_see_their_reminders(app, client, db, smtp):
    author, *_ = _due_items(db)
    sign_in_session(client, author)
    assert 'id="emails" name="emails" type="checkbox" value="on" checked' in client.get("/account").get_data(
        as_text=True
    )
    assert client.post("/account/reminders", data={}).status_code == 302
    db.session.refresh(author)
    assert author.wants_reminder_emails is False
    result = app.test_cli_runner().invoke(args=["remind"])
    assert "1 people with items have turned emails off" in result.output
    assert smtp.to(author.email) == []
    page = client.get("/notifications").get_data(as_text=True)
    assert "Extend Saturday opening at Central" in page and "which you have turned off" in page
    assert "Assessments due for review" in page
    client.post("/account/reminders", data={"emails": "on"})
    db.session.refresh(author)
    assert author.wants_reminder_emails is True


def test_working_days_skip_weekends_and_bank_holidays():
    # Good Friday 3 April and Easter Monday 6 April 2026 are bank holidays in England and Wales.
    assert not is_working_day(date(2026, 4, 3)) and not is_working_day(date(2026, 4, 6))
    assert not is_working_day(date(2026, 4, 4)) and is_working_day(date(2026, 4, 7))
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 3, 27), 10) == date(2026, 4, 14)
    # Boxing Day 2026 is a Saturday: Monday 28 December is the substitute day.
    assert not is_working_day(date(2026, 12, 28)) and add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 14)) == 6
    assert working_days_between(date(2026, 4, 14), date(2026, 4, 2)) == 0


def test_a_review_is_late_only_after_ten_working_days(app, db):
    from eia.notifications.services import reminders

    make_user(Role.EQUALITIES)
    submitted = date(2026, 3, 27)  # a Friday; ten working days later is Tuesday 14 April (Easter between)
    eia = make_eia(state=EiaState.SUBMITTED, submitted_at=datetime(2026, 3, 27, 9, tzinfo=UTC))
    assert submitted == eia.submitted_at.date()
    on_time = [r for items in reminders(date(2026, 4, 14)).values() for r in items if r.kind == "review_waiting"]
    late = [r for items in reminders(date(2026, 4, 15)).values() for r in items if r.kind == "review_waiting"]
    assert on_time == [] and late and "review was due by 14 April 2026" in late[0].text


def test_a_refused_recipient_does_not_stop_the_others(app, db, smtp):
    author, reviewer, owner, *_ = _due_items(db)
    smtp.refuse.add(author.email)
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 1
    assert f"refused 1 recipient(s), not marked as sent: {author.email} (550" in result.output
    assert smtp.to(owner.email) and smtp.to(reviewer.email) and not smtp.to(author.email)
    sent_to = set(db.session.execute(select(SentReminder.user_id)).scalars())
    assert author.id not in sent_to and owner.id in sent_to
    smtp.refuse.clear()
    assert app.test_cli_runner().invoke(args=["remind"]).exit_code == 0
    assert len(smtp.to(author.email)) == 1 and len(smtp.to(owner.email)) == 1


def test_a_second_run_racing_the_first_sends_nothing_twice(app, db, smtp, monkeypatch):
    from eia.notifications import services

    _due_items(db)
    stale = services.digests(utcnow().date())  # what a second run read before the first recorded anything
    assert app.test_cli_runner().invoke(args=["remind"]).exit_code == 0
    received = len(smtp.messages)
    monkeypatch.setattr(services, "digests", lambda today: stale)
    with app.test_request_context():
        report = services.send_digests(utcnow().date())
    assert report.sent == [] and len(smtp.messages) == received


def test_reminders_never_show_what_a_person_may_not_see(app, db, smtp):
    from eia.assessments.states import EiaKind
    from eia.notifications.services import reminders

    today = utcnow().date()
    author, lead, other_owner = make_user(Role.AUTHOR), make_user(Role.AUTHOR), make_user(Role.AUTHOR)
    individual = make_eia(
        author=author,
        kind=EiaKind.INDIVIDUAL,
        title="Dismissal of J Smith",
        state=EiaState.SIGNED_OFF,
        lead_officer_id=lead.id,
        review_date=today + timedelta(days=5),
    )
    db.session.add(
        Mitigation(eia_id=individual.id, action="Offer J Smith redeployment", owner_id=other_owner.id, due_on=today)
    )
    # An equalities officer who leads an assessment is not asked to review it.
    leading = make_user(Role.EQUALITIES)
    make_eia(
        title="Parking charges",
        state=EiaState.SUBMITTED,
        lead_officer_id=leading.id,
        submitted_at=datetime.combine(today - timedelta(days=30), datetime.min.time(), tzinfo=UTC),
    )
    # A reopened assessment: the old published version stops asking for its review.
    old = make_eia(author=author, title="Old version", state=EiaState.PUBLISHED, review_date=today + timedelta(days=3))
    make_eia(author=author, title="Old version", previous_id=old.id)
    db.session.commit()
    found = reminders(today)
    assert [r.text for r in found.get(author.id, []) if "J Smith" in r.text]  # the author still hears
    assert lead.id not in found and other_owner.id not in found and leading.id not in found
    assert not [r for r in found.get(author.id, []) if "Old version" in r.text]
