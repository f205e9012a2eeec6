"""The ``eia evidence`` commands: looking after stored evidence files."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors

evidence_cli = click.Group("evidence", help="Look after stored evidence files.")


@evidence_cli.command("purge")
@with_appcontext
@friendly_errors
def purge_evidence_command() -> None:
    """Delete the bytes of evidence files removed longer ago than EIA_EVIDENCE_RETENTION_DAYS
    (the records and their audit history stay)."""
    from flask import current_app

    from eia.auditlog.services import command_line_actor
    from eia.evidence.services import purge_removed_files
    from eia.evidence.storage import store_for
    from eia.extensions import db

    days = current_app.config["EIA_EVIDENCE_RETENTION_DAYS"]
    count = purge_removed_files(store_for(), retention_days=days, by=command_line_actor())
    db.session.commit()
    click.echo(
        f"Deleted the stored bytes of {count} removed evidence file{'' if count == 1 else 's'} older than {days} days."
    )
