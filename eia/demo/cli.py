"""The ``eia demo`` command."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors


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

    from eia.auditlog.services import command_line_actor
    from eia.demo.people import DEMO_PASSWORD
    from eia.extensions import db

    if current_app.config["EIA_ENV"] not in {"demo", "testing"}:
        raise click.ClickException(
            "the demo adds users with a published password, so it runs only with EIA_ENV=demo (or testing)"
        )
    from eia.db_types import utcnow
    from eia.demo.council import load_demo_council

    _demo_key()
    demo = load_demo_council(utcnow().date(), by=command_line_actor())
    db.session.commit()
    click.echo(f"Demo users (all with the password {DEMO_PASSWORD}):")
    for person, added in demo.people:
        note = "" if added else " (already there)"
        click.echo(f"  {person.role.label:<26} {person.email}{note}")
    _first_steps()
    for line in demo.others:
        click.echo(line)
    if demo.eias:
        click.echo(f"Added {demo.eias} demo equality impact assessments from the last two years.")
    if scale:
        from eia.demo.scale import load_scale

        with click.progressbar(length=scale, label="Adding the scale assessments") as bar:
            count = load_scale(scale, progress=lambda n: bar.update(n - bar.pos))
        click.echo(f"Added {count:,} scale assessments." if count else "The scale assessments are already there.")
    _demo_checkpoint()


def _first_steps() -> None:
    from eia.demo.first_steps import first_steps
    from eia.demo.people import PEOPLE

    click.echo("Three things to try first:")
    for role, steps in first_steps().items():
        who = next(p.email for p in PEOPLE if p.role is role)
        click.echo(f"  {role.label} (for example {who}):")
        for n, step in enumerate(steps, 1):
            click.echo(f"    {n}. {step}")


def _demo_key() -> None:
    """The demo signs checkpoints of its audit log with a key of its own under instance/, made the
    first time, so the published checkpoints and the checks against them can be seen working."""
    from pathlib import Path

    from flask import current_app

    from eia.auditlog.signing import SigningKey, write_key_file

    path = current_app.config.get("EIA_AUDIT_SIGNING_KEY_FILE")
    if path and current_app.config["EIA_ENV"] == "demo" and not Path(path).exists():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_key_file(Path(path), SigningKey.generate("demo.council.example/eia-audit-log"))


def _demo_checkpoint() -> None:
    from flask import current_app

    from eia.auditlog import checkpoints
    from eia.extensions import db

    if not current_app.config.get("EIA_AUDIT_SIGNING_KEY_FILE"):
        return
    row = checkpoints.make_checkpoint()
    db.session.commit()
    click.echo(f"Signed a checkpoint of the audit log ({row.size:,} entries): see /register/audit-checkpoints.")
