"""Equality impact assessments: templates, sections, impacts, mitigations, evidence and the review workflow."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The assessment pages (their sections, evidence and workflow), their API, the register's
    reference data and the ``eia forms`` commands."""
    from eia import api, signals
    from eia.assessments import api as assessments_api
    from eia.assessments import (
        audit_words,
        authoring_api,
        authoring_views,
        decision_api,
        decision_views,
        evidence_api,
        evidence_views,
        form_templates,
        impact_views,
        impacts_api,
        reference_api,
        views,
        work,
        workflow_views,
    )
    from eia.assessments.cli import daily_command, forms_cli

    for blueprint in (
        views.bp,
        workflow_views.bp,
        evidence_views.bp,
        authoring_views.bp,
        impact_views.bp,
        decision_views.bp,
    ):
        app.register_blueprint(blueprint)
    for api_blueprint in (
        reference_api.bp,
        assessments_api.bp,
        evidence_api.bp,
        authoring_api.bp,
        impacts_api.bp,
        decision_api.bp,
    ):
        api.register_blueprint(api_blueprint)
    app.cli.add_command(forms_cli)
    app.cli.add_command(daily_command)
    signals.shipped_loaded.connect(form_templates.shipped_templates_loaded)
    signals.audit_glossary.connect(audit_words.glossary)
    signals.my_work.connect(work.my_work_groups)
