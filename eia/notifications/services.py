"""Collect each person's due items and send them one digest email a day.

Items come from providers: the ones here (assessment review dates, reviews waiting past the target,
mitigations and quality-audit findings due) and any registered to the ``eia.signals.reminders`` signal
(the plan tracker adds plan actions due an update). A provider takes today's date and returns
:class:`Reminder` items. An item is emailed at most once a day: what was sent is recorded in
``sent_reminders`` after the SMTP server accepted the message, so a failed send leaves nothing marked.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, render_template
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from eia import metrics, signals
from eia.accounts.models import Role, User
from eia.assessments.models import Eia, Mitigation
from eia.assessments.states import COMPLETED_STATES, EiaState, MitigationStatus
from eia.extensions import db
from eia.mail import SmtpFailed, connect
from eia.notifications.models import SentReminder
from eia.quality.models import Finding, FindingStatus
from eia.signals import values_from
from eia.template_filters import format_date
from eia.working_days import add_working_days, uk_day

DUE_SOON_DAYS = 7

HEADINGS = {
    "review_date": "Assessments due for review",
    "review_waiting": "Reviews waiting past the target",
    "mitigation": "Mitigations due",
    "finding": "Quality-audit findings due",
    "plan_action": "Action-plan updates due",
    "handed_over": "Assessments handed over to you",
    "equality_information": "The equality information to publish",
}


@dataclass(frozen=True)
class Reminder:
    user_id: int
    key: str  # the item, the same from day to day: "mitigation:12"
    kind: str  # a key of HEADINGS
    text: str
    path: str  # where it is in the app
    due_on: date | None = None
    eia_id: int | None = None  # the assessment it is about: sent only to people who may see it

    @property
    def heading(self) -> str:
        return HEADINGS.get(self.kind, "Other")


Provider = Callable[[date], Iterable[Reminder]]


def _current() -> ColumnElement[bool]:
    """Not replaced by a newer version (reopening leaves the old one published)."""
    newer = aliased(Eia)
    return ~exists().where(newer.previous_id == Eia.id)


def _review_dates(today: date) -> Iterable[Reminder]:
    """Completed assessments whose review date is within 30 days or past, to their author and lead."""
    notice = current_app.config["EIA_REVIEW_NOTICE_DAYS"]
    rows = db.session.execute(
        select(Eia.id, Eia.reference, Eia.title, Eia.review_date, Eia.author_id, Eia.lead_officer_id, Eia.state).where(
            Eia.state.in_(COMPLETED_STATES), Eia.review_date <= today + timedelta(days=notice), _current()
        )
    ).all()
    for row in rows:
        when = "was due" if row.review_date < today else "is due"
        then = ": start its next version" if row.state is EiaState.REVIEW_DUE else ""
        for person in {row.author_id, row.lead_officer_id} - {None}:
            yield Reminder(
                person,
                f"review_date:{row.id}",
                "review_date",
                f"{row.reference} {row.title}: its review {when} on {_day(row.review_date)}{then}",
                f"/eias/{row.reference}",
                row.review_date,
                row.id,
            )


def _reviews_waiting(today: date) -> Iterable[Reminder]:
    """Submitted assessments not approved or returned within the target, to the equalities team."""
    target = current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"]
    # Working days only ever stretch a span, so anything submitted since this can't be late yet.
    horizon = datetime.combine(today - timedelta(days=target), time.max, tzinfo=UTC)
    rows = db.session.execute(
        select(
            Eia.id, Eia.reference, Eia.title, Eia.submitted_at, Eia.review_target_on, Eia.author_id, Eia.lead_officer_id
        ).where(Eia.state.in_((EiaState.SUBMITTED, EiaState.IN_REVIEW)), Eia.submitted_at <= horizon)
    ).all()
    team = (
        db.session.execute(select(User.id).where(User.role == Role.EQUALITIES, User.is_enabled.is_(True)))
        .scalars()
        .all()
    )
    for row in rows:
        due = row.review_target_on or add_working_days(uk_day(row.submitted_at), target)
        if due >= today:
            continue
        for person in set(team) - {row.author_id, row.lead_officer_id}:
            yield Reminder(
                person,
                f"review_waiting:{row.id}",
                "review_waiting",
                f"{row.reference} {row.title}: submitted {_day(row.submitted_at)}, review was due by {_day(due)}",
                f"/eias/{row.reference}/review",
                due,
                row.id,
            )


def _mitigations(today: date) -> Iterable[Reminder]:
    rows = db.session.execute(
        select(
            Mitigation.id, Mitigation.action, Mitigation.due_on, Mitigation.owner_id, Eia.reference, Eia.id.label("eia")
        )
        .join(Eia, Eia.id == Mitigation.eia_id)
        .where(
            Mitigation.status != MitigationStatus.DONE,
            Mitigation.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            Eia.state.not_in((EiaState.ARCHIVED, EiaState.ABANDONED)),
            _current(),
        )
    ).all()
    for row in rows:
        yield Reminder(
            row.owner_id,
            f"mitigation:{row.id}",
            "mitigation",
            f"{row.reference}: {short_text(row.action)} ({_due_text(row.due_on, today)})",
            f"/eias/{row.reference}/sections/mitigations",
            row.due_on,
            row.eia,
        )


def _findings(today: date) -> Iterable[Reminder]:
    rows = db.session.execute(
        select(Finding.id, Finding.text, Finding.due_on, Finding.owner_id, Eia.reference, Eia.id.label("eia"))
        .join(Eia, Eia.id == Finding.eia_id)
        .where(Finding.status == FindingStatus.OPEN, Finding.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    ).all()
    for row in rows:
        yield Reminder(
            row.owner_id,
            f"finding:{row.id}",
            "finding",
            f"{row.reference}: {short_text(row.text)} ({_due_text(row.due_on, today)})",
            f"/samples/findings/{row.id}",
            row.due_on,
            row.eia,
        )


def _day(day: date | datetime) -> str:
    """A date, or the UK day of a moment (23:30 UTC in summer is the next day)."""
    return format_date(day)


def short_text(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _due_text(due_on: date, today: date) -> str:
    return f"overdue since {_day(due_on)}" if due_on < today else f"due {_day(due_on)}"


def _handed_over(today: date) -> Iterable[Reminder]:
    """Drafts handed to a new author since the day before, to that author."""
    since = datetime.combine(today - timedelta(days=1), time.min, tzinfo=UTC)
    rows = db.session.execute(
        select(Eia.id, Eia.reference, Eia.title, Eia.author_id, Eia.handed_over_at, User.name)
        .join(User, User.id == Eia.handed_over_by_id)
        .where(Eia.handed_over_at >= since, Eia.state.in_((EiaState.DRAFT, EiaState.RETURNED)))
    ).all()
    for row in rows:
        yield Reminder(
            row.author_id,
            f"handed_over:{row.id}:{row.handed_over_at.date().isoformat()}",
            "handed_over",
            f"{row.reference} {row.title}: {row.name} handed it over to you on {_day(row.handed_over_at)}",
            f"/eias/{row.reference}",
            None,
            row.id,
        )


BUILT_IN: list[Provider] = [_review_dates, _reviews_waiting, _mitigations, _findings, _handed_over]


def reminders(today: date, user_id: int | None = None) -> dict[int, list[Reminder]]:
    """Every due item, by person (or only *user_id*'s), soonest first."""
    batches = [provider(today) for provider in BUILT_IN] + values_from(signals.reminders.send(None, today=today))
    found: dict[int, dict[str, Reminder]] = {}
    for batch in batches:
        for item in batch:
            if user_id is None or item.user_id == user_id:
                found.setdefault(item.user_id, {})[item.key] = item
    return {
        person: sorted(items.values(), key=lambda r: (r.due_on or date.max, r.key))
        for person, items in _visible(found).items()
    }


def _visible(found: dict[int, dict[str, Reminder]]) -> dict[int, dict[str, Reminder]]:
    """Only items about assessments each person may see (an individual action's title and
    mitigations go to nobody else), checked with the same rule as the pages."""
    from eia.permissions import can

    eia_ids = {item.eia_id for items in found.values() for item in items.values() if item.eia_id}
    if not eia_ids:
        return found
    eias = {e.id: e for e in db.session.execute(select(Eia).where(Eia.id.in_(eia_ids))).scalars()}
    people = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(found))).scalars()}
    kept: dict[int, dict[str, Reminder]] = {}
    for person_id, items in found.items():
        person = people.get(person_id)
        for key, item in items.items():
            if item.eia_id is None or (person and can(person, "eia.view", eias.get(item.eia_id))):
                kept.setdefault(person_id, {})[key] = item
    return kept


@dataclass
class Digest:
    user: User
    items: list[Reminder]

    @property
    def subject(self) -> str:
        n = len(self.items)
        return f"Equality impact assessments: {n} thing{'s' if n != 1 else ''} due"


@dataclass
class RemindReport:
    sent: list[Digest] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    skipped_opted_out: int = 0
    failure: str | None = None


def digests(today: date) -> tuple[list[Digest], int]:
    """The digests to send today: items not yet emailed today, for enabled people who want email.
    Also returns how many people with items have turned emails off."""
    due = reminders(today)
    if not due:
        return [], 0
    people = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(due))).scalars()}
    sent = {
        (row.user_id, row.item_key)
        for row in db.session.execute(
            select(SentReminder.user_id, SentReminder.item_key).where(SentReminder.sent_on == today)
        )
    }
    result, opted_out = [], 0
    for person_id, items in sorted(due.items()):
        person = people.get(person_id)
        if person is None or not person.is_enabled:
            continue
        if not person.wants_reminder_emails:
            opted_out += 1
            continue
        fresh = [item for item in items if (person_id, item.key) not in sent]
        if fresh:
            result.append(Digest(person, fresh))
    return result, opted_out


def message_for(digest: Digest, today: date) -> EmailMessage:
    """The digest as an email with a plain-text and an HTML part, each item linked."""
    config = current_app.config
    base = config["EIA_BASE_URL"].rstrip("/")
    groups: dict[str, list[Reminder]] = {}
    for item in digest.items:
        groups.setdefault(item.heading, []).append(item)
    context = {"digest": digest, "groups": groups, "base": base, "today": today}
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = config["EIA_MAIL_FROM"]
    message["To"] = digest.user.email
    message["Message-ID"] = make_msgid(domain=config["EIA_MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(render_template("email/digest.txt", **context))
    message.add_alternative(render_template("email/digest.html", **context), subtype="html")
    return message


def send_digests(today: date, *, on_sent: Callable[[Digest], Any] | None = None) -> RemindReport:
    """Send today's digests. Each person's items are claimed (recorded as sent, committed) before
    their message goes, so two runs at once never send the same item twice; a message that fails
    has its claim removed, so the next run sends it.

    :raises SmtpFailed: when the server cannot be reached or fails part-way; a refused recipient
        is skipped and listed in the report instead, and the others still get theirs.
    """
    pending, opted_out = digests(today)
    report = RemindReport(skipped_opted_out=opted_out)
    if not pending:
        return report
    smtp = connect()
    try:
        for digest in pending:
            claims = [SentReminder(user_id=digest.user.id, item_key=item.key, sent_on=today) for item in digest.items]
            db.session.add_all(claims)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()  # another run is sending this person's digest
                continue
            try:
                smtp.send_message(message_for(digest, today))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError) as exc:
                _release(claims)
                report.refused.append(f"{digest.user.email} ({_reason(exc)})")
                metrics.REMINDER_EMAILS.labels(outcome="refused").inc()
                continue
            except (OSError, smtplib.SMTPException) as exc:
                _release(claims)
                metrics.REMINDER_EMAILS.labels(outcome="failed").inc()
                raise SmtpFailed(f"the SMTP server failed while sending to {digest.user.email}: {exc}") from None
            report.sent.append(digest)
            metrics.REMINDER_EMAILS.labels(outcome="sent").inc()
            if on_sent:
                on_sent(digest)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return report


def _release(claims: list[SentReminder]) -> None:
    for claim in claims:
        db.session.delete(claim)
    db.session.commit()


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {message.decode(errors='replace')}" for code, message in exc.recipients.values())
    return str(exc)
