"""The ``eia remind`` command: the daily digest of what is due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors, parse_day


@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Print the digests that would be sent; send and record nothing.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Act as if today were this day (default: today, UTC).")
@with_appcontext
@friendly_errors
def remind_command(dry_run: bool, date_text: str | None) -> None:
    """Email each person one digest of what is theirs and due (run daily from cron). An item is sent
    at most once a day, even if this runs twice; a failed send is tried again on the next run."""
    from eia.notifications import services
    from eia.working_days import uk_today

    today = parse_day(date_text, "--date") or uk_today()
    if dry_run:
        pending, opted_out = services.digests(today)
        for digest in pending:
            click.echo(f"To {digest.user.email}: {digest.subject}")
            for item in digest.items:
                click.echo(f"  [{item.heading}] {item.text}")
        click.echo(f"{len(pending)} digests would be sent; {opted_out} people with items have turned emails off.")
        return
    try:
        report = services.send_digests(today, on_sent=lambda d: click.echo(f"Sent to {d.user.email}: {d.subject}"))
    except services.SmtpFailed as exc:
        raise click.ClickException(f"{exc}. Digests not sent are not marked, so the next run sends them.") from None
    click.echo(
        f"{len(report.sent)} digests sent ({sum(len(d.items) for d in report.sent)} items); "
        f"{report.skipped_opted_out} people with items have turned emails off."
    )
    if report.refused:
        raise click.ClickException(
            f"the SMTP server refused {len(report.refused)} recipient(s), not marked as sent: "
            + "; ".join(report.refused)
        )
