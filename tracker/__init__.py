"""The plan tracker: equality action plans, their actions and progress, and the EIA programme.

It may import ``eia``; ``eia`` never imports it outside ``create_app``, which calls :func:`init_app`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the tracker's pages, API, ``eia plans`` commands and its parts of My work, the reminders,
    the annual report, the assessments API and the demo."""
    from eia import api, signals
    from tracker import api as tracker_api
    from tracker import audit_words, demo, link_views, programme_views, queries, views
    from tracker.cli import plans_cli

    for blueprint in (views.bp, link_views.bp, programme_views.bp):
        app.register_blueprint(blueprint)
    for api_blueprint in (tracker_api.bp, tracker_api.links_bp):
        api.register_blueprint(api_blueprint)
    app.cli.add_command(plans_cli)

    signals.my_work.connect(queries.my_work_section)
    signals.reminders.connect(queries.plan_reminders)
    signals.report_sections.connect(queries.report_sections)
    signals.eia_api_extras.connect(tracker_api.eia_extras)
    signals.demo_loaded.connect(demo.load_demo)
    signals.audit_glossary.connect(audit_words.glossary)
    signals.scale_loaded.connect(demo.scale_links)
