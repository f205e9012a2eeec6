"""Draw and verify quality-audit samples from growing populations; both must stay linear.

For each size, adds completed EIAs approved in one quarter (in bulk, not through the services) and
times a draw of 5% (with "at least one per service area") and its verification, which draws again
from the stored seed and population and checks the audit-log entry, then a risk-weighted draw
(method v2: budget proposals weighted 3, at least 20 "continue despite adverse impact").
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

from eia import create_app
from eia.accounts import services as accounts
from eia.accounts.models import Role
from eia.assessments.form_templates import load_shipped_templates
from eia.assessments.models import Eia
from eia.assessments.states import EiaKind, EiaState
from eia.auditlog.services import command_line_actor
from eia.extensions import db
from eia.quality import sampling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="print where the largest draw spends its time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" * 8})
        with app.app_context():
            upgrade()
            template = load_shipped_templates(by=command_line_actor())[0]
            areas = [accounts.create_service_area(f"Area {n}", by=None) for n in range(20)]
            auditor = accounts.create_user(
                email="auditor@council.example",
                name="Auditor",
                role=Role.EQUALITIES,
                password="a long enough password",
                service_area=None,
                by=None,
            )
            db.session.commit()
            period = sampling.parse_period("2025-Q1")
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
            print(
                f"{'population':>10} {'sample':>7} {'draw s':>8} {'verify s':>9} {'draw µs/EIA':>12} {'v2 draw s':>10}"
            )
            have = 0
            for size in sorted(args.sizes):
                rows = [
                    {
                        "reference": f"EIA-2025-{n:06d}",
                        "kind": EiaKind.STANDARD,
                        "template_id": template.id,
                        "state": EiaState.APPROVED,
                        "title": f"Assessment {n}",
                        "service_area_id": areas[n % len(areas)].id,
                        "author_id": auditor.id,
                        "approved_at": datetime(2025, 4, 1, tzinfo=UTC) + timedelta(minutes=n),
                        # Some in the strata a risk-weighted draw leans towards.
                        "proposal_type": "budget" if n % 10 == 0 else "service",
                        "outcome": "continue" if n % 7 == 0 else "adjust",
                    }
                    for n in range(have, size)
                ]
                db.session.execute(insert(Eia), rows)
                db.session.commit()
                have = size

                profiler = cProfile.Profile() if args.profile and size == max(args.sizes) else None
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                sample = sampling.draw_sample(
                    period=period, size="5%", per_service_area=True, seed=f"bench-{size}", exclude_months=0, by=auditor
                )
                db.session.commit()
                draw_s = time.perf_counter() - started
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
                started = time.perf_counter()
                result = sampling.verify_sample(sample)
                verify_s = time.perf_counter() - started
                assert result.matches and len(sample.population) == size, result.problems
                started = time.perf_counter()
                weighted = sampling.draw_sample(
                    period=period,
                    size="5%",
                    per_service_area=True,
                    seed=f"bench-{size}",
                    exclude_months=0,
                    strata=[{"key": "budget", "weight": 3}, {"key": "continue_adverse", "minimum": 20}],
                    by=auditor,
                )
                db.session.commit()
                weighted_s = time.perf_counter() - started
                assert sampling.verify_sample(weighted).matches
                print(
                    f"{size:>10,} {len(sample.items):>7,} {draw_s:>8.3f} {verify_s:>9.3f} {draw_s / size * 1e6:>12.1f}"
                    f" {weighted_s:>10.3f}"
                )


if __name__ == "__main__":
    main()
