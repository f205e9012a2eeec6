"""The ``eia sample`` commands: draw a random sample for a quality audit, or check one."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eia.commands import friendly_errors, parse_day
from eia.errors import ValidationFailed


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
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="STRATUM=N",
    help="Risk-weighted draw: make a stratum N times as likely (budget, key_decision, continue_adverse, "
    "high_severity; repeatable).",
)
@click.option(
    "--minimum", "minimums", multiple=True, metavar="STRATUM=N", help="Risk-weighted draw: at least N of a stratum."
)
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
    weights: tuple[str, ...],
    minimums: tuple[str, ...],
) -> None:
    if ctx.invoked_subcommand:
        return
    from flask import current_app

    from eia.accounts.queries import service_area_by_name
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db
    from eia.quality import choosing, sampling

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
            start, end = parse_day(from_text, "--from"), parse_day(to_text, "--to")
            assert start is not None and end is not None  # both given, checked above
            chosen = sampling.date_period(start, end)
        sample = sampling.draw_sample(
            period=chosen,
            size=size,
            service_area_ids=area_ids,
            per_service_area=per_service_area,
            seed=seed,
            exclude_months=current_app.config["EIA_SAMPLE_EXCLUDE_MONTHS"]
            if exclude_months is None
            else exclude_months,
            strata=_strata(weights, minimums),
            by=command_line_actor(),
        )
    except ValidationFailed as exc:
        # The field messages say what to change; the page shows them beside the field.
        raise click.ClickException("; ".join(exc.fields.values()) or str(exc)) from None
    db.session.commit()
    click.echo(
        f"Sample {sample.id}: {len(sample.items)} of {len(sample.population)} completed EIAs in {chosen.label} "
        f"(seed {sample.seed}{', risk-weighted' if sample.method == choosing.RISK_WEIGHTED else ''}):"
    )
    for reference in sampling.verify_sample(sample).stored:
        click.echo(f"  {reference}")


def _strata(weights: tuple[str, ...], minimums: tuple[str, ...]) -> list[dict] | None:
    """``--weight budget=3 --minimum key_decision=2`` as strata; None (a uniform draw) without either."""
    if not weights and not minimums:
        return None
    strata: dict[str, dict] = {}
    for option, values in (("weight", weights), ("minimum", minimums)):
        for text in values:
            key, _, number = text.partition("=")
            if not number.strip().isdigit():
                raise click.BadParameter(f"give STRATUM=N, not {text!r}", param_hint=f"--{option}")
            strata.setdefault(key.strip(), {"key": key.strip()})[option] = int(number)
    return list(strata.values())


@sample_cli.command("verify")
@click.argument("sample_id", type=int)
@with_appcontext
@friendly_errors
def verify_sample_command(sample_id: int) -> None:
    """Draw sample SAMPLE_ID again from its stored seed and population and say whether it matches."""
    from eia.auditlog.services import command_line_actor
    from eia.extensions import db
    from eia.quality import sampling
    from eia.quality.models import Sample

    sample = db.session.get(Sample, sample_id)
    if sample is None:
        raise click.ClickException(f"there is no sample {sample_id}")
    result = sampling.check_draw(sample, by=command_line_actor())
    db.session.commit()
    if not result.matches:
        raise click.ClickException(f"sample {sample_id} does not match: " + "; ".join(result.problems))
    click.echo(f"Sample {sample_id} matches: drawing again from seed {sample.seed} gives {', '.join(result.stored)}.")
