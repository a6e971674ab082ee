"""The scheduler lock: one beat per archive, on SQLite (a file lock) and PostgreSQL (an advisory lock)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive import scheduler_lock
from archive.scheduler_lock import SchedulerLock, SchedulerLockBusy, hold_scheduler_lock, scheduler_running


@pytest.fixture
def lock_args(app):
    return app.config["DATABASE_URL"], app.config["DATA_DIR"]


@pytest.fixture
def forget_held():
    yield
    if scheduler_lock._held is not None:
        scheduler_lock._held[1].release()
        scheduler_lock._held = None


def test_one_holder_at_a_time(lock_args, app):
    first, second = SchedulerLock(*lock_args), SchedulerLock(*lock_args)
    assert first.acquire()
    try:
        assert not second.acquire()
        assert scheduler_running(app.config)
        first.verify()
    finally:
        first.release()
    assert not scheduler_running(app.config)
    assert second.acquire()
    second.release()


def test_the_lock_lives_where_every_scheduler_of_the_archive_looks(lock_args):
    lock = SchedulerLock(*lock_args)
    if lock.url.get_backend_name() == "postgresql":
        assert lock.where.startswith(f"advisory lock {scheduler_lock.ADVISORY_KEY} in postgresql")
    else:
        assert lock.path == Path(lock.url.database + ".scheduler-lock") and str(lock.path) in lock.where
    secret = SchedulerLock("postgresql+psycopg://ortak:hunter2@db.example/ortak", "/data")
    assert "hunter2" not in secret.where and "***" in secret.where


def test_hold_is_once_per_process_and_names_the_holder(app, forget_held):
    held = hold_scheduler_lock(app.config)
    assert hold_scheduler_lock(app.config) is held
    other = SchedulerLock(app.config["DATABASE_URL"], app.config["DATA_DIR"])
    assert not other.acquire()


def test_busy_lock_message_names_it(app, lock_args, forget_held):
    holder = SchedulerLock(*lock_args)
    assert holder.acquire()
    try:
        with pytest.raises(SchedulerLockBusy, match="another scheduler"):
            hold_scheduler_lock(app.config)
    finally:
        holder.release()


def test_the_file_lock_says_who_holds_it(app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the file lock is SQLite's")
    lock = SchedulerLock(app.config["DATABASE_URL"], app.config["DATA_DIR"])
    assert lock.acquire()
    try:
        assert lock.path.read_text().strip() == str(os.getpid())
    finally:
        lock.release()
