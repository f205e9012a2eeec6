"""The ``eia`` command: Flask's CLI for this app, plus the app's own commands.

Errors are printed as one line with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from eia.config import ConfigError
from eia.errors import EiaError, ValidationFailed


def _create_app() -> Flask:
    from eia import create_app

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def one_line_error(exc: Exception) -> click.ClickException:
    """The message a person can act on, for the errors they can cause or fix."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return click.ClickException(f"{exc}: {'; '.join(dict.fromkeys(exc.fields.values()))}")
    if isinstance(exc, ConfigError | EiaError):
        return click.ClickException(str(exc))
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if "no such table" in reason or "does not exist" in reason:
        return click.ClickException(f"the database is not ready ({reason}); run `eia db upgrade` first")
    return click.ClickException(f"cannot reach the database: {reason}")


HANDLED = (ConfigError, EiaError, OperationalError, ProgrammingError)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print handled errors as one line with exit status 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HANDLED as exc:
            raise one_line_error(exc) from None

    return wrapper


class EiaGroup(FlaskGroup):
    """Also covers Flask's and Flask-Migrate's own commands (``eia db upgrade`` on a database that is down)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HANDLED as exc:
            raise one_line_error(exc) from None


def main() -> None:
    cli = EiaGroup(
        create_app=_create_app,
        help="Equality impact assessments: run the app and manage its data.",
        set_debug_flag=False,
    )
    cli.main(prog_name="eia")


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"use YYYY-MM-DD, for example 2026-04-01 (got {value!r})", param_hint=option) from None


users_cli = click.Group("users", help="Create and list the people who sign in.")
forms_cli = click.Group("forms", help="Load and list the versions of the EIA form template.")
evidence_cli = click.Group("evidence", help="Look after stored evidence files.")
plans_cli = click.Group("plans", help="Import and export equality action plans (CSV or XLSX).")


@plans_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, writing nothing.")
@with_appcontext
@friendly_errors
def import_plans_command(file: Path, dry_run: bool) -> None:
    """Import plans, priorities and actions from FILE (CSV with a header row, or the first sheet of an
    XLSX). All or nothing: a bad cell is named by line and column and nothing is written."""
    from eia.audit.services import command_line_actor
    from eia.extensions import db
    from tracker import services

    try:
        if file.stat().st_size > services.MAX_IMPORT_BYTES:
            size = file.stat().st_size / 1048576
            raise services.ImportFailed(
                [
                    services.RowProblem(
                        None, None, f"the file is {size:.0f} MB; the limit is {services.MAX_IMPORT_BYTES // 1048576} MB"
                    )
                ]
            )
        preview = services.preview_import(services.read_rows(file.read_bytes()))
    except services.ImportFailed as exc:
        for problem in exc.problems[:50]:
            click.echo(f"{file.name}: {problem}", err=True)
        if len(exc.problems) > 50:
            click.echo(f"... and {len(exc.problems) - 50} more", err=True)
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{len(preview.new_plans)} new plans, {preview.new_priorities} new priorities, {len(preview.new_actions)} new actions, "
        f"{len(preview.changed_actions)} changed actions, {preview.unchanged} unchanged."
    )
    for label, changes in preview.changed_actions[:20]:
        click.echo(f"  changed: {label}: {', '.join(changes)}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    services.apply_import(preview, by=command_line_actor(), source=file.name)
    db.session.commit()
    click.echo("Imported." if preview.has_changes else "Nothing to change.")


@plans_cli.command("export")
@click.argument("plan")
@click.option("--organisation", help="Which organisation's plan, when two share a title.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output for CSV)."
)
@with_appcontext
@friendly_errors
def export_plans_command(plan: str, organisation: str | None, file_format: str, out: Path | None) -> None:
    """Write PLAN (its title or number) in the import format, so a round trip changes nothing."""
    from eia.audit.services import command_line_actor
    from eia.extensions import db
    from tracker import queries, services

    found = queries.plan_by_name(plan, organisation)
    if file_format == "xlsx" and out is None:
        raise click.BadParameter("an XLSX export needs --out FILE", param_hint="--out")
    services.record_export(found, by=command_line_actor(), file_format=file_format)
    if file_format == "xlsx":
        out.write_bytes(services.export_xlsx(found))
    elif out is not None:
        out.write_text(services.export_csv(found), encoding="utf-8", newline="")
    else:
        click.echo(services.export_csv(found), nl=False)
    db.session.commit()
    if out is not None:
        click.echo(f"Wrote {found.title} ({found.organisation}) to {out}.")


@evidence_cli.command("purge")
@with_appcontext
@friendly_errors
def purge_evidence_command() -> None:
    """Delete the bytes of evidence files removed longer ago than EIA_EVIDENCE_RETENTION_DAYS
    (the records and their audit history stay)."""
    from flask import current_app

    from eia.audit.services import command_line_actor
    from eia.evidence.services import purge_removed_files
    from eia.evidence.storage import store_for
    from eia.extensions import db

    days = current_app.config["EIA_EVIDENCE_RETENTION_DAYS"]
    count = purge_removed_files(store_for(), retention_days=days, by=command_line_actor())
    db.session.commit()
    click.echo(
        f"Deleted the stored bytes of {count} removed evidence file{'' if count == 1 else 's'} older than {days} days."
    )


audit_cli = click.Group("audit-log", help="Check and export the tamper-evident audit log.")


@users_cli.command("create")
@click.option("--email", required=True, help="Their email address; they sign in with it.")
@click.option("--name", required=True, help="Their full name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["author", "equalities", "decision_maker", "admin"]),
    help="author = service manager; equalities = equalities team; decision_maker = SLT; admin.",
)
@click.option("--service-area", default=None, help='Team or directorate name, or "Directorate > Team".')
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given (12 characters or more).",
)
@with_appcontext
@friendly_errors
def create_user_command(email: str, name: str, role: str, service_area: str | None, password: str) -> None:
    """Create a user with a role."""
    from eia.accounts import queries, services
    from eia.accounts.models import Role
    from eia.audit.services import command_line_actor
    from eia.extensions import db

    area = None
    if service_area:
        area = queries.service_area_by_name(service_area)
        if area is None:
            known = ", ".join(a.full_name for a in queries.service_areas()) or "none yet"
            raise click.ClickException(f"no single service area called {service_area!r}; known: {known}")
    user = services.create_user(
        email=email, name=name, role=Role(role), password=password, service_area=area, by=command_line_actor()
    )
    db.session.commit()
    click.echo(f"Created {user.name} <{user.email}> as {user.role.label}.")


@users_cli.command("list")
@with_appcontext
@friendly_errors
def list_users_command() -> None:
    """List users with their role, service area and status."""
    from eia.accounts import queries
    from eia.extensions import db

    for user in db.session.execute(queries.users()).scalars():
        status = "active" if user.is_enabled else "disabled"
        area = user.service_area.full_name if user.service_area else "-"
        click.echo(f"{user.email}\t{user.name}\t{user.role.value}\t{area}\t{status}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="read",
    show_default=True,
    help="write also changes things.",
)
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="How long it lasts.")
@with_appcontext
@friendly_errors
def token_command(email: str, name: str, scope: str, days: int) -> None:
    """Make a personal access token for the JSON API, acting as EMAIL. It is shown once."""
    from flask import current_app

    from eia.accounts import queries
    from eia.accounts.models import TokenScope
    from eia.accounts.tokens import create_token
    from eia.audit.services import command_line_actor
    from eia.extensions import db

    user = queries.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the email address {email!r}")
    token, secret = create_token(
        user,
        name=name,
        scope=TokenScope(scope),
        days=days,
        max_days=current_app.config["EIA_API_TOKEN_MAX_DAYS"],
        by=command_line_actor(),
    )
    db.session.commit()
    click.echo(f"Token {token.id} for {user.email} ({token.scope.label.lower()}), until {token.expires_at:%d %B %Y}:")
    click.echo(secret)
    click.echo("Keep it secret: it is not shown again. Send it as 'Authorization: Bearer <token>'.", err=True)


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
@friendly_errors
def revoke_token_command(token_id: int) -> None:
    """Revoke personal access token TOKEN_ID at once."""
    from eia.accounts.tokens import revoke_token, token_or_none
    from eia.audit.services import command_line_actor
    from eia.extensions import db

    token = token_or_none(token_id)
    if token is None:
        raise click.ClickException(f"there is no token {token_id}")
    revoke_token(token, by=command_line_actor())
    db.session.commit()
    click.echo(f"Revoked token {token.id} ({token.name}) of {token.user.email}.")


@audit_cli.command("verify")
@with_appcontext
@friendly_errors
def verify_command() -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry."""
    from eia.audit import services as audit
    from eia.audit.services import command_line_actor
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
    from eia.audit import queries
    from eia.audit import services as audit
    from eia.audit.queries import AuditFilter
    from eia.audit.services import command_line_actor
    from eia.csv_export import csv_lines
    from eia.extensions import db

    filters = AuditFilter(
        since=_parse_day(since_text, "--since"), until=_parse_day(until_text, "--until"), up_to_id=queries.newest_id()
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


@forms_cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@friendly_errors
def load_forms_command(files: tuple[Path, ...]) -> None:
    """Add form template versions from YAML FILES (by default, the templates shipped with the app
    that are not loaded yet). EIAs already written keep the version they were written on."""
    from eia.assessments import services
    from eia.audit.services import command_line_actor
    from eia.extensions import db
    from forms.definitions import shipped_templates

    if files:
        for path in files:
            template = services.load_template(path, by=command_line_actor())
            click.echo(f"Loaded the {template.kind} template, version {template.version}, from {path.name}.")
    else:
        loaded = load_shipped_templates()
        for template in loaded:
            click.echo(f"Loaded the {template.kind} template, version {template.version}.")
        if not loaded:
            click.echo(f"The {len(shipped_templates())} shipped templates are already loaded.")
    db.session.commit()


def load_shipped_templates() -> list:
    """Load each template shipped under forms/templates/ that is not in the database yet."""
    from sqlalchemy import select

    from eia.assessments import services
    from eia.assessments.models import FormTemplate
    from eia.audit.services import command_line_actor
    from eia.extensions import db
    from forms.definitions import load_file, shipped_templates

    have = {(row.kind, row.version) for row in db.session.execute(select(FormTemplate.kind, FormTemplate.version))}
    loaded = []
    for path in shipped_templates():
        definition, _ = load_file(path)
        if (definition.kind, definition.version) not in have:
            loaded.append(services.load_template(path, by=command_line_actor()))
    return loaded


@forms_cli.command("list")
@with_appcontext
@friendly_errors
def list_forms_command() -> None:
    """List the loaded form template versions."""
    from eia.assessments import queries

    for template in queries.templates():
        sections = len(template.form.sections)
        click.echo(f"{template.kind}\tv{template.version}\t{sections} sections\t{template.source_name}")


@click.command("demo")
@click.option(
    "--scale",
    type=click.IntRange(1, 1_000_000),
    help="Also add this many assessments over five years, with impacts, mitigations, links, samples and audit entries (for benchmarks).",
)
@with_appcontext
@friendly_errors
def demo_command(scale: int | None) -> None:
    """Load demo service areas and one user for every role (safe to run twice; demo mode only)."""
    from flask import current_app

    from eia.audit.services import command_line_actor
    from eia.demo import DEMO_PASSWORD, load_demo
    from eia.extensions import db

    if current_app.config["EIA_ENV"] not in {"demo", "testing"}:
        raise click.ClickException(
            "the demo adds users with a published password, so it runs only with EIA_ENV=demo (or testing)"
        )
    from eia.db_types import utcnow
    from eia.demo_eias import load_demo_eias
    from eia.demo_samples import load_demo_samples
    from tracker.demo import load_demo_plans, load_demo_progress

    load_shipped_templates()
    loaded = load_demo(by=command_line_actor())
    plans = load_demo_plans(by=command_line_actor())
    load_demo_progress(utcnow().date())
    eias = load_demo_eias()
    load_demo_samples(utcnow().date())
    db.session.commit()
    click.echo(f"Demo users (all with the password {DEMO_PASSWORD}):")
    for person, added in loaded:
        note = "" if added else " (already there)"
        click.echo(f"  {person.role.label:<26} {person.email}{note}")
    if plans:
        click.echo(f"Imported {plans} equality action plans from the councils' documents.")
    if eias:
        click.echo(f"Added {eias} demo equality impact assessments across two financial years.")
    if scale:
        from eia.demo_scale import load_scale

        with click.progressbar(length=scale, label="Adding the scale assessments") as bar:
            added = load_scale(scale, progress=lambda n: bar.update(n - bar.pos))
        click.echo(f"Added {added:,} scale assessments." if added else "The scale assessments are already there.")


@click.group(
    "sample",
    invoke_without_command=True,
    help="Draw a random sample of completed EIAs for a quality audit, or check one (`eia sample verify ID`).",
)
@click.option("--period", help="A financial-year quarter: 2025-Q1 is April to June 2025.")
@click.option("--from", "from_text", metavar="YYYY-MM-DD", help="First day of the period, instead of --period.")
@click.option("--to", "to_text", metavar="YYYY-MM-DD", help="Last day of the period, with --from.")
@click.option("--size", help="How many EIAs (5) or what share of those completed (10%).")
@click.option("--per-service-area", is_flag=True, help="Take at least one EIA from each service area.")
@click.option("--service-area", "service_areas", multiple=True, help="Only this service area (repeatable).")
@click.option("--seed", help="The random seed (default: a new random one). Same seed and population, same sample.")
@click.option("--exclude-months", type=click.IntRange(0, 120), help="Leave out EIAs sampled this many months back.")
@click.pass_context
@with_appcontext
@friendly_errors
def sample_cli(
    ctx: click.Context,
    period: str | None,
    from_text: str | None,
    to_text: str | None,
    size: str | None,
    per_service_area: bool,
    service_areas: tuple[str, ...],
    seed: str | None,
    exclude_months: int | None,
) -> None:
    if ctx.invoked_subcommand:
        return
    from flask import current_app

    from eia.accounts.queries import service_area_by_name
    from eia.audit import sampling
    from eia.audit.services import command_line_actor
    from eia.extensions import db

    if not size or not (period or (from_text and to_text)):
        raise click.UsageError("give --size and either --period or both --from and --to")
    area_ids = []
    for name in service_areas:
        area = service_area_by_name(name)
        if area is None:
            raise click.BadParameter(f"no single service area is called {name!r}", param_hint="--service-area")
        area_ids.append(area.id)
    try:
        if period:
            chosen = sampling.parse_period(period)
        else:
            chosen = sampling.date_period(_parse_day(from_text, "--from"), _parse_day(to_text, "--to"))
        sample = sampling.draw_sample(
            period=chosen,
            size=size,
            service_area_ids=area_ids,
            per_service_area=per_service_area,
            seed=seed,
            exclude_months=current_app.config["EIA_SAMPLE_EXCLUDE_MONTHS"]
            if exclude_months is None
            else exclude_months,
            by=command_line_actor(),
        )
    except ValidationFailed as exc:
        # The field messages say what to change; the page shows them beside the field.
        raise click.ClickException("; ".join(exc.fields.values()) or str(exc)) from None
    db.session.commit()
    click.echo(
        f"Sample {sample.id}: {len(sample.items)} of {len(sample.population)} completed EIAs in {chosen.label} "
        f"(seed {sample.seed}):"
    )
    for reference in sampling.verify_sample(sample).stored:
        click.echo(f"  {reference}")


@sample_cli.command("verify")
@click.argument("sample_id", type=int)
@with_appcontext
@friendly_errors
def verify_sample_command(sample_id: int) -> None:
    """Draw sample SAMPLE_ID again from its stored seed and population and say whether it matches."""
    from eia.audit import sampling
    from eia.audit.models import Sample
    from eia.audit.services import command_line_actor
    from eia.extensions import db

    sample = db.session.get(Sample, sample_id)
    if sample is None:
        raise click.ClickException(f"there is no sample {sample_id}")
    result = sampling.check_draw(sample, by=command_line_actor())
    db.session.commit()
    if not result.matches:
        raise click.ClickException(f"sample {sample_id} does not match: " + "; ".join(result.problems))
    click.echo(f"Sample {sample_id} matches: drawing again from seed {sample.seed} gives {', '.join(result.stored)}.")


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

    today = _parse_day(date_text, "--date") or uk_today()
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


@click.command("report")
@click.option(
    "--year", type=click.IntRange(2000, 2100), required=True, help="Financial year: 2025 is April 2025 to March 2026."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF file to write.")
@with_appcontext
@friendly_errors
def report_command(year: int, out: Path) -> None:
    """Write the annual EIA report for the senior leadership team as a tagged PDF."""
    from eia.db_types import utcnow
    from eia.reports import annual

    with click.progressbar(length=len(annual.STEPS), label=f"Annual EIA report {year}/{(year + 1) % 100:02d}") as bar:

        def step(name: str) -> None:
            bar.label = f"Counting {name}" if name not in ("page", "PDF") else f"Rendering the {name}"
            bar.update(1)

        pdf = annual.report_pdf(year, utcnow().date(), step)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({len(pdf) / 1024:,.0f} KB).")


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(forms_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(plans_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(sample_cli)
    app.cli.add_command(remind_command)
    app.cli.add_command(report_command)
