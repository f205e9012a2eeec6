"""Append to and verify the audit log at growing sizes; verify must stay linear.

Prints, for each size, the time to append the entries (through the same service the app uses)
and the time to verify the whole chain, with per-entry rates so linearity is plain to see.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from eia import create_app
from eia.auditlog import services as audit
from eia.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" * 8})
        with app.app_context():
            upgrade()
            have = audit.count_entries()
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
            print(f"{'entries':>9} {'append s':>9} {'append/s':>9} {'verify s':>9} {'verify/s':>10}")
            for size in sorted(args.sizes):
                started = time.perf_counter()
                for i in range(have, size):
                    audit.record("bench_event", by=None, entity_type="bench", entity_id=i, detail=f"event {i}")
                    if i % 1000 == 999:
                        db.session.commit()
                db.session.commit()
                appended = size - have
                append_s = time.perf_counter() - started
                have = size

                started = time.perf_counter()
                report = audit.verify_chain()
                verify_s = time.perf_counter() - started
                assert report.is_intact and report.entries == size, report
                rate = f"{appended / append_s:,.0f}" if appended else "-"
                print(f"{size:>9,} {append_s:>9.2f} {rate:>9} {verify_s:>9.2f} {size / verify_s:>10,.0f}")


if __name__ == "__main__":
    main()
