"""Sending work to the workers: by name, with ids, and only after the commit.

Views and services call `enqueue(session, "workers.tasks.ingest", asset_id)`. The
task is held on the session and sent from its after_commit hook, so a worker
never races a row that is not yet visible; a rollback drops it.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING = "ortak.pending_tasks"

# Long media work goes to its own queue so that short jobs never wait behind a transcode.
MEDIA_QUEUE = "media"
DEFAULT_QUEUE = "celery"


def enqueue(session: Session, name: str, *args, queue: str | None = None) -> None:
    for arg in args:
        if not isinstance(arg, (str, int, float, type(None))):
            raise TypeError("tasks take ids, never objects")
    session.info.setdefault(_PENDING, []).append((name, args, queue))


def send_now(name: str, *args, queue: str | None = None) -> None:
    celery = current_app.extensions["ortak.celery"]
    celery.send_task(name, args=list(args), queue=queue or DEFAULT_QUEUE)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for name, args, queue in pending:
        try:
            send_now(name, *args, queue=queue)
        except Exception:  # the sweeper re-queues what could not be sent
            log.exception("could not send task %s%r; the sweeper will retry", name, args)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
