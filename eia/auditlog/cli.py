"""The ``eia audit-log`` commands: check and export the tamper-evident audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors, parse_day

audit_cli = click.Group("audit-log", help="Check, checkpoint and export the tamper-evident audit log.")


#: The largest saved checkpoint file or feed read (a feed of ten years of checkpoints is a few MB).
MAX_SOURCE_BYTES = 50 * 1024 * 1024


def _read_source(source: str, what: str) -> str:
    """The text of a file, or of an http(s) URL, for --against and --public-key."""
    if source.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=30) as response:  # http(s) only, checked above
                data = response.read(MAX_SOURCE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response, and its connection, open
            raise click.ClickException(f"cannot fetch {what} from {source}: {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise click.ClickException(f"cannot fetch {what} from {source}: {getattr(exc, 'reason', exc)}") from None
    else:
        try:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            raise click.ClickException(f"cannot read {what} {source}: {exc.strerror}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise click.ClickException(f"{source} is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MB: not {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{source} is not text: not {what}") from None


@audit_cli.command("verify")
@click.option(
    "--against",
    metavar="FILE_OR_URL",
    help="A saved checkpoint, the checkpoint feed (JSON) or its URL: also prove the log still contains every "
    "state they attest.",
)
@click.option(
    "--public-key",
    "public_key_source",
    metavar="FILE_OR_URL",
    help="With --against: the log's public key (default: the one of EIA_AUDIT_SIGNING_KEY_FILE).",
)
@with_appcontext
@friendly_errors
def verify_command(against: str | None, public_key_source: str | None) -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry. With --against, also
    check the log against signed checkpoints kept elsewhere: it must still have at least as many
    entries as each attests, the same hash at that position, and each signature must be valid."""
    from eia.auditlog import checkpoints
    from eia.auditlog import services as audit
    from eia.auditlog.services import command_line_actor
    from eia.auditlog.signing import PublicKey
    from eia.extensions import db

    notes: list[str] = []
    key: PublicKey | None = None
    if against:
        notes = checkpoints.saved_notes(_read_source(against, "checkpoints"), against)
        if public_key_source:
            key = PublicKey.parse(_read_source(public_key_source, "a public key"))
        else:
            signing = checkpoints.configured_key()
            if signing is None:
                raise click.ClickException(
                    "give the log's public key with --public-key FILE_OR_URL, or set EIA_AUDIT_SIGNING_KEY_FILE"
                )
            key = signing.public
    total = audit.count_entries()
    with click.progressbar(length=total, label="Checking the audit log", file=sys.stderr) as bar:
        report = audit.verify_chain(bar.update)
    compared = None
    if key is not None:
        compared = checkpoints.check_against(notes, key, checkpoints.head_position())
    outcome = None
    if compared is not None:
        outcome = f"against {len(notes)} checkpoints from {against}: " + (
            "all held" if compared.holds else f"{len(compared.problems)} problems"
        )
    audit.record_check(report, by=command_line_actor(), against=outcome)
    db.session.commit()  # a broken chain's check is worth its entry too
    if report.is_intact:
        click.echo(f"Audit log intact: {report.entries:,} entries.")
    elif compared is not None:
        click.echo(f"Audit log broken at entry #{report.broken_at}: {report.problem}.", err=True)
    if compared is not None:
        for problem in compared.problems[:20]:
            click.echo(f"Not as checkpointed: {problem}.", err=True)
        if len(compared.problems) > 20:
            click.echo(f"... and {len(compared.problems) - 20} more problems.", err=True)
        if not compared.problems and compared.newest is not None:
            newest = compared.newest
            click.echo(
                f"The log still contains every state that the {compared.checked:,} checkpoints in {against} attest "
                f"(the newest {checkpoints.describe(newest).removeprefix('a checkpoint ')}, of {newest.size:,} entries)."
            )
    if not report.is_intact:
        raise click.ClickException(f"audit log broken at entry #{report.broken_at}: {report.problem}")
    if compared is not None and compared.problems:
        raise click.ClickException(
            f"the audit log no longer holds what {len(compared.problems)} of the checkpoints in {against} attest"
        )
    if report.head_id is not None and compared is None:
        click.echo(f"Newest entry #{report.head_id}, hash {report.head_hash}")
        click.echo("Keep this hash somewhere else: if the newest entries were ever removed, it would show.")


@audit_cli.command("keygen")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the key (default: EIA_AUDIT_SIGNING_KEY_FILE). An existing file is never overwritten.",
)
@click.option("--name", help="The log's name in its checkpoints (default: EIA_BASE_URL's host and /eia-audit-log).")
@with_appcontext
@friendly_errors
def keygen_command(out: Path | None, name: str | None) -> None:
    """Make the Ed25519 key that signs checkpoints of the audit log, readable only by you, and print
    its public key."""
    from urllib.parse import urlsplit

    from flask import current_app

    from eia.auditlog.signing import SigningKey, write_key_file

    configured = current_app.config.get("EIA_AUDIT_SIGNING_KEY_FILE")
    path = out or (Path(configured) if configured else None)
    if path is None:
        raise click.UsageError("give --out FILE (or set EIA_AUDIT_SIGNING_KEY_FILE)")
    host = urlsplit(current_app.config["EIA_BASE_URL"]).netloc
    key = SigningKey.generate(name or (f"{host}/eia-audit-log" if host else "eia-audit-log"))
    write_key_file(path, key)
    click.echo(f"Wrote the signing key to {path} (only its owner may read it). Back it up somewhere safe:")
    click.echo("checkpoints signed with it can be checked only with its public key, which is:")
    click.echo(key.public.text())
    if not configured or Path(configured) != path:
        click.echo(
            f"Set EIA_AUDIT_SIGNING_KEY_FILE={path} for the app and for cron, then run `eia audit-log checkpoint`."
        )


@audit_cli.command("checkpoint")
@with_appcontext
@friendly_errors
def checkpoint_command() -> None:
    """Check the whole chain and every earlier checkpoint, then sign a checkpoint of the log, publish
    it on the register and email it to the witnesses (run daily from cron). Exit 1, signing
    nothing, if the log no longer holds an earlier checkpoint."""
    from flask import current_app

    from eia.auditlog import checkpoints, witnesses
    from eia.auditlog import services as audit
    from eia.extensions import db
    from eia.mail import SmtpFailed

    checkpoints.required_key()  # before the walk: say at once if there is no key
    total = audit.count_entries()
    try:
        with click.progressbar(length=total, label="Checking the audit log", file=sys.stderr) as bar:
            row = checkpoints.make_checkpoint(bar.update)
    except checkpoints.CheckpointRefused as exc:
        raise click.ClickException(f"no checkpoint signed: {exc}") from None
    db.session.commit()
    base = current_app.config["EIA_BASE_URL"].rstrip("/")
    click.echo(f"Signed a checkpoint of {row.size:,} entries (newest hash {row.head_hash}).")
    click.echo(f"Published at {base}/register/audit-checkpoints")
    witnesses_to = current_app.config["EIA_AUDIT_WITNESS_EMAILS"]
    if not witnesses_to:
        return
    try:
        sent = witnesses.send_unsent()
    except SmtpFailed as exc:
        raise click.ClickException(
            f"the checkpoint is signed and published, but not emailed to the witnesses: {exc}. The next run sends it."
        ) from None
    if sent:
        click.echo(f"Emailed {len(sent)} checkpoint{'s' if len(sent) != 1 else ''} to {', '.join(witnesses_to)}.")
    left = len(witnesses.unsent())
    if left:
        click.echo(f"{left} more checkpoints wait to be emailed; the next runs send them.")


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
