"""Renditions: one row per (asset, name), made once, stored under a new content-addressed key.

The file is written to a temporary path next to the data directory and handed to
BlobStorage with `move=True` under `renditions/<asset_id>/<name>/<sha256>.<ext>`: a
re-render never overwrites what a player may be streaming. A ready rendition whose blob
exists is not made again, so tasks can be re-run freely.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from typing import Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.db import utcnow
from archive.media.probe import ProbeResult
from archive.media.profiles import Profile
from archive.media.render import render
from archive.renditions.models import Rendition
from archive.scratch import process_dir
from archive.services import storage

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0  # seconds between progress writes to the database
MAX_ERROR = 2000


def rendition_key(asset_id: str, name: str, sha256: str, ext: str) -> str:
    return f"renditions/{asset_id}/{name}/{sha256}.{ext}"


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


def is_done(rendition: Rendition) -> bool:
    return rendition.status == "ready" and bool(rendition.blob_key) and storage().exists(rendition.blob_key)


class ProgressWriter:
    """Callable the runner reports to; writes the fraction at most once per interval."""

    def __init__(self, session: Session, rendition: Rendition, interval: float = PROGRESS_INTERVAL):
        self.session, self.rendition, self.interval = session, rendition, interval
        self._last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self.rendition.progress = round(max(0.0, min(0.999, fraction)), 3)  # 1.0 only when stored
        self.session.commit()


def mark_running(session: Session, rendition: Rendition) -> None:
    rendition.status = "running"
    rendition.progress = 0.0
    rendition.error = None
    rendition.started_at = utcnow()
    rendition.attempts = (rendition.attempts or 0) + 1
    session.commit()


def mark_failed(session: Session, rendition_id: int, message: str) -> None:
    session.rollback()
    row = session.get(Rendition, rendition_id)
    if row is None:
        return
    row.status = "failed"
    row.error = message[:MAX_ERROR]
    session.commit()


def produce(session: Session, asset: Asset, profile: Profile, src: str, *, kind: str,
            probe: ProbeResult | None) -> Rendition:
    """Make (or find already made) the `profile` rendition of `asset` from the local `src`.

    Raises what the renderer raised after recording it on the row as `failed`.
    """
    row = get_or_create(session, asset.id, profile.name)
    if is_done(row):
        return row
    mark_running(session, row)
    timeout = float(current_app.config["FFMPEG_TIMEOUT"])
    tmp = tempfile.mkdtemp(prefix=f"ortak-{profile.name}-", dir=work_dir())
    try:
        dst = os.path.join(tmp, f"{profile.name}.{profile.ext}")
        width, height = render(profile, src, dst, kind=kind, probe=probe, timeout=timeout,
                               on_progress=ProgressWriter(session, row))
        digest, size = _hash(dst)
        key = rendition_key(asset.id, profile.name, digest, profile.ext)
        info = storage().put_file(key, dst, content_type=profile.content_type, sha256=digest, move=True)
        row.status = "ready"
        row.progress = 1.0
        row.blob_key = key
        row.size = info.size or size
        row.sha256 = digest
        row.content_type = profile.content_type
        row.width, row.height = width, height
        row.error = None
        session.commit()
        return row
    except BaseException as exc:  # record, then let the caller (and Celery) see it
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            # billiard turns SIGTERM (a revoked task, a worker shutting down) into SystemExit.
            message = ("interrupted: the worker process was stopped (task revoked or worker shut down); "
                       "the sweeper will retry")
        else:
            message = str(exc) or exc.__class__.__name__
        with contextlib.suppress(Exception):
            mark_failed(session, row.id, f"{profile.name} failed: {message}")
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _hash(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def probe_from_technical(technical: dict | None) -> ProbeResult | None:
    """Rebuild the ProbeResult the pipeline stored in `asset.technical` (for re-renders),
    every stream included; None when there is none (an image, a record never probed)."""
    if not isinstance(technical, dict) or technical.get("kind") not in ("video", "audio"):
        return None
    try:
        return ProbeResult.from_dict(technical)
    except (TypeError, ValueError):
        return None
