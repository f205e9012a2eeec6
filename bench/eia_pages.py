"""EIA pages at growing numbers of assessments: SQL queries per page (must stay flat) and time per
request through the app (in-process test client, so the figures compare pages, not servers).

    .venv/bin/python bench/eia_pages.py --sizes 40 1000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from eia import create_app
from eia.accounts.models import Role, User
from eia.assessments.form_templates import load_shipped_templates
from eia.assessments.models import Eia
from eia.assessments.states import EiaState
from eia.auditlog.services import command_line_actor
from eia.demo.eias import SCENARIOS, _write, load_demo_eias
from eia.demo.people import DEMO_PASSWORD, load_demo
from eia.extensions import db
from eia.rounds.demo import load_demo_round
from eia.rounds.models import BudgetRound

PAGES = [
    ("My work (equalities)", "/"),
    ("EIA list", "/eias/"),
    ("EIA list, filtered", "/eias/?negative=age&state=published"),
    ("EIA list, by timing", "/eias/?timing_review=late&timing_started=on_time"),
    ("Equalities dashboard", "/dashboard"),
    ("EIA task list", "/eias/{ref}"),
    ("Impacts section", "/eias/{ref}/sections/impacts"),
    ("Mitigations section", "/eias/{ref}/sections/mitigations"),
    ("History", "/eias/{ref}/history"),
    ("Public register", "/register/"),
    ("Register page", "/register/{ref}"),
    ("Budget round", "/rounds/{round}"),
]


def grow(total: int) -> None:
    have = db.session.execute(select(db.func.count()).select_from(Eia)).scalar_one()
    author = db.session.execute(select(User).where(User.role == Role.AUTHOR)).scalars().first()
    for n in range(have, total):
        scenario = SCENARIOS[n % len(SCENARIOS)]
        _write(scenario, f"{scenario.title} (bench {n})", author, date(2025, 5, 1), date(2027, 3, 31), v2=False)
        if n % 50 == 49:
            db.session.commit()
    db.session.commit()


def measure(app, reference: str, round_id: int, repeats: int) -> dict[str, tuple[int, float]]:
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/sign-in", data={"csrf_token": token, "email": "priya.shah@council.example", "password": DEMO_PASSWORD}
    )
    results = {}
    for name, url in PAGES:
        url = url.format(ref=reference, round=round_id)
        statements: list[str] = []

        def count(*args, statements=statements):
            statements.append(args[2])

        event.listen(Engine, "before_cursor_execute", count)
        response = client.get(url)
        event.remove(Engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - started)
        results[name] = (len(statements), statistics.median(timings) * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 1000])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "EIA_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                "SECRET_KEY": "b" * 40,
            }
        )
        table: dict[int, dict[str, tuple[int, float]]] = {}
        with app.app_context():
            upgrade()
            load_shipped_templates(by=command_line_actor())
            load_demo(by=command_line_actor())
            load_demo_eias()
            load_demo_round(None, today=date.today(), by=command_line_actor())
            db.session.commit()
            round_id = db.session.execute(select(BudgetRound.id)).scalar_one()
            reference = db.session.execute(
                select(Eia.reference).where(Eia.state == EiaState.PUBLISHED).order_by(Eia.id).limit(1)
            ).scalar_one()
        for size in sorted(args.sizes):
            with app.app_context():
                grow(size)
            # Each request then runs in its own app context and database session, as in production.
            table[size] = measure(app, reference, round_id, args.repeats)
        sizes = sorted(table)
        header = f"{'page':<24}" + "".join(f"{f'{s} EIAs: queries, ms':>24}" for s in sizes) + f"{'time ratio':>12}"
        print(header)
        for name, _ in PAGES:
            cells = "".join(f"{table[s][name][0]:>14} {table[s][name][1]:>8.1f}ms" for s in sizes)
            ratio = table[sizes[-1]][name][1] / table[sizes[0]][name][1]
            print(f"{name:<24}{cells}{ratio:>11.2f}x")


if __name__ == "__main__":
    main()
