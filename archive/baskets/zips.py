"""Building a basket's zip: every item's bytes streamed into one ZIP64 archive on storage.

Constant memory and no scratch beyond one item: `stream_zip` (PyPI `stream-zip`) writes the
archive as the items' bytes arrive, and `BlobStorage.put_stream` streams it on to storage; a
whole asset is read from storage in 1 MiB chunks, a segment is cut by the clip export's cutter
(`archive.media.clips.cut`, QuickTime with the master's timecode) into this process's scratch
folder, streamed, and deleted: `fast` (a stream copy from the keyframe at or before `in`, never
past `out`) when the rights clear that wider span, else `accurate` (frame-exact, lossless), so
what the zip holds is always what the rights were asked about (the manifest's `cut` says which). Each item is
read twice: once for its size and CRC-32, which a stored ZIP entry's local header needs before
its bytes (stream-zip would otherwise hold the whole entry in memory), then into the zip. Entries are
stored, not deflated (media does not compress) and always ZIP64, so a basket of any size and
any number of items opens.

The archive ends with `manifest.json` and `manifest.csv`: per item its file name in the zip,
title, source (asset id, original file name and SHA-256), in/out asked for and the actual
in/out of the cut (a stream copy starts on a keyframe), size and SHA-256
of the bytes in the zip, the rights decision, its conditions and the credit lines that apply.

Each item in a format that carries C2PA (JPEG, MP4, MOV) is signed in scratch before it is
zipped (`archive.provenance.credentials.sign_export`: Ortak, the organisation, the master as
the `parentOf` ingredient, the segment's in/out); an item that cannot be signed (MXF, no
signing key) goes in unsigned and the reason is noted on its asset. The manifest's
`credentials` column says which. `manifest.json`'s `requested_by` names who asked for the zip
by display name and organisation only (`requester_json`), never by e-mail address.

Each item is read through the access gate (a master-quality read, recorded in the usage log
with the zip's declaration and the span the item DELIVERS: for a fast cut, from the keyframe)
just before its bytes are written; a refusal then (the rights changed after the request) fails
the whole zip, as does an original whose latest fixity check found it changed
(`archive.provenance.fixity`: no zip copies damaged bytes). Progress (items done / items) is committed
as it moves (`archive.db.checkpoint`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import time
import zlib
from dataclasses import replace
from typing import Any, Callable, Iterable, Iterator

from flask import current_app
from sqlalchemy.orm import Session
from stream_zip import NO_COMPRESSION_64, stream_zip

from archive.access.gate import check_read, would_allow
from archive.access.policies import Reader
from archive.accounts.models import User
from archive.backends import storage
from archive.baskets.models import Basket, BasketItem
from archive.baskets.services import _count, item_read_request, items_in_order, segment_of, timeline_for_item
from archive.clips.services import keyframe_span
from archive.db import checkpoint, new_id, utcnow
from archive.errors import join_messages
from archive.events import services as events
from archive.filenames import safe_filename
from archive.media.clips import ClipError
from archive.media.clips import cut as cut_clip
from archive.provenance import fixity
from archive.media.runner import MediaError
from archive.provenance import credentials
from archive.scratch import process_dir
from archive.storage.interfaces import StorageError

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
PROGRESS_EVERY = 1.0  # seconds between progress commits inside one item
CUT_TIMEOUT = 6 * 3600.0  # a stream copy reads at disk speed; this only stops a hung ffmpeg
MANIFEST_FIELDS = ("n", "file", "item", "asset_id", "title", "source_filename", "source_sha256", "in", "out",
                   "in_seconds", "out_seconds", "actual_in", "actual_out", "actual_in_seconds", "actual_out_seconds",
                   "size", "sha256", "decision", "credit", "conditions", "credentials", "cut")
_UNSAFE = re.compile(r"[^\w.()\- ]+")


class ZipRefused(Exception):
    """An item the rights refused when the worker came to read it."""


class IterStream(io.RawIOBase):
    """A read-only file over an iterator of byte strings, for `put_stream`."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buffer = memoryview(b"")  # a view, so handing out part of a chunk copies it once

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def entry_name(n: int, item: BasketItem, actual: dict | None = None) -> str:
    """`00001 Title.mp4`, or `00002 Title_10-00-12-05_10-00-20-00.mov` for a segment (a cut is
    QuickTime, whatever the master's container): numbered so items of the same asset never
    collide; only letters, digits and `._-() `. A segment is named by the span the file holds:
    `actual` (`actual_in`, `actual_out`: a fast cut starts at the keyframe at or before the
    requested in), else the requested one; each timecode with `-` for `:` and, for a drop-frame
    one, `.` for the `;` before its frames (`01:00:01;00` → `01-00-01.00`, as drop-frame
    displays write it where `;` cannot be); joined to the title and to each other by `_`."""
    stem, ext = posixpath.splitext(safe_filename(item.asset.filename))
    title = _UNSAFE.sub("_", item.asset.title() or stem).strip(" ._")[:80] or "item"
    ext = _UNSAFE.sub("", ext)[:12]
    seg = segment_of(item)
    if not seg:
        return f"{n:05d} {title}{ext}"
    span = (actual["actual_in"], actual["actual_out"]) if actual and actual.get("actual_in") else (seg["in"], seg["out"])
    cut = "_".join(_UNSAFE.sub("", tc.replace(":", "-").replace(";", ".")) for tc in span)
    return f"{n:05d} {title}_{cut}.mov"


def credit_lines(conditions: dict) -> str:
    credit = (conditions or {}).get("credit") or {}
    if isinstance(credit, dict):
        return " | ".join(f"{lang}: {text}" for lang, text in sorted(credit.items()) if text)
    return str(credit)


def manifest_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "conditions": json.dumps(row["conditions"], ensure_ascii=False, sort_keys=True)})
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


class _Builder:
    def __init__(self, session: Session, basket: Basket, reader: Reader):
        self.session, self.basket, self.reader = session, basket, reader
        self.total = max(1, _count(session, basket))
        self.rows: list[dict[str, Any]] = []
        self.scratch = process_dir(current_app.config["DATA_DIR"])
        self.modified = (basket.zip_requested_at or utcnow()).replace(tzinfo=None)
        self.signed: dict[int, str] = {}  # item id → "signed" (else unsigned)
        self._last = 0.0

    def progress(self, done: float, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= PROGRESS_EVERY:
            self.basket.zip_progress = min(0.99, done / self.total)
            self.basket.zip_updated_at = utcnow()
            checkpoint(self.session)
            self._last = now

    def members(self) -> Iterator[tuple]:
        for n, item in enumerate(items_in_order(self.session, self.basket.id), 1):
            if fixity.failed_check(self.session, item.asset.original_key) is not None:
                raise ZipRefused(f"item {item.id} ({item.asset_id}): the latest fixity check of its original "
                                 "found the bytes changed; no zip copies it")
            request, mode = self._read_request(item)
            decision = check_read(self.session, self.reader, request, sends_bytes=True)
            checkpoint(self.session)  # the use is recorded, and the usage log's lock released
            if not decision.allowed:
                raise ZipRefused(f"item {item.id} ({item.asset_id}): "
                                 + join_messages(r.get("message", "") for r in decision.reasons))
            seg = segment_of(item)
            source, cleanup, actual, name = self._source(item, seg, n, mode)
            try:
                size, crc = _size_and_crc(source())
            except BaseException:
                cleanup()
                raise
            # Stored with its size and CRC-32 known up front: stream-zip streams it (its plain
            # NO_COMPRESSION_64 would buffer the whole file in memory to learn them).
            yield (name, self.modified, 0o644, NO_COMPRESSION_64(size, crc),
                   self._item_bytes(n, item, name, decision, seg, actual, source, cleanup, size, mode))
        for name, data in (("manifest.json", self._manifest_json()), ("manifest.csv", manifest_csv(self.rows))):
            yield name, self.modified, 0o644, NO_COMPRESSION_64(len(data), zlib.crc32(data)), iter([data])

    def _read_request(self, item: BasketItem):
        """(the gate's request for the item, the cut: "fast", "accurate" or None for a whole
        asset). A segment is cut fast when the rights clear the span a fast cut may deliver (from
        the keyframe at or before `in`, `archive.clips.services.keyframe_span`) and that span is then
        what is decided and recorded; otherwise accurately, and the requested span is."""
        request = item_read_request(item, self.basket.zip_declaration)
        if item.in_frame is None:
            return request, None
        timeline = timeline_for_item(item)
        if timeline is None:
            raise MediaError(f"item {item.id}: the asset has no timeline to cut")
        span = keyframe_span(item.asset.original_key, item.in_frame, item.out_frame, timeline.rate,
                             timeout=CUT_TIMEOUT, url_seconds=3600)
        if span is None:  # a store without URLs: read a copy (rare; the cut downloads it anyway)
            return request, "accurate"
        first, end = span
        if first == item.in_frame:
            return request, "fast"
        wide = replace(request, segment={"in": round(timeline.seconds(first), 6), "out": round(timeline.seconds(end), 6)})
        if would_allow(self.session, self.reader, wide):
            return wide, "fast"
        return request, "accurate"

    def _item_bytes(self, n: int, item: BasketItem, name: str, decision, seg: dict | None, actual: dict | None,
                    source: Callable[[], Iterator[bytes]], cleanup: Callable[[], None],
                    expected: int, mode: str | None = None) -> Iterator[bytes]:
        digest, size = hashlib.sha256(), 0
        asset = item.asset
        try:
            for chunk in source():
                digest.update(chunk)
                size += len(chunk)
                yield chunk
                if expected:
                    self.progress(n - 1 + size / expected)
        finally:
            cleanup()
        if size != expected:
            raise StorageError(f"item {item.id} changed while it was zipped ({expected} then {size} bytes)")
        self.rows.append({
            "n": n, "file": name, "item": item.id, "asset_id": asset.id, "title": asset.title(),
            "source_filename": asset.filename, "source_sha256": asset.sha256,
            "in": seg["in"] if seg else None, "out": seg["out"] if seg else None,
            "in_seconds": seg["in_seconds"] if seg else None, "out_seconds": seg["out_seconds"] if seg else None,
            **(actual or dict.fromkeys(("actual_in", "actual_out", "actual_in_seconds", "actual_out_seconds"))),
            "size": size, "sha256": digest.hexdigest(), "decision": decision.outcome,
            "credit": credit_lines(decision.conditions), "conditions": decision.conditions,
            "usage_record": decision.usage_record_id, "credentials": self.signed.pop(item.id, "unsigned"),
            "cut": mode})
        self.progress(n, force=True)

    def _source(self, item: BasketItem, seg: dict | None, n: int, mode: str | None = "fast") \
            -> tuple[Callable[[], Iterator[bytes]], Callable[[], None], dict | None, str]:
        """(a function giving the item's bytes afresh each call, a clean-up, the actual in/out
        of a cut or None, the item's name in the zip: `entry_name`, by the span cut): a segment is cut into scratch (the clip cutter in `mode`); the item
        is then signed into scratch when its format carries C2PA (see the module docstring); a
        whole asset that is not signed is read from storage."""
        store = storage()
        ext = os.path.splitext(safe_filename(item.asset.filename))[1][:12] or ".mp4"
        token = new_id()
        src = store.local_path(item.asset.original_key)
        fetched = None
        cut = os.path.join(self.scratch, f"basket-cut-{token}.mov")
        signed = os.path.join(self.scratch, f"basket-signed-{token}{'.mov' if seg is not None else ext}")
        # What the item's bytes are: a cut is QuickTime; a whole original is of the type its
        # probe found (a name can lie: an MP4 named .wav is signed as MP4).
        kind = "video/quicktime" if seg is not None else item.asset.content_type
        writable = credentials.writable_content(kind, ext)
        timeline = None
        if seg is not None:
            timeline = timeline_for_item(item)
            if timeline is None:
                raise MediaError(f"item {item.id}: the asset has no timeline to cut")

        def cleanup() -> None:
            for path in (fetched, cut, signed):
                if path and os.path.exists(path):
                    os.unlink(path)

        actual = None
        name = entry_name(n, item)
        try:
            if src is None and (seg is not None or writable):
                fetched = src = os.path.join(self.scratch, f"basket-src-{token}{ext}")
                store.download_to(item.asset.original_key, src)
            if seg is not None:
                got = cut_clip(src, cut, mode=mode or "fast", in_frame=item.in_frame, out_frame=item.out_frame,
                               rate=timeline.rate, timecode_at=timeline.label, technical=item.asset.technical or {},
                               comment=f"Ortak basket {self.basket.id} item {item.id}", timeout=CUT_TIMEOUT)
                actual = {"actual_in": timeline.label(got.actual_in), "actual_out": timeline.label(got.actual_out),
                          "actual_in_seconds": round(timeline.seconds(got.actual_in), 6),
                          "actual_out_seconds": round(timeline.seconds(got.actual_out), 6)}
                name = entry_name(n, item, actual)
            plain = cut if seg is not None else src
            details = {"basket_id": self.basket.id, "item": item.id,
                       **({k: seg[k] for k in ("in", "out", "in_seconds", "out_seconds")} if seg else {}),
                       **(actual or {})}
            actions = [{"action": "c2pa.trimmed"}] if seg else []
            if seg and mode == "accurate":
                actions.append({"action": "c2pa.transcoded"})
            ok = credentials.sign_export(self.session, item.asset, plain, signed, name=name, content_type=kind,
                                         export=f"basket:{self.basket.id}", actions=actions + [{"action": "c2pa.published"}],
                                         details=details, master_path=src, actor_id=self.reader.user.id)
        except BaseException:
            cleanup()
            raise
        if ok:
            self.signed[item.id] = "signed"
        if fetched and (ok or seg is not None):
            os.unlink(fetched)
            fetched = None
        if not ok and seg is None and fetched is None:
            return (lambda: store.open_range(item.asset.original_key, chunk_size=CHUNK)), cleanup, None, name
        path = signed if ok else (cut if seg is not None else fetched)

        def read() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk

        return read, cleanup, actual, name

    def _manifest_json(self) -> bytes:
        b = self.basket
        return json.dumps({"basket": {"id": b.id, "name": b.name}, "declaration": b.zip_declaration,
                           "requested": b.zip_requested_at.isoformat() if b.zip_requested_at else None,
                           "requested_by": requester_json(self.reader.user), "items": self.rows},
                          ensure_ascii=False, indent=2).encode("utf-8")


def requester_json(user: User) -> dict[str, Any]:
    """Who asked for the zip as the manifest names them: {"name": their display name, or null
    when they have none, "organisation": {"name", "country"}}. Never the e-mail address: the
    zip leaves the organisation (to users of others it is shared with, by share links), and an
    address is shown only to its own organisation and admins (README, "Who sees whom")."""
    org = user.organisation
    return {"name": user.name or None, "organisation": {"name": org.name, "country": org.country}}


def _size_and_crc(chunks: Iterable[bytes]) -> tuple[int, int]:
    size, crc = 0, 0
    for chunk in chunks:
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
    return size, crc


def build_zip(session: Session, basket_id: str) -> str:
    """The worker's job for BUILD_BASKET_ZIP: build, stream to storage, mark ready (or failed
    with the reason). Returns the status, or "missing"/"skipped" (no basket; nothing asked).
    Safe to run twice: a zip already ready is left alone; a build cut short starts over under
    a new key."""
    basket = session.get(Basket, basket_id)
    if basket is None:
        return "missing"
    if basket.zip_status not in ("queued", "building"):
        return "skipped"
    requester = session.get(User, basket.zip_requester_id) if basket.zip_requester_id else None
    if requester is None:
        return _fail(session, basket, "The user who asked for the zip no longer exists.")
    basket.zip_status, basket.zip_progress, basket.zip_error = "building", 0.0, None
    basket.zip_updated_at = utcnow()
    checkpoint(session)
    key = f"baskets/{basket.id}/{new_id()}.zip"
    builder = _Builder(session, basket, Reader.for_user(requester))
    try:
        info = storage().put_stream(key, IterStream(stream_zip(builder.members(), chunk_size=CHUNK)),
                                    content_type="application/zip")
    except (ZipRefused, MediaError, ClipError, StorageError, OSError) as exc:
        session.rollback()
        storage().delete(key)
        return _fail(session, session.get(Basket, basket_id), str(exc)[:2000])
    old = basket.zip_key
    basket.zip_status, basket.zip_progress, basket.zip_key = "ready", 1.0, info.key
    basket.zip_size, basket.zip_sha256 = info.size, info.sha256
    events.record(session, actor_id=requester.id, action="basket.zip_ready", subject_type="basket",
                  subject_id=basket.id, after={"key": info.key, "size": info.size, "sha256": info.sha256,
                                               "items": len(builder.rows)})
    checkpoint(session)
    if old and old != info.key:
        storage().delete(old)
    return "ready"


def fail_zip(session: Session, basket: Basket, message: str) -> None:
    """Mark the basket's zip failed with `message` (what the page and API show), dropping an
    earlier zip; the owner may ask again (`services.request_zip`). Records `basket.zip_failed`.
    Flushes; the caller commits."""
    if basket.zip_key:  # an earlier zip of the basket: no longer what it holds
        storage().delete(basket.zip_key)
    basket.zip_status, basket.zip_error, basket.zip_key = "failed", message, None
    basket.zip_size = basket.zip_sha256 = None
    events.record(session, actor_id=basket.zip_requester_id, action="basket.zip_failed", subject_type="basket",
                  subject_id=basket.id, after={"error": message})
    session.flush()
    log.warning("zip of basket %s failed: %s", basket.id, message)


def _fail(session: Session, basket: Basket, message: str) -> str:
    fail_zip(session, basket, message)
    checkpoint(session)
    return "failed"

