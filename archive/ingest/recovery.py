"""Recover work that stopped moving, without disturbing work that is only waiting its turn.

`sweep` is what the scheduler runs on a timer (the `SWEEP` task) and `ortak sweep` runs at
once: abandoned uploads free their staged bytes, scratch folders of dead processes go
(`archive.scratch`), and stuck or lost work is sent again (`sweep_stuck`).

Three kinds of asset in `processing`, told apart by `processing_started_at`, which the
ingest task sets when it claims the asset (`archive.ingest.pipeline.claim`):

A worker process stopped while it works (SIGTERM, Ctrl-C) gives its claim back and sends the
message again itself (`archive.ingest.pipeline`): such work is waiting, not stuck. A claimed
asset whose current run recorded a rendition as interrupted while the claim stayed set (how
an interruption was recorded before) is re-queued at once, with no attempt counted. The rules
below are for what a killed process could not record.

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
rule: `running` and silent for STUCK_AFTER is re-queued, up to MAX_ATTEMPTS. What a dead make
had published while it ran (`archive.renditions.live`) stops being served then; its files go
when the rendition is made again.

A basket's zip (`archive.baskets.zips`) has a heartbeat, `zip_updated_at`, stamped when it is
asked for, when a worker starts it and at each progress commit (every second while bytes
move). `building` and silent for STUCK_AFTER: its worker died; the zip is marked `failed`
with the reason (a zip is not resumed: the owner asks again, which the failure allows).
`queued` for RESEND_QUEUED_AFTER: its message is sent again (a duplicate finds it building
or ready and does nothing).

Both functions flush and never commit: the task or command that runs them commits, and the
re-queued tasks leave after that commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.assets.status import change_status
from archive.baskets.models import Basket
from archive.baskets.zips import fail_zip
from archive.db import utcnow
from archive.ingest.services import purge_expired
from archive.renditions import live
from archive.renditions.models import Rendition
from archive.scratch import sweep_orphans
from archive.task_handles import BUILD_BASKET_ZIP, INGEST, RENDER

log = logging.getLogger(__name__)

BATCH = 500
ATTEMPTS_EXHAUSTED = "attempts_exhausted"


@dataclass
class SweepReport:
    """What one sweep did: assets (or `asset/rendition`) by id, scratch folders by name."""

    requeued: list[str] = field(default_factory=list)   # started and silent: sent again, one attempt more
    resent: list[str] = field(default_factory=list)     # waited past RESEND_QUEUED_AFTER: sent again
    failed: list[str] = field(default_factory=list)     # attempts exhausted
    scratch_removed: list[str] = field(default_factory=list)  # folders of processes that are gone
    uploads_purged: int = 0                             # open uploads past their expiry, aborted

    @property
    def sent(self) -> int:
        return len(self.requeued) + len(self.resent)


def sweep(session: Session, settings: Mapping[str, Any], now: datetime | None = None) -> SweepReport:
    """The whole sweep (see the module docstring), by DATA_DIR, SCRATCH_MAX_AGE (seconds) and
    the settings `sweep_stuck` reads. Flushes; the caller commits."""
    report = SweepReport()
    report.uploads_purged = purge_expired(session)
    report.scratch_removed = sweep_orphans(settings["DATA_DIR"], float(settings["SCRATCH_MAX_AGE"]))
    sweep_stuck(session, settings, now, report)
    return report


def sweep_stuck(session: Session, settings: Mapping[str, Any], now: datetime | None = None,
                report: SweepReport | None = None) -> SweepReport:
    """Re-queue stuck work, re-send long-waiting work and give up on exhausted work.

    Reads STUCK_AFTER and RESEND_QUEUED_AFTER (seconds) and MAX_ATTEMPTS from `settings`;
    handles at most BATCH rows of each kind per call. Flushes; the caller commits, and the
    tasks are sent after that commit.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=int(settings["STUCK_AFTER"]))
    resend_cutoff = now - timedelta(seconds=int(settings["RESEND_QUEUED_AFTER"]))
    max_attempts = int(settings["MAX_ATTEMPTS"])
    report = report if report is not None else SweepReport()

    _requeue_interrupted(session, report)
    recent_rendition = exists().where(Rendition.asset_id == Asset.id, Rendition.updated_at >= cutoff)
    stuck = session.scalars(
        select(Asset).where(Asset.status == "processing", Asset.processing_started_at.is_not(None),
                            Asset.processing_started_at < cutoff, Asset.updated_at < cutoff, ~recent_rendition)
        .order_by(Asset.updated_at).limit(BATCH)).all()
    for asset in stuck:
        # Its make died with it: what it published is no longer served (the next make removes it).
        live.withdraw(session, [r for r in asset.renditions if r.status == "running"])
        if asset.attempts >= max_attempts:
            _give_up(session, asset)
            report.failed.append(asset.id)
        else:
            asset.attempts += 1
            asset.processing_started_at = None  # the next delivery may claim it
            INGEST.send(session, asset.id)
            report.requeued.append(asset.id)
            log.info("asset %s started but silent for %s s: re-queued (attempt %s of %s)",
                     asset.id, settings["STUCK_AFTER"], asset.attempts, max_attempts)

    waiting = session.scalars(
        select(Asset).where(Asset.status == "processing", Asset.processing_started_at.is_(None),
                            Asset.updated_at < resend_cutoff)
        .order_by(Asset.updated_at).limit(BATCH)).all()
    for asset in waiting:
        asset.updated_at = now
        INGEST.send(session, asset.id)
        report.resent.append(asset.id)
        log.info("asset %s still queued after %s s: its message is sent again (no attempt counted)",
                 asset.id, settings["RESEND_QUEUED_AFTER"])

    renditions = session.scalars(
        select(Rendition).join(Asset, Asset.id == Rendition.asset_id)
        .where(and_(Rendition.status == "running", Rendition.updated_at < cutoff, Asset.status == "ready"))
        .limit(BATCH)).all()
    live.withdraw(session, renditions)
    for row in renditions:
        if row.attempts >= max_attempts:
            row.status = "failed"
            row.error = f"Rendering did not finish after {row.attempts} attempts."
            report.failed.append(f"{row.asset_id}/{row.name}")
        else:
            row.status = "pending"
            RENDER.send(session, row.asset_id, row.name)
            report.requeued.append(f"{row.asset_id}/{row.name}")
    _sweep_zips(session, settings, now, cutoff, resend_cutoff, report)
    session.flush()
    return report


# How a make stopped by its worker was recorded before an interruption gave the claim back
# (`archive.renditions.services`): `<rendition> failed: interrupted: the worker process was stopped ...`.
INTERRUPTED_ERROR = "% failed: interrupted: the worker process was stopped%"


def _requeue_interrupted(session: Session, report: SweepReport) -> None:
    """Claimed assets whose current run recorded a rendition as interrupted (its worker was
    stopped, and said so, while the claim stayed set): re-queued at once, with no attempt
    counted, whatever STUCK_AFTER says; their interrupted renditions wait again (`pending`)."""
    interrupted = (select(Rendition.asset_id)
                   .join(Asset, Asset.id == Rendition.asset_id)
                   .where(Asset.status == "processing", Asset.processing_started_at.is_not(None),
                          Rendition.status == "failed", Rendition.error.like(INTERRUPTED_ERROR),
                          Rendition.updated_at >= Asset.processing_started_at))
    running = exists().where(Rendition.asset_id == Asset.id, Rendition.status == "running")
    assets = session.scalars(select(Asset).where(Asset.id.in_(interrupted), ~running)
                             .order_by(Asset.updated_at).limit(BATCH)).all()
    for asset in assets:
        for row in asset.renditions:
            if row.status == "failed" and row.error and INTERRUPTED_ERROR.strip("%") in row.error:
                row.status, row.error, row.progress = "pending", None, 0.0
        asset.processing_started_at = None  # the next delivery may claim it
        asset.updated_at = utcnow()
        INGEST.send(session, asset.id)
        report.requeued.append(asset.id)
        log.info("asset %s: its worker was stopped mid-make (recorded as interrupted): re-queued at once", asset.id)


def _sweep_zips(session: Session, settings: Mapping[str, Any], now: datetime, cutoff: datetime,
                resend_cutoff: datetime, report: SweepReport) -> None:
    """Basket zips: a silent build fails, a long-queued one is sent again (module docstring).
    Listed in the report as `basket:<id>`."""
    beat = func.coalesce(Basket.zip_updated_at, Basket.zip_requested_at)
    dead = session.scalars(select(Basket).where(Basket.zip_status == "building", beat < cutoff)
                           .order_by(beat).limit(BATCH)).all()
    for basket in dead:
        fail_zip(session, basket, f"The worker building the zip stopped (no progress for {settings['STUCK_AFTER']} s): "
                                  "ask for the zip again.")
        report.failed.append(f"basket:{basket.id}")
    waiting = session.scalars(select(Basket).where(Basket.zip_status == "queued", beat < resend_cutoff)
                              .order_by(beat).limit(BATCH)).all()
    for basket in waiting:
        basket.zip_updated_at = now
        BUILD_BASKET_ZIP.send(session, basket.id)
        report.resent.append(f"basket:{basket.id}")
        log.info("zip of basket %s still queued after %s s: its message is sent again",
                 basket.id, settings["RESEND_QUEUED_AFTER"])


def _give_up(session: Session, asset: Asset) -> None:
    change_status(session, asset, "failed",
                  f"Processing did not finish after {asset.attempts} attempts; "
                  "the worker stopped or was restarted each time.",
                  "asset.failed", {"reason_code": ATTEMPTS_EXHAUSTED, "attempts": asset.attempts},
                  error_code=ATTEMPTS_EXHAUSTED)
    log.warning("asset %s failed after %s attempts", asset.id, asset.attempts)
