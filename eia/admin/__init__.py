"""Administration: people, roles, service areas, the characteristic register and the form templates."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The administration pages."""
    from eia.admin import template_views, views

    assert template_views.bp is views.bp  # the template editor's routes live on the admin blueprint
    app.register_blueprint(views.bp)
