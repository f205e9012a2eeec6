"""``/metrics`` for Prometheus (only from the configured addresses, or with the token), request
counts and times by route, and the page for a store that does not answer."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from eia import metrics
from eia.errors import render_error
from eia.storage import StorageError

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


def may_read_metrics() -> bool:
    """From an address in ``EIA_METRICS_ALLOWED_IPS``, or with ``Authorization: Bearer`` and the
    ``EIA_METRICS_TOKEN`` (compared in constant time)."""
    token = current_app.config["EIA_METRICS_TOKEN"]
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
        return True
    try:
        client = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in current_app.config["EIA_METRICS_ALLOWED_IPS"]
    )


def _registry() -> Any:
    """Every worker's counts when gunicorn runs several (``PROMETHEUS_MULTIPROC_DIR``), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@bp.get("/metrics")
def metrics_page():
    """Prometheus's text format: requests by route, PDFs rendered, reminders and account emails sent."""
    if not may_read_metrics():
        abort(403)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _count_request(response: Any) -> Any:
    route = request.url_rule.rule if request.url_rule else "(no route)"
    if request.endpoint != "static":
        metrics.REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            metrics.REQUEST_SECONDS.labels(route=route, method=request.method).observe(time.perf_counter() - started)
    return response


def init_request_metrics(app: Flask) -> None:
    app.after_request(_count_request)


def register_storage_errors(app: Flask) -> None:
    @app.errorhandler(StorageError)
    def storage_unavailable(exc: StorageError):
        from eia.extensions import db

        db.session.rollback()
        log.error("storage unavailable: %s", exc)
        return render_error(
            503,
            "Files cannot be stored or read at the moment. Try again in a few minutes.",
            headers={"Retry-After": "30"},
        )
