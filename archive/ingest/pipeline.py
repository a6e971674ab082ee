"""The ingest pipeline an uploaded asset goes through on the worker.

processing → the steps of `archive.ingest.steps` (probe → renditions), then ready → the
steps that follow it (index); a rejection or failure stops it. The file's faults become
`rejected` with a reason a person understands; ours (an ffmpeg crash on a good file, a
storage outage) become `failed`. The original is never touched. Each state change writes
an Event, and each step is recorded on the asset. Safe to run twice: `claim` lets one
delivery of a queued run through, only an asset still `processing` is worked on, and a
step already done with the same inputs is skipped (no rendition is made twice).

`process_asset` is one long unit of work (a task body): it makes its progress durable with
`archive.db.checkpoint` as it goes (the claim, each step, the final status).
"""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive import db
from archive.assets.models import Asset
from archive.assets.status import change_status
from archive.clips.cutting import CUT, needs_cut
from archive.db import utcnow
from archive.events import services as events
from archive.ingest.steps import BY_NAME, INDEX, STEPS, StepContext, preview_watermark, record_failure, run_step
from archive.media.probe import Rejected
from archive.media.profiles import renditions_for
from archive.renditions import services as renditions
from archive.renditions.models import Rendition
from archive.storage.interfaces import BlobNotFound, StorageError
from archive.task_handles import INDEX_ASSET, INGEST, RENDER

log = logging.getLogger(__name__)

# Why processing failed when the file is not to blame (`assets.error_code`; rejections use Rejected.code).
FAILURE_CODES = ("original_missing", "storage_error", "processing_error")


def claim(session: Session, asset_id: str) -> bool:
    """Take the asset for processing: True for exactly one caller per queued run.

    A compare-and-set on `processing_started_at` (NULL while the asset waits in the queue):
    a second delivery of the same message, or a message the sweeper re-sent for work that
    was only waiting, finds it set and skips, so no asset is processed twice at once. The
    sweeper clears it again when it re-queues work that started and then went silent.
    Checkpoints: the claim is visible to every other worker at once.
    """
    now = utcnow()
    result = session.execute(
        update(Asset)
        .where(Asset.id == asset_id, Asset.status == "processing", Asset.processing_started_at.is_(None))
        .values(processing_started_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    db.checkpoint(session)
    return result.rowcount == 1


def process_asset(asset_id: str) -> str:
    """Run every step for one asset; returns the status it ends in (or 'skipped', 'missing')."""
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

    ctx = StepContext(session, asset)
    try:
        with ctx:
            if needs_cut(asset) or (asset.steps or {}).get(CUT.name):
                run_step(ctx, CUT)  # a clip: its bytes are cut from its source first (archive.clips.cutting)
            for step in STEPS:
                if step.after_ready and asset.status != "ready":
                    _ready(session, asset)
                run_step(ctx, step)
    except Rejected as exc:  # the probe, or an image that only shows its damage while the preview is made
        return _reject(session, asset_id, exc, ctx.running)
    except renditions.INTERRUPTIONS:
        _interrupted(session, asset_id, ctx.running)
        raise
    except Exception as exc:
        log.exception("ingest of asset %s failed", asset_id)
        return _fail(session, asset_id, exc, ctx.running)
    if asset.status != "ready":
        _ready(session, asset)
    db.checkpoint(session)
    return "ready"


def _interrupted(session: Session, asset_id: str, step: str | None) -> None:
    """The worker process was stopped while it worked on the asset (Ctrl-C, a shutdown, a
    revoked task): nothing is wrong with the asset, so it is given back to the queue at once.
    The claim is released and the message sent again in one commit, so the next worker takes
    it up as soon as it starts (a redelivery of the first message is then the duplicate the
    claim skips); the Event `asset.interrupted` names the step that ran. No attempt is
    counted. Best effort: a process killed outright records nothing, and the sweeper
    re-queues it after STUCK_AFTER."""
    try:
        session.rollback()
        asset = session.get(Asset, asset_id)
        if asset is None or asset.status != "processing":
            return
        asset.processing_started_at = None
        asset.updated_at = utcnow()
        events.record(session, actor_id=None, action="asset.interrupted", subject_type="asset",
                      subject_id=asset.id, before={"status": "processing"},
                      after={"status": "processing", **({"step": step} if step else {})})
        INGEST.send(session, asset.id)
        db.checkpoint(session)
        log.warning("ingest of asset %s was interrupted (worker stopped): sent again", asset_id)
    except Exception:
        log.exception("ingest of asset %s was interrupted and could not be given back; the sweeper will", asset_id)


def _reject(session: Session, asset_id: str, exc: Rejected, step: str | None) -> str:
    session.rollback()
    asset = session.get(Asset, asset_id)
    if step:
        record_failure(asset, step, exc.reason)
    change_status(session, asset, "rejected", exc.reason, "asset.rejected", {"reason_code": exc.code},
                  error_code=exc.code)
    # The index holds the asset from its upload on (its status a facet its organisation sees).
    INDEX_ASSET.send(session, asset.id)
    db.checkpoint(session)
    log.info("asset %s rejected: %s", asset.id, exc.reason)
    return "rejected"


def _fail(session: Session, asset_id: str, exc: Exception, step: str | None) -> str:
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
    if step:
        record_failure(asset, step, message)
    change_status(session, asset, "failed", message, "asset.failed", {"reason_code": code}, error_code=code)
    INDEX_ASSET.send(session, asset.id)
    db.checkpoint(session)
    return "failed"


def _ready(session: Session, asset: Asset) -> None:
    names = session.scalars(select(Rendition.name).where(Rendition.asset_id == asset.id,
                                                         Rendition.status == "ready")).all()
    change_status(session, asset, "ready", None, "asset.ready", {"renditions": sorted(names)})


def render_one(asset_id: str, name: str) -> str:
    """Make one rendition of an already processed asset again if it is not current (the
    `render` task): the row's status, or 'skipped'. Checkpoints as it goes."""
    session = db.session()
    asset = session.get(Asset, asset_id)
    if asset is None or asset.kind is None or asset.status not in ("ready", "processing"):
        return "skipped"
    probe = renditions.probe_from_technical(asset.technical)
    profile = next((p for p in renditions_for(asset.kind, probe, watermark=preview_watermark(asset))
                    if p.name == name), None)
    if profile is None:
        log.warning("render: %s assets have no %r rendition", asset.kind, name)
        return "skipped"
    try:
        with StepContext(session, asset) as ctx:
            [row] = renditions.make_renditions(session, asset, [profile], ctx.source, probe=probe)
    except renditions.INTERRUPTIONS:
        # The row is `pending` again (`make_renditions`); the next worker makes it at once.
        with contextlib.suppress(Exception):
            RENDER.send(session, asset_id, name)
            db.checkpoint(session)
        raise
    return row.status


def ready_asset_ids(session: Session, batch: int = 500) -> Iterator[str]:
    """The ids of every ready asset, in id order, read `batch` at a time."""
    last = ""
    while True:
        ids = session.scalars(select(Asset.id).where(Asset.status == "ready", Asset.id > last)
                              .order_by(Asset.id).limit(batch)).all()
        yield from ids
        if len(ids) < batch:
            return
        last = ids[-1]


def run_one_step(asset_id: str, name: str, *, force: bool = False) -> str:
    """Run the step `name` (`archive.ingest.steps.BY_NAME`) for a ready asset, on its own:
    'done' when it ran, 'current' when it was done already with the same inputs (nothing
    made), 'failed' (recorded on the step, the asset stays ready: its previous files are
    still served), 'skipped' when the asset is not ready, 'missing' when there is none.
    A step that ran is followed by the later steps whose inputs it changed (renditions →
    fingerprints, credentials) and re-indexes the asset. Checkpoints as it goes. KeyError for
    an unknown step.
    """
    step = BY_NAME[name]
    session = db.session()
    asset = session.get(Asset, asset_id)
    if asset is None:
        return "missing"
    if asset.status != "ready":
        return "skipped"
    ctx = StepContext(session, asset, force=force)
    try:
        with ctx:
            for earlier in STEPS[:STEPS.index(step)]:
                earlier.load(ctx)  # what the step needs of them (the kind, the probe result)
            ran = run_step(ctx, step)
            if ran:
                # What it made is a later step's input (the fingerprints rendition the fingerprints
                # step copies, the files credentials sign): each later step whose inputs changed
                # runs too (the others find themselves current), so that one command upgrades.
                ctx.force = False
                for later in STEPS[STEPS.index(step) + 1:]:
                    if later is not INDEX:
                        run_step(ctx, later)
    except Exception as exc:
        failed = ctx.running or name
        log.exception("step %s of asset %s failed", failed, asset_id)
        session.rollback()
        asset = session.get(Asset, asset_id)
        record_failure(asset, failed, str(exc) or exc.__class__.__name__)
        db.checkpoint(session)
        return "failed"
    if ran and step is not INDEX:
        INDEX_ASSET.send(session, asset.id)
    db.checkpoint(session)
    return "done" if ran else "current"
