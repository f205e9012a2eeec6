"""Evidence: files, links and notes supporting EIAs (and plan progress updates), stored safely. The
pages that show it belong to what it supports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The ``eia evidence`` commands."""
    from eia.evidence.cli import evidence_cli

    app.cli.add_command(evidence_cli)
