"""The tamper-evident audit log: every change, hash-chained, and the check of that chain."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The audit log's pages, its API and the ``eia audit-log`` commands."""
    from eia import api
    from eia.auditlog import api as auditlog_api
    from eia.auditlog import views
    from eia.auditlog.cli import audit_cli

    app.register_blueprint(views.bp)
    api.register_blueprint(auditlog_api.bp)
    app.cli.add_command(audit_cli)
