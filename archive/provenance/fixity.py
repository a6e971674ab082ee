"""Fixity: re-hash every stored file against the SHA-256 recorded when it was stored.

The files are every asset's original (`assets.original_key`, recorded digest `assets.sha256`,
computed while the upload streamed in, `archive.ingest`), every file of every rendition's
current make (`rendition_files.blob_key` / `.sha256`, computed by `BlobStorage.put_tree` /
`put_file` as they were stored) and every C2PA-signed copy of a proxy or poster that
downloads serve (`signed_renditions`, checked as `<rendition>/signed/<signer>`). A clip whose cut has not finished has no bytes yet and is
left out.

Each check streams the blob from storage (`BlobStorage.open_range`, 1 MiB chunks: constant
memory on local storage and S3 alike), hashes it, and appends a `FixityCheck` row: a PREMIS
"fixity check" event with outcome "pass", "fail" (the digest differs) or "missing" (storage
has no such blob). A storage that does not answer at all is no finding about the file: the
run stops with StorageError and the next run starts again where this one stood.

The schedule (`run_due`): every file once per FIXITY_CYCLE_DAYS, spread evenly. The
scheduler starts a run every FIXITY_RUN_SECONDS; each run takes the files whose last check is
oldest (never checked first) up to its share of the stored bytes,
`total bytes × FIXITY_RUN_SECONDS / cycle` (at least one file), and reads at most
FIXITY_BYTES_PER_SECOND. So a 30-day cycle over 300 TB, run hourly, checks ~417 GB an hour;
at 50 MiB/s that takes ~2.2 h: the operator sees the cycle cannot hold (`report()["behind"]`)
and raises the rate or lengthens the cycle.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Mapping

from sqlalchemy import String, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.db import checkpoint, utcnow
from archive.errors import Conflict
from archive.filenames import safe_filename
from archive.provenance.credential_models import SignedRendition
from archive.provenance.models import OUTCOMES, FixityCheck
from archive.renditions.models import Rendition, RenditionFile
from archive.storage.interfaces import BlobNotFound, BlobStorage, InvalidKey

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
SCHEDULER_AGENT = "ortak-scheduler"
PREMIS_EVENT_TYPE = "fixity check"
MAX_LISTED = 500  # failures listed by the report (all are counted)


@dataclass(frozen=True)
class StoredFile:
    """One stored file to check: its asset, kind ("original" or "rendition"), the rendition's
    name and the path inside it (None for an original), blob key, recorded SHA-256 (hex) and
    size in bytes."""

    asset_id: str
    kind: str
    rendition: str | None
    path: str | None
    blob_key: str
    sha256: str
    size: int | None

    @property
    def label(self) -> str:
        """"original", or "<rendition>/<path>" ("hls/seg_0_001.m4s")."""
        return "original" if self.kind == "original" else f"{self.rendition}/{self.path}"


class Throttle:
    """Hold reads to `rate` bytes per second on average since it started (0: no limit).
    `clock` and `sleep` are injectable for tests."""

    def __init__(self, rate: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.rate, self.clock, self.sleep = max(0, int(rate)), clock, sleep
        self.start = clock()
        self.done = 0

    def take(self, n: int) -> None:
        self.done += n
        if self.rate:
            ahead = self.done / self.rate - (self.clock() - self.start)
            if ahead > 0:
                self.sleep(ahead)


def _original_files(asset_id: str | None = None):
    q = select(Asset.id.label("asset_id"), literal("original", String(16)).label("kind"),
               cast(null(), String(32)).label("rendition"), cast(null(), String(255)).label("path"),
               Asset.original_key.label("blob_key"), Asset.sha256.label("sha256"), Asset.size.label("size")
               ).where(Asset.original_key != "", func.length(Asset.sha256) == 64)
    return q.where(Asset.id == asset_id) if asset_id is not None else q


def _rendition_files(asset_id: str | None = None):
    q = (select(Rendition.asset_id.label("asset_id"), literal("rendition", String(16)).label("kind"),
                Rendition.name.label("rendition"), RenditionFile.path.label("path"),
                RenditionFile.blob_key.label("blob_key"), RenditionFile.sha256.label("sha256"),
                RenditionFile.size.label("size"))
         .join(Rendition, Rendition.id == RenditionFile.rendition_id))
    return q.where(Rendition.asset_id == asset_id) if asset_id is not None else q


# The path a signed copy of a rendition is checked under: "signed/" and the first characters
# of its signer's certificate fingerprint ("proxy/signed/3f9a0c1d2e4b5a69" in the reports).
SIGNED_PATH = "signed/"


def _signed_files(asset_id: str | None = None):
    """The C2PA-signed copies of renditions Ortak keeps and serves (`SignedRendition`: blob key,
    the signed file's SHA-256 and size as they were stored), as rendition files of their own."""
    q = select(SignedRendition.asset_id.label("asset_id"), literal("rendition", String(16)).label("kind"),
               SignedRendition.rendition.label("rendition"),
               cast(literal(SIGNED_PATH, String(255)) + func.substr(SignedRendition.signer, 1, 16),
                    String(255)).label("path"),
               SignedRendition.blob_key.label("blob_key"), SignedRendition.sha256.label("sha256"),
               SignedRendition.size.label("size"))
    return q.where(SignedRendition.asset_id == asset_id) if asset_id is not None else q


def files_subquery(asset_id: str | None = None):
    """Every stored file (of one asset, or all) as a subquery with the columns of StoredFile:
    originals, rendition files, and the signed copies of renditions that downloads serve."""
    return union_all(_original_files(asset_id), _rendition_files(asset_id),
                     _signed_files(asset_id)).subquery("stored_files")


def _last_checks(asset_id: str | None = None, blob_keys: list[str] | None = None):
    """(blob_key, the id of its latest check) for every blob checked at least once (of one
    asset's files: `ix_fixity_checks_asset_at`, not a scan of every check ever made; or of the
    blobs `blob_keys`)."""
    q = select(FixityCheck.blob_key, func.max(FixityCheck.id).label("last_id"))
    if asset_id is not None:
        q = q.where(FixityCheck.asset_id == asset_id)
    if blob_keys is not None:
        q = q.where(FixityCheck.blob_key.in_(blob_keys))
    return q.group_by(FixityCheck.blob_key).subquery("last_checks")


def stored_files(session: Session, asset_id: str | None = None, batch: int = 1000) -> Iterator[StoredFile]:
    """Every stored file of `asset_id` (or of the archive), in blob-key order, read in pages of
    `batch` (keyset on the blob key, unique across originals and rendition files): constant
    memory, and no cursor held open across the commits a long check makes."""
    f = files_subquery(asset_id)
    last = None
    while True:
        q = select(f).order_by(f.c.blob_key).limit(batch)
        if last is not None:
            q = q.where(f.c.blob_key > last)
        rows = session.execute(q).all()
        for row in rows:
            yield StoredFile(**row._mapping)
        if len(rows) < batch:
            return
        last = rows[-1].blob_key


def totals(session: Session, asset_id: str | None = None) -> tuple[int, int]:
    """(number of stored files, their bytes)."""
    f = files_subquery(asset_id)
    n, size = session.execute(select(func.count(), func.coalesce(func.sum(f.c.size), 0))).one()
    return int(n or 0), int(size or 0)


# The attribute a failure's log record carries (its outcome): `ortak fixity check`, which names
# each failure on stderr itself, keeps these records off the terminal (archive.cli_provenance).
FAILURE_RECORD = "fixity_outcome"


def hash_blob(store: BlobStorage, key: str, throttle: Throttle | None = None,
              on_bytes: Callable[[int], None] | None = None) -> tuple[str, int]:
    """(SHA-256 hex, bytes read) of the blob `key`, streamed in CHUNK reads.

    Raises BlobNotFound (or InvalidKey) when storage has no such blob, StorageError when
    storage fails."""
    digest = hashlib.sha256()
    n = 0
    chunks = store.open_range(key, chunk_size=CHUNK)
    try:
        for chunk in chunks:
            digest.update(chunk)
            n += len(chunk)
            if throttle is not None:
                throttle.take(len(chunk))
            if on_bytes is not None:
                on_bytes(len(chunk))
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return digest.hexdigest(), n


def check_file(session: Session, store: BlobStorage, f: StoredFile, agent: str, *,
               throttle: Throttle | None = None, on_bytes: Callable[[int], None] | None = None) -> FixityCheck:
    """Hash one stored file and append its FixityCheck (flushed; the caller commits).

    Raises StorageError when storage does not answer (no row is written: no finding)."""
    actual, n, detail = None, 0, None
    try:
        actual, n = hash_blob(store, f.blob_key, throttle, on_bytes)
        outcome = "pass" if actual == f.sha256 else "fail"
        if outcome == "fail":
            detail = f"SHA-256 {actual} read from {n} bytes, {f.sha256} recorded at store time"
            if f.size is not None and n != f.size:
                detail += f" ({f.size} bytes recorded)"
    except (BlobNotFound, InvalidKey) as exc:
        outcome, detail = "missing", missing_detail(exc, f.blob_key)
    row = FixityCheck(at=utcnow(), asset_id=f.asset_id, kind=f.kind, rendition=f.rendition, path=f.path,
                      blob_key=f.blob_key, expected_sha256=f.sha256, actual_sha256=actual, expected_size=f.size,
                      bytes_read=n, outcome=outcome, agent=agent[:200], detail=detail)
    session.add(row)
    session.flush()
    if outcome != "pass":
        log.error("fixity %s: %s of asset %s (%s): %s", outcome, f.label, f.asset_id, f.blob_key, detail,
                  extra={FAILURE_RECORD: outcome})
    return row


def missing_detail(exc: Exception, blob_key: str) -> str:
    """The detail of a "missing" check: what storage said, without the blob key (the check's
    `blob_key` names it; BlobNotFound's message is the key alone). At most 1000 characters."""
    said = str(exc).replace(blob_key, "").strip(" :")
    return (f"storage has no such blob: {said}" if said else "storage has no such blob")[:1000]


@dataclass
class RunResult:
    """What a run did: files checked, bytes read, and the checks that did not pass."""

    checked: int = 0
    bytes: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    failures: list[FixityCheck] = field(default_factory=list)

    def add(self, row: FixityCheck) -> None:
        self.checked += 1
        self.bytes += row.bytes_read
        self.counts[row.outcome] += 1
        if row.outcome != "pass":
            self.failures.append(row)


def check_all(session: Session, store: BlobStorage, agent: str, *, asset_id: str | None = None,
              rate: int = 0, on_bytes: Callable[[int], None] | None = None) -> RunResult:
    """Check every stored file (of `asset_id`, or all) now: `ortak fixity check`. Commits each
    check as it is made (`archive.db.checkpoint`: a long run loses nothing when stopped)."""
    result = RunResult()
    throttle = Throttle(rate)
    for f in stored_files(session, asset_id):
        result.add(check_file(session, store, f, agent, throttle=throttle, on_bytes=on_bytes))
        checkpoint(session)
    return result


def due_files(session: Session, now: datetime, cycle: timedelta, batch: int = 500) -> Iterator[StoredFile]:
    """Stored files whose latest check is older than `cycle` (or that were never checked),
    the longest unchecked first, read in pages of `batch` (the caller takes what it needs
    before it writes a check, so the pages see one state)."""
    f = files_subquery()
    last = _last_checks()
    checked_at = FixityCheck.at
    q = (select(f)
         .outerjoin(last, last.c.blob_key == f.c.blob_key)
         .outerjoin(FixityCheck, FixityCheck.id == last.c.last_id)
         .where(or_(checked_at.is_(None), checked_at < now - cycle))
         .order_by(case((checked_at.is_(None), 0), else_=1), checked_at, f.c.blob_key))
    offset = 0
    while True:
        rows = session.execute(q.offset(offset).limit(batch)).all()
        for row in rows:
            yield StoredFile(**row._mapping)
        if len(rows) < batch:
            return
        offset += batch


def run_budget(total_bytes: int, run_seconds: int, cycle_seconds: int) -> int:
    """The bytes one scheduled run checks so that every byte is checked once per cycle:
    `ceil(total × run / cycle)` (all of it when a run is as long as the cycle)."""
    if cycle_seconds <= run_seconds:
        return total_bytes
    return math.ceil(total_bytes * run_seconds / cycle_seconds)


def run_due(session: Session, store: BlobStorage, config: Mapping[str, Any], *, now: datetime | None = None,
            clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> RunResult:
    """One scheduled run (the FIXITY_CHECKS task): the due files, longest unchecked first, until
    this run's share of the bytes (`run_budget`) is read (at least one file), and no longer than
    FIXITY_RUN_SECONDS (so runs never overlap), throttled to FIXITY_BYTES_PER_SECOND. Commits
    each check as it is made (`archive.db.checkpoint`)."""
    now = now or utcnow()
    cycle = timedelta(days=int(config["FIXITY_CYCLE_DAYS"]))
    run_seconds = int(config["FIXITY_RUN_SECONDS"])
    _files, total = totals(session)
    budget = run_budget(total, run_seconds, int(cycle.total_seconds()))
    throttle = Throttle(int(config["FIXITY_BYTES_PER_SECOND"]), clock, sleep)
    started = clock()
    result = RunResult()
    for f in list(_take(due_files(session, now, cycle), budget)):
        if result.checked and clock() - started >= run_seconds:
            break
        result.add(check_file(session, store, f, SCHEDULER_AGENT, throttle=throttle))
        checkpoint(session)
    log.info("fixity run: %d files, %d bytes, %s", result.checked, result.bytes, result.counts)
    return result


def _take(files: Iterator[StoredFile], budget: int) -> Iterator[StoredFile]:
    taken = 0
    for f in files:
        if taken and taken + (f.size or 0) > budget:
            return
        taken += f.size or 0
        yield f


# ---- the report -----------------------------------------------------------------------------------

def latest_checks(session: Session, *, asset_id: str | None = None, outcome: str | None = None,
                  failed_only: bool = False, limit: int | None = None) -> list[FixityCheck]:
    """The latest check of each stored file that is still current (of one asset, or all),
    failures first ("missing", then "fail", then "pass"), then the most recent."""
    f = files_subquery(asset_id)
    last = _last_checks(asset_id)
    q = (select(FixityCheck)
         .join(last, last.c.last_id == FixityCheck.id)
         .where(FixityCheck.blob_key.in_(select(f.c.blob_key)))
         .order_by(case((FixityCheck.outcome == "missing", 0), (FixityCheck.outcome == "fail", 1), else_=2),
                   FixityCheck.at.desc(), FixityCheck.id.desc()))
    if asset_id is not None:
        q = q.where(FixityCheck.asset_id == asset_id)
    if outcome is not None:
        q = q.where(FixityCheck.outcome == outcome)
    if failed_only:
        q = q.where(FixityCheck.outcome != "pass")
    if limit is not None:
        q = q.limit(limit)
    return list(session.scalars(q))


def check_json(row: FixityCheck) -> dict[str, Any]:
    """One check as the API shows it (PREMIS terms in comments): {"id", "at" (eventDateTime),
    "event_type" ("fixity check"), "asset_id", "object": {"kind", "rendition", "path",
    "blob_key", "label"}, "expected_sha256", "actual_sha256", "expected_size", "bytes_read",
    "outcome" (eventOutcome), "agent" (linkingAgent), "detail"}."""
    label = "original" if row.kind == "original" else f"{row.rendition}/{row.path}"
    return {"id": row.id, "at": row.at.isoformat(), "event_type": PREMIS_EVENT_TYPE, "asset_id": row.asset_id,
            "object": {"kind": row.kind, "rendition": row.rendition, "path": row.path, "blob_key": row.blob_key,
                       "label": label},
            "expected_sha256": row.expected_sha256, "actual_sha256": row.actual_sha256,
            "expected_size": row.expected_size, "bytes_read": row.bytes_read, "outcome": row.outcome,
            "agent": row.agent, "detail": row.detail}


def report(session: Session, config: Mapping[str, Any], *, asset_id: str | None = None,
           now: datetime | None = None, limit: int = MAX_LISTED) -> dict[str, Any]:
    """The fixity report: {"files", "bytes" (stored), "counts": {"pass", "fail", "missing",
    "unchecked"}, "overdue" (files not checked within the cycle), "cycle_days", "bytes_per_second",
    "run_seconds", "behind" (true when a run's share cannot be read at the configured rate within
    a run), "items": [check_json of the latest check per file, failures first, at most `limit`],
    "listed"}."""
    now = now or utcnow()
    files, total = totals(session, asset_id)
    f = files_subquery(asset_id)
    last = _last_checks(asset_id)
    rows = session.execute(
        select(FixityCheck.outcome, func.count())
        .select_from(f)
        .join(last, last.c.blob_key == f.c.blob_key)
        .join(FixityCheck, FixityCheck.id == last.c.last_id)
        .group_by(FixityCheck.outcome)).all()
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome, n in rows:
        counts[outcome] = int(n)
    counts["unchecked"] = max(0, files - sum(counts.values()))
    cycle = timedelta(days=int(config["FIXITY_CYCLE_DAYS"]))
    overdue = session.scalar(
        select(func.count()).select_from(f)
        .outerjoin(last, last.c.blob_key == f.c.blob_key)
        .outerjoin(FixityCheck, FixityCheck.id == last.c.last_id)
        .where(or_(FixityCheck.id.is_(None), and_(FixityCheck.at < now - cycle)))) or 0
    rate = int(config["FIXITY_BYTES_PER_SECOND"])
    run_seconds = int(config["FIXITY_RUN_SECONDS"])
    share = run_budget(total, run_seconds, int(cycle.total_seconds()))
    items = [check_json(r) for r in latest_checks(session, asset_id=asset_id, limit=limit)]
    return {"files": files, "bytes": total, "counts": counts, "overdue": int(overdue),
            "cycle_days": cycle.days, "run_seconds": run_seconds, "bytes_per_second": rate,
            "behind": bool(rate) and share / rate > run_seconds, "items": items, "listed": len(items)}


def failed_check(session: Session, blob_key: str) -> FixityCheck | None:
    """The latest fixity check of the blob `blob_key` when it found the bytes changed (outcome
    "fail"), else None (it passed, was missing, or was never checked). What a download of the
    blob (`archive.assets.download.deliver`: served flagged `Ortak-Fixity: failed`, with no ETag)
    and a BagIt export of it (`archive.provenance.bag`: 409 `fixity_failed`) ask before they
    answer. "Latest" is the check recorded last (the highest id), as everywhere else
    (`_last_checks`): `failed_checks_of` of the one blob."""
    return failed_checks_of(session, [blob_key]).get(blob_key)


BAG_INVALID = "a bag of it would not validate"
DERIVATIVE_DAMAGED = "anything cut or copied from it would carry the damage"


def fixity_failed(asset: Asset, checked: str | None, expected: str, actual: str | None, *,
                  size: int | None = None, consequence: str = BAG_INVALID) -> Conflict:
    """409 `fixity_failed`: the stored original is not the file recorded at store time (its
    latest fixity check, `checked`, found another SHA-256; or storage holds `size` bytes, not the
    recorded `asset.size`), so what was asked of it (`consequence`: a bag would fail
    validation, a clip or a zip item would copy damaged bytes) is refused. details: {"file"
    (the original's name), "object": "original", "asset_id", "checked" (ISO 8601 or null),
    "expected_sha256", "actual_sha256", "expected_size", "size"}."""
    name = safe_filename(asset.filename) or "original"
    found = f"storage holds {size} bytes, {asset.size} were recorded" if size is not None else \
        f"its fixity check of {checked} found SHA-256 {actual}, {expected} was recorded"
    return Conflict(f"The original {name!r} is not the file that was stored ({found}): {consequence}. "
                    f"Restore it from a copy, then run `ortak fixity check --asset {asset.id}`.",
                    code="fixity_failed",
                    details={"file": name, "object": "original", "asset_id": asset.id, "checked": checked,
                             "expected_sha256": expected, "actual_sha256": actual, "expected_size": asset.size,
                             "size": size if size is not None else asset.size})


def require_sound(session: Session, asset: Asset, consequence: str = DERIVATIVE_DAMAGED) -> None:
    """Nothing when the latest fixity check of `asset`'s original did not find it changed
    (`failed_check`); else raises the 409 `fixity_failed` of `fixity_failed`. What a clip
    export (`archive.clips`) and a basket zip (`archive.baskets`) ask before they cut or copy
    the original, as a BagIt export does: a derivative of damaged bytes would otherwise get a
    fresh SHA-256 and a clean lineage as if it were sound."""
    if not asset.original_key:
        return
    damaged = failed_check(session, asset.original_key)
    if damaged is not None:
        raise fixity_failed(asset, damaged.at.isoformat(), damaged.expected_sha256, damaged.actual_sha256,
                            consequence=consequence)


def failed_checks_of(session: Session, blob_keys, batch: int = 500) -> dict[str, FixityCheck]:
    """{blob key: its latest fixity check} for those of `blob_keys` whose latest check found
    the bytes changed (`failed_check` of many blobs, one query per `batch` keys)."""
    keys = sorted({k for k in blob_keys if k})
    found: dict[str, FixityCheck] = {}
    for start in range(0, len(keys), batch):
        latest = _last_checks(blob_keys=keys[start:start + batch])
        for row in session.scalars(select(FixityCheck).join(latest, FixityCheck.id == latest.c.last_id)
                                   .where(FixityCheck.outcome == "fail")):
            found[row.blob_key] = row
    return found


def failures_to_tell(session: Session) -> list[tuple[FixityCheck, Asset]]:
    """The latest check of each current file where it did not pass, with its asset (for the
    notification check `fixity`, `archive.notifications.checks`)."""
    return [(row, session.get(Asset, row.asset_id)) for row in latest_checks(session, failed_only=True)]
