"""Where the app keeps files: evidence and rendered PDFs, never on one server's disk alone.

Everything goes through an :class:`ObjectStore`. Two backends implement it: :class:`LocalFolderStore`
(a folder; the default, ``EIA_EVIDENCE_DIR`` and ``EIA_REPORT_DIR``) and :class:`S3Store` (an
S3-compatible object store: AWS, an Azure S3 gateway, MinIO on premises), chosen by
``EIA_STORAGE_URL=s3://bucket/prefix``. With S3, every app server sees the same files. The endpoint,
region and credentials come from the environment the way boto3 reads them (``AWS_ENDPOINT_URL_S3``,
``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``, or an instance role).
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app

#: The "folders" of one S3 prefix: evidence files, rendered PDFs kept until what they show changes, and
#: uploads waiting for their confirmation (a plan file between its preview and its import).
EVIDENCE, RENDERED, PENDING = "evidence", "rendered", "pending-imports"


class StorageError(RuntimeError):
    """The store could not be reached or refused the request; the message says which."""


@dataclass(frozen=True)
class StoredFile:
    name: str  # generated, never the uploader's file name
    size: int
    sha256: str


class ObjectStore(Protocol):
    """Files by name in one place. Names are plain (no slashes); the store decides where they live."""

    #: Where the files are, for people: ``folder /srv/eia/evidence`` or ``s3://bucket/prefix/evidence/``.
    description: str

    def put(self, chunks: Iterator[bytes]) -> StoredFile:
        """Write the bytes under a new generated name; returns the name, size and SHA-256."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Write *data* as *name*, replacing it whole (readers never see half a file)."""
        ...

    def read(self, name: str) -> bytes | None:
        """The bytes of *name*, or None when it is not there."""
        ...

    def open(self, name: str) -> BinaryIO:
        """Open a stored file for reading. :raises FileNotFoundError: if it is not there."""
        ...

    def delete(self, name: str) -> None:
        """Remove a stored file's bytes; nothing happens when it is not there."""
        ...

    def exists(self, name: str) -> bool: ...

    def names(self, prefix: str) -> list[str]:
        """The stored names starting with *prefix*."""
        ...

    def is_ready(self) -> bool:
        """Whether files can be stored now (for the readiness check)."""
        ...


def _check_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise ValueError("not a stored file name")
    return name


class LocalFolderStore:
    """Files in one folder, written to a temporary file and renamed, so a reader never sees half."""

    def __init__(self, root: Path):
        self.root = root
        self.description = f"folder {root}"

    def _path(self, name: str) -> Path:
        return self.root / _check_name(name)

    def _write_chunks(self, name: str, chunks: Iterator[bytes]) -> tuple[int, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        target = self._path(name)
        digest = hashlib.sha256()
        size = 0
        temporary = self.root / f".{name}.{secrets.token_hex(4)}.part"
        try:
            with temporary.open("wb") as handle:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            temporary.chmod(0o640)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return size, digest.hexdigest()

    def put(self, chunks: Iterator[bytes]) -> StoredFile:
        name = secrets.token_hex(20)
        size, sha256 = self._write_chunks(name, chunks)
        return StoredFile(name=name, size=size, sha256=sha256)

    def write(self, name: str, data: bytes) -> None:
        self._write_chunks(name, iter([data]))

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def open(self, name: str) -> BinaryIO:
        return self._path(name).open("rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def names(self, prefix: str) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith(prefix) and not p.name.startswith("."))

    def is_ready(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.root, os.W_OK | os.X_OK)


class S3Store:
    """Objects under ``prefix`` in one bucket of an S3-compatible store."""

    def __init__(self, client: Any, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.description = f"s3://{bucket}/{prefix}"

    def _key(self, name: str) -> str:
        return self.prefix + _check_name(name)

    def _failed(self, exc: Exception, doing: str) -> StorageError:
        return StorageError(f"the object store at {self.description} failed while {doing}: {exc}")

    def put(self, chunks: Iterator[bytes]) -> StoredFile:
        data = b"".join(chunks)
        name = secrets.token_hex(20)
        self.write(name, data)
        return StoredFile(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def write(self, name: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc, "storing a file") from None

    def open(self, name: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(name) from None
            raise self._failed(exc, "reading a file") from None
        except BotoCoreError as exc:
            raise self._failed(exc, "reading a file") from None
        # Files are at most the upload limit (20 MB by default): read whole, so a slow client never
        # holds a connection to the store open.
        with answer["Body"] as body:
            return io.BytesIO(body.read())

    def read(self, name: str) -> bytes | None:
        try:
            with self.open(name) as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc, "deleting a file") from None

    def exists(self, name: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise self._failed(exc, "looking for a file") from None
        except BotoCoreError as exc:
            raise self._failed(exc, "looking for a file") from None
        return True

    def names(self, prefix: str) -> list[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        found: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc, "listing files") from None
        return sorted(name for name in found if "/" not in name)

    def is_ready(self) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError):
            return False
        return True


def _missing(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or ending in "/"


def parse_storage_url(url: str) -> S3Location | None:
    """``s3://bucket/prefix`` as a location; None for the local folders (an empty setting).

    :raises ValueError: for anything else, saying what is expected.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"EIA_STORAGE_URL must be empty (local folders) or s3://bucket/prefix, not {url!r}.")
    if not 3 <= len(parts.netloc) <= 63:
        raise ValueError("EIA_STORAGE_URL: an S3 bucket name has 3 to 63 characters.")
    prefix = parts.path.strip("/")
    return S3Location(parts.netloc, f"{prefix}/" if prefix else "")


_clients: dict[tuple[str | None, ...], Any] = {}
_clients_lock = threading.Lock()


def s3_client() -> Any:
    """One boto3 client per process and environment (clients are thread-safe; making one is slow).
    Timeouts are short, so a store that stops answering gives an error page, not a hung worker."""
    environment = tuple(
        os.environ.get(name)
        for name in (
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
        )
    )
    with _clients_lock:
        client = _clients.get(environment)
        if client is None:
            import boto3
            from botocore.config import Config

            region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or None
            config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})
            client = boto3.session.Session().client("s3", region_name=region, config=config)
            _clients[environment] = client
        return client


def _store(app: Flask, area: str, folder: Path) -> ObjectStore:
    location = parse_storage_url(app.config.get("EIA_STORAGE_URL", ""))
    if location is None:
        return LocalFolderStore(folder)
    return S3Store(s3_client(), location.bucket, f"{location.prefix}{area}/")


def evidence_store(app: Flask | None = None) -> ObjectStore:
    """Where evidence files are kept."""
    app = app or current_app
    return _store(app, EVIDENCE, Path(app.config["EIA_EVIDENCE_DIR"]))


def rendered_store(app: Flask | None = None) -> ObjectStore:
    """Where rendered PDFs (the annual report, an assessment) are kept until what they show changes."""
    app = app or current_app
    return _store(app, RENDERED, Path(app.config["EIA_REPORT_DIR"]))


def pending_store(app: Flask | None = None) -> ObjectStore:
    """Where an upload waits between its preview and its confirmation, which another server may
    answer (the local folder ``pending-imports`` beside the evidence)."""
    app = app or current_app
    return _store(app, PENDING, Path(app.config["EIA_EVIDENCE_DIR"]) / PENDING)


def storage_is_ready(app: Flask | None = None) -> bool:
    """Whether both kinds of file can be stored now."""
    app = app or current_app
    return evidence_store(app).is_ready() and rendered_store(app).is_ready()
