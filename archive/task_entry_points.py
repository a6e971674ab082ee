"""What each background task does, in archive terms: one function per handle of `archive.task_handles`.

`workers.tasks` binds each handle to a Celery task whose body calls the function of the
same name here with the ids the message carries, and calls nothing else of the archive (a
checked contract in pyproject.toml: workers never reach the database, storage, media or
search themselves). Each function runs in the app context the task opened and uses that
context's session; it flushes, and the task commits when it returns (the ingest pipeline
also commits its own progress as it goes). Each is safe to run twice for the same ids: a
message may be delivered more than once.
"""
from __future__ import annotations

import logging
from datetime import date

from flask import current_app

from archive import db, indexing
from archive.backends import search_backend, storage
from archive.baskets import zips
from archive.ingest import pipeline, recovery, steps
from archive.notifications import checks, webhooks
from archive.provenance import fixity
from archive.renditions import chunking
from archive.renditions import services as renditions
from archive.usage import checkpoints

log = logging.getLogger(__name__)


def ingest(asset_id: str) -> str:
    """Probe and render a new asset; its final status, 'skipped' or 'missing' (see `pipeline.process_asset`)."""
    return pipeline.process_asset(asset_id)


def render(asset_id: str, name: str) -> str:
    """(Re)make the rendition `name`; the rendition's status, or 'skipped'."""
    return pipeline.render_one(asset_id, name)


def render_chunk(chunk_id: int) -> str:
    """Encode one chunk of a chunked make if no one has (see `chunking.encode_chunk`)."""
    return chunking.encode_chunk(db.session(), int(chunk_id), renditions.source_file)


def run_step(asset_id: str, step: str) -> str:
    """Run the processing step `step` of a ready asset again if its inputs changed (see
    `pipeline.run_one_step`); 'unknown' for a step that does not exist."""
    if step not in steps.BY_NAME:
        log.warning("run_step: no step %r (asset %s)", step, asset_id)
        return "unknown"
    return pipeline.run_one_step(asset_id, step)


def index_asset(asset_id: str) -> bool:
    """Write the asset's search document; False when the asset is gone (its document is dropped)."""
    return indexing.index_asset(db.session(), search_backend(), asset_id)


def reindex_rights_day(today: date | None = None) -> int:
    """Re-index the assets whose rights open or close on `today` (default: today, UTC); how
    many documents were written."""
    return indexing.reindex_rights_day(db.session(), search_backend(), today)


def sweep() -> recovery.SweepReport:
    """One sweep of `archive.ingest.recovery` with the app's settings."""
    return recovery.sweep(db.session(), current_app.config)


def audit_checkpoint() -> int:
    """Sign a checkpoint of the usage log (`archive.usage.checkpoints`); the count it signed."""
    return checkpoints.checkpoint_now(db.session(), storage(), current_app.config).count


def notification_checks() -> int:
    """Run every notification check (`archive.notifications.checks`); how many notifications it raised."""
    return checks.run_checks(db.session(), current_app.config).raised


def deliver_webhook(notification_id: int) -> str:
    """POST one notification to its organisation's webhook (`webhooks.deliver`): "delivered",
    "failed", "no_webhook" or "missing"."""
    return webhooks.deliver(db.session(), notification_id, timeout=float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"]),
                            allow_private=bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]))


def build_basket_zip(basket_id: str) -> str:
    """Build the basket's zip (see `zips.build_zip`): "ready", "failed", "skipped" or "missing"."""
    return zips.build_zip(db.session(), basket_id)


def fixity_checks() -> int:
    """One scheduled fixity run (`archive.provenance.fixity.run_due`), then, when a file failed or
    was missing, the `fixity` notification check at once (admins hear now, not at the next daily
    run of the checks); how many files it checked."""
    session = db.session()
    result = fixity.run_due(session, storage(), current_app.config)
    if result.failures:
        checks.run_checks(session, current_app.config, names=["fixity"])
    return result.checked
