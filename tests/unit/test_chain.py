"""archive.chain: the hash-chain mechanics the usage log and the co-production ledger share."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from archive.chain import GENESIS, canonical_bytes, iso, link_hash, plain_json
from archive.usage.services import canonical

AT = datetime(2026, 11, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
RECORD = dict(at=AT, user_id=7, organisation_id=2, asset_id="a-1", action="download", rendition="original",
              declaration={"purpose": "haber bülteni", "platform": "linear_tv"}, prev_hash="ab" * 32)


@pytest.mark.parametrize("extra, digest", [
    ({}, "cf2167d7d8b22656a9c1863bce1785b8b3ef72f70a3c62e38947f69a8b6e72ce"),
    ({"decision": "denied", "reasons": [{"code": "x", "message": "yok"}], "segment": {"in": 1.5, "out": 2.0}},
     "6f39ee0fb94ac0c60cec87268c76269e1f9d98e45acc0009432524a70e091586"),
])
def test_usage_hashes_are_the_ones_written_before_the_chain_module(extra, digest):
    """Digests computed with the usage log's own hashing before it moved onto archive.chain:
    every record already written keeps verifying."""
    assert hashlib.sha256(canonical(**RECORD, **extra)).hexdigest() == digest


def test_canonical_bytes_are_sorted_compact_utf8_and_refuse_nan():
    assert canonical_bytes({"b": 1, "a": "ə"}) == '{"a":"ə","b":1}'.encode("utf-8")
    with pytest.raises(ValueError):
        canonical_bytes({"x": float("nan")})
    assert link_hash({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()
    assert len(GENESIS) == 64 and set(GENESIS) == {"0"}


def test_iso_is_utc_with_microseconds_and_plain_json_round_trips():
    from datetime import timedelta

    assert iso(AT.astimezone(timezone(timedelta(hours=4)))) == "2026-11-01T12:00:00.123456+00:00"
    assert plain_json({"t": (1, 2)}) == {"t": [1, 2]} and plain_json(None) is None
