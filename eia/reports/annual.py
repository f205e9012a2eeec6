"""The annual EIA report: the page and the PDF from one template, and a PDF cache.

A PDF is rendered on request and kept in ``EIA_REPORT_DIR`` (``instance/reports``), named by the year,
the day and the newest audit-log entry and checkpoint, so it is rebuilt only when something has
changed (every change writes an audit entry), a checkpoint is signed or the day moves on; one worker
renders it while the others say it is being prepared (:mod:`eia.render_cache`). ``eia report``
renders the same PDF from cron or by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from flask import render_template
from sqlalchemy import func, select

from eia import page_cache, render_cache
from eia.auditlog.models import AuditCheckpoint, AuditEntry
from eia.extensions import db
from eia.pdf import render_pdf
from eia.reports import figures

STEPS = ("assessments", "impacts", "quality audits", "audit log", "due regard", "action plans", "page", "PDF")


def report_html(report: figures.Report) -> str:
    return render_template("pdf/report.html", r=report)


def page_html(year: int, today: date, years: list[int], *, may_edit: bool = False) -> str:
    """The report page: its figures counted and rendered once for each change of the data (or day),
    then kept (:func:`eia.page_cache.fragment`), one copy for those who may write the commentary and
    one for those who read it."""
    body = page_cache.fragment(
        f"annual-report:{year}:{today.isoformat()}:{'editor' if may_edit else 'reader'}",
        lambda: render_template("reports/_page.html", r=figures.build(year, today), years=years, may_edit=may_edit),
    )
    return render_template("reports/show.html", body=body, label=f"{year}/{(year + 1) % 100:02d}")


def report_pdf(year: int, today: date, progress: Callable[[str], None] | None = None) -> bytes:
    step = progress or (lambda name: None)
    report = figures.build(year, today, step)
    step("page")
    html = report_html(report)
    step("PDF")
    return render_pdf(html)


def cache_key(year: int, today: date) -> str:
    """The year, the day, the newest audit entry (every change writes one) and the newest checkpoint
    (the report shows it)."""
    head = db.session.execute(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one_or_none()
    checkpoint = db.session.execute(select(func.max(AuditCheckpoint.id))).scalar()
    return hashlib.sha256(f"{year}|{today.isoformat()}|{head}|{checkpoint}".encode()).hexdigest()[:32]


def cached_pdf(year: int, today: date) -> bytes | None:
    """The report's PDF, rendered now only if nothing is cached for the current data; None while
    another worker is rendering it."""
    return render_cache.cached(f"eia-report-{year}", cache_key(year, today), lambda: report_pdf(year, today))
