"""An asset's status changes, each with its Event: the one function the pipeline and the sweeper use.

Statuses (`archive.assets.models.STATUSES`): `processing` while ingest runs, then `ready`,
`rejected` (the file's fault) or `failed` (ours: a crash, storage, attempts exhausted).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.events.services import record

MAX_ERROR = 2000  # characters of `assets.error` kept (an ffmpeg message can be very long)


def change_status(session: Session, asset: Asset, status: str, error: str | None, action: str,
                  extra: dict | None = None, *, error_code: str | None = None) -> str:
    """Move `asset` to `status` and record the Event `action` (system actor); returns `status`.

    `error` is the English sentence a person reads (cut to MAX_ERROR characters), `error_code`
    the machine reason beside it that pages translate (a `Rejected.code`, one of the pipeline's
    FAILURE_CODES, or the sweeper's `attempts_exhausted`); both are cleared when `error` is None.
    The Event's `before` is the old status, its `after` the new one with the error and
    `extra`. Flushes nothing and commits nothing: the caller owns the unit of work.
    """
    before = {"status": asset.status}
    asset.status = status
    asset.error = error[:MAX_ERROR] if error else None
    asset.error_code = error_code if error else None
    after = {"status": status, **({"error": asset.error} if asset.error else {}), **(extra or {})}
    record(session, actor_id=None, action=action, subject_type="asset", subject_id=asset.id,
           before=before, after=after)
    return status
