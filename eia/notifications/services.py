"""Collect each person's due items and send them one digest email a day.

Items come from providers: the ones here (assessment review dates, reviews waiting past the target,
mitigations and quality-audit findings due) and any registered in ``app.extensions["eia.reminders"]``
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
from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.assessments.models import COMPLETED_STATES, Eia, EiaState, Mitigation, MitigationStatus
from eia.audit.models import Finding, FindingStatus
from eia.extensions import db
from eia.notifications.models import SentReminder
from eia.working_days import add_working_days

DUE_SOON_DAYS = 7

HEADINGS = {
    "review_date": "Assessments due for review",
    "review_waiting": "Reviews waiting past the target",
    "mitigation": "Mitigations due",
    "finding": "Quality-audit findings due",
    "plan_action": "Action-plan updates due",
}


@dataclass(frozen=True)
class Reminder:
    user_id: int
    key: str  # the item, the same from day to day: "mitigation:12"
    kind: str  # a key of HEADINGS
    text: str
    path: str  # where it is in the app
    due_on: date | None = None

    @property
    def heading(self) -> str:
        return HEADINGS.get(self.kind, "Other")


Provider = Callable[[date], Iterable[Reminder]]


def _review_dates(today: date) -> Iterable[Reminder]:
    """Completed assessments whose review date is within 30 days or past, to their author and lead."""
    notice = current_app.config["EIA_REVIEW_NOTICE_DAYS"]
    rows = db.session.execute(
        select(Eia.id, Eia.reference, Eia.title, Eia.review_date, Eia.author_id, Eia.lead_officer_id).where(
            Eia.state.in_(COMPLETED_STATES), Eia.review_date <= today + timedelta(days=notice)
        )
    ).all()
    for row in rows:
        when = "was due" if row.review_date < today else "is due"
        for person in {row.author_id, row.lead_officer_id} - {None}:
            yield Reminder(
                person,
                f"review_date:{row.id}",
                "review_date",
                f"{row.reference} {row.title}: its review {when} on {_day(row.review_date)}",
                f"/eias/{row.reference}",
                row.review_date,
            )


def _reviews_waiting(today: date) -> Iterable[Reminder]:
    """Submitted assessments not approved or returned within the target, to the equalities team."""
    target = current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"]
    # Working days only ever stretch a span, so anything submitted since this can't be late yet.
    horizon = datetime.combine(today - timedelta(days=target), time.max, tzinfo=UTC)
    rows = db.session.execute(
        select(Eia.id, Eia.reference, Eia.title, Eia.submitted_at, Eia.author_id).where(
            Eia.state.in_((EiaState.SUBMITTED, EiaState.IN_REVIEW)), Eia.submitted_at <= horizon
        )
    ).all()
    team = (
        db.session.execute(select(User.id).where(User.role == Role.EQUALITIES, User.is_enabled.is_(True)))
        .scalars()
        .all()
    )
    for row in rows:
        due = add_working_days(row.submitted_at.date(), target)
        if due >= today:
            continue
        for person in set(team) - {row.author_id}:
            yield Reminder(
                person,
                f"review_waiting:{row.id}",
                "review_waiting",
                f"{row.reference} {row.title}: submitted {_day(row.submitted_at)}, review was due by {_day(due)}",
                f"/eias/{row.reference}/review",
                due,
            )


def _mitigations(today: date) -> Iterable[Reminder]:
    rows = db.session.execute(
        select(Mitigation.id, Mitigation.action, Mitigation.due_on, Mitigation.owner_id, Eia.reference)
        .join(Eia, Eia.id == Mitigation.eia_id)
        .where(Mitigation.status != MitigationStatus.DONE, Mitigation.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    ).all()
    for row in rows:
        yield Reminder(
            row.owner_id,
            f"mitigation:{row.id}",
            "mitigation",
            f"{row.reference}: {_short(row.action)} ({_due_text(row.due_on, today)})",
            f"/eias/{row.reference}/sections/mitigations",
            row.due_on,
        )


def _findings(today: date) -> Iterable[Reminder]:
    rows = db.session.execute(
        select(Finding.id, Finding.text, Finding.due_on, Finding.owner_id, Eia.reference)
        .join(Eia, Eia.id == Finding.eia_id)
        .where(Finding.status == FindingStatus.OPEN, Finding.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    ).all()
    for row in rows:
        yield Reminder(
            row.owner_id,
            f"finding:{row.id}",
            "finding",
            f"{row.reference}: {_short(row.text)} ({_due_text(row.due_on, today)})",
            f"/samples/findings/{row.id}",
            row.due_on,
        )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _due_text(due_on: date, today: date) -> str:
    return f"overdue since {_day(due_on)}" if due_on < today else f"due {_day(due_on)}"


BUILT_IN: list[Provider] = [_review_dates, _reviews_waiting, _mitigations, _findings]


def reminders(today: date, user_id: int | None = None) -> dict[int, list[Reminder]]:
    """Every due item, by person (or only *user_id*'s), soonest first."""
    providers = [*BUILT_IN, *current_app.extensions.get("eia.reminders", [])]
    found: dict[int, dict[str, Reminder]] = {}
    for provider in providers:
        for item in provider(today):
            if user_id is None or item.user_id == user_id:
                found.setdefault(item.user_id, {})[item.key] = item
    return {
        person: sorted(items.values(), key=lambda r: (r.due_on or date.max, r.key)) for person, items in found.items()
    }


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


class SmtpFailed(RuntimeError):
    """The SMTP server could not be reached or refused a message; the message says which."""


def _connect() -> smtplib.SMTP:
    config = current_app.config
    try:
        smtp = smtplib.SMTP(config["EIA_SMTP_HOST"], config["EIA_SMTP_PORT"], timeout=30)
        if config["EIA_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["EIA_SMTP_USERNAME"]:
            smtp.login(config["EIA_SMTP_USERNAME"], config["EIA_SMTP_PASSWORD"])
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpFailed(
            f"cannot send through {config['EIA_SMTP_HOST']}:{config['EIA_SMTP_PORT']}: {exc or type(exc).__name__}"
        ) from None
    return smtp


def send_digests(today: date, *, on_sent: Callable[[Digest], Any] | None = None) -> RemindReport:
    """Send today's digests, recording each item once its message is accepted (committed per
    person, so a failure part-way leaves the rest unmarked for the next run).

    :raises SmtpFailed: when the server cannot be reached or refuses a message.
    """
    pending, opted_out = digests(today)
    report = RemindReport(skipped_opted_out=opted_out)
    if not pending:
        return report
    smtp = _connect()
    try:
        for digest in pending:
            message = message_for(digest, today)
            try:
                smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as exc:
                raise SmtpFailed(f"the SMTP server refused the digest for {digest.user.email}: {exc}") from None
            for item in digest.items:
                db.session.add(SentReminder(user_id=digest.user.id, item_key=item.key, sent_on=today))
            db.session.commit()
            report.sent.append(digest)
            if on_sent:
                on_sent(digest)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return report
