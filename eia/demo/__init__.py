"""Demo data: a council with people, assessments, plans and audits, and assessments at scale for benchmarks."""

from __future__ import annotations

from flask import Flask

#: How many days before it is loaded the demo council's story begins: its people and plans set up,
#: a little before its oldest assessment was started.
STORY_DAYS = 730


def init_app(app: Flask) -> None:
    """The ``eia demo`` command."""
    from eia.demo.cli import demo_command

    app.cli.add_command(demo_command)
