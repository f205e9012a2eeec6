"""The app's Prometheus metrics, defined once per process (``prometheus_client``'s default registry).

Served at ``/metrics`` by :mod:`eia.ops`. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder so each scrape adds up every worker's counts (see
``eia/ops/gunicorn_conf.py`` and the README).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "eia_http_requests",
    "Requests answered, by route (the URL rule, not the URL), method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "eia_http_request_duration_seconds",
    "Time to answer a request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PDF_RENDERS = Counter("eia_pdf_renders", "PDFs rendered (not served from the cache), by kind.", ["kind"])
PDF_RENDER_SECONDS = Histogram(
    "eia_pdf_render_duration_seconds",
    "Time to render a PDF, by kind.",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
REMINDER_EMAILS = Counter(
    "eia_reminder_emails",
    "Reminder digests by outcome: sent, refused (by the SMTP server, for one recipient) or failed.",
    ["outcome"],
)
ACCOUNT_EMAILS = Counter(
    "eia_account_emails",
    "Invitation and password-reset emails by kind and outcome (sent or failed).",
    ["kind", "outcome"],
)
SIGN_INS = Counter(
    "eia_sign_ins",
    "Sign-in attempts by route (password or oidc) and outcome.",
    ["method", "outcome"],
)
