"""The ``eia report`` command: the annual EIA report as a PDF."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors
from eia.working_days import uk_today


@click.command("report")
@click.option(
    "--year", type=click.IntRange(2000, 2100), required=True, help="Financial year: 2025 is April 2025 to March 2026."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF file to write.")
@with_appcontext
@friendly_errors
def report_command(year: int, out: Path) -> None:
    """Write the annual EIA report for the senior leadership team as a tagged PDF."""
    from eia.reports import annual

    with click.progressbar(length=len(annual.STEPS), label=f"Annual EIA report {year}/{(year + 1) % 100:02d}") as bar:

        def step(name: str) -> None:
            bar.label = f"Counting {name}" if name not in ("page", "PDF") else f"Rendering the {name}"
            bar.update(1)

        pdf = annual.report_pdf(year, uk_today(), step)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({len(pdf) / 1024:,.0f} KB).")
