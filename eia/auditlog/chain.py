"""Checking the hash chain: the whole log from its first entry, or the part after a signed checkpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, column, select, table
from sqlalchemy.exc import DBAPIError

from eia.auditlog.models import GENESIS_HASH, AuditEntry, RowHash
from eia.extensions import db


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the chain (or the part of it after an anchor)."""

    entries: int  # entries checked, up to the first broken one
    head_id: int | None  # the last entry found sound
    head_hash: str | None
    broken_at: int | None = None
    problem: str | None = None
    head_seq: int = field(default=0, compare=False)  # the last sound entry's position (0: none checked)

    @property
    def is_intact(self) -> bool:
        return self.broken_at is None


@dataclass(frozen=True)
class Anchor:
    """A position in the log and the hash its entry must carry, as a checkpoint attests; *label* names
    the checkpoint in messages ("the checkpoint signed on 3 May 2027 at 10:15")."""

    seq: int
    hash: str
    label: str


def count_entries() -> int:
    return db.session.execute(select(db.func.count()).select_from(AuditEntry)).scalar_one()


def verify_chain(
    progress: Callable[[int], None] | None = None, batch: int = 5000, *, anchor: Anchor | None = None
) -> ChainReport:
    """Walk the log in order, recomputing each hash and checking each link and sequence number.

    Without an *anchor*, the whole log from its first entry. With one, only from the anchor's position
    on: the entry there must still carry the anchor's hash, and every entry after it must link up (so
    a check after a checkpoint costs the entries since it, not the whole log).

    Linear in the number of entries and streamed in batches, so memory stays flat; *progress* (if
    given) is called with the number of entries checked after each batch. Stops at the first
    problem and names the entry where the chain breaks:

    - an entry whose content no longer matches its own hash was altered;
    - a gap in the sequence means entries were removed;
    - an entry whose own hash is right but which does not link to the one before means that one was
      altered and its hash recomputed.
    """
    if db.session.autoflush:
        db.session.flush()  # as an ORM query would: changes still pending in the session are checked too
    connection = db.session.connection()
    after = anchor.seq if anchor is not None and anchor.seq > 0 else None
    with _chain_rows(connection, batch, from_seq=after) as batches:
        walk = _Walk(RowHash(connection.dialect).matches, anchor if after else None)
        return walk.run(batches, progress)


@contextmanager
def _chain_rows(
    connection: Connection, batch: int, from_seq: int | None = None
) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
    """The log in ``seq`` order (from *from_seq* on, if given), *batch* rows at a time, as the plain
    tuples the driver makes, in the session's own transaction. SQLAlchemy's Row objects would cost more
    than checking the rows (and twice the objects for the garbage collector to scan). On PostgreSQL a
    server-side cursor streams them, so memory stays flat."""
    dialect = connection.dialect
    query = select(*RowHash.columns(dialect)).select_from(table(AuditEntry.__tablename__)).order_by(column("seq"))
    if from_seq is not None:
        query = query.where(column("seq") >= from_seq)
    compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    sql = str(compiled)
    dbapi_connection = connection.connection
    if dialect.driver in ("psycopg", "psycopg2"):
        cursor = dbapi_connection.cursor(name="eia_audit_chain")
    else:
        cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        yield iter(lambda: list(cursor.fetchmany(batch)), [])
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it, so callers (and the error pages) see the usual exceptions.
        raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
    finally:
        cursor.close()


class _Walk:
    """Checks rows of CHAIN_COLUMNS in ``seq`` order, from the start of the log or from an anchor."""

    def __init__(self, matches: Callable[[Any], bool], anchor: Anchor | None) -> None:
        self.matches = matches
        self.anchor = anchor
        self.count = 0
        self.head: tuple[int | None, str | None, int] = (None, None, 0)  # id, hash, seq of the last sound entry

    def broken(self, at: int, problem: str) -> ChainReport:
        head_id, head_hash, head_seq = self.head
        return ChainReport(self.count, head_id, head_hash, broken_at=at, problem=problem, head_seq=head_seq)

    def run(self, batches: Iterable[Sequence[Any]], progress: Callable[[int], None] | None) -> ChainReport:
        anchor = self.anchor
        expected_seq = anchor.seq if anchor else 1
        expected_prev = None if anchor else GENESIS_HASH
        for rows in batches:
            for row in rows:
                self.count += 1
                entry_id, seq, prev_hash, own_hash = row[0], row[1], row[11], row[12]
                if anchor is not None and self.count == 1:
                    if seq != anchor.seq:
                        return self.broken(
                            entry_id, f"the entry at position {anchor.seq:,}, which {anchor.label} attests, is missing"
                        )
                    if own_hash != anchor.hash:
                        return self.broken(
                            entry_id,
                            f"entry #{entry_id} (position {seq:,}) no longer has the hash {anchor.label} attests: "
                            f"the log was rewritten at or before it",
                        )
                if not self.matches(row):
                    return self.broken(
                        entry_id, f"entry #{entry_id} was altered: its content no longer matches its hash"
                    )
                if seq != expected_seq:
                    removed = seq - expected_seq
                    what = "1 entry was" if removed == 1 else f"{removed} entries were"
                    where = f"after entry #{self.head[0]}" if self.head[0] is not None else "at the start of the log"
                    return self.broken(entry_id, f"{what} removed {where}, before #{entry_id}")
                if expected_prev is not None and prev_hash != expected_prev:
                    head_id = self.head[0]
                    if head_id is None:
                        problem = f"entry #{entry_id} was altered and its hash recomputed: it does not start the chain"
                        return self.broken(entry_id, problem)
                    problem = (
                        f"entry #{head_id} was altered and its hash recomputed: entry #{entry_id} no longer links to it"
                    )
                    return self.broken(head_id, problem)
                self.head = (entry_id, own_hash, seq)
                expected_seq, expected_prev = seq + 1, own_hash
            if progress is not None:
                progress(len(rows))
        return ChainReport(self.count, self.head[0], self.head[1], head_seq=self.head[2])
