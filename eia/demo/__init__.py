"""Demo data: a council with people, assessments, plans and audits, and assessments at scale for benchmarks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ``eia demo`` command."""
    from eia.demo.cli import demo_command

    app.cli.add_command(demo_command)
