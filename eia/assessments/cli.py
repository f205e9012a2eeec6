"""The ``eia forms`` commands: the versions of the EIA form template."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors

forms_cli = click.Group("forms", help="Load and list the versions of the EIA form template.")


@forms_cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@friendly_errors
def load_forms_command(files: tuple[Path, ...]) -> None:
    """Add form template versions from YAML FILES; by default, everything shipped under forms/ that
    is not loaded yet (the form templates and the quality-audit rubrics). EIAs already written keep
    the version they were written on; scorings keep their rubric."""
    from eia.assessments import form_templates
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db
    from eia.signals import load_shipped

    if files:
        for path in files:
            template = form_templates.load_template(path, by=command_line_actor())
            click.echo(f"Loaded the {template.kind} template, version {template.version}, from {path.name}.")
    else:
        loaded = load_shipped(by=command_line_actor())
        for line in loaded:
            click.echo(line)
        if not loaded:
            click.echo("The shipped form templates and rubrics are already loaded.")
    db.session.commit()


@forms_cli.command("list")
@with_appcontext
@friendly_errors
def list_forms_command() -> None:
    """List the loaded form template versions."""
    from eia.assessments import queries

    for template in queries.templates():
        sections = len(template.form.sections)
        status = "published" if template.is_published else "not published"
        click.echo(f"{template.kind}\tv{template.version}\t{sections} sections\t{status}\t{template.source_name}")


@click.command("daily")
@click.option(
    "--date", "date_text", metavar="YYYY-MM-DD", help="Act as if today were this day (default: today in the UK)."
)
@with_appcontext
@friendly_errors
def daily_command(date_text: str | None) -> None:
    """The daily upkeep of assessments (run from cron next to eia remind): signed-off and published
    assessments whose review date has come move to "review due", each recorded in the audit log,
    and their authors see them in My work and their digest. Running it twice changes nothing more."""
    from eia.assessments import workflow
    from eia.auditlog.services import command_line_actor
    from eia.commands import parse_day
    from eia.extensions import db
    from eia.working_days import uk_today

    today = parse_day(date_text, "--date") or uk_today()
    moved = workflow.mark_reviews_due(today, by=command_line_actor())
    db.session.commit()
    for eia in moved:
        click.echo(f"{eia.reference} {eia.title}: due for review since {eia.review_date}")
    click.echo(f"{len(moved)} assessment{'' if len(moved) == 1 else 's'} moved to review due.")
