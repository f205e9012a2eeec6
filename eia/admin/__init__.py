"""Administration: people, roles, service areas and the characteristic register."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The administration pages."""
    from eia.admin import views

    app.register_blueprint(views.bp)
