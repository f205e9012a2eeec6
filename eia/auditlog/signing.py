"""Signed checkpoints of the audit log, in the C2SP signed-note and checkpoint formats.

A checkpoint says "this log had *size* entries and its newest entry's hash was *head*", at a time,
signed with an Ed25519 key kept outside the database. Its text is a C2SP checkpoint (the log's origin,
the size, the head hash in base64, then a ``time`` extension line) and the signature follows as a
signed-note line, so any signed-note tool (Go's ``golang.org/x/mod/sumdb/note``) can check it too::

    council.example/eia-audit-log
    1605
    q1Z8pK0...=
    time 2027-05-03T09:15:42Z

    — council.example/eia-audit-log Az3grl...

Keys use the same note formats: the key file holds ``PRIVATE+KEY+<name>+<id>+<base64>`` and the
public key is ``<name>+<id>+<base64>``, where the id is the first four bytes of
SHA-256(name, newline, 0x01, public key) in hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eia.errors import EiaError

ED25519 = b"\x01"  # the signed-note algorithm byte for Ed25519
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space start every signature line
PRIVATE_PREFIX = "PRIVATE+KEY+"


class CheckpointError(EiaError):
    """A key or a checkpoint that cannot be used; the message says what is wrong and what to do."""


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> str:
    if not name or "+" in name or any(ch.isspace() for ch in name) or not name.isprintable():
        raise CheckpointError(
            f"a key name must be one word with no '+' or spaces, like council.example/eia-audit-log (got {name!r})"
        )
    return name


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError(f"{what} is not valid base64") from None


@dataclass(frozen=True)
class PublicKey:
    """A verifier key: who signs (the log's name) and the Ed25519 public key."""

    name: str
    key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes_raw()

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.raw)

    def text(self) -> str:
        """``<name>+<id>+<base64(0x01 || key)>``, as published."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(ED25519 + self.raw)}"

    @classmethod
    def parse(cls, text: str) -> PublicKey:
        """Read a published verifier key.

        :raises CheckpointError: if it is not one.
        """
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise CheckpointError("this is not a public key of the audit log (expected name+id+key on one line)")
        name, key_id, data = parts
        raw = _unb64(data, "the public key")
        if len(raw) != 33 or raw[:1] != ED25519:
            raise CheckpointError("the public key is not an Ed25519 key")
        public = cls(_check_name(name), Ed25519PublicKey.from_public_bytes(raw[1:]))
        if public.key_id.hex() != key_id.lower():
            raise CheckpointError("the public key's id does not match its name and key: it was altered")
        return public

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs checkpoints, with the log's name."""

    name: str
    key: Ed25519PrivateKey

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.name, self.key.public_key())

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        return cls(_check_name(name), Ed25519PrivateKey.generate())

    def text(self) -> str:
        """The key file's one line: ``PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>``."""
        seed = self.key.private_bytes_raw()
        return f"{PRIVATE_PREFIX}{self.name}+{self.public.key_id.hex()}+{_b64(ED25519 + seed)}"

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        if not text.startswith(PRIVATE_PREFIX):
            raise CheckpointError("this is not an audit-log signing key (it should start PRIVATE+KEY+)")
        parts = text.strip()[len(PRIVATE_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise CheckpointError("the signing key is damaged (expected PRIVATE+KEY+name+id+key)")
        name, key_id, data = parts
        raw = _unb64(data, "the signing key")
        if len(raw) != 33 or raw[:1] != ED25519:
            raise CheckpointError("the signing key is not an Ed25519 key")
        signing = cls(_check_name(name), Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signing.public.key_id.hex() != key_id.lower():
            raise CheckpointError("the signing key's id does not match its name and key: the file was altered")
        return signing

    def sign(self, body: str) -> str:
        """*body* as a signed note: the text, a blank line, and the signature line."""
        signature = self.key.sign(body.encode("utf-8"))
        return f"{body}\n{SIGNATURE_PREFIX}{self.name} {_b64(self.public.key_id + signature)}\n"


def write_key_file(path: Path, key: SigningKey) -> None:
    """Write *key* to a new file that only its owner may read or write.

    :raises CheckpointError: if the file exists already (a key is never overwritten) or cannot be written.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointError(
            f"{path} exists already: a signing key is never overwritten (checkpoints signed with it would no "
            "longer verify). Move it away first if you really mean to replace it."
        ) from None
    except OSError as exc:
        raise CheckpointError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.text() + "\n")
    os.chmod(path, 0o600)  # whatever the umask


def read_key_file(path: Path) -> SigningKey:
    """The signing key in *path*.

    :raises CheckpointError: if it cannot be read, anyone on the machine could read it, or it is not a key.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise CheckpointError(
            f"the audit-log signing key {path} does not exist: make one with `eia audit-log keygen`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(
            f"cannot read the audit-log signing key {path}: {getattr(exc, 'strerror', exc)}"
        ) from None
    if mode & stat.S_IRWXO:
        raise CheckpointError(f"the audit-log signing key {path} can be read by anyone on this machine: chmod 600 it")
    return SigningKey.parse(text)


@dataclass(frozen=True)
class Signature:
    signer: str  # the name on the signature line
    key_id: bytes
    value: bytes


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read from its signed note."""

    origin: str
    size: int
    head_hash: str  # hex, as the log stores it
    signed_at: datetime
    note: str
    body: str  # the signed text: everything before the blank line
    signatures: tuple[Signature, ...]

    def is_signed_by(self, public: PublicKey) -> bool:
        """Whether one of the signatures is *public*'s, on a checkpoint of *public*'s log."""
        message = self.body.encode("utf-8")
        return self.origin == public.name and any(
            sig.signer == public.name and sig.key_id == public.key_id and public.verify(message, sig.value)
            for sig in self.signatures
        )


def checkpoint_body(origin: str, size: int, head_hash: str, signed_at: datetime) -> str:
    when = signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{_b64(bytes.fromhex(head_hash))}\ntime {when}\n"


def _signature(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
        raise CheckpointError("this is not a signed checkpoint (a signature line is malformed)")
    signer, encoded = line[len(SIGNATURE_PREFIX) :].split(" ")
    signed = _unb64(encoded, "the checkpoint's signature")
    if len(signed) != 68:  # a 4-byte key id and a 64-byte Ed25519 signature
        raise CheckpointError("this is not a signed checkpoint (a signature has the wrong length)")
    return Signature(signer, signed[:4], signed[4:])


def parse_checkpoint(note: str) -> Checkpoint:
    """Read a signed checkpoint note (its signature is not checked here: see :meth:`Checkpoint.is_signed_by`).

    :raises CheckpointError: if the text is not a signed checkpoint.
    """
    text = note.replace("\r\n", "\n")
    split = text.rfind("\n\n")
    if not text.endswith("\n") or split < 0:
        raise CheckpointError("this is not a signed checkpoint (no signature lines after a blank line)")
    body = text[: split + 1]
    signatures = tuple(_signature(line) for line in text[split + 2 :].rstrip("\n").split("\n"))
    lines = body.split("\n")
    try:
        origin, size_text, root = lines[0], lines[1], lines[2]
        size = int(size_text) if size_text.isascii() and size_text.isdigit() else -1
        times = [line.removeprefix("time ") for line in lines[3:] if line.startswith("time ")]
        signed_at = datetime.strptime(times[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (ValueError, IndexError):
        raise CheckpointError(
            "this is not a signed checkpoint of the audit log (origin, size, hash and time)"
        ) from None
    head = _unb64(root, "the checkpoint's head hash")
    if size < 0 or len(head) != 32:
        raise CheckpointError("this is not a signed checkpoint of the audit log (bad size or hash)")
    return Checkpoint(origin, size, head.hex(), signed_at, text, body, signatures)
