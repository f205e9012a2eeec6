"""The annual EIA report: its figures, its page, its PDF and its API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The report's page, its API, the ``eia report`` command and the log's words for the yearly texts."""
    from eia import api, signals
    from eia.reports import api as reports_api
    from eia.reports import audit_words, views
    from eia.reports.cli import report_command

    signals.audit_glossary.connect(audit_words.glossary)

    app.register_blueprint(views.bp)
    api.register_blueprint(reports_api.bp)
    app.cli.add_command(report_command)
