"""The usage log: append-only, each record chained to the one before it by SHA-256.

A record's hash covers its own fields (never its id, which a database may renumber) and
the previous record's hash, so changing, deleting or reordering any record breaks every
link after it; `verify_chain` names the first broken one (`ortak audit verify`).

The chain mechanics (canonical bytes, link hashing, the append lock, streaming
verification) are `archive.chain`'s, shared with the co-production ledger; the whole log is
one chain. Appends are serialised per database (see `archive.chain.HashChain.lock`), and
the unique constraints on `hash` and `prev_hash` are the last line of defence.

What a chain alone cannot show is the loss of its newest records (a truncated tail looks
intact); anchoring the head hash elsewhere is later work.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.chain import GENESIS, ChainBreak, HashChain, canonical_bytes, iso, plain_json
from archive.db import utcnow
from archive.usage.models import UsageRecord

__all__ = ["GENESIS", "ChainBreak", "ACTIONS", "OPTIONAL_FIELDS", "canonical", "record_hash", "lock_chain",
           "record_usage", "verify_chain", "recent"]

# "bag": an export of the original in a BagIt bag for deposit (archive.provenance.bag).
ACTIONS = ("download", "clip", "stream", "bag")
# Any constant shared by every Ortak process; it names the usage-log lock on PostgreSQL.
_PG_LOCK_KEY = 0x0A7A_0001

# Fields added after the first records were written. Each enters the hashed form only when
# set, so every record written before it existed keeps its hash.
OPTIONAL_FIELDS = ("decision", "reasons", "conditions", "segment", "share_link_id")


def canonical(*, at: datetime, user_id: int, organisation_id: int, asset_id: str, action: str,
              rendition: str, declaration: Any, prev_hash: str, **optional: Any) -> bytes:
    """The exact bytes a record's hash covers: sorted-key, compact, UTF-8 JSON."""
    unknown = set(optional) - set(OPTIONAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown usage fields {sorted(unknown)}")
    doc = {"at": iso(at), "user_id": user_id, "organisation_id": organisation_id,
           "asset_id": asset_id, "action": action, "rendition": rendition,
           "declaration": declaration, "prev_hash": prev_hash}
    doc.update({k: v for k, v in optional.items() if v is not None})
    return canonical_bytes(doc)


def record_hash(rec: UsageRecord) -> str:
    return hashlib.sha256(canonical(
        at=rec.at, user_id=rec.user_id, organisation_id=rec.organisation_id, asset_id=rec.asset_id,
        action=rec.action, rendition=rec.rendition, declaration=rec.declaration,
        prev_hash=rec.prev_hash, **{k: getattr(rec, k) for k in OPTIONAL_FIELDS})).hexdigest()


USAGE_CHAIN = HashChain(UsageRecord, order=UsageRecord.id, hash_of=record_hash, lock_class=_PG_LOCK_KEY)


def lock_chain(session: Session) -> None:
    """Serialise appends until the caller's commit (see `archive.chain`). Callers that must
    decide something atomically with the append (the access gate) take it first."""
    USAGE_CHAIN.lock(session)


# Who reads an asset's usage records beyond their own organisation's: admins, and these roles
# of the asset's organisation (the usage audit's readers, README "Usage log").
USAGE_READERS = ("rights_manager",)


def may_read_usage(viewer: Any, asset_organisation_id: int | None, record_organisation_id: int | None) -> bool:
    """Whether `viewer` (a User, or None) may read a usage record of `record_organisation_id`
    on an asset of `asset_organisation_id`: admins every record; the asset's organisation's
    rights managers every record of its assets; anyone else their own organisation's only.
    The rule of `GET /api/v1/usage` and of the provenance document's `usage` section, and so of
    anything that repeats a record's declaration (a clip's `lineage`)."""
    if viewer is None:
        return False
    if viewer.role == "admin":
        return True
    if viewer.role in USAGE_READERS and viewer.organisation_id == asset_organisation_id:
        return True
    return record_organisation_id is not None and viewer.organisation_id == record_organisation_id


def record_usage(session: Session, user, asset, action: str, rendition: str,
                 declaration: dict | None = None, *, decision: str | None = None,
                 reasons: list | None = None, conditions: dict | None = None,
                 segment: dict | None = None, share_link_id: str | None = None) -> UsageRecord:
    """Append one record to the chain; flushes, and the caller commits (the lock is held until then).

    `user` is the reader (an `archive.accounts.models.User`), `asset` the asset read,
    `action` one of ACTIONS, `rendition` what was read ("original" or a rendition name),
    `share_link_id` the share link (`archive.shares`) the read came through, if any.
    Raises ValueError for an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown usage action {action!r}")
    lock_chain(session)
    # Microseconds are the finest precision both SQLite and PostgreSQL keep.
    rec = UsageRecord(at=utcnow(), user_id=user.id, organisation_id=user.organisation_id,
                      asset_id=asset.id, action=action, rendition=rendition,
                      declaration=plain_json(declaration), decision=decision, reasons=plain_json(reasons),
                      conditions=plain_json(conditions), segment=plain_json(segment),
                      share_link_id=share_link_id)
    USAGE_CHAIN.seal(rec, USAGE_CHAIN.head(session))
    session.add(rec)
    session.flush()
    return rec


def verify_chain(session: Session, batch: int = 1000) -> ChainBreak | None:
    """None when every record links to the one before it and matches its hash."""
    return USAGE_CHAIN.verify(session, batch=batch)


def recent(session: Session, asset_id: str | None = None, limit: int = 50) -> list[UsageRecord]:
    q = select(UsageRecord).order_by(UsageRecord.id.desc()).limit(limit)
    if asset_id is not None:
        q = q.where(UsageRecord.asset_id == asset_id)
    return list(session.scalars(q))
