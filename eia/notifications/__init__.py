"""Reminders: what is due for each person, shown in the app and sent as one daily email digest."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The notifications page and the ``eia remind`` command."""
    from eia.notifications import views
    from eia.notifications.cli import remind_command

    app.register_blueprint(views.bp)
    app.cli.add_command(remind_command)
