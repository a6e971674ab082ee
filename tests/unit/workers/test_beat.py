"""The beat of a worker: it runs only while holding the scheduler lock (archive.scheduler_lock)."""
from __future__ import annotations

import pytest

from archive.scheduler_lock import SchedulerLock
from archive.task_handles import SWEEP
from workers.beat import LockedScheduler


@pytest.fixture
def lock_args(app):
    return app.config["DATABASE_URL"], app.config["DATA_DIR"]


def test_a_second_beat_refuses_before_opening_the_schedule(app, lock_args, tmp_path):
    holder = SchedulerLock(*lock_args)
    assert holder.acquire()
    schedule = tmp_path / "celerybeat-schedule"
    try:
        with pytest.raises(SystemExit) as exit_info:
            LockedScheduler(app.extensions["ortak.celery"], schedule_filename=str(schedule))
        assert exit_info.value.code == 2
        assert not any(p.name.startswith(schedule.name) for p in tmp_path.iterdir())
    finally:
        holder.release()


def test_a_beat_holds_the_lock_while_it_runs(app, lock_args, tmp_path):
    from archive import scheduler_lock

    scheduler = LockedScheduler(app.extensions["ortak.celery"], schedule_filename=str(tmp_path / "schedule"))
    try:
        other = SchedulerLock(*lock_args)
        assert not other.acquire()
        assert SWEEP.name in {entry.task for entry in scheduler.schedule.values()}
    finally:
        scheduler.close()
        scheduler_lock._held[1].release()
        scheduler_lock._held = None


def test_the_rights_day_runs_daily_just_after_midnight_utc(app, lock_args, tmp_path):
    from archive import scheduler_lock
    from archive.task_handles import REINDEX_RIGHTS_DAY

    scheduler = LockedScheduler(app.extensions["ortak.celery"], schedule_filename=str(tmp_path / "schedule"))
    try:
        entry = next(e for e in scheduler.schedule.values() if e.task == REINDEX_RIGHTS_DAY.name)
        assert entry.options["queue"] == REINDEX_RIGHTS_DAY.queue
        assert entry.schedule.hour == {0} and entry.schedule.minute == {5}
        assert app.extensions["ortak.celery"].conf.timezone == "UTC"
    finally:
        scheduler.close()
        scheduler_lock._held[1].release()
        scheduler_lock._held = None
