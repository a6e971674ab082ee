"""Signed checkpoints of the usage log: what a hash chain alone cannot show.

A chain shows any record changed, deleted, inserted or reordered, but not the loss of its
newest records: a truncated tail looks intact. So, now and then (`ortak audit checkpoint`,
and the scheduler every `AUDIT_CHECKPOINT_SECONDS`), the log's head is written down OUTSIDE
the table, signed:

    {"checkpoint": {"log": "usage_records", "count": N, "head": "<hash of record N>",
                    "last_id": <its id>, "at": "<UTC ISO time>", "key_id": "<16 hex>"},
     "signature": "<base64 Ed25519 signature of the checkpoint's canonical bytes>"}

as a blob under `checkpoints/usage/` of the blob store, and as a line of the service's log
(logger `archive.audit`). Canonical bytes are `archive.chain.canonical_bytes` (sorted-key,
compact UTF-8 JSON). Whoever can rewrite the table cannot forge a checkpoint without the key.

`verify_log` walks the chain once, in constant memory (`HashChain.verify` streams), and checks
at the same time that record number N of the log is the head every checkpoint of count N
signed. What it names, first problem first:
- a checkpoint whose signature does not hold with the key (or that cannot be read);
- the first record that breaks the chain (altered, or a record before it deleted, inserted or
  reordered): `archive.chain`;
- the record at a checkpoint's position when its hash is not the signed head (the log was
  rewritten and re-hashed up to there);
- a missing tail: the log has fewer records than a checkpoint signed.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timezone
from io import BytesIO
from typing import Any, Callable, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.chain import GENESIS, ChainBreak, canonical_bytes, iso
from archive.db import utcnow
from archive.storage.interfaces import BlobNotFound, BlobStorage
from archive.usage import signing
from archive.usage.models import UsageRecord
from archive.usage.services import USAGE_CHAIN

log = logging.getLogger("archive.audit")

PREFIX = "checkpoints/usage"
LOG_NAME = "usage_records"
MAX_CHECKPOINT_BYTES = 64 * 1024  # a checkpoint is ~400 bytes; anything far larger is not one


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement "the usage log had `count` records, the last `last_id` with hash `head`"."""

    count: int
    head: str
    last_id: int | None
    at: str
    key_id: str
    signature: str
    key: str = ""  # where it is stored (blob key)

    def body(self) -> dict[str, Any]:
        return {"log": LOG_NAME, "count": self.count, "head": self.head, "last_id": self.last_id,
                "at": self.at, "key_id": self.key_id}

    def as_json(self) -> dict[str, Any]:
        return {"checkpoint": self.body(), "signature": self.signature}


@dataclass(frozen=True)
class Problem:
    """What `verify_log` found: `kind` (bad_checkpoint, chain_broken, head_mismatch,
    missing_tail), the record it names (`record_id`, None for a checkpoint's own fault) and a
    sentence for a person."""

    kind: str
    record_id: Any
    message: str


def head_now(session: Session) -> tuple[int, str, int | None]:
    """(count, head hash, id of the newest record) of the usage log, read in ONE statement so
    both come from the same snapshot even while others append; (0, GENESIS, None) when empty."""
    t = UsageRecord.__table__
    count = select(func.count()).select_from(t).scalar_subquery()
    row = session.execute(select(t.c.id, t.c.hash, count).order_by(t.c.id.desc()).limit(1)).first()
    if row is None:
        return 0, GENESIS, None
    return int(row[2]), row[1], int(row[0])


def write_checkpoint(session: Session, storage: BlobStorage, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log's head as it is now and store it under `checkpoints/usage/` (a new key each
    time; nothing is overwritten) and in the log. Reads only; the caller's session writes nothing.

    Raises StorageError when the blob store refuses the write.
    """
    count, head, last_id = head_now(session)
    at = utcnow()
    body = {"log": LOG_NAME, "count": count, "head": head, "last_id": last_id, "at": iso(at),
            "key_id": signing.key_id(key.public_key())}
    cp = Checkpoint(count=count, head=head, last_id=last_id, at=body["at"], key_id=body["key_id"],
                    signature=signing.sign(key, canonical_bytes(body)))
    name = f"{PREFIX}/{at.astimezone(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}-{count:012d}.json"
    data = json.dumps(cp.as_json(), sort_keys=True).encode("utf-8")
    storage.put_stream(name, BytesIO(data), length=len(data), content_type="application/json")
    log.info("usage log checkpoint", extra={"audit_checkpoint": cp.as_json(), "blob": name})
    return Checkpoint(**{**cp.__dict__, "key": name})


def parse_checkpoint(data: bytes, where: str = "") -> Checkpoint:
    """A checkpoint from its stored bytes; ValueError saying what is wrong with them."""
    if len(data) > MAX_CHECKPOINT_BYTES:
        raise ValueError(f"{len(data)} bytes, more than a checkpoint has")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    body = doc.get("checkpoint") if isinstance(doc, dict) else None
    if not isinstance(body, dict) or set(body) != {"log", "count", "head", "last_id", "at", "key_id"}:
        raise ValueError("not a checkpoint (its fields are missing or unknown)")
    count, head, last_id = body["count"], body["head"], body["last_id"]
    if body["log"] != LOG_NAME or type(count) is not int or count < 0 or not isinstance(head, str) \
            or len(head) != 64 or not (last_id is None or type(last_id) is int) \
            or not isinstance(body["at"], str) or not isinstance(body["key_id"], str):
        raise ValueError("not a checkpoint of the usage log (a field has the wrong type)")
    return Checkpoint(count=count, head=head, last_id=last_id, at=body["at"], key_id=body["key_id"],
                      signature=doc.get("signature") if isinstance(doc.get("signature"), str) else "", key=where)


def stored_checkpoints(storage: BlobStorage) -> Iterator[tuple[str, bytes]]:
    """(blob key, bytes) of every stored checkpoint, oldest first (keys sort by time)."""
    for info in storage.list_prefix(PREFIX):
        if info.size > MAX_CHECKPOINT_BYTES:
            yield info.key, b"\0" * (MAX_CHECKPOINT_BYTES + 1)
            continue
        try:
            yield info.key, b"".join(storage.open_range(info.key))
        except BlobNotFound:  # removed between the listing and the read: gone, as if never listed
            continue


def checked_checkpoints(storage: BlobStorage, public_key: Ed25519PublicKey) -> tuple[list[Checkpoint], list[Problem]]:
    """The checkpoints whose signature holds with `public_key`, and a Problem for each other one."""
    good: list[Checkpoint] = []
    problems: list[Problem] = []
    for where, data in stored_checkpoints(storage):
        try:
            cp = parse_checkpoint(data, where)
        except ValueError as exc:
            problems.append(Problem("bad_checkpoint", None, f"checkpoint {where} cannot be read: {exc}"))
            continue
        if not signing.signature_holds(public_key, canonical_bytes(cp.body()), cp.signature):
            problems.append(Problem("bad_checkpoint", None,
                                    f"checkpoint {where} (count {cp.count}, {cp.at}) has a signature that does not "
                                    f"hold with the key {signing.key_id(public_key)}: it was altered or forged"))
            continue
        good.append(cp)
    return good, problems


def count_records(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(UsageRecord)) or 0)


def verify_log(session: Session, storage: BlobStorage, public_key: Ed25519PublicKey, *,
               progress: Callable[[int], None] | None = None, batch: int = 2000) -> tuple[list[Problem], int, int]:
    """Check the chain and every checkpoint in one streaming pass.

    Returns (problems, records walked, checkpoints that hold); no problem means intact.
    Checkpoint problems come first, then at most one problem of the records (the first).
    `progress(n)` is called with the number of records walked since its last call.
    """
    checkpoints, problems = checked_checkpoints(storage, public_key)
    by_position: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        if cp.count > 0:
            by_position.setdefault(cp.count, []).append(cp)
    walked = 0
    mismatch: list[ChainBreak] = []
    report_every = max(1, batch)

    def visit(position: int, row) -> ChainBreak | None:
        nonlocal walked
        walked = position
        if progress is not None and position % report_every == 0:
            progress(report_every)
        for cp in by_position.get(position, ()):
            if row.hash != cp.head:
                mismatch.append(ChainBreak(row.id, f"it is record number {position} of the log, whose hash checkpoint "
                                          f"{cp.key} of {cp.at} signed as {cp.head[:16]}..., but its hash is "
                                          f"{row.hash[:16]}...: the log was rewritten up to here"))
                return mismatch[0]
        return None

    broken = USAGE_CHAIN.verify(session, batch=batch, visit=visit)
    if progress is not None and walked % report_every:
        progress(walked % report_every)
    if broken is not None:
        kind = "head_mismatch" if mismatch and broken is mismatch[0] else "chain_broken"
        problems.append(Problem(kind, broken.id, f"usage log broken at record {broken.id}: {broken.reason}"))
        return problems, walked, len(checkpoints)
    longest = max(checkpoints, key=lambda c: c.count, default=None)
    if longest is not None and longest.count > walked:
        missing = longest.count - walked
        problems.append(Problem(
            "missing_tail", longest.last_id,
            f"usage log missing its tail: checkpoint {longest.key} of {longest.at} signed {longest.count} records "
            f"ending with record {longest.last_id} (head {longest.head[:16]}...), but the log has {walked}: "
            f"the last {missing} record(s), up to record {longest.last_id}, were deleted"))
    return problems, walked, len(checkpoints)


def checkpoint_now(session: Session, storage: BlobStorage, config) -> Checkpoint:
    """`write_checkpoint` with the configured key (made on first use); ConfigError for a bad key file."""
    return write_checkpoint(session, storage, signing.load_or_create_key(signing.key_path(config)))


def public_key_of(config) -> Ed25519PublicKey:
    """The public half of the configured signing key (made on first use)."""
    return signing.load_or_create_key(signing.key_path(config)).public_key()
