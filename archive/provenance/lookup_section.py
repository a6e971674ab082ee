"""The provenance document's `lookup` section: whether reverse clip search can find the asset
(`POST /api/v1/provenance/lookup`), from its fingerprints row.

    {"indexed": true, "algorithm": "phash64", "rate": 1, "hashes": 40, "planes": 6,
     "colours": true, "seconds": 40.0, "updated_at": "…Z"}    or    {"indexed": false}

`hashes` counts the samples (one a `rate`-th of a second), `planes` the pictures hashed for
each (the whole frame, its centre crops and its cuts to other shapes; 3 for fingerprints made
before cuts), `colours` whether each hashed picture's colour is held beside its hash (the
verification then tells look-alikes of another colour apart; false for fingerprints made
before version 5), `seconds` what they cover. `indexed` is false for
an asset without a picture, or before its fingerprints step has run: a lookup cannot find it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset
from archive.provenance.fingerprint_models import VideoFingerprint
from archive.provenance.sections import section


@section("lookup")
def lookup(session: Session, asset: Asset, viewer: User, lang: str | None) -> dict[str, Any]:
    row = session.get(VideoFingerprint, asset.id)
    if row is None:
        return {"indexed": False}
    return {"indexed": True, "algorithm": row.algorithm, "rate": row.rate, "hashes": row.count,
            "planes": row.planes, "colours": row.colours is not None, "seconds": round(row.count / row.rate, 3) if row.rate else None,
            "updated_at": row.updated_at.isoformat().replace("+00:00", "Z") if row.updated_at else None}
