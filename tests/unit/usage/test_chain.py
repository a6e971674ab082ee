"""The usage log's hash chain: appends link, and any tampering is named at its first record."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text, update

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.usage.models import UsageRecord
from archive.usage.services import GENESIS, record_hash, record_usage, verify_chain
from tests.asset_factory import create_asset
from tests.usage_tamper import tamper


@pytest.fixture
def chain(app, producer):
    """Five committed records; returns their ids in order."""
    asset_id = create_asset(app, producer[0])
    with app.app_context():
        s = db.session()
        user, asset = s.get(User, producer[0]), s.get(Asset, asset_id)
        ids = []
        for i in range(5):
            rec = record_usage(s, user, asset, "download", "original",
                               declaration={"purpose": f"news bulletin {i}", "platform": "tv"} if i % 2 else None)
            s.commit()
            ids.append(rec.id)
    return ids


def _verify(app):
    with app.app_context():
        return verify_chain(db.session())


def _exec(app, sql, **params):
    tamper(app, (sql, params))  # past the append-only triggers


def test_records_link_to_each_other(app, chain):
    with app.app_context():
        recs = list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))
    assert recs[0].prev_hash == GENESIS
    for before, after in zip(recs, recs[1:]):
        assert after.prev_hash == before.hash
    assert all(record_hash(r) == r.hash for r in recs)
    assert recs[1].declaration == {"purpose": "news bulletin 1", "platform": "tv"}
    assert _verify(app) is None


def test_empty_log_is_intact(app):
    assert _verify(app) is None


def test_tampered_field_is_named(app, chain):
    _exec(app, "UPDATE usage_records SET rendition = 'proxy' WHERE id = :id", id=chain[2])
    bad = _verify(app)
    assert bad is not None and bad.id == chain[2]
    assert "altered" in bad.reason


def test_tampered_declaration_is_named(app, chain):
    tamper(app, lambda s: s.execute(update(UsageRecord).where(UsageRecord.id == chain[3])
                                    .values(declaration={"purpose": "something else", "platform": "tv"})))
    assert _verify(app).id == chain[3]


def test_rehashed_record_still_breaks_the_next_link(app, chain):
    """Changing a record and recomputing its own hash moves the break to its successor."""
    def rehash(s):
        rec = s.get(UsageRecord, chain[1])
        rec.action = "clip"
        rec.hash = record_hash(rec)

    tamper(app, rehash)
    bad = _verify(app)
    assert bad.id == chain[2] and "prev_hash" in bad.reason


def test_deleted_record_in_the_middle_is_named(app, chain):
    _exec(app, "DELETE FROM usage_records WHERE id = :id", id=chain[2])
    bad = _verify(app)
    assert bad.id == chain[3] and "deleted" in bad.reason


def test_reordered_records_are_named(app, chain):
    # Swap the positions (ids) of records 2 and 3 through a free id.
    _exec(app, "UPDATE usage_records SET id = 999 WHERE id = :id", id=chain[1])
    _exec(app, "UPDATE usage_records SET id = :new WHERE id = :old", new=chain[1], old=chain[2])
    _exec(app, "UPDATE usage_records SET id = :new WHERE id = 999", new=chain[2])
    assert _verify(app).id == chain[1]


def test_unknown_action_is_refused(app, producer):
    asset_id = create_asset(app, producer[0])
    with app.app_context():
        s = db.session()
        with pytest.raises(ValueError):
            record_usage(s, s.get(User, producer[0]), s.get(Asset, asset_id), "steal", "original")


def test_concurrent_writers_do_not_fork_the_chain(app, producer):
    """Several threads, each with its own session and connection, append at once."""
    asset_id = create_asset(app, producer[0])
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer():
        try:
            with app.app_context():
                s = db.session()
                user, asset = s.get(User, producer[0]), s.get(Asset, asset_id)
                start.wait()
                for _ in range(5):
                    record_usage(s, user, asset, "download", "original")
                    s.commit()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with app.app_context():
        s = db.session()
        assert s.scalar(select(UsageRecord.id).order_by(UsageRecord.id.desc()).limit(1)) is not None
        assert len(list(s.scalars(select(UsageRecord)))) == 20
        assert verify_chain(s) is None


def test_records_from_before_the_gate_keep_their_hash():
    """Fields added later enter the hashed form only when set: an old record's bytes are unchanged."""
    import json
    from datetime import datetime, timezone

    from archive.usage.services import canonical

    at = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    base = dict(at=at, user_id=1, organisation_id=2, asset_id="a", action="download", rendition="original",
                declaration=None, prev_hash=GENESIS)
    assert set(json.loads(canonical(**base))) == {"at", "user_id", "organisation_id", "asset_id", "action",
                                                  "rendition", "declaration", "prev_hash"}
    assert canonical(**base) == canonical(**base, decision=None, reasons=None, conditions=None, segment=None)
    assert json.loads(canonical(**base, decision="denied"))["decision"] == "denied"
    with pytest.raises(TypeError):
        canonical(**base, who_knows="x")


def test_tampered_decision_is_named(app, producer):
    asset_id = create_asset(app, producer[0])
    with app.app_context():
        s = db.session()
        user, asset = s.get(User, producer[0]), s.get(Asset, asset_id)
        rec = record_usage(s, user, asset, "download", "original", decision="denied",
                           reasons=[{"code": "x", "message": "no"}], segment={"in": 1.0, "out": 2.0})
        s.commit()
        rid = rec.id
    assert _verify(app) is None
    _exec(app, "UPDATE usage_records SET decision = 'allowed' WHERE id = :id", id=rid)
    broken = _verify(app)
    assert broken is not None and broken.id == rid and "altered" in broken.reason
