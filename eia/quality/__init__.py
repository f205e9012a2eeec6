"""Quality audits of random samples of completed EIAs against a rubric, with findings."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The samples' pages, their API, the ``eia sample`` commands and the findings in My work."""
    from eia import api, signals
    from eia.quality import api as quality_api
    from eia.quality import audit_words, queries, scoring, views
    from eia.quality.cli import sample_cli

    app.register_blueprint(views.bp)
    api.register_blueprint(quality_api.bp)
    app.cli.add_command(sample_cli)
    signals.my_work.connect(queries.my_work_section)
    signals.shipped_loaded.connect(scoring.shipped_rubrics_loaded)
    signals.audit_glossary.connect(audit_words.glossary)
