"""The ``eia plans`` commands: import and export equality action plans (CSV or XLSX)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors

plans_cli = click.Group("plans", help="Import and export equality action plans (CSV or XLSX).")


@plans_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, writing nothing.")
@with_appcontext
@friendly_errors
def import_plans_command(file: Path, dry_run: bool) -> None:
    """Import plans, priorities and actions from FILE (CSV with a header row, or the first sheet of an
    XLSX). All or nothing: a bad cell is named by line and column and nothing is written."""
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db
    from tracker import importing

    try:
        if file.stat().st_size > importing.MAX_IMPORT_BYTES:
            size = file.stat().st_size / 1048576
            raise importing.ImportFailed(
                [
                    importing.RowProblem(
                        None,
                        None,
                        f"the file is {size:.0f} MB; the limit is {importing.MAX_IMPORT_BYTES // 1048576} MB",
                    )
                ]
            )
        preview = importing.preview_import(importing.read_rows(file.read_bytes()))
    except importing.ImportFailed as exc:
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
    importing.apply_import(preview, by=command_line_actor(), source=file.name)
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
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db
    from tracker import importing, queries

    found = queries.plan_by_name(plan, organisation)
    if file_format == "xlsx" and out is None:
        raise click.BadParameter("an XLSX export needs --out FILE", param_hint="--out")
    importing.record_export(found, by=command_line_actor(), file_format=file_format)
    if file_format == "xlsx" and out is not None:
        out.write_bytes(importing.export_xlsx(found))
    elif out is not None:
        out.write_text(importing.export_csv(found), encoding="utf-8", newline="")
    else:
        click.echo(importing.export_csv(found), nl=False)
    db.session.commit()
    if out is not None:
        click.echo(f"Wrote {found.title} ({found.organisation}) to {out}.")
