"""The tamper-evident audit log: every change, hash-chained, the check of that chain, and signed
checkpoints of it published on the register and emailed to witnesses."""

from __future__ import annotations

from flask import Flask, Response, current_app, g


def init_app(app: Flask) -> None:
    """The audit log's pages, its public checkpoints, its API and the ``eia audit-log`` commands."""
    from eia import api
    from eia.auditlog import api as auditlog_api
    from eia.auditlog import public, views
    from eia.auditlog.cli import audit_cli

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    api.register_blueprint(auditlog_api.bp)
    app.cli.add_command(audit_cli)
    app.after_request(_email_checkpoints_after_the_response)


def _email_checkpoints_after_the_response(response: Response) -> Response:
    """A request that crossed a checkpoint (see checkpoints.after_append) has it emailed to the
    witnesses once the response has been sent, so nobody waits for the SMTP server."""
    if g.pop("audit_checkpoint_made", False) and current_app.config["EIA_AUDIT_WITNESS_EMAILS"]:
        from eia.auditlog.witnesses import send_after_response

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(lambda: send_after_response(app))
    return response
