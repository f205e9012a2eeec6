"""Signed checkpoints: making them, checking the log against them, and reading saved copies.

A checkpoint is made by ``eia audit-log checkpoint`` (from cron: it checks the whole chain and every
stored checkpoint first) and automatically when an entry's position is a multiple of
``EIA_AUDIT_CHECKPOINT_EVERY``: then, in the transaction that writes that entry, the chain is checked
only from the latest checkpoint on, so it costs at most a few thousand hashes and one signature. A
checkpoint is never signed over a log that does not still contain the latest one.

Page views never walk the whole log: :func:`check_since_latest` checks that the entry at the latest
checkpoint's position still has its hash and that every entry since links up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flask import current_app, g
from sqlalchemy import select

from eia.auditlog.chain import Anchor, ChainReport, verify_chain
from eia.auditlog.models import GENESIS_HASH, AuditCheckpoint, AuditEntry
from eia.auditlog.signing import (
    Checkpoint,
    CheckpointError,
    PublicKey,
    SigningKey,
    checkpoint_body,
    parse_checkpoint,
    read_key_file,
)
from eia.db_types import utcnow
from eia.extensions import db
from eia.template_filters import format_uk_datetime

log = logging.getLogger(__name__)

COMMAND = "eia audit-log checkpoint"


class CheckpointRefused(CheckpointError):
    """The log does not hold what an earlier checkpoint attests, or its chain is broken: signing now
    would vouch for a log that was cut or rewritten."""

    def __init__(self, message: str, broken_at: int | None = None) -> None:
        super().__init__(message)
        self.broken_at = broken_at  # the entry where the chain breaks, when one does


def configured_key() -> SigningKey | None:
    """The signing key named by ``EIA_AUDIT_SIGNING_KEY_FILE``, or None when it is not set.

    :raises CheckpointError: when it is set but cannot be used.
    """
    path = current_app.config.get("EIA_AUDIT_SIGNING_KEY_FILE")
    return read_key_file(Path(path)) if path else None


def required_key() -> SigningKey:
    key = configured_key()
    if key is None:
        raise CheckpointError(
            "EIA_AUDIT_SIGNING_KEY_FILE is not set: make a key with `eia audit-log keygen --out FILE` "
            "and set EIA_AUDIT_SIGNING_KEY_FILE to that file"
        )
    return key


def describe(checkpoint: Checkpoint) -> str:
    """How messages name a checkpoint: "a checkpoint signed on 3 May 2027 at 10:15"."""
    return f"a checkpoint signed on {format_uk_datetime(checkpoint.signed_at)}"


def latest() -> AuditCheckpoint | None:
    return db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).scalar_one_or_none()


def head_position() -> int:
    """The newest entry's position in the log (0 when it is empty)."""
    return _head()[0]


def _head() -> tuple[int, str]:
    """The newest entry's position and hash (0 and the genesis hash for an empty log)."""
    row = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def _entries_phrase(n: int) -> str:
    return "no entries" if n == 0 else ("1 entry" if n == 1 else f"{n:,} entries")


def _read(row: AuditCheckpoint, key: PublicKey) -> Checkpoint:
    """The stored checkpoint's signed text, checked.

    :raises CheckpointRefused: if its signature is not this log's or its record no longer matches it.
    """
    try:
        signed = parse_checkpoint(row.note)
    except CheckpointError as exc:
        raise CheckpointRefused(f"the checkpoint stored as #{row.id} is damaged: {exc}") from None
    if not signed.is_signed_by(key):
        raise CheckpointRefused(
            f"{describe(signed)} (stored as #{row.id}) does not carry a valid signature by this log's key "
            f"({key.name}): it was not made by this system"
        )
    if (signed.size, signed.head_hash) != (row.size, row.head_hash):
        raise CheckpointRefused(f"the record of {describe(signed)} was altered: it no longer matches its signed text")
    return signed


def _extends(signed: Checkpoint) -> ChainReport:
    """Check the log from *signed*'s position to its newest entry.

    :raises CheckpointRefused: naming what happened when the log no longer holds what *signed* attests.
    """
    report = verify_chain(anchor=Anchor(signed.size, signed.head_hash, describe(signed)))
    if report.entries == 0 and signed.size > 0:
        size, _ = _head()
        raise CheckpointRefused(
            f"the log has {_entries_phrase(size)} but {describe(signed)} attests {signed.size:,}: entries were removed"
        )
    if not report.is_intact:
        raise CheckpointRefused(report.problem or "the chain is broken", report.broken_at)
    return report


def _whole_chain(progress: Callable[[int], None] | None = None) -> ChainReport:
    report = verify_chain(progress)
    if not report.is_intact:
        raise CheckpointRefused(
            f"the audit log is broken at entry #{report.broken_at}: {report.problem}", report.broken_at
        )
    return report


class Status(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    NO_CHECKPOINT = "no_checkpoint"
    NO_KEY = "no_key"


@dataclass(frozen=True)
class Consistency:
    """Whether the log still holds its latest checkpoint, and the entries since it link up."""

    status: Status
    checkpoint: AuditCheckpoint | None = None
    entries: int = 0  # the log's newest position, as far as it was found sound
    checked: int = 0  # entries checked: the checkpoint's own and every one since
    head_hash: str | None = None
    broken_at: int | None = None  # the entry where it breaks, when it does
    problem: str | None = None

    @property
    def is_consistent(self) -> bool:
        return self.status is Status.CONSISTENT

    @property
    def since(self) -> int:
        """Entries added since the checkpoint."""
        return max(0, self.checked - (1 if self.checkpoint is not None and self.checkpoint.size else 0))


def check_since_latest() -> Consistency:
    """The check a page view can afford: the latest checkpoint's signature, its entry's hash, and
    the chain from there to the newest entry. Reads only."""
    row = latest()
    if row is None:
        return Consistency(Status.NO_CHECKPOINT)
    try:
        key = configured_key()
    except CheckpointError as exc:
        return Consistency(Status.NO_KEY, row, problem=str(exc))
    if key is None:
        return Consistency(Status.NO_KEY, row, problem="EIA_AUDIT_SIGNING_KEY_FILE is not set on this server")
    try:
        signed = _read(row, key.public)
        report = _extends(signed)
    except CheckpointRefused as exc:
        size, head = _head()
        return Consistency(
            Status.INCONSISTENT, row, entries=size, head_hash=head, broken_at=exc.broken_at, problem=str(exc)
        )
    return Consistency(
        Status.CONSISTENT, row, entries=report.head_seq, checked=report.entries, head_hash=report.head_hash
    )


def _sign(key: SigningKey, size: int, head_hash: str, *, checked_from: int, made_by: str) -> AuditCheckpoint:
    signed_at = utcnow().replace(microsecond=0)
    note = key.sign(checkpoint_body(key.name, size, head_hash, signed_at))
    row = AuditCheckpoint(
        size=size, head_hash=head_hash, signed_at=signed_at, note=note, checked_from=checked_from, made_by=made_by
    )
    db.session.add(row)
    db.session.flush()
    g.audit_checkpoint_made = True  # witnesses are emailed after the response (see witnesses.py)
    return row


def stored_problems(key: PublicKey) -> list[str]:
    """What is wrong between the stored checkpoints and the log (one query): a checkpoint that does
    not carry a valid signature by *key*, or whose position is now past the end of the log or holds
    another hash. Checkpoints signed with another key before this key's first one are left out (the
    key was replaced); one signed with another key after it was not made by this system."""
    rows = db.session.execute(
        select(AuditCheckpoint, AuditEntry.hash)
        .outerjoin(AuditEntry, AuditEntry.seq == AuditCheckpoint.size)
        .order_by(AuditCheckpoint.id)
    ).all()
    size, _ = _head()
    problems = []
    key_in_use = False
    for row, found in rows:
        try:
            signed = parse_checkpoint(row.note)
            if all(sig.key_id != key.key_id for sig in signed.signatures) and not key_in_use:
                continue
            signed = _read(row, key)
        except CheckpointError as exc:
            problems.append(str(exc))
            continue
        key_in_use = True
        problem = _against_entry(signed, size, found)
        if problem:
            problems.append(problem)
    return problems


def _against_entry(signed: Checkpoint, size: int, found: str | None, sound: Checkpoint | None = None) -> str | None:
    """What is wrong between *signed* and a log of *size* entries whose entry at *signed*'s position
    has the hash *found*; *sound* is the largest earlier checkpoint that still matches, if any."""
    if signed.size == 0:
        return None
    if size < signed.size:
        return f"the log has {_entries_phrase(size)} but {describe(signed)} attests {signed.size:,}"
    if found is None:
        return f"the entry at position {signed.size:,}, which {describe(signed)} attests, is missing"
    if found == signed.head_hash:
        return None
    if sound is not None and sound.size:
        return (
            f"the entry at position {signed.size:,} no longer has the hash {describe(signed)} attests, though "
            f"position {sound.size:,} still matches {describe(sound)}: the log was rewritten between those "
            f"two positions"
        )
    return (
        f"the entry at position {signed.size:,} no longer has the hash {describe(signed)} attests: "
        f"the log was rewritten at or before it"
    )


def make_checkpoint(progress: Callable[[int], None] | None = None) -> AuditCheckpoint:
    """Check the whole chain and every stored checkpoint, then sign and store a checkpoint of the log
    as it stands (``eia audit-log checkpoint``; the caller commits).

    :raises CheckpointError: without a usable key; :class:`CheckpointRefused` when the log is broken
        or no longer holds an earlier checkpoint.
    """
    key = required_key()
    problems = stored_problems(key.public)
    if problems:
        raise CheckpointRefused(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    report = _whole_chain(progress)
    return _sign(key, report.head_seq, report.head_hash or GENESIS_HASH, checked_from=0, made_by=COMMAND)


def after_append(entry: AuditEntry) -> None:
    """Called by ``record()`` for every entry: at each multiple of ``EIA_AUDIT_CHECKPOINT_EVERY``,
    sign a checkpoint in the same transaction, having checked the chain only from the latest
    checkpoint on. Never fails the change being recorded: a problem is logged and the checkpoint
    left to ``eia audit-log checkpoint``, which says what is wrong."""
    config = current_app.config
    every = config.get("EIA_AUDIT_CHECKPOINT_EVERY") or 0
    if not every or entry.seq % every or not config.get("EIA_AUDIT_SIGNING_KEY_FILE"):
        return
    try:
        key = required_key()
        previous = latest()
        signed = _read(previous, key.public) if previous is not None else None
        checked_from = signed.size if signed is not None else 0
        if entry.seq - checked_from > 2 * every:
            # Too far to check inside a request (a key set up on a long log): the command does it.
            log.info("no automatic audit checkpoint at %s entries: run `%s` once", entry.seq, COMMAND)
            return
        if signed is not None:
            _extends(signed)
        else:
            _whole_chain()
        _sign(key, entry.seq, entry.hash, checked_from=checked_from, made_by=f"every {every:,} entries")
    except CheckpointError as exc:
        log.error("no automatic audit checkpoint at %s entries: %s", entry.seq, exc)


@dataclass(frozen=True)
class AgainstReport:
    """The log checked against checkpoints held elsewhere."""

    checked: int  # checkpoints compared
    newest: Checkpoint | None
    problems: list[str]

    @property
    def holds(self) -> bool:
        return not self.problems


def check_against(notes: Iterable[str], key: PublicKey, entries: int) -> AgainstReport:
    """Compare the log (which has *entries* entries, by the full walk just done) with each signed
    checkpoint in *notes*: a valid signature by *key*, at least that many entries, and the same hash
    at that position. Problems are named plainly, oldest checkpoint first."""
    problems: list[str] = []
    good: list[Checkpoint] = []
    for note in notes:
        try:
            signed = parse_checkpoint(note)
        except CheckpointError as exc:
            problems.append(str(exc))
            continue
        if not signed.is_signed_by(key):
            problems.append(
                f"{describe(signed)} attesting {signed.size:,} entries does not carry a valid signature by "
                f"{key.name}: it was not made with this log's key, so it proves nothing"
            )
            continue
        good.append(signed)
    good.sort(key=lambda c: (c.size, c.signed_at))
    hashes = _hashes_at({c.size for c in good if 0 < c.size <= entries})
    sound: Checkpoint | None = None
    for signed in good:
        problem = _against_entry(signed, entries, hashes.get(signed.size), sound)
        if problem:
            problems.append(problem)
        else:
            sound = signed
    newest = max(good, key=lambda c: (c.signed_at, c.size), default=None)
    return AgainstReport(checked=len(good), newest=newest, problems=problems)


def _hashes_at(positions: set[int], chunk: int = 500) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(positions)
    for start in range(0, len(ordered), chunk):
        part = ordered[start : start + chunk]
        rows = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(part)))
        found.update((seq, hash_) for seq, hash_ in rows)
    return found


def saved_notes(text: str, source: str) -> list[str]:
    """The signed checkpoints in a saved copy: one checkpoint's text, or the register's JSON feed.

    :raises CheckpointError: naming *source*, if it is neither or holds no checkpoint.
    """
    if not text.lstrip().startswith("{"):
        return [text]
    try:
        notes = [item["note"] for item in json.loads(text)["checkpoints"]]
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(
            f"{source} is not a checkpoint feed (JSON with a list of checkpoints, each with its note)"
        ) from None
    if not all(isinstance(note, str) for note in notes):
        raise CheckpointError(f"{source} is not a checkpoint feed (a checkpoint's note is not text)")
    if not notes:
        raise CheckpointError(f"{source} holds no checkpoints: there is nothing to check the log against")
    return notes


def published() -> Sequence[AuditCheckpoint]:
    """Every checkpoint, newest first (for the feed)."""
    return db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).scalars().all()
