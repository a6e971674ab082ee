"""Hash chains: append-only tables whose every row hashes the one before it (SHA-256).

Used by the usage log (one chain for the whole archive) and the co-production ledger (one
chain per project). A row's hash covers its canonical form (`canonical_bytes`: sorted-key,
compact, UTF-8 JSON of its fields, never a database-assigned id) and the previous row's
hash, so changing, deleting, inserting or reordering any row breaks every link after it;
`HashChain.verify` streams the rows in order and names the first broken one.

Two writers must never chain onto the same predecessor (a fork). `HashChain.lock` serialises
appends to one chain until the caller's commit: on PostgreSQL a transaction-scoped advisory
lock (one key per chain), on SQLite the database's single write lock taken before the head
is read, elsewhere a row lock on the head. Unique constraints on the links are the last line
of defence should a backend ever skip the lock.

What a chain alone cannot show is the loss of its newest rows (a truncated tail looks
intact): print or publish the head hash (`HashChain.head`) where the chain is relied on.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from sqlalchemy import select, text
from sqlalchemy.orm import Session

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainBreak:
    """The first row that does not hold: its `id` and why (deleted/inserted/reordered, or altered)."""

    id: Any
    reason: str


BROKEN_LINK = ("its prev_hash does not match the hash of the record before it "
               "(a record was deleted, inserted or reordered)")
ALTERED = "its contents do not match its hash (the record was altered)"


def iso(at: datetime) -> str:
    """A timestamp as hashed: UTC, microseconds (the finest both SQLite and PostgreSQL keep)."""
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def canonical_bytes(doc: Mapping[str, Any]) -> bytes:
    """The exact bytes a row's hash covers: sorted-key, compact, UTF-8 JSON; NaN refused."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def link_hash(doc: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical_bytes(doc)`; `doc` must carry the previous row's hash."""
    return hashlib.sha256(canonical_bytes(doc)).hexdigest()


def plain_json(value: Any) -> Any:
    """`value` as the database will give it back (a JSON round trip), so it hashes the same later."""
    return json.loads(json.dumps(value, allow_nan=False)) if value is not None else None


def _scope_key(scope: Any) -> int:
    # pg_advisory_xact_lock(int, int) takes two signed 32-bit keys; CRC-32 of the scope names
    # the chain (two scopes sharing a key only wait for each other, they never fork).
    return zlib.crc32(str(scope).encode("utf-8")) - 2**31


class HashChain:
    """A family of chains over the rows of one model.

    `model` has `prev_hash` and `hash` columns; `order` is the column rows are appended in
    (an autoincrement id or a sequence number); `hash_of(row)` recomputes a row's hash from
    its fields (its `prev_hash` included); `scope` names the column that splits the table into
    independent chains (None: one chain for the table); `lock_class` is an integer constant
    that names the chain family's PostgreSQL advisory locks.
    """

    def __init__(self, model, *, order, hash_of: Callable[[Any], str], lock_class: int,
                 scope=None, label: Callable[[Any], Any] | None = None):
        self.model = model
        self.order = order
        self.hash_of = hash_of
        self.lock_class = lock_class
        self.scope = scope
        self.label = label or (lambda row: row.id)

    def _where(self, query, scope: Any):
        if self.scope is None:
            return query
        if scope is None:
            raise TypeError("this chain family is split by scope: name the chain")
        return query.where(self.scope == scope)

    def lock(self, session: Session, scope: Any = None) -> None:
        """Serialise appends to the chain `scope` until the caller's commit (re-entrant)."""
        session.flush()  # earlier pending writes first, so the lock is the session's next statement
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            if self.scope is None:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.lock_class})
            else:
                session.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"),
                                {"c": self.lock_class, "k": _scope_key(scope)})
        elif dialect == "sqlite":
            # A write statement takes SQLite's RESERVED lock even when it matches no row: this is
            # BEGIN IMMEDIATE inside SQLAlchemy's deferred transaction, so any other appender waits
            # (busy_timeout) until we commit and the head read next cannot move under us.
            table = self.model.__table__.name
            column = self.order.key
            session.execute(text(f"UPDATE {table} SET {column} = {column} WHERE 0 = 1"))
        else:  # another server database: lock the head row
            session.execute(self._where(select(self.order), scope).order_by(self.order.desc())
                            .limit(1).with_for_update())

    def head(self, session: Session, scope: Any = None) -> str:
        """The hash of the chain's newest row, GENESIS when it has none."""
        q = self._where(select(self.model.hash), scope).order_by(self.order.desc()).limit(1)
        return session.scalar(q) or GENESIS

    def seal(self, row, prev_hash: str) -> None:
        """Link `row` after `prev_hash` and set its own hash (the caller holds the lock)."""
        row.prev_hash = prev_hash
        row.hash = self.hash_of(row)

    def verify(self, session: Session, scope: Any = None, batch: int = 1000,
               visit: Callable[[int, Any], ChainBreak | None] | None = None) -> ChainBreak | None:
        """None when every row links to the one before it and matches its hash; else the first
        bad row. Streams in `batch`-row chunks (a server-side cursor on PostgreSQL) of plain rows:
        `hash_of` and `label` read columns by attribute, which a row of the table has as well as an
        entity, and a row costs a fraction of an entity to build.

        `visit(position, row)`, when given, is called for every row that holds (position 1 for
        the oldest); a ChainBreak it returns stops the walk and is the answer (the usage log's
        signed checkpoints are checked this way, in the same single pass)."""
        table = self.model.__table__
        q = select(table).order_by(table.c[self.order.key])
        if self.scope is not None:
            if scope is None:
                raise TypeError("this chain family is split by scope: name the chain")
            q = q.where(table.c[self.scope.key] == scope)
        expected_prev = GENESIS
        position = 0
        result = session.execute(q.execution_options(yield_per=batch))
        try:  # close the cursor when we stop early
            for row in result:
                if row.prev_hash != expected_prev:
                    return ChainBreak(self.label(row), BROKEN_LINK)
                if self.hash_of(row) != row.hash:
                    return ChainBreak(self.label(row), ALTERED)
                expected_prev = row.hash
                if visit is not None:
                    position += 1
                    found = visit(position, row)
                    if found is not None:
                        return found
        finally:
            result.close()
        return None
