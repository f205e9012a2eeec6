"""Budget rounds: proposals decided together, the cumulative impact on each group, the members' pack."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ``/rounds/`` pages and API, the round's part of an assessment's pages and the demo round."""
    from eia import api, signals
    from eia.rounds import api as rounds_api
    from eia.rounds import demo, queries, services, views

    app.register_blueprint(views.bp)
    api.register_blueprint(rounds_api.bp)
    signals.eia_panels.connect(queries.eia_panel)
    signals.start_options.connect(queries.start_options)
    signals.eia_started.connect(services.join_at_start)
    signals.demo_loaded.connect(demo.load_demo_round)
