"""Page throughput under gunicorn against a bare Flask table, side by side in one run.

Starts two servers on loopback, each ``gunicorn -w 2 -k sync``: the bare Flask app of
``bench/baseline_app.py`` (a cached Jinja template of a hand-written 100-row, 5-column table) and the
app itself on a database loaded with ``eia demo --scale N``. Signs in as the equalities team, then
runs ``wrk`` over each page, with the baseline run again between pages, and prints each page's
requests per second, its ratio to the mean of the two baseline runs around it (target: at least
0.5), and the load average when it ran. Afterwards, the resident memory of each app worker.

    nice -n 10 .venv/bin/python bench/pages.py                       # throwaway SQLite, 10,000 EIAs
    nice -n 10 .venv/bin/python bench/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    nice -n 10 .venv/bin/python bench/pages.py --database-url sqlite:////tmp/bench.sqlite --pages register api
    .venv/bin/python bench/pages.py --database-url sqlite:////tmp/bench.sqlite --profile register

An existing database is reused (``eia demo --scale`` adds nothing the second time). ``--profile``
runs the named pages in-process under pyinstrument instead (``pip install pyinstrument``) and
prints where the time goes. Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EIA = [sys.executable, "-c", "from eia.cli import main; main()"]
EMAIL = "priya.shah@council.example"  # the equalities team in the demo data

#: (key, label, path): {ref} is a published demo assessment, {review_ref} one in review, {year} last
#: financial year (whose equality information the demo publishes), {word} a word of {ref}'s title and
#: {area} its service area, for a search of the register that finds it. The public
#: register is read as the public reads it, without signing in; the API with a bearer token.
PAGES = [
    ("home", "My work /", "/"),
    ("eias", "/eias/", "/eias/"),
    ("eias-filtered", "/eias/ filtered", "/eias/?negative=age&state=published"),
    ("eias-search", "/eias/ searched", "/eias/?q=library"),
    ("task-list", "an EIA's task list", "/eias/{ref}"),
    ("impacts", "impacts section", "/eias/{ref}/sections/impacts"),
    ("about-2", "a section's second page", "/eias/{ref}/sections/about/2"),
    ("review", "an EIA's review page", "/eias/{review_ref}/review"),
    ("dashboard", "/dashboard", "/dashboard"),
    ("plans-dashboard", "/plans/dashboard", "/plans/dashboard"),
    ("samples", "/samples/", "/samples/"),
    ("register", "/register/ (public)", "/register/"),
    ("register-2", "/register/?page=2 (public)", "/register/?page=2"),
    ("register-page", "/register/<ref> (public)", "/register/{ref}"),
    ("register-filtered", "/register/ searched (public)", "/register/?q={word}&service_area={area}"),
    ("equality-information", "equality information (public)", "/register/equality-information/{year}"),
    ("feed", "/register/feed.atom (public)", "/register/feed.atom"),
    ("report", "/reports/<year>", "/reports/{year}"),
    ("api", "GET /api/v1/eias/", "/api/v1/eias/"),
]

PREPARE = """
import sys
from sqlalchemy import select
from eia import create_app
from eia.accounts import tokens
from eia.accounts.models import TokenScope, User
from eia.assessments.models import Eia
from eia.assessments.states import EiaState
from eia.assessments.queries import financial_year_of
from eia.auditlog.services import command_line_actor
from eia.db_types import utcnow
from eia.extensions import db
app = create_app()
with app.app_context():
    user = db.session.execute(select(User).where(User.email == sys.argv[1])).scalar_one()
    _, secret = tokens.create_token(user, name="page benchmark", scope=TokenScope.READ, days=1, max_days=1, by=command_line_actor())
    ref, title, area = db.session.execute(
        select(Eia.reference, Eia.title, Eia.service_area_id)
        .where(Eia.state == EiaState.PUBLISHED, ~Eia.reference.like("EIA-S%")).order_by(Eia.id).limit(1)
    ).one()
    word = max(title.split(), key=len).strip(",.:;()").lower()
    review_ref = db.session.execute(
        select(Eia.reference).where(Eia.state == EiaState.IN_REVIEW, ~Eia.reference.like("EIA-S%")).order_by(Eia.id).limit(1)
    ).scalar_one()
    db.session.commit()
    print(secret, ref, review_ref, financial_year_of(utcnow().date()) - 1, word, area)
"""


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def app_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "EIA_ENV": "demo",
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "false",
        # The benchmark is one person asking as fast as wrk can; the limit itself is still counted.
        "EIA_API_REQUESTS_PER_MINUTE": "1000000000",
    }


def prepare(database_url: str, scale: int, env: dict[str, str]) -> tuple[str, str, str, int, str, int]:
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["demo", "--scale", str(scale)]):
        subprocess.run([*EIA, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    print(f"eia db upgrade + eia demo --scale {scale:,}: {time.perf_counter() - started:.1f} s (load {load_average()})")
    done = subprocess.run(
        [sys.executable, "-c", PREPARE, EMAIL], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    secret, ref, review_ref, year, word, area = done.stdout.split()
    return secret, ref, review_ref, int(year), quote(word), int(area)


@contextmanager
def gunicorn(name: str, port: int, app: str, env: dict[str, str], *extra: str) -> Iterator[Server]:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), *extra, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", app],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(name, port, process)
    try:
        for _ in range(300):
            try:
                requests.get(server.url + "/healthz" if name == "app" else server.url, timeout=30)
                break
            except requests.RequestException:
                if process.poll() is not None:
                    raise SystemExit(f"the {name} server did not start (exit {process.returncode})") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_in(base: str) -> str:
    """The session cookie of the equalities team, signed in through the form."""
    session = requests.Session()
    page = session.get(base + "/sign-in").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from eia.demo.people import DEMO_PASSWORD

    done = session.post(
        base + "/sign-in",
        data={"csrf_token": token, "email": EMAIL, "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert done.status_code == 302, f"sign-in failed: {done.status_code}"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def wrk(url: str, header: str | None, seconds: int, connections: int) -> tuple[float, int]:
    """Requests per second and the number of answers that were not 2xx or 3xx."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if header:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, int(errors.group(1)) if errors else 0


def header_for(path: str, cookie: tuple[str, str], bearer: tuple[str, str]) -> tuple[str, str] | None:
    if path.startswith("/api/"):
        return bearer
    return None if path.startswith("/register/") else cookie


def check(url: str, header: tuple[str, str] | None) -> None:
    response = requests.get(url, headers=dict([header] if header else []), allow_redirects=False, timeout=60)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")


def profile(pages: list[tuple[str, str, str]], env: dict[str, str], secret: str, repeats: int) -> None:
    """Each page in-process under pyinstrument: where a request's time goes."""
    from pyinstrument import Profiler

    os.environ.update(env)
    from eia import create_app
    from eia.demo.people import DEMO_PASSWORD

    app = create_app()
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"csrf_token": token, "email": EMAIL, "password": DEMO_PASSWORD})
    for _key, label, path in pages:
        headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
        client.get(path, headers=headers)  # warm: caches, compiled templates
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for _ in range(repeats):
                response = client.get(path, headers=headers)
        per_request = (time.perf_counter() - started) / repeats * 1000
        print(f"\n=== {label} {path}: {response.status_code}, {per_request:.1f} ms a request under the profiler ===")
        print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per run (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=5160, help="baseline on this port, the app on the next")
    parser.add_argument("--pages", nargs="+", choices=[key for key, _, _ in PAGES], help="default: all")
    parser.add_argument("--profile", nargs="*", choices=[key for key, _, _ in PAGES], help="profile these pages")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page under --profile")
    args = parser.parse_args()
    if shutil.which("wrk") is None and args.profile is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        env = app_env(database_url)
        secret, ref, review_ref, year, word, area = prepare(database_url, args.scale, env)
        chosen = [page for page in PAGES if page[0] in (args.profile or args.pages or [k for k, _, _ in PAGES])]
        chosen = [
            (key, label, path.format(ref=ref, review_ref=review_ref, year=year, word=word, area=area))
            for key, label, path in chosen
        ]
        if args.profile is not None:
            profile(chosen, env, secret, args.repeats)
            return
        run(args, env, chosen, secret, database_url)


def run(args: argparse.Namespace, env: dict[str, str], pages: list[tuple[str, str, str]], secret: str, db: str):
    conf = ["-c", "python:eia.ops.gunicorn_conf"]
    with (
        gunicorn("baseline", args.port, "baseline_app:app", env, "--chdir", str(ROOT / "bench")) as baseline,
        gunicorn("app", args.port + 1, "eia:create_app()", env, *conf) as app,
    ):
        cookie = ("Cookie", sign_in(app.url))
        bearer = ("Authorization", f"Bearer {secret}")
        for _key, _label, path in pages:
            check(app.url + path, header_for(path, cookie, bearer))
        print(
            f"{db.split('+')[0].split(':')[0]}, gunicorn -w 2 -k sync, "
            f"wrk -t2 -c{args.connections} -d{args.duration}s, signed in as the equalities team"
        )
        print(f"{'page':<28}{'req/s':>8}{'baseline':>10}{'ratio':>7}{'non-2xx':>9}  load average")
        before, _ = wrk(baseline.url + "/", None, args.duration, args.connections)
        baselines = [before]
        ratios = []
        for _key, label, path in pages:
            header = header_for(path, cookie, bearer)
            started_load = load_average()
            sent = f"{header[0]}: {header[1]}" if header else None
            rate, errors = wrk(app.url + path, sent, args.duration, args.connections)
            after, _ = wrk(baseline.url + "/", None, args.duration, args.connections)
            baselines.append(after)
            around = (before + after) / 2
            ratios.append(rate / around)
            print(f"{label:<28}{rate:>8.0f}{around:>10.0f}{rate / around:>7.2f}{errors:>9}  {started_load}")
            before = after
        print(
            f"baseline median {statistics.median(baselines):.0f} req/s over {len(baselines)} runs; "
            f"pages at >= 0.5x: {sum(r >= 0.5 for r in ratios)} of {len(ratios)}"
        )
        sizes = app.worker_rss_mb()
        print(f"app workers' resident memory after the run: {', '.join(f'{s:.0f} MB' for s in sizes)}")


if __name__ == "__main__":
    main()
