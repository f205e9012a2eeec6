"""Someone with rights over the database, the append-only triggers dropped, tries to cut or rewrite
the audit log: each attack is caught by the checkpoints held elsewhere, with a plain message.

The whole-chain check (``eia audit-log verify``) alone says "intact" to three of them: the newest
entries removed, every entry removed, an entry altered and every hash after it recomputed. Run on
SQLite and (with TEST_DATABASE_URL) on PostgreSQL.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from eia.accounts.models import Role
from eia.auditlog import checkpoints
from eia.auditlog import services as audit
from eia.auditlog.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, hash_of
from eia.auditlog.signing import SigningKey, checkpoint_body
from eia.db_types import utcnow
from eia.extensions import db as _db
from eia.template_filters import format_uk_datetime
from tests.conftest import is_postgres
from tests.test_audit_log import allow_tampering, append_entries


def allow_tampering_with_checkpoints(app) -> None:
    """The checkpoints' own triggers off too (rolled back after the test)."""
    if is_postgres(app):
        _db.session.execute(text("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only"))
    else:
        _db.session.execute(text("DROP TRIGGER audit_checkpoints_no_delete"))


def signed(row: AuditCheckpoint) -> str:
    return f"a checkpoint signed on {format_uk_datetime(row.signed_at)}"


def head_seq() -> int:
    return _db.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar() or 0


def rewrite_from(position: int) -> None:
    """Alter the entry at *position* and recompute its hash and every hash after it, as anyone who
    knows the (public) hashing rule could: every entry still matches its hash and links up."""
    before = _db.session.execute(select(AuditEntry.hash).where(AuditEntry.seq == position - 1)).scalar()
    previous = before or GENESIS_HASH
    for entry in _db.session.execute(
        select(AuditEntry).where(AuditEntry.seq >= position).order_by(AuditEntry.seq)
    ).scalars():
        if entry.seq == position:
            entry.detail = "nothing to see here"
        entry.prev_hash = previous
        entry.hash = hash_of(entry)
        previous = entry.hash
    _db.session.commit()


@dataclass(frozen=True)
class Checkpointed:
    first: AuditCheckpoint  # part-way through the log
    second: AuditCheckpoint  # of the whole log
    feed: Path  # the register's feed, as a witness saved it


@pytest.fixture
def cp(app, client, db, audit_key, tmp_path) -> Checkpointed:
    """A log with two checkpoints and the feed as a witness saved it."""
    append_entries(6)
    first = checkpoints.make_checkpoint()
    append_entries(8)
    second = checkpoints.make_checkpoint()
    db.session.commit()
    assert second.size == head_seq() and second.size > first.size + 5
    feed = tmp_path / "feed.json"
    feed.write_bytes(client.get("/register/audit-checkpoints/feed.json").data)
    return Checkpointed(first, second, feed)


def verify_against(app, source: str, *more: str):
    return app.test_cli_runner().invoke(args=["audit-log", "verify", "--against", source, *more])


def assert_caught(app, feed: Path, *messages: str) -> None:
    """The page's check, the command with the witness's copy, and the next checkpoint all refuse."""
    page = checkpoints.check_since_latest()
    assert page.status == "inconsistent", page
    cron = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert cron.exit_code == 1 and "Error: no checkpoint signed: " in cron.output, cron.output
    result = verify_against(app, str(feed))
    assert result.exit_code == 1, result.output
    for message in messages:
        assert f"Not as checkpointed: {message}." in result.output, result.output
    assert "Error: the audit log no longer holds what" in result.output


def test_an_untouched_log_holds_every_checkpoint(app, cp):
    assert checkpoints.check_since_latest().status == "consistent"
    result = verify_against(app, str(cp.feed))
    assert result.exit_code == 0, result.output
    assert f"Audit log intact: {cp.second.size:,} entries." in result.output
    assert (
        f"The log still contains every state that the 2 checkpoints in {cp.feed} attest (the newest signed on "
        f"{format_uk_datetime(cp.second.signed_at)}, of {cp.second.size:,} entries)."
    ) in result.output


def test_deleting_the_newest_five_entries(app, db, cp):
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq > :keep"), {"keep": cp.second.size - 5})
    db.session.commit()
    assert audit.verify_chain().is_intact  # the whole chain alone sees nothing wrong
    problem = f"the log has {cp.second.size - 5:,} entries but {signed(cp.second)} attests {cp.second.size:,}"
    assert checkpoints.check_since_latest().problem == f"{problem}: entries were removed"
    assert_caught(app, cp.feed, problem)


def test_deleting_every_entry(app, db, cp):
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries"))
    db.session.commit()
    assert audit.verify_chain().is_intact  # the whole chain alone sees nothing wrong
    assert checkpoints.check_since_latest().problem == (
        f"the log has no entries but {signed(cp.second)} attests {cp.second.size:,}: entries were removed"
    )
    assert_caught(
        app,
        cp.feed,
        f"the log has no entries but {signed(cp.first)} attests {cp.first.size:,}",
        f"the log has no entries but {signed(cp.second)} attests {cp.second.size:,}",
    )


def test_altering_an_entry_and_recomputing_every_hash_after_it(app, db, cp):
    allow_tampering(app)
    rewrite_from(cp.first.size - 2)
    assert audit.verify_chain().is_intact  # the whole chain alone sees nothing wrong
    assert "no longer has the hash a checkpoint signed on" in checkpoints.check_since_latest().problem
    assert_caught(
        app,
        cp.feed,
        f"the entry at position {cp.first.size:,} no longer has the hash {signed(cp.first)} attests: "
        "the log was rewritten at or before it",
    )


def test_a_rewrite_after_a_checkpoint_is_placed_between_two(app, db, cp):
    allow_tampering(app)
    rewrite_from(cp.first.size + 3)
    assert_caught(
        app,
        cp.feed,
        f"the entry at position {cp.second.size:,} no longer has the hash {signed(cp.second)} attests, though position "
        f"{cp.first.size:,} still matches {signed(cp.first)}: the log was rewritten between those two positions",
    )


def test_forging_a_checkpoint_without_the_key(app, client, db, audit_key, cp, tmp_path):
    """The rewrite is covered up: the true newest checkpoint removed, one for the rewritten log signed
    with a key of the same name put in its place."""
    allow_tampering(app)
    allow_tampering_with_checkpoints(app)
    rewrite_from(cp.first.size + 1)
    true_newest = (
        f"the entry at position {cp.second.size:,} no longer has the hash {signed(cp.second)} attests, though position "
        f"{cp.first.size:,} still matches {signed(cp.first)}: the log was rewritten between those two positions"
    )
    db.session.execute(text("DELETE FROM audit_checkpoints WHERE id = :id"), {"id": cp.second.id})
    db.session.expunge(cp.second)
    forger = SigningKey.generate(audit_key.name)
    head = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    when = utcnow().replace(microsecond=0)
    forged = AuditCheckpoint(
        size=head.seq,
        head_hash=head.hash,
        signed_at=when,
        note=forger.sign(checkpoint_body(forger.name, head.seq, head.hash, when)),
        checked_from=0,
        made_by="eia audit-log checkpoint",
    )
    db.session.add(forged)
    db.session.commit()

    not_ours = (
        f"a checkpoint signed on {format_uk_datetime(when)} (stored as #{forged.id}) does not carry a valid "
        f"signature by this log's key ({audit_key.name}): it was not made by this system"
    )
    assert checkpoints.check_since_latest().problem == not_ours
    cron = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert cron.exit_code == 1 and not_ours in cron.output
    # The feed the server now publishes carries the forgery: its signature gives it away.
    published = tmp_path / "now.json"
    published.write_bytes(client.get("/register/audit-checkpoints/feed.json").data)
    result = verify_against(app, str(published))
    assert result.exit_code == 1
    assert (
        f"Not as checkpointed: a checkpoint signed on {format_uk_datetime(when)} attesting {head.seq:,} entries "
        f"does not carry a valid signature by {audit_key.name}: it was not made with this log's key, so it proves "
        "nothing."
    ) in result.output
    # And the witness's copy of the true checkpoint no longer matches.
    assert_caught(app, cp.feed, true_newest)


def test_a_forged_checkpoint_file_alone_is_refused(app, db, audit_key, cp, tmp_path):
    forger = SigningKey.generate(audit_key.name)
    path = tmp_path / "forged.txt"
    path.write_text(forger.sign(checkpoint_body(forger.name, 3, "cd" * 32, utcnow())))
    result = verify_against(app, str(path))
    assert result.exit_code == 1 and "does not carry a valid signature by" in result.output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback_mirror(tmp_path) -> Iterator[str]:
    """A plain HTTP server on 127.0.0.1 serving *tmp_path*, as a witness's mirror of the feed would."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_the_feed_and_the_public_key_by_url(app, db, audit_key, cp, loopback_mirror, tmp_path, monkeypatch):
    (tmp_path / "public-key").write_text(audit_key.public.text() + "\n")
    monkeypatch.setitem(app.config, "EIA_AUDIT_SIGNING_KEY_FILE", "")  # the key comes from the URL alone
    url = f"{loopback_mirror}/feed.json"
    result = verify_against(app, url, "--public-key", f"{loopback_mirror}/public-key")
    assert result.exit_code == 0, result.output
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq > :keep"), {"keep": cp.second.size - 5})
    db.session.commit()
    result = verify_against(app, url, "--public-key", f"{loopback_mirror}/public-key")
    assert result.exit_code == 1
    assert (
        f"the log has {cp.second.size - 5:,} entries but {signed(cp.second)} attests {cp.second.size:,}"
        in result.output
    )


def test_sources_that_cannot_be_used_are_named(app, db, audit_key, cp, loopback_mirror, tmp_path):
    missing = verify_against(app, str(tmp_path / "nowhere.json"))
    assert missing.exit_code == 1 and "cannot read checkpoints" in missing.output and "nowhere.json" in missing.output
    absent = verify_against(app, f"{loopback_mirror}/absent.json")
    assert absent.exit_code == 1 and f"cannot fetch checkpoints from {loopback_mirror}/absent.json" in absent.output
    (tmp_path / "other.json").write_text('{"entries": []}')
    other = verify_against(app, str(tmp_path / "other.json"))
    assert other.exit_code == 1 and "is not a checkpoint feed" in other.output
    (tmp_path / "key").write_text("not a key")
    bad_key = verify_against(app, str(cp.feed), "--public-key", str(tmp_path / "key"))
    assert bad_key.exit_code == 1 and "this is not a public key of the audit log" in bad_key.output


def test_without_any_public_key_verify_against_says_what_to_give(app, db, audit_key, cp, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_SIGNING_KEY_FILE", "")
    result = verify_against(app, str(cp.feed))
    assert result.exit_code == 1
    assert "give the log's public key with --public-key FILE_OR_URL, or set EIA_AUDIT_SIGNING_KEY_FILE" in result.output


def test_the_report_and_the_audit_log_page_say_when_the_log_was_cut(app, client, login_as, db, cp):
    login_as(Role.ADMIN)
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq > :keep"), {"keep": cp.second.size - 5})
    db.session.commit()
    problem = f"the log has {cp.second.size - 5:,} entries but {signed(cp.second)} attests {cp.second.size:,}: entries were removed"
    page = client.get("/audit-log/").get_data(as_text=True)
    assert "Not as checkpointed" in page and problem in page
    report = client.get("/reports/2025").get_data(as_text=True)
    assert (
        f"The audit log does not match its latest signed checkpoint (of {cp.second.size:,} entries, signed on" in report
    )
    assert problem in report
