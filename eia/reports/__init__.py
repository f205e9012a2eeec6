"""The annual EIA report: its figures, its page, its PDF and its API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The report's page, its API and the ``eia report`` command."""
    from eia import api
    from eia.reports import api as reports_api
    from eia.reports import views
    from eia.reports.cli import report_command

    app.register_blueprint(views.bp)
    api.register_blueprint(reports_api.bp)
    app.cli.add_command(report_command)
