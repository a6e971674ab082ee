"""The periodic scheduler (Celery beat): one per archive, and never outliving its worker.

Beat sends the `sweep` task on a timer. Two of them double every sweep; one orphaned by a
killed worker keeps sending after the operator thinks everything is stopped. So:

- Every beat holds the **scheduler lock** (`archive.scheduler_lock`: an advisory lock on
  PostgreSQL, a file lock on SQLite, dropped when the process dies however it dies) for as
  long as it runs, and one that cannot get it does not start.
- A beat embedded in a worker (`ortak worker --beat`, what `make run` starts) runs as a
  child process of the worker; it watches its parent and stops as soon as the worker's main
  process is gone, even by SIGKILL (it would otherwise be re-parented to init and live on).
- At scale, run one `ortak beat` process and start the workers with `--no-beat`; a second
  `ortak beat` refuses to start while the first holds the lock.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from celery.beat import PersistentScheduler

from archive.scheduler_lock import SchedulerLockBusy, hold_scheduler_lock

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0
LOCK_CHECK_SECONDS = 60.0


class LockedScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, run only while holding the scheduler lock.

    The lock is taken before the schedule file is opened (two beats would also fight over
    that file). A lock that cannot be had ends this beat process with a logged reason.
    """

    def __init__(self, app, *args, lazy: bool = False, **kwargs):
        if not lazy:  # a lazy instance only describes the schedule (startup banners)
            try:
                self._lock = hold_scheduler_lock(app.flask_app.config)
            except SchedulerLockBusy as exc:
                log.error("beat not started: %s", exc)
                raise SystemExit(2) from exc
            self._lock_checked = time.monotonic()
        super().__init__(app, *args, lazy=lazy, **kwargs)

    def tick(self, *args, **kwargs):
        lock = getattr(self, "_lock", None)
        if lock is not None and time.monotonic() - self._lock_checked > LOCK_CHECK_SECONDS:
            try:
                lock.verify()
            except Exception as exc:  # the lock went with the connection: let another beat take over
                log.error("beat stopping: the scheduler lock was lost (%s)", exc)
                raise SystemExit(2) from exc
            self._lock_checked = time.monotonic()
        return super().tick(*args, **kwargs)


def watch_parent(parent: int, interval: float = PARENT_CHECK_SECONDS) -> threading.Thread:
    """Stop this (embedded beat) process once its parent, the worker with pid `parent`, is gone.

    Polls `getppid()`: when the parent dies the child is re-parented (to init or a
    subreaper) and the number changes; comparing with the pid recorded before the fork also
    covers a parent that died before the watch began. The stop is SIGTERM to ourselves,
    which beat handles as a normal shutdown.
    """

    def _watch() -> None:
        while True:
            if os.getppid() != parent:
                log.warning("beat stopping: its worker (pid %s) is gone", parent)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(interval)

    thread = threading.Thread(target=_watch, name="beat-parent-watch", daemon=True)
    thread.start()
    return thread
