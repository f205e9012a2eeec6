"""Fifty people working at once on PostgreSQL, under gunicorn as the README's production section runs
it: response times, status counts, and afterwards every confirmed write checked against the database
and the audit log's chain checked.

    nice -n 10 .venv/bin/python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    nice -n 10 .venv/bin/python bench/load.py --database-url ... --people 20 --seconds 20   # a short run

The database is loaded with ``eia demo --scale N`` (default 10,000; nothing is added the second
time) and *people* accounts are added: four in five service managers, each with a draft assessment
of their own, and one in five in the equalities team. Each person signs in through the form, then
works in a loop with a pause to think (``--think``, up to a second by default): My work, the list of
assessments (sometimes searched or filtered), their assessment, saving a section, adding a
mitigation, uploading a small evidence file, a progress update on an action (the equalities team),
the plans dashboard, samples and the public register.

A write counts as confirmed when the app answers it with its redirect; each confirmed write carries
a marker, and afterwards every marker is looked for in the database. Target (issue 20): p95 at most
500 ms and no 5xx on an otherwise idle two-core machine; no conflicts that were not real clashes
(each person edits only their own assessment); nothing confirmed lost.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EIA = [sys.executable, "-c", "from eia.cli import main; main()"]
PASSWORD = "load-test-password-2026"

SETUP = """
import json, sys
from datetime import date
from sqlalchemy import select
from eia import create_app
from eia.accounts import services as accounts
from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import Eia
from eia.assessments.states import EiaKind
from eia.auditlog.services import command_line_actor
from eia.demo.eias import _write
from eia.demo.scenarios import SCENARIOS
from eia.extensions import db
from tracker.models import PlanAction

people, password = int(sys.argv[1]), sys.argv[2]
app = create_app()
with app.app_context():
    areas = db.session.execute(
        select(ServiceArea).where(ServiceArea.parent_id.is_not(None)).order_by(ServiceArea.id)
    ).scalars().all()
    scenarios = [
        s for s in SCENARIOS if s.kind == EiaKind.STANDARD and any(v[0] == "negative" for v in s.impacts.values())
    ]
    actions = db.session.execute(select(PlanAction.id).order_by(PlanAction.id)).scalars().all()
    out = []
    for n in range(people):
        email = f"load.person{n}@council.example"
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        equalities = n % 5 == 4
        if user is None:
            user = accounts.create_user(
                email=email, name=f"Load Person {n}", role=Role.EQUALITIES if equalities else Role.AUTHOR,
                password=password, by=command_line_actor(), service_area=None if equalities else areas[n % len(areas)],
            )
        ref = db.session.execute(
            select(Eia.reference).where(
                Eia.title == f"Load test assessment {n}", Eia.state == "draft", Eia.kind == EiaKind.STANDARD
            )
        ).scalars().first()
        if not equalities and ref is None:
            scenario = scenarios[n % len(scenarios)]
            user.service_area_id = db.session.execute(select(ServiceArea.id).where(
                ServiceArea.name == scenario.area.split("/")[-1].strip())).scalars().first() or user.service_area_id
            ref = _write(scenario, f"Load test assessment {n}", user, date(2026, 9, 1), date(2028, 9, 1), v2=True).reference
        db.session.commit()
        out.append({"email": email, "ref": ref, "action": actions[n % len(actions)]})
    print(json.dumps(out))
"""

CHECK = """
import json, sys
from sqlalchemy import func, select
from eia import create_app
from eia.assessments.models import Eia, EiaSection, Mitigation
from eia.auditlog.services import verify_chain
from eia.evidence.models import EvidenceItem
from eia.extensions import db
from tracker.models import ProgressUpdate

markers = json.load(open(sys.argv[1]))
app = create_app()
with app.app_context():
    found = {
        "mitigation": set(db.session.execute(select(Mitigation.action).where(Mitigation.action.like("load-%"))).scalars()),
        "evidence": set(db.session.execute(select(EvidenceItem.title).where(EvidenceItem.title.like("load-%"))).scalars()),
        "progress": set(db.session.execute(select(ProgressUpdate.note).where(ProgressUpdate.note.like("load-%"))).scalars()),
    }
    sections = {}
    for eia_ref, answers in db.session.execute(
        select(Eia.reference, EiaSection.answers).join(EiaSection, EiaSection.eia_id == Eia.id)
        .where(Eia.title.like("Load test assessment %"), EiaSection.key == "consultation")
    ):
        sections[eia_ref] = json.dumps(answers)
    lost = {kind: sorted(set(markers[kind]) - found[kind]) for kind in found}
    # A section keeps only its newest save: the last confirmed marker of each assessment must be there.
    lost["section"] = sorted(m for ref, m in markers["section_last"].items() if m not in sections.get(ref, ""))
    report = verify_chain()
    print(json.dumps({"lost": lost, "chain": report.is_intact, "entries": report.entries, "problem": report.problem}))
"""


class Form(HTMLParser):
    """The fields of the first POST form on a page whose action contains *action*, as a browser would
    send them (text as filled in, checked boxes and radios, selected options)."""

    def __init__(self, action: str = "") -> None:
        super().__init__()
        self.want, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.action = ""
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        target = a.get("action") or self.want  # a form without an action posts to its own page
        if tag == "form" and not self.done and a.get("method", "").lower() == "post" and self.want in target:
            self.inside, self.action = True, target
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select, self._first_option, self._selected = a["name"], None, False
        elif tag == "option" and self._select is not None:
            if self._first_option is None and a.get("value"):  # the first real choice, not "Choose..."
                self._first_option = a["value"]
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._selected = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._selected and self._first_option is not None:
                self.fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True

    @classmethod
    def read(cls, html: str, action: str = "") -> Form:
        form = cls(action)
        form.feed(html)
        return form

    def set(self, name: str, value: str) -> None:
        self.fields = [(k, v) for k, v in self.fields if k != name] + [(name, value)]

    def first(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)  # (what, status) of answers 400 and up
    statuses: Counter = field(default_factory=Counter)
    retry_after: int = 0
    errors: Counter = field(default_factory=Counter)
    markers: dict[str, list[str]] = field(default_factory=lambda: {"mitigation": [], "evidence": [], "progress": []})
    section_last: dict[str, str] = field(default_factory=dict)
    conflicts: int = 0
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (time, status) for fault.py

    def note(self, what: str, seconds: float, status: int, retry_after: bool) -> None:
        with self.lock:
            self.times.setdefault(what, []).append(seconds)
            self.statuses[status] += 1
            if status >= 400:
                self.failures[(what, status)] += 1
            self.retry_after += retry_after and status in (429, 503)
            self.timeline.append((time.monotonic(), status))
            if status == 409:
                self.conflicts += 1


class Person:
    """One signed-in person working through the app."""

    def __init__(self, base: str, account: dict, results: Results, think: float, seed: int) -> None:
        self.base, self.account, self.results, self.think = base, account, results, think
        self.session = requests.Session()
        self.rng = random.Random(seed)
        self.count = 0

    def request(self, what: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        except requests.RequestException as exc:
            with self.results.lock:
                self.results.errors[type(exc).__name__] += 1
                self.results.timeline.append((time.monotonic(), 0))
            return None
        self.results.note(what, time.perf_counter() - started, response.status_code, "Retry-After" in response.headers)
        return response

    def sign_in(self) -> bool:
        page = self.request("sign-in page", "GET", "/sign-in")
        if page is None or page.status_code != 200:
            return False
        form = Form.read(page.text, "/sign-in")
        form.set("email", self.account["email"])
        form.set("password", PASSWORD)
        done = self.request("sign in", "POST", "/sign-in", data=form.fields)
        return done is not None and done.status_code == 302

    def get(self, what: str, path: str) -> requests.Response | None:
        return self.request(what, "GET", path)

    def post_form(self, what: str, path: str, change, files=None) -> bool:
        """Open *path*, fill its form in with *change*, send it; True when the app confirms (302)."""
        page = self.get(what + " (form)", path)
        if page is None or page.status_code != 200:
            return False
        form = Form.read(page.text, path.split("?")[0])
        change(form)
        done = self.request(what, "POST", path, data=form.fields, files=files)
        return done is not None and done.status_code == 302 and "/sign-in" not in done.headers.get("Location", "")

    def marker(self, kind: str) -> str:
        self.count += 1
        return f"load-{kind}-{self.account['email'].split('@')[0]}-{self.count}-{self.rng.randrange(10**6)}"

    def step(self) -> None:
        ref, action = self.account["ref"], self.account["action"]
        roll = self.rng.random()
        if roll < 0.22:
            self.get("My work", "/")
        elif roll < 0.36:
            self.get("assessments", self.rng.choice(["/eias/", "/eias/?state=published", "/eias/?q=library"]))
        elif roll < 0.48 and ref:
            self.get("an assessment", f"/eias/{ref}")
        elif roll < 0.58 and ref:
            text = self.marker("section")

            def fill(form: Form) -> None:
                form.set("who_engaged", f"Residents' panel and staff groups ({text})")

            if self.post_form("save a section", f"/eias/{ref}/sections/consultation", fill):
                with self.results.lock:
                    self.results.section_last[ref] = text
        elif roll < 0.66 and ref:
            text = self.marker("mitigation")

            def fill(form: Form) -> None:
                form.set("action", text)
                form.set("due_on-day", "1")
                form.set("due_on-month", "3")
                form.set("due_on-year", "2027")
                form.set("measure", "Quarterly monitoring of take-up")

            if self.post_form("add a mitigation", f"/eias/{ref}/mitigations/new", fill):
                with self.results.lock:
                    self.results.markers["mitigation"].append(text)
        elif roll < 0.72 and ref:
            text = self.marker("evidence")

            def fill(form: Form) -> None:
                form.set("title", text)
                form.set("description", "Survey results, small extract")
                form.set("source", "Residents' survey")

            body = f"question,answer\nHow did the change affect you?,{text}\n".encode()
            files = {"file": ("survey.csv", body, "text/csv")}
            if self.post_form("upload evidence", f"/eias/{ref}/evidence/new/file", fill, files=files):
                with self.results.lock:
                    self.results.markers["evidence"].append(text)
        elif roll < 0.80 and not ref:
            text = self.marker("progress")

            def fill(form: Form) -> None:
                form.set("note", text)

            if self.post_form("progress update", f"/plans/actions/{action}", fill):
                with self.results.lock:
                    self.results.markers["progress"].append(text)
        else:
            pages = ["/plans/dashboard", "/samples/", "/register/", "/plans/"] if not ref else ["/register/", "/plans/"]
            self.get("other pages", self.rng.choice(pages))

    def run(self, start: threading.Barrier, deadline: list[float]) -> None:
        """Sign in, wait for everyone, then work until the deadline (signing in again if need be)."""
        signed_in = self.sign_in()
        start.wait()
        while time.monotonic() < deadline[0]:
            if not signed_in:
                signed_in = self.sign_in()
            else:
                self.step()
            time.sleep(self.rng.uniform(0, self.think))


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def prepare(env: dict[str, str], scale: int, people: int) -> list[dict]:
    import json

    started = time.perf_counter()
    for command in (["db", "upgrade"], ["demo", "--scale", str(scale)]):
        subprocess.run([*EIA, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", SETUP, str(people), PASSWORD], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    print(f"set-up (demo at {scale:,} and {people} people): {time.perf_counter() - started:.0f} s")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def gunicorn(port: int, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """The app as the README's production section runs it (its settings file, sync workers)."""
    metrics = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    metrics.mkdir(parents=True, exist_ok=True)
    log = open(Path(env["EIA_REPORT_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            "python:eia.ops.gunicorn_conf",
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "eia:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=30)
                break
            except requests.RequestException:
                if process.poll() is not None:
                    raise SystemExit(f"gunicorn did not start: see {log.name}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def app_env(database_url: str, tmp: str) -> dict[str, str]:
    return {
        **os.environ,
        "EIA_ENV": "demo",
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "false",
        "EIA_EVIDENCE_DIR": f"{tmp}/evidence",
        "EIA_REPORT_DIR": tmp,
        "PROMETHEUS_MULTIPROC_DIR": f"{tmp}/metrics",
        "EIA_MAX_FAILED_SIGN_INS": "1000",
    }


def run_people(
    base: str, accounts: list[dict], seconds: float, think: float, seed: int, on_start: Callable[[], None] | None = None
) -> Results:
    """Every person in a thread of their own, all starting together once signed in (*on_start* is
    called then)."""
    results = Results()
    start = threading.Barrier(len(accounts) + 1)
    deadline: list[float] = [float("inf")]
    threads = [
        threading.Thread(
            target=Person(base, account, results, think, seed + n).run, args=(start, deadline), daemon=True
        )
        for n, account in enumerate(accounts)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    deadline[0] = time.monotonic() + seconds
    if on_start is not None:
        on_start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return results


def report(results: Results, seconds: float) -> None:
    every = sorted(t for times in results.times.values() for t in times)
    total = len(every)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else 0.0

    print(f"{total:,} requests in {seconds:.0f} s ({total / seconds:.1f} a second), load average {load_average()}")
    print(f"p50 {pct(every, 50):.0f} ms, p95 {pct(every, 95):.0f} ms, p99 {pct(every, 99):.0f} ms")
    print("statuses: " + ", ".join(f"{code}: {n:,}" for code, n in sorted(results.statuses.items())))
    if results.errors:
        print("no answer: " + ", ".join(f"{name}: {n}" for name, n in results.errors.items()))
    print(f"{'what':<28}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for what, times in sorted(results.times.items()):
        times = sorted(times)
        print(f"{what:<28}{len(times):>7}{pct(times, 50):>9.0f}{pct(times, 95):>9.0f}{pct(times, 99):>9.0f}")
    if results.failures:
        print(
            "answers of 400 and up: " + ", ".join(f"{what} {code}: {n}" for (what, code), n in results.failures.items())
        )
    print(f"conflict pages (409): {results.conflicts}")


def server_errors(tmp: str) -> None:
    """What each unexpected error was (the requests gunicorn reports it could not handle): the
    app's own frames and the exceptions, for the first few."""
    lines = (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()
    starts = [n for n, line in enumerate(lines) if "Error handling request" in line]
    for n in starts[:3]:
        shown = [lines[n]]
        for line in lines[n + 1 : n + 400]:
            if line.startswith("[") or (line[:4].isdigit() and " INFO " in line):
                break  # the next log line
            if ('"/work' in line and "site-packages" not in line) or not line.startswith(" "):
                shown.append(line)
        print("server error:\n  " + "\n  ".join(shown[:40]))


def check_writes(results: Results, env: dict[str, str], tmp: str) -> bool:
    """Every confirmed write is in the database, and the audit log's chain is intact."""
    import json

    path = Path(tmp) / "markers.json"
    path.write_text(json.dumps({**results.markers, "section_last": results.section_last}))
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(path)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    confirmed = {kind: len(values) for kind, values in results.markers.items()}
    confirmed["section"] = len(results.section_last)
    lost = sum(len(v) for v in found["lost"].values())
    print(
        "confirmed writes: "
        + ", ".join(f"{kind} {n}" for kind, n in confirmed.items())
        + f" (sections: the newest save of each assessment); lost: {lost}"
    )
    for kind, markers in found["lost"].items():
        for marker in markers[:5]:
            print(f"  LOST {kind}: {marker}")
    print(
        f"audit log: {found['entries']:,} entries, chain {'intact' if found['chain'] else 'BROKEN: ' + found['problem']}"
    )
    return lost == 0 and found["chain"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", required=True, help="a PostgreSQL database of its own (postgresql+psycopg://...)"
    )
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="longest pause between a person's steps (s)")
    parser.add_argument("--port", type=int, default=5165)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = app_env(args.database_url, tmp)
        accounts = prepare(env, args.scale, args.people)
        with gunicorn(args.port, env) as base:
            print(
                f"{args.people} people for {args.seconds:.0f} s against gunicorn -w 2 -k sync (load {load_average()})"
            )
            results = run_people(base, accounts, args.seconds, args.think, args.seed)
        report(results, args.seconds)
        server_errors(tmp)
        ok = check_writes(results, env, tmp)
        fives = sum(n for code, n in results.statuses.items() if code >= 500)
        print("nothing lost, chain intact" if ok else "PROBLEMS: see above", f"; 5xx: {fives}")


if __name__ == "__main__":
    main()
