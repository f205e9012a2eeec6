"""The published checkpoints of the audit log, for anyone (no sign-in): a page listing them, a
machine-readable feed, each checkpoint's signed text and the public key that checks them. Copies
taken from here are what ``eia audit-log verify --against`` compares the log with later."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for
from sqlalchemy import select

from eia.auditlog import checkpoints
from eia.auditlog.models import AuditCheckpoint
from eia.auditlog.signing import CheckpointError, PublicKey
from eia.extensions import db
from eia.web import paginate

bp = Blueprint("audit_checkpoints", __name__, url_prefix="/register/audit-checkpoints")

PAGE_SIZE = 50
#: Public, unchanging data: shared caches may keep it briefly, and other sites' scripts may read it.
PUBLIC_HEADERS = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}


def _public_key() -> PublicKey | None:
    try:
        key = checkpoints.configured_key()
    except CheckpointError:
        current_app.logger.exception("the audit-log signing key cannot be read")
        return None
    return key.public if key is not None else None


def _text(body: str, filename: str | None = None) -> Response:
    headers = dict(PUBLIC_HEADERS)
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(body, mimetype="text/plain", headers=headers)


@bp.get("")
def index():
    page = paginate(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()), per_page=PAGE_SIZE)
    return render_template("audit/checkpoints.html", page=page, has_key=_public_key() is not None)


@bp.get("/feed.json")
def feed():
    """Every checkpoint, newest first; only each one's signed ``note`` is evidence, the other fields
    repeat what it says for convenience."""
    key = _public_key()
    body = {
        "origin": key.name if key else None,
        "public_key": key.text() if key else None,
        "public_key_url": url_for(".public_key", _external=True),
        "checkpoints": [
            {
                "size": row.size,
                "head_hash": row.head_hash,
                "signed_at": row.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "url": url_for(".note", checkpoint_id=row.id, _external=True),
                "note": row.note,
            }
            for row in checkpoints.published()
        ],
    }
    response = jsonify(body)
    response.headers.update(PUBLIC_HEADERS)
    return response


@bp.get("/checkpoint")
def newest():
    """The newest checkpoint's signed text, as a log's ``checkpoint`` is served in the C2SP formats."""
    row = checkpoints.latest()
    if row is None:
        abort(404, "No checkpoint of the audit log has been published yet.")
    return _text(row.note)


@bp.get("/<int:checkpoint_id>.txt")
def note(checkpoint_id: int):
    row = db.session.get(AuditCheckpoint, checkpoint_id)
    if row is None:
        abort(404)
    return _text(row.note, f"audit-log-checkpoint-{row.size}-{row.signed_at:%Y%m%d-%H%M%S}.txt")


@bp.get("/public-key")
def public_key():
    """The Ed25519 key that checks every checkpoint, in the signed-note verifier-key form."""
    key = _public_key()
    if key is None:
        abort(404, "This service does not sign checkpoints of its audit log yet, so it has no public key.")
    return _text(key.text() + "\n")
