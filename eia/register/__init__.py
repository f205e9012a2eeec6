"""The public register of published EIAs (no sign-in)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from eia import signals
    from eia.register import equality_information, equality_views, feed, views

    app.register_blueprint(views.bp)
    app.register_blueprint(equality_views.bp)
    app.register_blueprint(feed.bp)
    signals.reminders.connect(equality_information.publication_reminders)
