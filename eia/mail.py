"""Sending email through the SMTP server in the configuration (the reminders, the audit log's witnesses, invitations and
password resets use it)."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage

from flask import current_app


class SmtpFailed(RuntimeError):
    """The SMTP server could not be reached or refused a message; the message says which."""


def connect() -> smtplib.SMTP:
    """A connection to ``EIA_SMTP_HOST``, upgraded with STARTTLS and signed in as configured.

    :raises SmtpFailed: naming the server, when it cannot be reached or refuses the sign-in.
    """
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


def send_one(message: EmailMessage) -> None:
    """Send one message on a connection of its own.

    :raises SmtpFailed: when the server cannot be reached or does not accept the message.
    """
    smtp = connect()
    try:
        smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpFailed(f"the SMTP server did not accept the message to {message['To']}: {exc}") from None
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
