"""Where evidence files are kept: the app's one storage interface (:mod:`eia.storage`), in the
evidence area of the local folder (``EIA_EVIDENCE_DIR``) or of the S3 store (``EIA_STORAGE_URL``),
and the one way a stored file is sent to a browser."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, send_file

from eia.storage import ObjectStore, StoredFile, evidence_store

#: The store evidence services are given (any :class:`eia.storage.ObjectStore`).
EvidenceStore = ObjectStore

__all__ = ["EvidenceStore", "StoredFile", "send_evidence", "store_for"]


def store_for(app: Flask | None = None) -> ObjectStore:
    """The evidence store of *app* (the current app by default)."""
    return evidence_store(app)


def send_evidence(item: Any) -> Response:
    """A stored file as an attachment, with the type detected at upload (never the uploader's
    claim), ``nosniff`` and a sandboxing CSP. Removed bytes and non-files are not found."""
    if item.kind != "file" or item.removed_at is not None or item.bytes_purged_at is not None:
        abort(404)
    try:
        handle = store_for().open(item.stored_name)
    except (FileNotFoundError, ValueError):
        abort(404)
    response = send_file(
        handle, mimetype=item.content_type, as_attachment=True, download_name=item.file_name, max_age=0, etag=False
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
