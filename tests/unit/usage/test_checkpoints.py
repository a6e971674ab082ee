"""Signed checkpoints of the usage log (archive.usage.checkpoints): what `ortak audit verify`
detects and names: an altered field, a deleted middle record, deleted last records, two
reordered records, a rewritten and re-hashed history, a forged or damaged checkpoint; and
the append-only triggers that refuse UPDATE and DELETE in the first place."""
from __future__ import annotations

import io
import json
import os
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.backends import storage
from archive.config import ConfigError
from archive.usage import checkpoints, signing
from archive.usage.models import UsageRecord
from archive.usage.services import record_hash, record_usage
from tests.asset_factory import create_asset
from tests.usage_tamper import tamper


@pytest.fixture
def log(app, producer):
    """Six committed records, a checkpoint signed after the fourth and one after the sixth.
    Returns the record ids in order."""
    asset_id = create_asset(app, producer[0])
    ids = []
    with app.app_context():
        s = db.session()
        user, asset = s.get(User, producer[0]), s.get(Asset, asset_id)
        for i in range(6):
            ids.append(record_usage(s, user, asset, "download", "original",
                                    declaration={"purpose": f"haber {i}", "platform": "linear_tv"}).id)
            s.commit()
            if i in (3, 5):
                checkpoints.checkpoint_now(s, storage(), app.config)
    return ids


def verify(app, key=None):
    with app.app_context():
        public = key or checkpoints.public_key_of(app.config)
        problems, walked, signed = checkpoints.verify_log(db.session(), storage(), public, batch=2)
    return problems, walked, signed


def test_an_intact_log_holds_against_every_checkpoint(app, log):
    problems, walked, signed = verify(app)
    assert problems == [] and walked == 6 and signed == 2


def test_checkpoints_are_blobs_outside_the_table_signed_with_the_key(app, log):
    with app.app_context():
        stored = list(checkpoints.stored_checkpoints(storage()))
        public = checkpoints.public_key_of(app.config)
    assert [k.startswith("checkpoints/usage/") for k, _ in stored] == [True, True]
    doc = json.loads(stored[-1][1])
    assert doc["checkpoint"]["count"] == 6 and doc["checkpoint"]["last_id"] == log[-1]
    assert doc["checkpoint"]["key_id"] == signing.key_id(public)
    from archive.chain import canonical_bytes
    assert signing.signature_holds(public, canonical_bytes(doc["checkpoint"]), doc["signature"])


def test_the_key_file_is_made_once_with_mode_0600(app, log, data_dir):
    path = data_dir / signing.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    with app.app_context():
        checkpoints.checkpoint_now(db.session(), storage(), app.config)
    assert path.read_bytes() == first


def test_a_key_file_others_may_read_is_refused(app, data_dir):
    path = data_dir / signing.KEY_FILE_NAME
    signing.load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="AUDIT_KEY_FILE.*read by others"):
        signing.load_or_create_key(path)


def test_a_key_file_that_is_not_a_key_is_refused(tmp_path):
    path = tmp_path / "key.pem"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError, match="AUDIT_KEY_FILE"):
        signing.load_or_create_key(path)


def test_an_altered_field_is_named(app, log):
    tamper(app, ("UPDATE usage_records SET rendition = 'proxy' WHERE id = :id", {"id": log[2]}))
    problems, _, _ = verify(app)
    assert [(p.kind, p.record_id) for p in problems] == [("chain_broken", log[2])]
    assert "altered" in problems[0].message and f"record {log[2]}" in problems[0].message


def test_a_deleted_middle_record_is_named(app, log):
    tamper(app, ("DELETE FROM usage_records WHERE id = :id", {"id": log[2]}))
    problems, _, _ = verify(app)
    assert [(p.kind, p.record_id) for p in problems] == [("chain_broken", log[3])]
    assert "deleted" in problems[0].message


def test_deleted_last_records_are_named_as_a_missing_tail(app, log):
    """The chain that is left is intact: only the checkpoint shows what is gone."""
    tamper(app, ("DELETE FROM usage_records WHERE id IN (:a, :b)", {"a": log[4], "b": log[5]}))
    with app.app_context():
        from archive.usage.services import verify_chain
        assert verify_chain(db.session()) is None  # the chain alone sees nothing
    problems, walked, _ = verify(app)
    assert walked == 4
    assert [(p.kind, p.record_id) for p in problems] == [("missing_tail", log[5])]
    assert "the last 2 record(s)" in problems[0].message and "6 records" in problems[0].message


def test_two_reordered_records_are_named(app, log):
    tamper(app, ("UPDATE usage_records SET id = 999999 WHERE id = :id", {"id": log[1]}),
           ("UPDATE usage_records SET id = :new WHERE id = :old", {"new": log[1], "old": log[2]}),
           ("UPDATE usage_records SET id = :new WHERE id = 999999", {"new": log[2]}))
    problems, _, _ = verify(app)
    assert [(p.kind, p.record_id) for p in problems] == [("chain_broken", log[1])]


def test_a_rewritten_and_rehashed_history_is_named_at_the_checkpoint(app, log):
    """Someone deletes record 3 and re-chains everything after it with fresh hashes: the chain
    holds, but record number 4 is not the head the checkpoint signed."""
    def rewrite(s):
        s.execute(text("DELETE FROM usage_records WHERE id = :id"), {"id": log[2]})
        s.flush()
        prev = s.get(UsageRecord, log[1]).hash
        for rid in log[3:]:
            rec = s.get(UsageRecord, rid)
            # prev_hash/hash are unique: clear them first, then link afresh.
            rec.prev_hash, rec.hash = f"{rid:x>64}", f"{rid:y>64}"
        s.flush()
        for rid in log[3:]:
            rec = s.get(UsageRecord, rid)
            rec.prev_hash = prev
            rec.hash = record_hash(rec)
            prev = rec.hash
            s.flush()

    tamper(app, rewrite)
    with app.app_context():
        from archive.usage.services import verify_chain
        assert verify_chain(db.session()) is None  # re-chained: the chain alone sees nothing
    problems, _, _ = verify(app)
    # Five records are left; the checkpoint of count 4 names the fourth of them (id log[4]).
    assert [(p.kind, p.record_id) for p in problems][0] == ("head_mismatch", log[4])
    assert "rewritten" in problems[0].message


def test_a_forged_checkpoint_is_detected(app, log):
    """A checkpoint whose count was raised (or that someone signed with another key) does not hold."""
    with app.app_context():
        key, data = list(checkpoints.stored_checkpoints(storage()))[-1]
        doc = json.loads(data)
        doc["checkpoint"]["count"] = 5
        forged = json.dumps(doc).encode()
        storage().put_stream(key.replace(".json", "-forged.json"), io.BytesIO(forged), length=len(forged))
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        checkpoints.write_checkpoint(db.session(), storage(), Ed25519PrivateKey.generate())
    problems, _, signed = verify(app)
    assert signed == 2
    assert [p.kind for p in problems] == ["bad_checkpoint", "bad_checkpoint"]
    assert all("does not hold" in p.message for p in problems)


def test_a_damaged_checkpoint_is_named(app, log):
    with app.app_context():
        for n, junk in enumerate((b"{not json", b"[]", json.dumps({"checkpoint": {"count": "6"}}).encode(),
                                  b"\xff\xfe")):
            storage().put_stream(f"checkpoints/usage/zz-{n}.json", io.BytesIO(junk), length=len(junk))
    problems, _, _ = verify(app)
    assert len(problems) == 4 and all(p.kind == "bad_checkpoint" for p in problems)


def test_verification_with_another_public_key_fails_every_checkpoint(app, log):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    problems, _, signed = verify(app, Ed25519PrivateKey.generate().public_key())
    assert signed == 0 and len(problems) == 2


@pytest.mark.parametrize("sql", ["UPDATE usage_records SET action = 'clip'",
                                 "DELETE FROM usage_records",
                                 "UPDATE usage_records SET hash = hash"])
def test_the_table_refuses_update_and_delete(app, log, sql):
    with app.app_context():
        s = db.session()
        with pytest.raises(DatabaseError, match="append-only"):
            s.execute(text(sql))
        s.rollback()
    assert verify(app)[0] == []


def test_the_append_lock_still_works_with_the_triggers(app, log, producer):
    """SQLite's lock is an UPDATE that matches no row: the trigger never fires for it."""
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, s.get(UsageRecord, log[0]).asset_id)
        record_usage(s, s.get(User, producer[0]), asset, "clip", "original")
        s.commit()
    assert verify(app)[0] == []


def test_each_checkpoint_is_also_a_line_of_the_log(app, producer, caplog):
    """The second place outside the table: the service's log (logger archive.audit), signed alike."""
    import logging

    from archive.chain import canonical_bytes

    with app.app_context(), caplog.at_level(logging.INFO, logger="archive.audit"):
        cp = checkpoints.checkpoint_now(db.session(), storage(), app.config)
        public = checkpoints.public_key_of(app.config)
    lines = [r for r in caplog.records if r.name == "archive.audit"]
    assert len(lines) == 1 and lines[0].blob == cp.key
    logged = lines[0].audit_checkpoint
    assert logged == cp.as_json() and logged["checkpoint"]["count"] == 0
    assert signing.signature_holds(public, canonical_bytes(logged["checkpoint"]), logged["signature"])
