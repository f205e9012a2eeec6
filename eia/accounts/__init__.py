"""Accounts: people, their roles and service areas, sign-in, sessions and API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The sign-in pages (passwords, the council's OpenID Connect provider, emailed links), the
    ``eia users`` commands and the API's ``/me``."""
    from eia import signals
    from eia.accounts import audit_words, views
    from eia.accounts.cli import users_cli
    from eia.accounts.provider import init_provider

    init_provider(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(users_cli)
    signals.audit_glossary.connect(audit_words.glossary)


def init_request_hooks(app: Flask) -> None:
    """Before every request: the idle sign-out and the forced password change (call before CSRF
    protection is registered, so a post from an expired session keeps what was typed), then the
    API's bearer tokens (before the API's own checks of the body)."""
    from eia.accounts.api_auth import init_api_auth
    from eia.accounts.sessions import init_sessions

    init_sessions(app)
    init_api_auth(app)
