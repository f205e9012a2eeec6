"""Equality impact assessments, their evidence, quality audits and the equality action plans."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with *config* applied on top (tests and tools).

    :raises eia.config.ConfigError: when a required setting (such as ``SECRET_KEY``) is missing.
    """
    from eia import wiring
    from eia.config import load_config

    app = Flask(__name__, instance_relative_config=True, template_folder=str(wiring.resource_dir("templates")))
    app.config.from_mapping(load_config(Path(app.instance_path), dict(config or {})))
    wiring.init_app(app)

    import tracker  # the only place eia imports the plan tracker

    tracker.init_app(app)
    return app
