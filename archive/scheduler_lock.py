"""The scheduler lock: at most one scheduler (Celery beat) per archive, however many hosts.

A scheduler holds this lock for as long as it runs, and one that cannot get it does not
start (`workers.beat`). On PostgreSQL the lock is a session advisory lock
(`pg_try_advisory_lock`, local to the database), held on a connection of its own, so any
number of hosts sharing the database agree; on SQLite it is an exclusive `flock` on a file
beside the database (SQLite means one host). The kernel or the database server drops the
lock when the process dies, however it dies.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.pool import NullPool

# A fixed 64-bit key for pg_try_advisory_lock (advisory keys are per database).
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"ortak:scheduler").digest()[:8], "big", signed=True)


class SchedulerLockBusy(RuntimeError):
    """Another scheduler holds the lock; the message says where the lock lives."""


class SchedulerLock:
    """The archive-wide "one scheduler" lock (see the module docstring)."""

    def __init__(self, database_url: str, data_dir: str):
        self.url = make_url(database_url)
        self.data_dir = data_dir
        self._conn: Connection | None = None
        self._fd: int | None = None

    @property
    def where(self) -> str:
        if self.url.get_backend_name() == "postgresql":
            return f"advisory lock {ADVISORY_KEY} in {self.url.render_as_string(hide_password=True)}"
        return f"file {self.path}"

    @property
    def path(self) -> Path:
        database = self.url.database if self.url.get_backend_name() == "sqlite" else None
        if database and database != ":memory:":
            return Path(database + ".scheduler-lock")
        return Path(self.data_dir) / "scheduler.lock"

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        if self.url.get_backend_name() == "postgresql":
            engine = create_engine(self.url, poolclass=NullPool)
            conn = engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
            conn.commit()
            if not got:
                conn.close()
                return False
            self._conn = conn
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person wondering who holds it
        self._fd = fd
        return True

    def verify(self) -> None:
        """Raise if the lock may have been lost (its database connection broke)."""
        if self._conn is not None:
            self._conn.execute(text("SELECT 1")).scalar()
            self._conn.commit()

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()
            finally:
                conn.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the last descriptor drops the flock


_held: tuple[int, SchedulerLock] | None = None


def hold_scheduler_lock(config: Mapping[str, Any]) -> SchedulerLock:
    """Take the scheduler lock for the rest of this process's life (idempotent per process).

    Raises SchedulerLockBusy when another scheduler runs.
    """
    global _held
    if _held is not None and _held[0] == os.getpid():
        return _held[1]
    lock = SchedulerLock(config["DATABASE_URL"], config["DATA_DIR"])
    if not lock.acquire():
        raise SchedulerLockBusy(f"another scheduler (beat) is running for this archive: it holds the {lock.where}")
    _held = (os.getpid(), lock)
    return lock


def scheduler_running(config: Mapping[str, Any]) -> bool:
    """Whether another process holds the scheduler lock now (a probe: takes and drops it)."""
    lock = SchedulerLock(config["DATABASE_URL"], config["DATA_DIR"])
    if lock.acquire():
        lock.release()
        return False
    return True
