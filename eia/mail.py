"""Sending email through the SMTP server in the configuration (the reminders and the audit log's
witnesses use it)."""

from __future__ import annotations

import smtplib

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
