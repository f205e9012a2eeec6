"""Emailing each checkpoint to the witnesses (``EIA_AUDIT_WITNESS_EMAILS``), so that copies are kept
where a database administrator cannot reach them.

A checkpoint is claimed (a row in ``audit_checkpoint_emails``, committed) before its message goes and
the claim is removed if the send fails, so two senders never send one twice and a failed one is
sent by the next run. Automatic checkpoints are sent once the response that made them has gone (the
person waits for nothing); ``eia audit-log checkpoint`` sends its own and any left over.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eia.auditlog.models import AuditCheckpoint, CheckpointEmail
from eia.db_types import utcnow
from eia.extensions import db
from eia.mail import SmtpFailed, connect
from eia.template_filters import format_date

log = logging.getLogger(__name__)

#: Checkpoints sent in one run at most (a backlog, after witnesses are first set, goes over several).
BATCH = 50


def file_name(checkpoint: AuditCheckpoint) -> str:
    return f"audit-log-checkpoint-{checkpoint.size}-{checkpoint.signed_at:%Y%m%d-%H%M%S}.txt"


def message_for(checkpoint: AuditCheckpoint, recipients: Sequence[str]) -> EmailMessage:
    """The checkpoint in a plain-text email, with its signed text attached as a file to keep."""
    config = current_app.config
    name = file_name(checkpoint)
    message = EmailMessage()
    message["Subject"] = f"Audit log checkpoint: {checkpoint.size:,} entries on {format_date(checkpoint.signed_at)}"
    message["From"] = config["EIA_MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = make_msgid(domain=config["EIA_MAIL_FROM"].rpartition("@")[2] or None)
    body = render_template(
        "email/checkpoint.txt",
        checkpoint=checkpoint,
        council=config["EIA_COUNCIL_NAME"],
        base=config["EIA_BASE_URL"].rstrip("/"),
        filename=name,
    )
    message.set_content(body)
    # As bytes in base64, so the file a witness saves is exactly what was signed (no CRLF line ends).
    message.add_attachment(
        checkpoint.note.encode("utf-8"), maintype="text", subtype="plain", filename=name, params={"charset": "utf-8"}
    )
    return message


def unsent() -> list[AuditCheckpoint]:
    sent = select(CheckpointEmail.checkpoint_id)
    return list(
        db.session.execute(
            select(AuditCheckpoint).where(AuditCheckpoint.id.not_in(sent)).order_by(AuditCheckpoint.id).limit(BATCH)
        ).scalars()
    )


def send_unsent() -> list[AuditCheckpoint]:
    """Email every checkpoint not emailed yet (up to :data:`BATCH`), oldest first; commits each claim.

    :raises SmtpFailed: when the server cannot be reached or refuses; what was not sent stays unsent.
    """
    recipients = current_app.config["EIA_AUDIT_WITNESS_EMAILS"]
    if not recipients:
        return []
    waiting = unsent()
    if not waiting:
        return []
    smtp = connect()
    sent: list[AuditCheckpoint] = []
    try:
        for checkpoint in waiting:
            claim = CheckpointEmail(checkpoint_id=checkpoint.id, recipients=", ".join(recipients), sent_at=utcnow())
            db.session.add(claim)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()  # another sender has it
                continue
            try:
                smtp.send_message(message_for(checkpoint, recipients))
            except (OSError, smtplib.SMTPException) as exc:
                db.session.delete(claim)
                db.session.commit()
                raise SmtpFailed(
                    f"the SMTP server refused the checkpoint of {checkpoint.size:,} entries: {exc}"
                ) from None
            sent.append(checkpoint)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return sent


def send_after_response(app: Flask) -> None:
    """Send what is unsent, from a response's close: log a failure, never raise (the next
    ``eia audit-log checkpoint`` sends what is left)."""
    with app.app_context():
        try:
            send_unsent()
        except SmtpFailed as exc:
            log.warning("audit checkpoint not emailed to the witnesses yet: %s", exc)
        except Exception:  # the response has gone; nobody is left to see an error
            log.exception("audit checkpoint not emailed to the witnesses yet")
            db.session.rollback()
