"""The load of ``bench/load.py`` with the database stopped for a while and started again.

Starts a PostgreSQL cluster of its own (``initdb`` and ``pg_ctl`` from the installed PostgreSQL, a
data folder under /tmp, a private port; never a cluster anyone else uses), loads it, runs gunicorn as
in production and the people of ``load.py``; after ``--stop-after`` seconds stops the cluster
(``pg_ctl stop -m fast``) for ``--outage`` seconds, then starts it again. It reports what people got
before, during and after the outage (the 503 page with ``Retry-After`` is what they should see),
how long the app took to answer normally again without a restart, and that nothing is half-written:
every confirmed write is there, every mitigation written has its audit entry, every evidence row has
its file, and the audit log's chain is intact. The cluster and its folder are removed at the end.

    nice -n 10 .venv/bin/python bench/fault.py                       # 50 people, 60 s, outage 20 s
    nice -n 10 .venv/bin/python bench/fault.py --people 10 --seconds 40 --stop-after 10 --outage 20 --scale 500
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import ROOT, app_env, check_writes, gunicorn, load_average, prepare, report, run_people, server_errors

HALF_WRITTEN = """
import json
from sqlalchemy import exists, func, select
from eia import create_app
from eia.assessments.models import Mitigation
from eia.auditlog.models import AuditEntry
from eia.evidence.models import EvidenceItem
from eia.evidence.storage import store_for
from eia.extensions import db

app = create_app()
with app.app_context():
    mitigations = db.session.execute(select(Mitigation.id).where(Mitigation.action.like("load-%"))).scalars().all()
    audited = set(db.session.execute(
        select(AuditEntry.detail).where(AuditEntry.action == "mitigation_added")).scalars())
    without_entry = [m for m in mitigations if f"mitigation {m}" not in audited]
    items = db.session.execute(
        select(EvidenceItem.id, EvidenceItem.stored_name).where(EvidenceItem.title.like("load-%"))).all()
    store = store_for()
    without_file = [i for i, name in items if not name or not store.exists(name)]
    print(json.dumps({"mitigations": len(mitigations), "without_entry": without_entry,
                      "evidence": len(items), "without_file": without_file}))
"""


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise SystemExit(f"{name} not found: install PostgreSQL")
    return found[-1]


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def own_cluster(port: int):
    """A throwaway PostgreSQL cluster on *port*: yields (start, stop) and its database URL."""
    folder = Path(tempfile.mkdtemp(prefix="eia-fault-"))
    data, log = folder / "data", folder / "postgres.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start() -> None:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
            check=True,
            capture_output=True,
        )

    def stop() -> None:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=True,
            capture_output=True,
        )

    start()
    try:
        subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "eia"], check=True)
        yield start, stop, f"postgresql+psycopg://postgres@127.0.0.1:{port}/eia"
    finally:
        with suppress(subprocess.CalledProcessError):
            stop()
        shutil.rmtree(folder, ignore_errors=True)


def phases(timeline: list[tuple[float, int]], marks: dict[str, float]) -> None:
    """What people got before, during and after the outage, and when answers were normal again."""
    spans = [("before", 0, marks["stopped"]), ("during", marks["stopped"], marks["started"])]
    spans.append(("after", marks["started"], float("inf")))
    for name, begin, end in spans:
        counts = Counter(status for at, status in timeline if begin <= at < end)
        text = ", ".join(f"{'no answer' if code == 0 else code}: {n}" for code, n in sorted(counts.items()))
        print(f"  {name:<7} {text or 'nothing'}")
    normal = [at for at, status in timeline if at >= marks["started"] and 200 <= status < 400]
    if normal:
        print(f"answers normal again {normal[0] - marks['started']:.1f} s after the database was started")
    else:
        print("NO normal answer after the database was started")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1_000, help="eia demo --scale (default 1,000)")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--stop-after", type=float, default=15)
    parser.add_argument("--outage", type=float, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--db-port", type=int, default=5170)
    parser.add_argument("--port", type=int, default=5167)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with own_cluster(args.db_port) as (start, stop, url), tempfile.TemporaryDirectory() as tmp:
        env = app_env(url, tmp)
        accounts = prepare(env, args.scale, args.people)
        marks: dict[str, float] = {}

        def outage() -> None:
            time.sleep(args.stop_after)
            marks["stopped"] = time.monotonic()
            stop()
            print(f"database stopped for {args.outage:.0f} s (load {load_average()})")
            time.sleep(args.outage)
            start()
            marks["started"] = time.monotonic()
            print("database started again")

        with gunicorn(args.port, env) as base:
            print(f"{args.people} people for {args.seconds:.0f} s; the database stops after {args.stop_after:.0f} s")
            fault = threading.Thread(target=outage)
            results = None

            def begin() -> None:
                fault.start()

            # The outage is timed from when everyone is signed in and working.
            results = run_people(base, accounts, args.seconds, args.think, args.seed, on_start=begin)
            fault.join()
        report(results, args.seconds)
        server_errors(tmp)
        phases(results.timeline, marks)
        unavailable = results.statuses.get(503, 0)
        print(f"503 answers: {unavailable}, of which with Retry-After: {min(results.retry_after, unavailable)}")
        ok = check_writes(results, env, tmp)
        done = subprocess.run(
            [sys.executable, "-c", HALF_WRITTEN], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        half = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"half-written: {len(half['without_entry'])} of {half['mitigations']} mitigations without their audit "
            f"entry, {len(half['without_file'])} of {half['evidence']} evidence items without their file"
        )
        others = sum(n for code, n in results.statuses.items() if code >= 500 and code != 503)
        clean = ok and not half["without_entry"] and not half["without_file"] and others == 0
        print("nothing lost or half-written; no 5xx but 503" if clean else f"PROBLEMS (5xx other than 503: {others})")


if __name__ == "__main__":
    main()
