"""gunicorn settings for production: ``gunicorn -c python:eia.ops.gunicorn_conf -w 2 -k sync
-b 127.0.0.1:8000 'eia:create_app()'`` (see the README's Production section).

With several workers, Prometheus counts are kept in files under ``PROMETHEUS_MULTIPROC_DIR`` (an
empty folder, emptied before each start) so that ``/metrics`` adds up every worker's; a worker that
exits has its gauges dropped here."""

from __future__ import annotations

import os
from typing import Any

# The app writes one JSON line per request itself (with its id, person and route).
accesslog = None
# Slow PDF renders happen once per change; beyond this a worker is stuck, not busy.
timeout = 120
graceful_timeout = 30


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
