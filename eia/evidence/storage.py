"""Where evidence files are kept.

The app talks to an :class:`EvidenceStore`; :class:`LocalDiskStore` keeps files in a folder outside
the static folder (``EIA_EVIDENCE_DIR``, by default ``instance/evidence``). Another backend, for an
S3-compatible object store, would implement the same four methods (``put``, ``open``, ``delete``,
``exists``) and be chosen in :func:`store_for`; no view or service would change.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import Flask, Response, abort, current_app, send_file


@dataclass(frozen=True)
class StoredFile:
    name: str  # generated, never the uploader's file name
    size: int
    sha256: str


class EvidenceStore(Protocol):
    def put(self, chunks: Iterator[bytes]) -> StoredFile:
        """Write the bytes under a new generated name; returns the name, size and SHA-256."""

    def open(self, name: str) -> BinaryIO:
        """Open a stored file for reading. :raises FileNotFoundError: if it is not there."""

    def delete(self, name: str) -> None:
        """Remove a stored file's bytes (after the retention period)."""

    def exists(self, name: str) -> bool: ...

    def is_ready(self) -> bool:
        """Whether files can be stored now (for the readiness check)."""
        ...


class LocalDiskStore:
    """Files in one folder, named by random tokens, written via a temporary file then renamed."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError("not a stored file name")
        return self.root / name

    def put(self, chunks: Iterator[bytes]) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(20)
        digest = hashlib.sha256()
        size = 0
        temporary = self.root / f".{name}.part"
        try:
            with temporary.open("wb") as handle:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            temporary.chmod(0o640)
            os.replace(temporary, self._path(name))
        finally:
            temporary.unlink(missing_ok=True)
        return StoredFile(name=name, size=size, sha256=digest.hexdigest())

    def open(self, name: str) -> BinaryIO:
        return self._path(name).open("rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def is_ready(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.root, os.W_OK | os.X_OK)


def store_for(app: Flask | None = None) -> EvidenceStore:
    app = app or current_app
    return LocalDiskStore(Path(app.config["EIA_EVIDENCE_DIR"]))


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
