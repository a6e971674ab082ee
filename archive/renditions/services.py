"""Renditions: one row per (asset, profile name), made together from one decode, each make
under its own storage prefix.

A make of a rendition writes its files to scratch space, then to a prefix of its own with
`put_tree`:

    renditions/<asset_id>/<name>/<spec_hash[:12]>-<random 12 hex>/<path inside the rendition>

Nothing is overwritten in place. The row's manifest (`RenditionFile` rows) is replaced and
the row marked ready in one commit; only after that commit is the previous make deleted,
since a player may be reading it until then. A ready rendition whose `spec_hash` is its
profile's and whose entry file is in storage is never made again; one made with another
profile (or none known) is re-made. The renditions an asset needs are grouped by renderer
(`archive.media.render`): all ffmpeg ones are made by one command, one decode of the source.

These functions run inside a task (or command) that owns the unit of work, for minutes or
hours: they make their progress durable with `archive.db.checkpoint` (running, progress at
most once a second, ready, failed), as the function docstrings say.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from typing import Callable, Iterator, Sequence

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.db import utcnow
from archive.media.probe import ProbeResult
from archive.media.profiles import HlsProfile, Profile, spec_hash
from archive.media import chunks
from archive.media.render import FfmpegRenderer, Made, make_chunk_preview, renderer_for
from archive.media.runner import MediaError
from archive.renditions import chunking, live
from archive.renditions.files import content_type_for
from archive.renditions.models import Rendition, RenditionFile
from archive.scratch import process_dir
from archive.storage.interfaces import BlobInfo, StorageError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0  # seconds between progress writes to the database
MAX_ERROR = 2000


def make_prefix(asset_id: str, name: str, spec: str) -> str:
    """A new storage prefix for one make of a rendition (never used before: 48 random bits)."""
    return f"renditions/{asset_id}/{name}/{spec[:12]}-{uuid.uuid4().hex[:12]}"


def work_dir() -> str:
    """Scratch space on the data volume, so handing a file to local storage is a rename.

    The folder is this process's own (`archive.scratch`), so what a killed worker leaves
    behind is found and removed by the sweeper once that process is gone.
    """
    return process_dir(current_app.config["DATA_DIR"])


@contextlib.contextmanager
def source_file(asset: Asset) -> Iterator[str]:
    """A local path of the asset's original: the blob itself, or a temporary download."""
    store = storage()
    path = store.local_path(asset.original_key)
    if path is not None:
        yield path
        return
    tmp = tempfile.mkdtemp(prefix="ortak-src-", dir=work_dir())
    try:
        local = os.path.join(tmp, "original")
        store.download_to(asset.original_key, local)
        yield local
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def get_or_create(session: Session, asset_id: str, name: str) -> Rendition:
    query = select(Rendition).where(Rendition.asset_id == asset_id, Rendition.name == name)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():  # a concurrent worker may insert the same row first
            row = Rendition(asset_id=asset_id, name=name, status="pending", progress=0.0, attempts=0)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query.execution_options(populate_existing=True)).one()


def entry_file(session: Session, row: Rendition) -> RenditionFile | None:
    """The manifest row of the rendition's entry file (None before a make completed)."""
    if row.entry is None or row.id is None:
        return None
    return session.scalar(select(RenditionFile).where(RenditionFile.rendition_id == row.id,
                                                      RenditionFile.path == row.entry))


def is_current(session: Session, row: Rendition, profile: Profile) -> bool:
    """Ready, made with this very profile (`spec_hash`), and its entry file is in storage."""
    if row.status != "ready" or row.spec_hash != spec_hash(profile):
        return False
    entry = entry_file(session, row)
    return entry is not None and storage().exists(entry.blob_key)


class ProgressWriter:
    """Callable the runner reports to: the fraction goes to every rendition of one decode,
    made durable (`checkpoint`) at most once per interval."""

    def __init__(self, session: Session, rows: Sequence[Rendition], interval: float = PROGRESS_INTERVAL):
        self.session, self.rows, self.interval = session, list(rows), interval
        self._last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        for row in self.rows:
            row.progress = round(max(0.0, min(0.999, fraction)), 3)  # 1.0 only when stored
        db.checkpoint(self.session)


# A stopped worker process: billiard turns SIGTERM (a revoked task, a worker shutting down)
# into SystemExit, Ctrl-C is KeyboardInterrupt. Interrupted work is waiting, not failed.
INTERRUPTIONS = (SystemExit, KeyboardInterrupt)


def mark_running(session: Session, rows: Sequence[Rendition]) -> None:
    """Running from now (one more attempt each); checkpointed so readers see it."""
    for row in rows:
        row.status = "running"
        row.progress = 0.0
        row.error = None
        row.started_at = utcnow()
        row.attempts = (row.attempts or 0) + 1
    db.checkpoint(session)


def mark_failed(session: Session, failures: dict[int, str | None], status: str = "failed") -> None:
    """Roll back what the failed make left unsaved, then record {rendition id: message} as
    `status` and checkpoint. The rows keep the manifest of their previous make, if any;
    what the failed make published while it ran (`archive.renditions.live`) is forgotten in
    the same commit, then deleted from storage. `status` "pending" (message None) is an
    interrupted make that is sent again: not failed, only waiting for its worker."""
    session.rollback()
    rows = []
    for rendition_id, message in failures.items():
        row = session.get(Rendition, rendition_id)
        if row is not None:
            row.status = status
            row.error = message[:MAX_ERROR] if message else None
            if status == "pending":
                row.progress = 0.0
            rows.append(row)
    published = live.clear(session, rows)
    db.checkpoint(session)
    live.delete_prefixes(published)


class Progress:
    """Several progress callbacks as one (the database writer, the live publisher)."""

    def __init__(self, *callbacks: Callable[[float], None]):
        self.callbacks = callbacks

    def __call__(self, fraction: float) -> None:
        for callback in self.callbacks:
            callback(fraction)


def make_renditions(session: Session, asset: Asset, profiles: Sequence[Profile], source: Callable[[], str], *,
                    probe: ProbeResult | None, force: bool = False) -> list[Rendition]:
    """Make every rendition of `profiles` that is not current (`is_current`), or all with
    `force`; return the rows in the order of `profiles`.

    The profiles to make are grouped by renderer and each group is made by one run of it
    (one ffmpeg command for all of audio and video). `source()` gives a local path of the
    original; it is called only when something is to be made. Checkpoints (see the module
    docstring). Raises what the renderer or storage raised, after recording every rendition
    of the failed group as `failed` with the reason.
    """
    rows = [get_or_create(session, asset.id, profile.name) for profile in profiles]
    groups: dict[str, list[tuple[Profile, Rendition]]] = {}
    for profile, row in zip(profiles, rows):
        if force or not is_current(session, row, profile):
            groups.setdefault(profile.renderer, []).append((profile, row))
    if groups:
        src = source()
        for jobs in groups.values():
            _make(session, asset, jobs, src, probe)
    return rows


def _make(session: Session, asset: Asset, jobs: list[tuple[Profile, Rendition]], src: str,
          probe: ProbeResult | None) -> None:
    rows = [row for _profile, row in jobs]
    leftovers = live.clear(session, rows)  # what an interrupted make published
    mark_running(session, rows)
    live.delete_prefixes(leftovers)
    names = {row.id: profile.name for profile, row in jobs}
    timeout = float(current_app.config["FFMPEG_TIMEOUT"])
    tmp = tempfile.mkdtemp(prefix="ortak-make-", dir=work_dir())
    written: list[str] = []
    previous: list[tuple[str | None, list[str]]] = []
    published: list[str] = []
    prefixes = {profile.name: make_prefix(asset.id, profile.name, spec_hash(profile)) for profile, _row in jobs}
    try:
        folders = {profile.name: os.path.join(tmp, profile.name) for profile, _row in jobs}
        for folder in folders.values():
            os.mkdir(folder)
        renderer = renderer_for(jobs[0][0])
        profiles = [profile for profile, _row in jobs]
        chunk_seconds = float(current_app.config["CHUNK_SECONDS"])
        progress = ProgressWriter(session, rows)
        publishers: list[live.LivePublisher] = []
        if isinstance(renderer, FfmpegRenderer) and probe is not None:
            # An HLS ladder with no complete make is published segment by segment while ffmpeg
            # makes it; one made again keeps serving its complete make, so nothing is published.
            publishers = [live.LivePublisher(session, row, profile, probe, folders[profile.name],
                                             prefixes[profile.name])
                          for profile, row in jobs
                          if isinstance(profile, HlsProfile) and probe.has_video and not row.available]
            progress = Progress(progress, *publishers)
        if isinstance(renderer, FfmpegRenderer) and probe is not None and chunks.chunked(probe, profiles, chunk_seconds):
            made = _render_chunked(session, asset, renderer, [(p, folders[p.name]) for p in profiles], src, probe,
                                   chunk_seconds, tmp, timeout, progress, publishers)
        else:
            made = renderer.render([(profile, folders[profile.name]) for profile in profiles], src, probe=probe,
                                   timeout=timeout, on_progress=progress)
        for profile, row in jobs:
            spec = spec_hash(profile)
            prefix = prefixes[profile.name]
            written.append(prefix)
            infos = storage().put_tree(prefix, folders[profile.name], move=True,
                                       content_type=lambda rel, p=profile: _file_type(p, rel))
            previous.append(_stored(session, row))
            _install(session, row, profile, spec, prefix, infos, made[profile.name])
            published += live.clear(session, [row])  # the VOD files replace them in this commit
        db.checkpoint(session)  # ready: from this commit on, readers get the new files
    except BaseException as exc:  # record, then let the caller (and Celery) see it
        for prefix in written:
            with contextlib.suppress(Exception):
                storage().delete_prefix(prefix)
        with contextlib.suppress(Exception):
            if isinstance(exc, INTERRUPTIONS):
                # Not the make's fault: the task that ran it sends it again (`archive.ingest.pipeline`).
                mark_failed(session, dict.fromkeys(names), status="pending")
            else:
                message = str(exc) or exc.__class__.__name__
                mark_failed(session, {rid: f"{name} failed: {message}" for rid, name in names.items()})
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for prefix, keys in previous:
        _delete_make(prefix, keys)
    live.delete_prefixes(published)


def _render_chunked(session: Session, asset: Asset, renderer: FfmpegRenderer, jobs: list[tuple[Profile, str]],
                    src: str, probe: ProbeResult, chunk_seconds: float, tmp: str, timeout: float,
                    on_progress: Callable[[float], None],
                    publishers: Sequence[live.LivePublisher] = ()) -> dict[str, Made]:
    """A long video: its chunks shared with the workers (`chunking`), then joined here.
    Checkpoints (the chunk rows must be seen by other workers); the rows and stored chunk
    files are removed whatever the outcome. The first chunk, once there, is made into HLS
    segments alone and published (`publishers`), so it plays before the join."""
    profiles = [profile for profile, _folder in jobs]
    rows = chunking.plan(session, asset, profiles, probe, chunk_seconds)
    make = rows[0].make
    scratch = os.path.join(tmp, ".chunks")
    os.mkdir(scratch)
    try:
        first = chunks.Chunk(0, rows[0].start, rows[0].seconds)

        def on_chunk(index: int, folder: str) -> None:
            if index != 0:
                return
            for publisher in publishers:
                preview = os.path.join(tmp, f".preview-{publisher.profile.name}")
                try:
                    make_chunk_preview(src, probe, publisher.profile, first, folder, preview, timeout=timeout)
                    publisher.preview(preview)
                except (MediaError, StorageError, OSError, ValueError):
                    # A preview only: the make goes on, and publishes from the join.
                    log.warning("the first chunk of asset %s could not be published early", asset.id, exc_info=True)

        dirs = chunking.run_chunks(session, rows, profiles, src, probe, scratch, timeout=timeout,
                                   parallel=int(current_app.config["CHUNK_PARALLEL"]), on_progress=on_progress,
                                   on_chunk=on_chunk if publishers else None)
        made = renderer.join(jobs, src, probe=probe, chunk_dirs=dirs, scratch=scratch, timeout=timeout,
                             folders={p.name: folder for p, folder in jobs}, on_progress=on_progress)
    except BaseException:
        with contextlib.suppress(Exception):
            session.rollback()
            chunking.discard(session, asset.id, make)
            db.checkpoint(session)
        raise
    chunking.discard(session, asset.id, make)
    return made


def _file_type(profile: Profile, path: str) -> str:
    # The profile names its entry's type (an .mp4 proxy of audio would be audio/mp4).
    return profile.content_type if path == profile.entry else content_type_for(path)


def _stored(session: Session, row: Rendition) -> tuple[str | None, list[str]]:
    """Where the row's current make is: its prefix, and the keys of its files."""
    keys = list(session.scalars(select(RenditionFile.blob_key).where(RenditionFile.rendition_id == row.id)))
    return row.prefix, keys


def _install(session: Session, row: Rendition, profile: Profile, spec: str, prefix: str, infos: list[BlobInfo],
             made: Made) -> None:
    files = {info.key[len(prefix) + 1:]: info for info in infos}
    entry = files.get(profile.entry)
    if entry is None:
        raise MediaError(f"{profile.name}: the renderer wrote no {profile.entry}")
    # The old manifest goes first: a new file may have an old file's path.
    session.execute(delete(RenditionFile).where(RenditionFile.rendition_id == row.id))
    session.expire(row, ["files"])
    session.add_all(RenditionFile(rendition_id=row.id, path=path, blob_key=info.key, size=info.size,
                                  sha256=info.sha256, content_type=_file_type(profile, path))
                    for path, info in sorted(files.items()))
    row.status = "ready"
    row.progress = 1.0
    row.spec_hash = spec
    row.prefix = prefix
    row.entry = profile.entry
    row.file_count = len(infos)
    row.size = sum(info.size for info in infos)
    row.sha256 = entry.sha256
    row.content_type = profile.content_type
    row.width, row.height = made.width, made.height
    row.error = None
    session.flush()


def _delete_make(prefix: str | None, keys: list[str]) -> None:
    """Remove a replaced make: its prefix, or (stored before prefixes) its files one by one."""
    try:
        if prefix is not None:
            storage().delete_prefix(prefix)
        else:
            for key in keys:
                storage().delete(key)
    except StorageError:
        # The new make is committed; the old files only cost space.
        log.warning("could not delete the replaced rendition files %s", prefix or keys, exc_info=True)


def probe_from_technical(technical: dict | None) -> ProbeResult | None:
    """Rebuild the ProbeResult the pipeline stored in `asset.technical` (for re-renders),
    every stream included; None when there is none (an image, a record never probed)."""
    if not isinstance(technical, dict) or technical.get("kind") not in ("video", "audio"):
        return None
    try:
        return ProbeResult.from_dict(technical)
    except (TypeError, ValueError):
        return None
