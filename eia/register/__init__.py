"""The public register of published EIAs (no sign-in)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from eia.register import views

    app.register_blueprint(views.bp)
