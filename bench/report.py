"""The annual report at scale: the whole `eia report` run against WeasyPrint rendering the same
finished HTML alone, side by side, with each one's peak memory. Target: whole run <= 1.5x the render.

Builds a throwaway SQLite database with `eia demo --scale N` (default 10,000), saves the report's
finished HTML to a file, then runs in turn, each in a fresh process so peak memory is its own:
(1) `eia report --year Y --out`, (2) WeasyPrint alone turning the saved HTML into the same tagged
PDF. Render times on a small shared machine wander by a second or more from one run to the next,
so the pair is run ``--rounds`` times (default 3), alternating, and the median ratio is the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from eia.assessments.queries import financial_year_of

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EIA = "from eia.cli import main; main()"

SAVE_HTML = """
import sys
from eia import create_app
from eia.db_types import utcnow
from eia.reports import annual, figures
app = create_app()
with app.app_context(), app.test_request_context():
    html = annual.report_html(figures.build(int(sys.argv[1]), utcnow().date()))
open(sys.argv[2], "w", encoding="utf-8").write(html)
"""

RENDER_ONLY = """
import resource, sys, time
from weasyprint import HTML
from eia.pdf import refuse_fetch
started = time.perf_counter()
HTML(filename=sys.argv[1], url_fetcher=refuse_fetch).write_pdf(sys.argv[2], pdf_variant="pdf/ua-1")
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

WHOLE_RUN = """
import resource, sys, time
started = time.perf_counter()  # before the app's own imports: they are part of the run
from eia.cli import main
sys.argv = ["eia", "report", "--year", sys.argv[1], "--out", sys.argv[2]]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run(script: str, *args: str, env: dict[str, str]) -> tuple[float, int, str]:
    done = subprocess.run([PYTHON, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    # The measuring scripts end with "seconds peak_kb": the whole run on stderr (its stdout is the
    # command's own), the render alone on stdout.
    last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1]
    seconds, peak_kb = last.split()
    return float(seconds), int(peak_kb), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=None, help="Financial year (default: last year)")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating pairs of runs (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "EIA_ENV": "demo",
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite",
            "EIA_REPORT_DIR": tmp,
        }
        started = time.perf_counter()
        for command in (["db", "upgrade"], ["demo", "--scale", str(args.scale)]):
            subprocess.run([PYTHON, "-c", EIA, *command], env=env, cwd=ROOT, check=True, capture_output=True)
        print(f"eia demo --scale {args.scale:,}: {time.perf_counter() - started:.1f} s")
        year = args.year or financial_year_of(date.today()) - 1
        html, whole_pdf, alone_pdf = (Path(tmp) / name for name in ("report.html", "whole.pdf", "alone.pdf"))
        subprocess.run([PYTHON, "-c", SAVE_HTML, str(year), str(html)], env=env, cwd=ROOT, check=True)
        rounds = []
        for _ in range(max(1, args.rounds)):
            whole = run(WHOLE_RUN, str(year), str(whole_pdf), env=env)
            alone = run(RENDER_ONLY, str(html), str(alone_pdf), env=env)
            rounds.append((whole, alone))
        print(
            f"report {year}/{(year + 1) % 100:02d}: HTML {html.stat().st_size / 1024:,.0f} KB, PDF {whole_pdf.stat().st_size / 1024:,.0f} KB"
        )
        print(f"{'round':>5} {'whole s':>8} {'render s':>9} {'ratio':>6} {'whole MB':>9} {'render MB':>10}")
        for number, ((whole_s, whole_kb, _), (alone_s, alone_kb, _)) in enumerate(rounds, start=1):
            print(
                f"{number:>5} {whole_s:>8.2f} {alone_s:>9.2f} {whole_s / alone_s:>5.2f}x"
                f" {whole_kb / 1024:>9.0f} {alone_kb / 1024:>10.0f}"
            )
        ratio = statistics.median(whole[0] / alone[0] for whole, alone in rounds)
        print(f"median ratio whole / render: {ratio:.2f}x (target at most 1.5x)")


if __name__ == "__main__":
    main()
