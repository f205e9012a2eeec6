"""Signed checkpoints of the audit log: the signed-note format, keys, `eia audit-log keygen|checkpoint`,
the automatic checkpoints, the check a page can afford, the public register pages and the witnesses."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from eia.accounts.models import Role
from eia.auditlog import checkpoints, witnesses
from eia.auditlog import services as audit
from eia.auditlog.models import AuditCheckpoint, AuditEntry, CheckpointEmail
from eia.auditlog.signing import (
    CheckpointError,
    PublicKey,
    SigningKey,
    checkpoint_body,
    parse_checkpoint,
    read_key_file,
    write_key_file,
)
from eia.config import ConfigError, load_config
from eia.template_filters import format_date, format_uk_datetime
from tests.conftest import free_port
from tests.test_audit_log import allow_tampering, append_entries

# The example of golang.org/x/mod/sumdb/note's documentation: the same key must give the same public
# key and, Ed25519 being deterministic, the same signature, so any signed-note tool reads ours.
GO_PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_PUBLIC = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNED = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n"
)


def head() -> AuditEntry:
    return checkpoints.db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()


def stored() -> list[AuditCheckpoint]:
    return list(checkpoints.db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).scalars())


# -- the format and the keys -------------------------------------------------------------------------


def test_keys_and_signatures_are_those_of_the_signed_note_format():
    key = SigningKey.parse(GO_PRIVATE)
    assert key.public.text() == GO_PUBLIC
    assert key.sign(GO_TEXT) == GO_SIGNED
    assert PublicKey.parse(GO_PUBLIC).text() == GO_PUBLIC
    assert SigningKey.parse(key.text()).text() == GO_PRIVATE


def test_a_checkpoint_reads_back_and_only_its_own_key_verifies_it():
    key = SigningKey.generate("council.example/eia-audit-log")
    when = datetime(2027, 5, 3, 9, 15, 42, tzinfo=UTC)
    note = key.sign(checkpoint_body(key.name, 1605, "ab" * 32, when))
    assert note.splitlines()[:4] == [
        "council.example/eia-audit-log",
        "1605",
        "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
        "time 2027-05-03T09:15:42Z",
    ]
    signed = parse_checkpoint(note)
    assert (signed.size, signed.head_hash, signed.signed_at) == (1605, "ab" * 32, when)
    assert signed.is_signed_by(key.public)
    assert not signed.is_signed_by(SigningKey.generate(key.name).public)  # same name, another key
    # The genuine signature line under an altered body: refused.
    altered = parse_checkpoint(note.replace("\n1605\n", "\n1600\n"))
    assert altered.size == 1600 and not altered.is_signed_by(key.public)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello\n", "no signature lines"),
        ("a\n1\nAAAA\n\n\u2014 a AAAA\n", "signature has the wrong length"),
        ("a\nmany\n" + "A" * 43 + "=\ntime 2027-05-03T09:15:42Z\n\n\u2014 a " + "A" * 91 + "=\n", "bad size"),
    ],
)
def test_text_that_is_not_a_checkpoint_is_named_plainly(text, message):
    with pytest.raises(CheckpointError, match=message):
        parse_checkpoint(text)


def test_a_key_file_is_private_and_never_overwritten(tmp_path):
    key = SigningKey.generate("council.example/eia-audit-log")
    path = tmp_path / "key"
    write_key_file(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path).text() == key.text()
    with pytest.raises(CheckpointError, match="exists already: a signing key is never overwritten"):
        write_key_file(path, SigningKey.generate("other"))
    assert read_key_file(path).text() == key.text()
    path.chmod(0o644)
    with pytest.raises(CheckpointError, match="can be read by anyone on this machine: chmod 600 it"):
        read_key_file(path)
    with pytest.raises(CheckpointError, match="does not exist: make one with `eia audit-log keygen`"):
        read_key_file(tmp_path / "missing")


def test_keygen_writes_a_private_key_and_prints_its_public_key(app, tmp_path):
    out = tmp_path / "signing.key"
    result = app.test_cli_runner().invoke(args=["audit-log", "keygen", "--out", str(out), "--name", "a.example/log"])
    assert result.exit_code == 0, result.output
    key = read_key_file(out)
    assert key.name == "a.example/log" and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert key.public.text() in result.output.splitlines()
    assert f"Set EIA_AUDIT_SIGNING_KEY_FILE={out}" in result.output
    again = app.test_cli_runner().invoke(args=["audit-log", "keygen", "--out", str(out)])
    assert again.exit_code == 1 and "exists already" in again.output
    assert read_key_file(out).text() == key.text()


def test_witness_addresses_are_checked_when_the_app_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("EIA_AUDIT_WITNESS_EMAILS", "monitoring.officer@council.example; internal.audit@council.example")
    assert load_config(tmp_path, {"TESTING": True})["EIA_AUDIT_WITNESS_EMAILS"] == [
        "monitoring.officer@council.example",
        "internal.audit@council.example",
    ]
    monkeypatch.setenv("EIA_AUDIT_WITNESS_EMAILS", "monitoring officer")
    with pytest.raises(ConfigError, match="EIA_AUDIT_WITNESS_EMAILS: 'monitoring' is not an email address"):
        load_config(tmp_path, {"TESTING": True})


# -- making checkpoints --------------------------------------------------------------------------------


def test_the_checkpoint_command_signs_the_log_as_it_stands(app, db, audit_key):
    append_entries(3)
    newest = head()
    result = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert f"Signed a checkpoint of {newest.seq:,} entries (newest hash {newest.hash})." in result.output
    (row,) = stored()
    signed = parse_checkpoint(row.note)
    assert (signed.size, signed.head_hash, row.checked_from) == (newest.seq, newest.hash, 0)
    assert signed.is_signed_by(audit_key.public) and signed.signed_at == row.signed_at
    assert head().seq == newest.seq  # making a checkpoint adds nothing to the log it attests


def test_the_checkpoint_command_without_a_key_says_what_to_do(app, db):
    result = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert result.exit_code == 1
    assert "EIA_AUDIT_SIGNING_KEY_FILE is not set: make a key with `eia audit-log keygen --out FILE`" in result.output
    assert stored() == []


def test_a_checkpoint_every_n_entries_in_the_transaction_that_writes_the_nth(app, db, audit_key, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_CHECKPOINT_EVERY", 4)
    start = head().seq
    append_entries(8)  # two multiples of 4
    made = stored()
    assert [row.size for row in made] == [n for n in range(start + 1, head().seq + 1) if n % 4 == 0]
    assert all(parse_checkpoint(row.note).is_signed_by(audit_key.public) for row in made)
    # The second extends the first: only the entries since it were checked to sign it.
    assert made[1].checked_from == made[0].size and made[1].made_by == "every 4 entries"
    # It is part of the change's transaction: rolled back with it.
    while (head().seq + 1) % 4:
        append_entries(1)
    before = len(stored())
    audit.record("test_event", by=None)
    assert len(stored()) == before + 1
    checkpoints.db.session.rollback()
    assert len(stored()) == before


def test_no_automatic_checkpoint_without_a_key(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_CHECKPOINT_EVERY", 2)
    append_entries(4)
    assert stored() == []


def test_an_automatic_checkpoint_is_never_signed_over_a_cut_log_and_the_change_still_lands(
    app, db, audit_key, monkeypatch, caplog
):
    append_entries(4)
    checkpoints.make_checkpoint()
    allow_tampering(app)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)"))
    monkeypatch.setitem(app.config, "EIA_AUDIT_CHECKPOINT_EVERY", 1)
    (entry,) = append_entries(1)
    assert db.session.get(AuditEntry, entry.id) is not None  # recorded as usual
    assert len(stored()) == 1
    assert "no automatic audit checkpoint" in caplog.text and "no longer has the hash" in caplog.text


def test_an_automatic_checkpoint_on_a_long_log_is_left_to_the_command(app, db, audit_key, monkeypatch):
    append_entries(6)
    monkeypatch.setitem(app.config, "EIA_AUDIT_CHECKPOINT_EVERY", 2)
    while head().seq % 2 != 1:
        append_entries(1)
    append_entries(1)  # a multiple of 2, but far more than 2 x 2 entries with no checkpoint before
    assert stored() == []
    checkpoints.make_checkpoint()
    append_entries(2)
    assert [row.made_by for row in stored()] == ["eia audit-log checkpoint", "every 2 entries"]


# -- the check a page view can afford ------------------------------------------------------------------


def test_the_page_check_reads_only_the_entries_since_the_latest_checkpoint(db, audit_key):
    assert checkpoints.check_since_latest().status == "no_checkpoint"
    append_entries(5)
    row = checkpoints.make_checkpoint()
    append_entries(3)
    result = checkpoints.check_since_latest()
    assert result.status == "consistent" and result.checkpoint.id == row.id
    assert (result.since, result.checked, result.entries) == (3, 4, row.size + 3)
    assert result.head_hash == head().hash


def test_the_page_check_without_the_key_says_so(app, db, audit_key, monkeypatch):
    append_entries(1)
    checkpoints.make_checkpoint()
    monkeypatch.setitem(app.config, "EIA_AUDIT_SIGNING_KEY_FILE", "")
    result = checkpoints.check_since_latest()
    assert result.status == "no_key" and result.problem == "EIA_AUDIT_SIGNING_KEY_FILE is not set on this server"


def test_the_audit_log_page_shows_the_latest_checkpoint(client, login_as, db, audit_key):
    login_as(Role.EQUALITIES)
    html = client.get("/audit-log/").get_data(as_text=True)
    assert "No signed checkpoint of the audit log has been made yet" in html
    row = checkpoints.make_checkpoint()
    db.session.commit()
    html = client.get("/audit-log/").get_data(as_text=True)
    signed = f"of {row.size:,} entries signed on {format_uk_datetime(row.signed_at)}"
    assert (
        f"The audit log still holds its latest signed checkpoint, {signed}, and nothing has been added since." in html
    )
    append_entries(1)
    html = client.get("/audit-log/").get_data(as_text=True)
    assert (
        f"The audit log still holds its latest signed checkpoint, {signed}, and the 1 entry added since then links "
        f"up and matches its hash ({row.size + 1:,} entries in all)."
    ) in html
    append_entries(2)
    html = client.get("/audit-log/").get_data(as_text=True)
    assert "and the 3 entries added since then link up and match their hashes" in html


def test_the_database_refuses_to_change_a_checkpoint(db, audit_key):
    append_entries(1)
    checkpoints.make_checkpoint()
    for statement in ("UPDATE audit_checkpoints SET size = 1", "DELETE FROM audit_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement))


# -- published on the register ------------------------------------------------------------------------


def test_the_register_publishes_every_checkpoint_and_the_public_key(client, db, audit_key):
    assert client.get("/register/audit-checkpoints").status_code == 200
    append_entries(2)
    first = checkpoints.make_checkpoint()
    append_entries(1)
    second = checkpoints.make_checkpoint()
    db.session.commit()

    page = client.get("/register/audit-checkpoints").get_data(as_text=True)
    assert "2 checkpoints, newest first" in page
    assert page.index(f"Checkpoint of {second.size:,} entries") < page.index(f"Checkpoint of {first.size:,} entries")
    assert second.head_hash in page and format_uk_datetime(second.signed_at) in page

    feed = client.get("/register/audit-checkpoints/feed.json")
    assert feed.headers["Access-Control-Allow-Origin"] == "*"
    body = feed.get_json()
    assert body["public_key"] == audit_key.public.text() and body["origin"] == audit_key.name
    assert [item["note"] for item in body["checkpoints"]] == [second.note, first.note]
    assert body["checkpoints"][0]["size"] == second.size

    key = client.get("/register/audit-checkpoints/public-key")
    assert key.mimetype == "text/plain" and key.get_data(as_text=True) == audit_key.public.text() + "\n"
    assert client.get("/register/audit-checkpoints/checkpoint").get_data(as_text=True) == second.note
    one = client.get(f"/register/audit-checkpoints/{first.id}.txt")
    assert one.get_data(as_text=True) == first.note and "attachment" not in one.headers["Content-Disposition"]
    assert client.get("/register/audit-checkpoints/999999.txt").status_code == 404


def test_without_a_key_there_is_no_public_key_and_no_checkpoint(client, db):
    assert client.get("/register/audit-checkpoints/public-key").status_code == 404
    assert client.get("/register/audit-checkpoints/checkpoint").status_code == 404
    page = client.get("/register/audit-checkpoints").get_data(as_text=True)
    assert "No checkpoint has been published yet." in page and "public-key" not in page
    assert client.get("/register/audit-checkpoints/feed.json").get_json()["checkpoints"] == []


# -- witnesses ---------------------------------------------------------------------------------------


WITNESSES = ["monitoring.officer@council.example", "internal.audit@council.example"]


def test_each_checkpoint_is_emailed_to_the_witnesses_once(app, db, audit_key, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_WITNESS_EMAILS", WITNESSES)
    append_entries(2)
    result = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert f"Emailed 1 checkpoint to {', '.join(WITNESSES)}." in result.output
    (mail,) = smtp.messages
    (row,) = stored()
    assert mail["To"] == ", ".join(WITNESSES)
    assert mail["Subject"] == f"Audit log checkpoint: {row.size:,} entries on {format_date(row.signed_at)}"
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == witnesses.file_name(row)
    assert attachment.get_content() == row.note and attachment["Content-Transfer-Encoding"] == "base64"
    assert attachment.get_payload(decode=True) == row.note.encode("utf-8")  # the exact bytes signed
    assert "eia audit-log verify --against" in mail.get_body(("plain",)).get_content()
    assert witnesses.send_unsent() == [] and len(smtp.messages) == 1


def test_a_failed_email_is_sent_by_the_next_run(app, db, audit_key, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_WITNESS_EMAILS", WITNESSES)
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", free_port())  # nothing listens there
    append_entries(1)
    result = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert result.exit_code == 1
    assert "the checkpoint is signed and published, but not emailed to the witnesses: cannot send through" in (
        result.output
    )
    assert len(stored()) == 1 and db.session.execute(select(func.count(CheckpointEmail.id))).scalar_one() == 0
    monkeypatch.setitem(app.config, "EIA_SMTP_PORT", smtp.port)
    result = app.test_cli_runner().invoke(args=["audit-log", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert "Emailed 2 checkpoints" in result.output
    assert [parse_checkpoint(next(m.iter_attachments()).get_content()).size for m in smtp.messages] == [
        row.size for row in stored()
    ]


def test_an_automatic_checkpoint_is_emailed_after_the_response(app, client, login_as, db, audit_key, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_AUDIT_WITNESS_EMAILS", WITNESSES)
    login_as(Role.EQUALITIES)
    # The check on the Audit log page records an entry: make that entry's position a checkpoint's.
    monkeypatch.setitem(app.config, "EIA_AUDIT_CHECKPOINT_EVERY", head().seq + 1)
    response = client.post("/audit-log/verify")
    assert response.status_code == 302
    response.close()  # the server closes the response once it is sent
    (row,) = stored()
    assert row.size == head().seq and row.made_by == f"every {row.size:,} entries"
    (mail,) = smtp.messages
    assert next(mail.iter_attachments()).get_content() == row.note


def test_the_feed_is_json_a_verifier_reads(client, db, audit_key):
    append_entries(1)
    row = checkpoints.make_checkpoint()
    db.session.commit()
    text_ = client.get("/register/audit-checkpoints/feed.json").get_data(as_text=True)
    assert checkpoints.saved_notes(text_, "feed.json") == [row.note]
    assert checkpoints.saved_notes(row.note, "one.txt") == [row.note]
    with pytest.raises(CheckpointError, match=r"feed\.json holds no checkpoints"):
        checkpoints.saved_notes(json.dumps({"checkpoints": []}), "feed.json")
    with pytest.raises(CheckpointError, match=r"x\.json is not a checkpoint feed"):
        checkpoints.saved_notes('{"something": "else"}', "x.json")
