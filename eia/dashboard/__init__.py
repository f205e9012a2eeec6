"""The equalities dashboard: the pipeline of assessments and its risks, for the equalities team,
decision makers and administrators."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ``/dashboard`` page."""
    from eia.dashboard import views

    app.register_blueprint(views.bp)
