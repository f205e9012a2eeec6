"""The ``eia audit-log`` commands: check and export the tamper-evident audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors, parse_day

audit_cli = click.Group("audit-log", help="Check and export the tamper-evident audit log.")


@audit_cli.command("verify")
@with_appcontext
@friendly_errors
def verify_command() -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry."""
    from eia.auditlog import services as audit
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db

    total = audit.count_entries()
    with click.progressbar(length=total, label="Checking the audit log", file=sys.stderr) as bar:
        report = audit.check_chain(by=command_line_actor(), progress=bar.update)
    db.session.commit()  # a broken chain's check is worth its entry too
    if not report.is_intact:
        raise click.ClickException(f"audit log broken at entry #{report.broken_at}: {report.problem}")
    click.echo(f"Audit log intact: {report.entries:,} entries.")
    if report.head_id is not None:
        click.echo(f"Newest entry #{report.head_id}, hash {report.head_hash}")
        click.echo("Keep this hash somewhere else: if the newest entries were ever removed, it would show.")


@audit_cli.command("export")
@click.option("--since", "since_text", metavar="YYYY-MM-DD", help="First day to include (UTC).")
@click.option("--until", "until_text", metavar="YYYY-MM-DD", help="Last day to include (UTC).")
@click.option(
    "--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@with_appcontext
@friendly_errors
def export_command(since_text: str | None, until_text: str | None, csv_path: Path) -> None:
    """Write audit-log entries to a CSV file (formula-safe)."""
    from eia.auditlog import queries
    from eia.auditlog import services as audit
    from eia.auditlog.queries import AuditFilter
    from eia.auditlog.services import command_line_actor
    from eia.csv_export import csv_lines
    from eia.extensions import db

    filters = AuditFilter(
        since=parse_day(since_text, "--since"), until=parse_day(until_text, "--until"), up_to_id=queries.newest_id()
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    audit.record(
        "audit_log_exported",
        by=command_line_actor(),
        entity_type="audit_log",
        detail=f"since={filters.since or 'start'} until={filters.until or 'now'} to {csv_path.name}",
    )
    db.session.flush()
    lines = 0
    try:
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            for line in csv_lines(queries.EXPORT_HEADER, queries.export_rows(filters)):
                handle.write(line)
                lines += 1
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"cannot write {csv_path}: {exc.strerror}") from None
    db.session.commit()
    click.echo(f"Wrote {lines - 1:,} entries to {csv_path}.")
