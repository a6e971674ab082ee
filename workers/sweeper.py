"""Re-queue work that stopped moving: assets stuck in `processing`, renditions stuck `running`.

A worker that dies mid-task (OOM, SIGKILL, a lost message on the embedded broker, which
drops a message once read) leaves its row behind; nothing else would ever pick it up.
"Stuck" means nothing on the asset or its renditions changed for STUCK_AFTER seconds
(renditions write progress every second, so a long transcode is never mistaken for a dead
one). Each re-queue bumps `attempts`; after MAX_ATTEMPTS the row is marked `failed`.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, select

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.events.services import record
from archive.renditions.models import Rendition
from archive.tasks import MEDIA_QUEUE, enqueue

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3


def sweep_stuck(now: datetime | None = None) -> int:
    """Re-queue (or give up on) stuck work; returns how many tasks were re-sent."""
    session = db.session()
    now = now or utcnow()
    cutoff = now - timedelta(seconds=int(current_app.config["STUCK_AFTER"]))
    max_attempts = int(current_app.config.get("MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    requeued = 0

    recent_rendition = exists().where(Rendition.asset_id == Asset.id, Rendition.updated_at >= cutoff)
    assets = session.scalars(
        select(Asset).where(Asset.status == "processing", Asset.updated_at < cutoff,
                            func.coalesce(Asset.processing_started_at, Asset.created_at) < cutoff,
                            ~recent_rendition)
        .order_by(Asset.updated_at).limit(500)).all()
    for asset in assets:
        if asset.attempts >= max_attempts:
            record(session, actor_id=None, action="asset.failed", subject_type="asset", subject_id=asset.id,
                   before={"status": asset.status}, after={"status": "failed", "attempts": asset.attempts})
            asset.status = "failed"
            asset.error = (f"Processing did not finish after {asset.attempts} attempts; "
                           "the worker stopped or was restarted each time.")
            log.warning("asset %s failed after %s attempts", asset.id, asset.attempts)
        else:
            asset.attempts += 1
            asset.processing_started_at = None
            enqueue(session, "workers.tasks.ingest", asset.id, queue=MEDIA_QUEUE)
            requeued += 1
            log.info("asset %s stuck in processing: re-queued (attempt %s)", asset.id, asset.attempts)

    # Renditions re-made for assets that are already ready (the `render` task).
    renditions = session.scalars(
        select(Rendition).join(Asset, Asset.id == Rendition.asset_id)
        .where(and_(Rendition.status == "running", Rendition.updated_at < cutoff, Asset.status == "ready"))
        .limit(500)).all()
    for row in renditions:
        if row.attempts >= max_attempts:
            row.status = "failed"
            row.error = f"Rendering did not finish after {row.attempts} attempts."
        else:
            row.status = "pending"
            enqueue(session, "workers.tasks.render", row.asset_id, row.name, queue=MEDIA_QUEUE)
            requeued += 1
    session.commit()
    return requeued
