"""Chunked makes spread over the workers: the make's own task and any other worker share the chunks.

A make of a video longer than CHUNK_SECONDS (`archive.media.chunks`) writes one
`RenderChunk` row per chunk and sends RENDER_CHUNK for each (on the media queue, so any
worker may take one). Then it works through the chunks itself, up to CHUNK_PARALLEL at
once, claiming each with one UPDATE (`pending` → `running`): a chunk is encoded once,
by whoever claims it first. A worker that claims one (`encode_chunk`) fetches the original,
encodes the chunk and stores its files under `chunks/<asset>/<make>/<index>`; the make's
task downloads those, joins every chunk (`FfmpegRenderer.join`) and removes the rows and
the stored chunk files. Nothing here holds a task for longer than a chunk but the make
itself, which waits on the others and encodes meanwhile: it never waits on a queue alone.

A chunk `running` for longer than STUCK_AFTER with no result (its worker died) goes back
to `pending` and is claimed again. A failed chunk fails the make with its reason.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import socket
import tempfile
import uuid
from datetime import timedelta
from typing import Callable, Sequence

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.db import utcnow
from archive.media import chunks
from archive.media.probe import ProbeResult
from archive.media.profiles import Profile, renditions_for
from archive.media.render import make_chunk
from archive.media.runner import MediaError
from archive.renditions.models import RenderChunk
from archive.task_handles import RENDER_CHUNK

log = logging.getLogger(__name__)

MAX_ERROR = 2000
WAIT = 0.5  # seconds between looks at the chunks others encode


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def chunk_prefix(row: RenderChunk) -> str:
    return f"chunks/{row.asset_id}/{row.make}/{row.index:05d}"


def plan(session: Session, asset: Asset, profiles: Sequence[Profile], probe: ProbeResult,
         chunk_seconds: float) -> list[RenderChunk]:
    """The rows of a new chunked make, sent to the workers when they are committed (checkpoints)."""
    make = uuid.uuid4().hex
    rows = [RenderChunk(asset_id=asset.id, make=make, index=c.index, start=c.start, seconds=c.seconds,
                        profiles=[p.name for p in profiles], status="pending")
            for c in chunks.plan(probe.duration, chunk_seconds, profiles)]
    session.add_all(rows)
    session.flush()
    for row in rows:
        RENDER_CHUNK.send(session, row.id)
    db.checkpoint(session)
    return rows


def claim(session: Session, chunk_id: int) -> bool:
    """`pending` → `running` for this process, in one UPDATE; True if it was ours to take."""
    result = session.execute(update(RenderChunk).where(RenderChunk.id == chunk_id, RenderChunk.status == "pending")
                             .values(status="running", worker=worker_name(), claimed_at=utcnow())
                             .execution_options(synchronize_session=False))
    db.checkpoint(session)
    return result.rowcount == 1


def _finish(session: Session, chunk_id: int, status: str, *, key_prefix: str | None = None,
            error: str | None = None) -> None:
    session.execute(update(RenderChunk).where(RenderChunk.id == chunk_id)
                    .values(status=status, key_prefix=key_prefix, error=error[:MAX_ERROR] if error else None)
                    .execution_options(synchronize_session=False))
    db.checkpoint(session)


def encode_chunk(session: Session, chunk_id: int, source: Callable[[], contextlib.AbstractContextManager[str]]
                 ) -> str:
    """The RENDER_CHUNK task: encode the chunk if no one has (claim), store its files;
    'done', 'failed' (recorded on the row), 'skipped' (claimed already, or gone)."""
    row = session.get(RenderChunk, chunk_id)
    if row is None or row.status != "pending" or not claim(session, chunk_id):
        return "skipped"
    session.refresh(row)
    asset = session.get(Asset, row.asset_id)
    from archive.ingest.steps import preview_watermark  # ingest sits above renditions
    from archive.renditions.services import probe_from_technical, work_dir
    try:
        probe = probe_from_technical(asset.technical)
        if probe is None:
            raise MediaError("the asset has no probe result")
        wanted = [p for p in renditions_for(asset.kind, probe, watermark=preview_watermark(asset))
                  if p.name in row.profiles]
        with source(asset) as src, tempfile.TemporaryDirectory(prefix="ortak-chunk-", dir=work_dir()) as tmp:
            make_chunk(src, probe, wanted, chunks.Chunk(row.index, row.start, row.seconds), tmp,
                       timeout=float(current_app.config["FFMPEG_TIMEOUT"]))
            storage().put_tree(chunk_prefix(row), tmp, move=True)
    except Exception as exc:
        log.exception("chunk %s of asset %s failed", row.index, row.asset_id)
        session.rollback()
        _finish(session, chunk_id, "failed", error=str(exc) or exc.__class__.__name__)
        return "failed"
    _finish(session, chunk_id, "done", key_prefix=chunk_prefix(row))
    return "done"


def run_chunks(session: Session, rows: Sequence[RenderChunk], profiles: Sequence[Profile], src: str,
               probe: ProbeResult, folder: str, *, timeout: float, parallel: int,
               on_progress: Callable[[float], None] | None = None,
               on_chunk: Callable[[int, str], None] | None = None) -> list[str]:
    """Encode or collect every chunk of the make into `folder/chunk_NNNNN`; the folders in
    order. Encodes what it claims (up to `parallel` at once), downloads what others stored,
    re-offers chunks whose worker went silent. MediaError naming a failed chunk.
    `on_chunk(index, folder)` is called, in this thread, as each chunk is there."""
    ids = [row.id for row in rows]
    dirs = {row.id: os.path.join(folder, f"chunk_{row.index:05d}") for row in rows}
    plan_of = {row.id: chunks.Chunk(row.index, row.start, row.seconds) for row in rows}
    stuck = timedelta(seconds=int(current_app.config["STUCK_AFTER"]))
    collected: set[int] = set()
    running: dict[concurrent.futures.Future, int] = {}
    total = sum(row.seconds for row in rows) or 1.0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        try:
            while len(collected) < len(ids):
                for future in [f for f in running if f.done()]:
                    chunk_id = running.pop(future)
                    future.result()  # a failed encode of ours fails the make
                    _finish(session, chunk_id, "done")
                    collected.add(chunk_id)
                    if on_chunk is not None:
                        on_chunk(plan_of[chunk_id].index, dirs[chunk_id])
                states = {r.id: r for r in session.scalars(
                    select(RenderChunk).where(RenderChunk.id.in_(ids)).execution_options(populate_existing=True))}
                if len(states) < len(ids):
                    raise MediaError("the chunks of this make were removed")
                for chunk_id, row in states.items():
                    if row.status == "failed":
                        raise MediaError(f"chunk {row.index} failed: {row.error}")
                    if chunk_id in collected or chunk_id in running.values():
                        continue
                    if row.status == "done" and row.key_prefix:
                        _download(row.key_prefix, dirs[chunk_id])
                        collected.add(chunk_id)
                        if on_chunk is not None:
                            on_chunk(row.index, dirs[chunk_id])
                    elif (row.status == "running" and row.claimed_at is not None
                          and utcnow() - row.claimed_at > stuck):
                        log.warning("chunk %s silent since %s: offered again", row.index, row.claimed_at)
                        session.execute(update(RenderChunk).where(RenderChunk.id == chunk_id,
                                                                  RenderChunk.status == "running")
                                        .values(status="pending").execution_options(synchronize_session=False))
                        db.checkpoint(session)
                    elif row.status == "pending" and len(running) < max(1, parallel) and claim(session, chunk_id):
                        running[pool.submit(make_chunk, src, probe, profiles, plan_of[chunk_id], dirs[chunk_id],
                                            timeout=timeout)] = chunk_id
                if on_progress is not None:
                    on_progress(0.8 * sum(states[i].seconds for i in collected) / total)
                if len(collected) < len(ids):
                    if running:
                        concurrent.futures.wait(list(running), timeout=WAIT,
                                                return_when=concurrent.futures.FIRST_COMPLETED)
                    else:
                        _pause()
        except BaseException:
            for future in running:
                future.cancel()
            raise
    return [dirs[i] for i in ids]


def _pause() -> None:
    """Wait a little for chunks other workers encode (nothing of ours runs meanwhile)."""
    import time
    time.sleep(WAIT)


def _download(prefix: str, folder: str) -> None:
    store = storage()
    for info in store.list_prefix(prefix):
        local = os.path.join(folder, *info.key[len(prefix) + 1:].split("/"))
        os.makedirs(os.path.dirname(local), exist_ok=True)
        store.download_to(info.key, local)


def discard(session: Session, asset_id: str, make: str) -> None:
    """Remove a make's chunk rows and the chunk files others stored (best effort for files);
    flushes (the caller's checkpoint or commit makes it durable)."""
    with contextlib.suppress(Exception):
        storage().delete_prefix(f"chunks/{asset_id}/{make}")
    session.execute(delete(RenderChunk).where(RenderChunk.make == make))
