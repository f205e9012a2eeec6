"""Running the app in production: JSON-lines logs with a request id, Prometheus metrics at
``/metrics``, the store's error page, and ``eia check-deploy``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Logging and request metrics around every request, the ``/metrics`` page, the 503 page for a
    store that does not answer, and the ``eia check-deploy`` command."""
    from eia import logs
    from eia.ops import views
    from eia.ops.deploy import check_deploy_command

    logs.init_logging(app)
    views.init_request_metrics(app)
    app.register_blueprint(views.bp)
    views.register_storage_errors(app)
    app.cli.add_command(check_deploy_command)
