"""Recover work that stopped moving, without disturbing work that is only waiting its turn.

Three kinds of asset in `processing`, told apart by `processing_started_at`, which the
ingest task sets when it claims the asset (`archive.ingest.pipeline.claim`):

- **Started and silent** (claimed, and nothing on the asset or its renditions changed for
  STUCK_AFTER seconds; renditions write progress every second, so a long transcode is never
  mistaken for a dead one): the worker died (OOM, SIGKILL, a restart). The asset is
  re-queued with the claim cleared, which counts one attempt; after MAX_ATTEMPTS the asset
  is `failed` with `error_code = "attempts_exhausted"`.
- **Waiting** (never claimed, queued less than RESEND_QUEUED_AFTER seconds ago): left alone,
  however long the backlog. Waiting is not being stuck, and it never fails an asset.
- **Waiting very long** (never claimed for RESEND_QUEUED_AFTER seconds): its message may be
  lost (the embedded broker drops a message a dying worker had read; a send can fail after
  the commit). The message is sent again, without counting an attempt; if the first one
  was only slow, the claim makes the second a no-op. Sending again stamps `updated_at`, so
  the next resend waits another RESEND_QUEUED_AFTER.

Renditions re-made for an asset that is already ready (the `render` task) follow the first
rule: `running` and silent for STUCK_AFTER is re-queued, up to MAX_ATTEMPTS.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.events.services import record
from archive.renditions.models import Rendition
from archive.tasks import MEDIA_QUEUE, enqueue

log = logging.getLogger(__name__)

BATCH = 500
ATTEMPTS_EXHAUSTED = "attempts_exhausted"


@dataclass
class SweepReport:
    """What one sweep did, by asset (or rendition) id."""

    requeued: list[str] = field(default_factory=list)   # started and silent: sent again, one attempt more
    resent: list[str] = field(default_factory=list)     # waited past RESEND_QUEUED_AFTER: sent again
    failed: list[str] = field(default_factory=list)     # attempts exhausted

    @property
    def sent(self) -> int:
        return len(self.requeued) + len(self.resent)


def sweep_stuck(now: datetime | None = None) -> SweepReport:
    """Re-queue stuck work, re-send long-waiting work and give up on exhausted work (one commit)."""
    session = db.session()
    config = current_app.config
    now = now or utcnow()
    cutoff = now - timedelta(seconds=int(config["STUCK_AFTER"]))
    resend_cutoff = now - timedelta(seconds=int(config["RESEND_QUEUED_AFTER"]))
    max_attempts = int(config["MAX_ATTEMPTS"])
    report = SweepReport()

    recent_rendition = exists().where(Rendition.asset_id == Asset.id, Rendition.updated_at >= cutoff)
    stuck = session.scalars(
        select(Asset).where(Asset.status == "processing", Asset.processing_started_at.is_not(None),
                            Asset.processing_started_at < cutoff, Asset.updated_at < cutoff, ~recent_rendition)
        .order_by(Asset.updated_at).limit(BATCH)).all()
    for asset in stuck:
        if asset.attempts >= max_attempts:
            _give_up(session, asset)
            report.failed.append(asset.id)
        else:
            asset.attempts += 1
            asset.processing_started_at = None  # the next delivery may claim it
            enqueue(session, "workers.tasks.ingest", asset.id, queue=MEDIA_QUEUE)
            report.requeued.append(asset.id)
            log.info("asset %s started but silent for %s s: re-queued (attempt %s of %s)",
                     asset.id, config["STUCK_AFTER"], asset.attempts, max_attempts)

    waiting = session.scalars(
        select(Asset).where(Asset.status == "processing", Asset.processing_started_at.is_(None),
                            Asset.updated_at < resend_cutoff)
        .order_by(Asset.updated_at).limit(BATCH)).all()
    for asset in waiting:
        asset.updated_at = now
        enqueue(session, "workers.tasks.ingest", asset.id, queue=MEDIA_QUEUE)
        report.resent.append(asset.id)
        log.info("asset %s still queued after %s s: its message is sent again (no attempt counted)",
                 asset.id, config["RESEND_QUEUED_AFTER"])

    renditions = session.scalars(
        select(Rendition).join(Asset, Asset.id == Rendition.asset_id)
        .where(and_(Rendition.status == "running", Rendition.updated_at < cutoff, Asset.status == "ready"))
        .limit(BATCH)).all()
    for row in renditions:
        if row.attempts >= max_attempts:
            row.status = "failed"
            row.error = f"Rendering did not finish after {row.attempts} attempts."
            report.failed.append(f"{row.asset_id}/{row.name}")
        else:
            row.status = "pending"
            enqueue(session, "workers.tasks.render", row.asset_id, row.name, queue=MEDIA_QUEUE)
            report.requeued.append(f"{row.asset_id}/{row.name}")
    session.commit()
    return report


def _give_up(session, asset: Asset) -> None:
    record(session, actor_id=None, action="asset.failed", subject_type="asset", subject_id=asset.id,
           before={"status": asset.status},
           after={"status": "failed", "attempts": asset.attempts, "error_code": ATTEMPTS_EXHAUSTED})
    asset.status = "failed"
    asset.error_code = ATTEMPTS_EXHAUSTED
    asset.error = (f"Processing did not finish after {asset.attempts} attempts; "
                   "the worker stopped or was restarted each time.")
    log.warning("asset %s failed after %s attempts", asset.id, asset.attempts)
