"""The archive's background tasks, by handle: each names its task, its queue and its ids once.

Archive code sends work with a handle, never a string: `INGEST.send(session, asset.id)`.
The message is held on the session and published once its outermost transaction commits,
so a worker never races a row it cannot see yet; a rollback drops it (a rolled-back
savepoint drops what was sent inside it, a released one sends nothing yet). A send carries ids (str or
int) and exactly the handle's parameters; anything else is a TypeError at the send.

Every handle is declared here, so this module is the one list of the background work and
of the queue each part runs on: long media work on MEDIA_QUEUE, where a transcode never
holds up a short job, and everything else on DEFAULT_QUEUE. The task bodies are in
`workers.tasks`, bound to these handles there (`@runs(INGEST)`): a reader, or a tool, goes
from a send to its body by the handle's name. The archive never imports them, so the web
service and the CLI run without the workers package.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_PENDING = "ortak.pending_tasks"

MEDIA_QUEUE = "media"
DEFAULT_QUEUE = "celery"  # Celery's own default name, so a stock `celery worker` consumes it
QUEUES = (DEFAULT_QUEUE, MEDIA_QUEUE)
ID_TYPES = (str, int)


@dataclass(frozen=True)
class TaskHandle:
    """One background task: `name` is what its messages carry (and what a worker's log
    shows), `queue` the queue every message of it goes to, `params` the names of the ids it
    takes, in order."""

    name: str
    queue: str
    params: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.queue not in QUEUES:
            raise ValueError(f"{self.name}: unknown queue {self.queue!r} (one of {', '.join(QUEUES)})")

    def send(self, session: Session, *ids: str | int) -> None:
        """Send the task when the session's outermost transaction commits (dropped if it rolls back).

        Raises TypeError for a wrong number of arguments or an argument that is not an id.
        """
        ids = self.check(ids)
        # Held by the innermost transaction, begun if need be: a rollback with nothing
        # written yet must still drop it, and a rolled-back savepoint drops only its own.
        tx = session.get_nested_transaction() or session.get_transaction() or session.begin()
        session.info.setdefault(_PENDING, []).append((tx, self, ids))

    def send_now(self, *ids: str | int) -> None:
        """Publish at once, whatever any transaction does: for tests that play a broker's
        duplicate delivery, tools, and the index tasks a request sends after writing their
        documents itself (`archive.index_now`). Archive code uses `send`."""
        publish(self, self.check(ids))

    def check(self, ids: tuple) -> tuple:
        """`ids` if they fit `params` (as many, each a str or int); TypeError otherwise."""
        if len(ids) != len(self.params):
            raise TypeError(f"{self.name} takes {len(self.params)} argument(s) ({', '.join(self.params)}), "
                            f"got {len(ids)}")
        for param, value in zip(self.params, ids):
            if isinstance(value, bool) or not isinstance(value, ID_TYPES):
                raise TypeError(f"{self.name}: {param} must be an id (str or int), not {type(value).__name__}; "
                                "tasks take ids, never objects")
        return tuple(ids)


# Task names stay those of the first release: messages already queued when an archive is
# upgraded must still find their task.
INGEST = TaskHandle("workers.tasks.ingest", MEDIA_QUEUE, ("asset_id",))
"""Probe a new original, make its renditions, then send INDEX_ASSET (`archive.ingest.pipeline`)."""

RENDER = TaskHandle("workers.tasks.render", MEDIA_QUEUE, ("asset_id", "name"))
"""(Re)make one rendition of an asset that was processed already."""

RENDER_CHUNK = TaskHandle("workers.tasks.render_chunk", MEDIA_QUEUE, ("chunk_id",))
"""Encode one chunk of a chunked make, if no one has yet (`archive.renditions.chunking`)."""

RUN_STEP = TaskHandle("workers.tasks.run_step", MEDIA_QUEUE, ("asset_id", "step"))
"""Run one processing step of a ready asset again, if its inputs changed (`archive.ingest.steps`)."""

INDEX_ASSET = TaskHandle("workers.tasks.index_asset", DEFAULT_QUEUE, ("asset_id",))
"""Write the asset's search document as it is now (or drop it when the asset is gone)."""

SWEEP = TaskHandle("workers.tasks.sweep", DEFAULT_QUEUE, ())
"""Recover stuck and lost work, orphaned scratch and abandoned uploads (`archive.ingest.recovery`);
the scheduler sends it on a timer."""

REINDEX_RIGHTS_DAY = TaskHandle("workers.tasks.reindex_rights_day", DEFAULT_QUEUE, ())
"""Re-index the assets whose rights windows open or close today (`archive.indexing.reindex_rights_day`);
the scheduler sends it daily, just after midnight UTC."""

AUDIT_CHECKPOINT = TaskHandle("workers.tasks.audit_checkpoint", DEFAULT_QUEUE, ())
"""Sign a checkpoint of the usage log's head into blob storage (`archive.usage.checkpoints`);
the scheduler sends it every AUDIT_CHECKPOINT_SECONDS."""

NOTIFICATION_CHECKS = TaskHandle("workers.tasks.notification_checks", DEFAULT_QUEUE, ())
"""Run every registered notification check and deliver what they raise (`archive.notifications`);
the scheduler sends it every NOTIFICATION_CHECK_SECONDS."""

DELIVER_WEBHOOK = TaskHandle("workers.tasks.deliver_webhook", DEFAULT_QUEUE, ("notification_id",))
"""POST one new notification to its organisation's webhook (`archive.notifications.webhooks.deliver`);
sent by the notification checks, so the receiver is called after their commit, never inside it."""

BUILD_BASKET_ZIP = TaskHandle("workers.tasks.build_basket_zip", MEDIA_QUEUE, ("basket_id",))
"""Build a basket's zip and stream it to storage (`archive.baskets.zips.build_zip`); long, so on the media queue."""

FIXITY_CHECKS = TaskHandle("workers.tasks.fixity_checks", MEDIA_QUEUE, ())
"""Re-hash this run's share of the stored files (`archive.provenance.fixity.run_due`); the scheduler
sends it every FIXITY_RUN_SECONDS. Long (it reads bytes, throttled), so on the media queue."""

HANDLES = (INGEST, RENDER, RENDER_CHUNK, RUN_STEP, INDEX_ASSET, SWEEP, REINDEX_RIGHTS_DAY, AUDIT_CHECKPOINT,
           NOTIFICATION_CHECKS, DELIVER_WEBHOOK, BUILD_BASKET_ZIP, FIXITY_CHECKS)


def publish(handle: TaskHandle, ids: tuple) -> None:
    """The one place a message leaves for the broker: the handle's task, on the handle's queue."""
    celery = current_app.extensions["ortak.celery"]
    celery.send_task(handle.name, args=list(ids), queue=handle.queue)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; nothing is visible to a worker before the real commit
    pending = session.info.pop(_PENDING, [])
    for _tx, handle, ids in pending:
        try:
            publish(handle, ids)
        except Exception:  # the sweeper re-sends work whose message never left
            log.exception("could not send task %s%r; the sweeper will retry", handle.name, ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested and _PENDING in session.info:
        session.info[_PENDING] = [p for p in session.info[_PENDING] if not _within(p[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost ended: committed (sent already), rolled back or closed
        session.info.pop(_PENDING, None)


def _within(tx: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while tx is not None:
        if tx is ancestor:
            return True
        tx = tx.parent
    return False
