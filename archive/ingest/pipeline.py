"""The ingest pipeline an uploaded asset goes through on the worker.

processing → probe → (rejected | renditions → ready → index). The file's faults become
`rejected` with a reason a person understands; ours (an ffmpeg crash on a good file, a
storage outage) become `failed`. The original is never touched. Each state change writes
an Event. Safe to run twice: `claim` lets one delivery of a queued run through, only an
asset still `processing` is worked on, and ready renditions are not made again.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from archive import db
from archive.assets.models import Asset
from archive.assets.status import change_status
from archive.db import utcnow
from archive.media import images
from archive.media.probe import ProbeResult, Rejected, inspect_media
from archive.media.profiles import renditions_for
from archive.renditions import services as renditions
from archive.storage.interfaces import BlobNotFound, StorageError
from archive.task_handles import INDEX_ASSET

log = logging.getLogger(__name__)

# Why processing failed when the file is not to blame (`assets.error_code`; rejections use Rejected.code).
FAILURE_CODES = ("original_missing", "storage_error", "processing_error")
IMAGE_FORMATS = set(images.SUPPORTED)


def claim(session: Session, asset_id: str) -> bool:
    """Take the asset for processing: True for exactly one caller per queued run.

    A compare-and-set on `processing_started_at` (NULL while the asset waits in the queue):
    a second delivery of the same message, or a message the sweeper re-sent for work that
    was only waiting, finds it set and skips, so no asset is processed twice at once. The
    sweeper clears it again when it re-queues work that started and then went silent.
    """
    now = utcnow()
    result = session.execute(
        update(Asset)
        .where(Asset.id == asset_id, Asset.status == "processing", Asset.processing_started_at.is_(None))
        .values(processing_started_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def process_asset(asset_id: str) -> str:
    """Run the whole pipeline for one asset; returns the status it ends in (or 'skipped')."""
    session = db.session()
    if not claim(session, asset_id):
        asset = session.get(Asset, asset_id)
        if asset is None:
            log.warning("ingest: no asset %s (deleted, or a message from another database)", asset_id)
            return "missing"
        if asset.status != "processing":
            log.info("ingest: asset %s is %s, nothing to do", asset_id, asset.status)
        else:
            log.info("ingest: asset %s is being processed already (since %s), duplicate message skipped",
                     asset_id, asset.processing_started_at)
        return "skipped"
    asset = session.get(Asset, asset_id, populate_existing=True)
    log.info("ingest: asset %s claimed (re-queued %s times before)", asset_id, asset.attempts)

    try:
        with renditions.source_file(asset) as src:
            try:
                kind, probe, technical = inspect(src)
            except Rejected as exc:
                return _reject(session, asset, exc)
            asset.kind = kind
            asset.technical = technical
            session.commit()
            for profile in renditions_for(kind):
                renditions.produce(session, asset, profile, src, kind=kind, probe=probe)
    except Rejected as exc:  # an image that only shows its damage while the preview is made
        return _reject(session, asset, exc)
    except Exception as exc:
        log.exception("ingest of asset %s failed", asset_id)
        return _fail(session, asset_id, exc)
    return _ready(session, asset)


def inspect(src: str) -> tuple[str, ProbeResult | None, dict]:
    """kind, probe (audio/video only) and the technical metadata to store; Rejected if unusable."""
    fmt = images.identify(src)
    if fmt in IMAGE_FORMATS or fmt == "BOMB":
        info = images.inspect_image(src)
        return "image", None, info.to_dict()
    probe = inspect_media(src, timeout=float(current_app.config["PROBE_TIMEOUT"]))
    return probe.kind, probe, probe.to_dict()


def _reject(session: Session, asset: Asset, exc: Rejected) -> str:
    session.rollback()
    asset = session.get(Asset, asset.id)
    change_status(session, asset, "rejected", exc.reason, "asset.rejected", {"reason_code": exc.code},
                  error_code=exc.code)
    session.commit()
    log.info("asset %s rejected: %s", asset.id, exc.reason)
    return "rejected"


def _fail(session: Session, asset_id: str, exc: Exception) -> str:
    session.rollback()
    asset = session.get(Asset, asset_id)
    if asset is None:
        return "missing"
    if isinstance(exc, BlobNotFound):
        code, message = "original_missing", "Processing failed: the original file is missing from storage."
    elif isinstance(exc, StorageError):
        code, message = "storage_error", f"Processing failed: storage could not be read or written ({exc})."
    else:
        code = "processing_error"
        message = f"Processing failed: {exc}" if str(exc) else f"Processing failed: {exc.__class__.__name__}"
    change_status(session, asset, "failed", message, "asset.failed", {"reason_code": code}, error_code=code)
    session.commit()
    return "failed"


def _ready(session: Session, asset: Asset) -> str:
    change_status(session, asset, "ready", None, "asset.ready",
                  {"renditions": sorted(r.name for r in asset.renditions if r.status == "ready")})
    INDEX_ASSET.send(session, asset.id)
    session.commit()
    return "ready"


def render_one(asset_id: str, name: str) -> str:
    """(Re)make one rendition of an already processed asset (the `render` task)."""
    session = db.session()
    asset = session.get(Asset, asset_id)
    if asset is None or asset.kind is None or asset.status not in ("ready", "processing"):
        return "skipped"
    profile = next((p for p in renditions_for(asset.kind) if p.name == name), None)
    if profile is None:
        log.warning("render: %s assets have no %r rendition", asset.kind, name)
        return "skipped"
    probe = renditions.probe_from_technical(asset.technical)
    with renditions.source_file(asset) as src:
        row = renditions.produce(session, asset, profile, src, kind=asset.kind, probe=probe)
    return row.status
