"""The usage log: append-only, each record chained to the one before it by SHA-256.

A record's hash covers its own fields (never its id, which a database may renumber) and
the previous record's hash, so changing, deleting or reordering any record breaks every
link after it; `verify_chain` names the first broken one (`ortak audit verify`).

Two writers must never both chain onto the same predecessor (a fork). Appends are
serialised per database: PostgreSQL takes a transaction-scoped advisory lock, SQLite takes
its single write lock before the last record is read. The unique constraints on `hash`
and `prev_hash` are the last line of defence should a backend ever skip the lock.

What a chain alone cannot show is the loss of its newest records (a truncated tail looks
intact); anchoring the head hash elsewhere is later work.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from archive.db import utcnow
from archive.usage.models import UsageRecord

GENESIS = "0" * 64
ACTIONS = ("download", "clip", "stream")
# Any constant shared by every Ortak process; it names the usage-log lock on PostgreSQL.
_PG_LOCK_KEY = 0x0A7A_0001


@dataclass(frozen=True)
class ChainBreak:
    id: int
    reason: str


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


# Fields added after the first records were written. Each enters the hashed form only when
# set, so every record written before it existed keeps its hash.
OPTIONAL_FIELDS = ("decision", "reasons", "conditions", "segment")


def canonical(*, at: datetime, user_id: int, organisation_id: int, asset_id: str, action: str,
              rendition: str, declaration: Any, prev_hash: str, **optional: Any) -> bytes:
    """The exact bytes a record's hash covers: sorted-key, compact, UTF-8 JSON."""
    unknown = set(optional) - set(OPTIONAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown usage fields {sorted(unknown)}")
    doc = {"at": _iso(at), "user_id": user_id, "organisation_id": organisation_id,
           "asset_id": asset_id, "action": action, "rendition": rendition,
           "declaration": declaration, "prev_hash": prev_hash}
    doc.update({k: v for k, v in optional.items() if v is not None})
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def record_hash(rec: UsageRecord) -> str:
    return hashlib.sha256(canonical(
        at=rec.at, user_id=rec.user_id, organisation_id=rec.organisation_id, asset_id=rec.asset_id,
        action=rec.action, rendition=rec.rendition, declaration=rec.declaration,
        prev_hash=rec.prev_hash, **{k: getattr(rec, k) for k in OPTIONAL_FIELDS})).hexdigest()


def lock_chain(session: Session) -> None:
    """Serialise appends until the caller's commit (see the module docstring). Callers that
    must decide something atomically with the append (the access gate) take it first."""
    session.flush()  # earlier pending writes first, so the lock is the session's next statement
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's RESERVED lock even when it matches no row, so this
        # is BEGIN IMMEDIATE inside SQLAlchemy's deferred transaction: any other appender waits
        # (busy_timeout) until we commit, and the head we read next cannot move under us.
        session.execute(text("UPDATE usage_records SET id = id WHERE 0 = 1"))
    else:  # another server database: lock the head row
        session.execute(select(UsageRecord.id).order_by(UsageRecord.id.desc()).limit(1).with_for_update())


def _plain_json(value: Any) -> Any:
    # Round-trip through JSON now so the hashed form is exactly what the database returns.
    return json.loads(json.dumps(value, allow_nan=False)) if value is not None else None


def record_usage(session: Session, user, asset, action: str, rendition: str,
                 declaration: dict | None = None, *, decision: str | None = None,
                 reasons: list | None = None, conditions: dict | None = None,
                 segment: dict | None = None) -> UsageRecord:
    """Append one record to the chain; flushes, and the caller commits (the lock is held until then).

    `user` is the reader (an `archive.accounts.models.User`), `asset` the asset read,
    `action` one of ACTIONS, `rendition` what was read ("original" or a rendition name).
    Raises ValueError for an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown usage action {action!r}")
    lock_chain(session)
    head = session.scalar(select(UsageRecord.hash).order_by(UsageRecord.id.desc()).limit(1))
    # Microseconds are the finest precision both SQLite and PostgreSQL keep.
    rec = UsageRecord(at=utcnow(), user_id=user.id, organisation_id=user.organisation_id,
                      asset_id=asset.id, action=action, rendition=rendition,
                      declaration=_plain_json(declaration), decision=decision, reasons=_plain_json(reasons),
                      conditions=_plain_json(conditions), segment=_plain_json(segment),
                      prev_hash=head or GENESIS)
    rec.hash = record_hash(rec)
    session.add(rec)
    session.flush()
    return rec


def verify_chain(session: Session, batch: int = 1000) -> ChainBreak | None:
    """None when every record links to the one before it and matches its hash."""
    expected_prev = GENESIS
    q = select(UsageRecord).order_by(UsageRecord.id).execution_options(yield_per=batch)
    result = session.scalars(q)
    try:  # close the (server-side, on PostgreSQL) cursor when we stop early
        for rec in result:
            if rec.prev_hash != expected_prev:
                return ChainBreak(rec.id, "its prev_hash does not match the hash of the record before it "
                                          "(a record was deleted, inserted or reordered)")
            if record_hash(rec) != rec.hash:
                return ChainBreak(rec.id, "its contents do not match its hash (the record was altered)")
            expected_prev = rec.hash
    finally:
        result.close()
    return None


def recent(session: Session, asset_id: str | None = None, limit: int = 50) -> list[UsageRecord]:
    q = select(UsageRecord).order_by(UsageRecord.id.desc()).limit(limit)
    if asset_id is not None:
        q = q.where(UsageRecord.asset_id == asset_id)
    return list(session.scalars(q))
