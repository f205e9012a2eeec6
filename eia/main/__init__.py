"""The home page (My work), the accessibility statement and the health check."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from eia.main import views

    app.register_blueprint(views.bp)
