"""Real `ortak worker` processes killed, duplicated and backlogged: nothing leaks, nothing runs twice.

- A SIGKILLed transcode's scratch files are swept when the next worker starts.
- The embedded scheduler dies with its worker; a second scheduler refuses to start.
- A backlog queued longer than STUCK_AFTER ago is worked through once: no re-queue, no failure; a
  message that was really lost is sent again; a duplicate message is skipped.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from PIL import Image
from sqlalchemy import update

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.scratch import Owner
from archive.ingest.recovery import sweep_stuck
from archive.task_handles import INGEST

INGEST_RECEIVED = re.compile(r"Task workers\.tasks\.ingest\[[0-9a-f-]+\] received")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STUCK_AFTER": 8}


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(predicate, timeout: float, what: str, log: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s\n{log[-3000:]}")
        time.sleep(0.1)


def _queue_files(app) -> list[str]:
    return os.listdir(os.path.join(app.config["DATA_DIR"], "broker", "queue"))


def _age(app, asset_ids, seconds: float) -> None:
    old = utcnow() - timedelta(seconds=seconds)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id.in_(asset_ids)).values(created_at=old, updated_at=old))
        s.commit()


# ---- scratch files of a killed transcode ----

def test_scratch_of_a_killed_transcode_is_swept_when_the_next_worker_starts(
        app, register_file, start_worker, sample_video, tmp_path):
    worker, _, partial = _transcoding_a_long_master(app, register_file, start_worker, sample_video, tmp_path)
    scratch = Path(app.config["DATA_DIR"], "tmp")
    owner_dir = partial[0].parents[2]
    owner = Owner.parse(owner_dir.name)
    assert owner is not None and psutil.Process(owner.pid).ppid() == worker.proc.pid  # a pool process
    ffmpegs = [p for p in psutil.process_iter(["name", "cmdline"])
               if p.info["name"] == "ffmpeg" and any(str(partial[0]) in a for a in p.info["cmdline"] or [])]

    os.killpg(worker.proc.pid, signal.SIGKILL)  # the worker and its pool, no `finally` runs
    worker.proc.wait(timeout=10)
    for proc in ffmpegs:  # ffmpeg dies with its pool process (PR_SET_PDEATHSIG)
        _wait(lambda proc=proc: _gone(proc.pid), 10, "ffmpeg outlived its worker")
    _wait(lambda: _gone(owner.pid), 10, "the pool process outlived its worker")
    assert partial[0].exists() and partial[0].stat().st_size > 0  # what the issue found: left behind

    start_worker()
    assert not owner_dir.exists()
    assert all(Owner.parse(d.name) is None or not _gone(Owner.parse(d.name).pid) for d in scratch.iterdir())


# ---- an interrupted transcode is taken up again at once ----

def test_an_interrupted_transcode_is_taken_up_again_when_the_worker_restarts(
        app, register_file, start_worker, wait_for_status, sample_video, tmp_path):
    from archive.events.models import Event
    from archive.renditions.models import Rendition

    worker, asset_id, partial = _transcoding_a_long_master(app, register_file, start_worker, sample_video, tmp_path)
    pool = Owner.parse(partial[0].parents[2].name).pid  # the pool process making it

    os.killpg(worker.proc.pid, signal.SIGTERM)  # the worker and its pool process stopped mid-transcode
    _wait(lambda: _gone(pool), 30, "the pool process outlived SIGTERM", worker.log())
    try:
        worker.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a warm shutdown may linger; the pool process is gone
        os.killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait(timeout=10)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        assert asset.status == "processing" and asset.processing_started_at is None  # the claim is given back
        rows = s.query(Rendition).filter_by(asset_id=asset_id).all()
        made = [r for r in rows if r.status != "ready"]
        assert made and all(r.status == "pending" and r.error is None for r in made)  # waiting, not failed
        assert s.query(Event).filter_by(subject_id=asset_id, action="asset.interrupted").count() == 1
        assert asset.attempts == 0

    # No sweep runs (no beat, STUCK_AFTER never reached): the next worker takes it up by itself.
    worker = start_worker()
    assets = wait_for_status([asset_id], timeout=300, worker=worker)
    assert assets[asset_id].status == "ready", worker.log()[-3000:]
    assert all(r.status == "ready" for r in assets[asset_id].renditions)
    assert worker.log().count(f"asset {asset_id} claimed") == 1


# ---- one scheduler, never orphaned ----

def _beat_pid(worker) -> int:
    found = re.search(r"embedded beat started \(pid (\d+)\)", worker.log())
    return int(found.group(1)) if found else 0


def _ortak(app, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "ORTAK_DATA_DIR": app.config["DATA_DIR"], "ORTAK_DATABASE_URL": app.config["DATABASE_URL"],
           "ORTAK_SECRET_KEY": app.config["SECRET_KEY"], "ORTAK_LOG_FORMAT": "text", "ORTAK_BROKER_URL": ""}
    return subprocess.run([sys.executable, "-m", "archive.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_embedded_scheduler_dies_with_its_worker(app, start_worker):
    worker = start_worker(beat=True)
    _wait(lambda: _beat_pid(worker), 30, "no embedded beat", worker.log())
    beat = _beat_pid(worker)
    assert psutil.Process(beat).ppid() == worker.proc.pid

    # While it runs, no second scheduler starts: not a standalone one ...
    refused = _ortak(app, "beat")
    assert refused.returncode == 2, refused.stderr
    assert "error: another scheduler (beat) is running for this archive" in refused.stderr
    # ... nor one embedded in a second worker.
    second = start_worker(beat=True)
    assert "another scheduler runs for this archive; this worker runs without one" in second.log()
    time.sleep(2)
    assert _beat_pid(second) == 0

    os.kill(worker.proc.pid, signal.SIGKILL)  # the main process only, as an OOM killer would
    worker.proc.wait(timeout=10)
    _wait(lambda: _gone(beat), 10, "the embedded beat outlived its worker (re-parented to init)", worker.log())

    # Its lock went with it: a scheduler may start again.
    third = start_worker(beat=True)
    _wait(lambda: _beat_pid(third), 30, "the lock was not released", third.log())


# ---- the backlog, lost messages, duplicates ----

def _images(tmp_path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"still-{i:02d}.png"
        Image.new("RGB", (64, 48), (i * 8 % 256, 255 - i * 8 % 256, (i * 37) % 256)).save(path)
        paths.append(path)
    return paths


# Assets in the backlog. Each is aged past STUCK_AFTER before the worker starts, so every one has
# 'waited longer than STUCK_AFTER' whatever the backlog's own length; the length only has to let
# the sweeper run several times while assets wait and are claimed (asserted: >= 5 sweeps). 15
# do (30 did the same in more time: 66 s -> 52 s for the test, measured on the loaded machine).
BACKLOG = 15


def test_a_backlog_is_worked_through_once(app, register_file, start_worker, wait_for_status, tmp_path):
    """BACKLOG assets queued before a single-slot worker starts, all 'older' than STUCK_AFTER, with
    the sweeper running all along (its own beat, and every half second from here): each asset is
    ingested exactly once and none is re-queued or failed."""
    ids = [register_file(p) for p in _images(tmp_path, BACKLOG)]
    _age(app, ids, 3600)  # queued an hour ago, far past STUCK_AFTER
    worker = start_worker(beat=True)
    reports = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with app.app_context():
            session = db.session()
            reports.append(sweep_stuck(session, app.config))
            session.commit()
            if all(a.status != "processing" for a in db.session().query(Asset).filter(Asset.id.in_(ids))):
                break
        time.sleep(0.5)
    assets = wait_for_status(ids, timeout=30, worker=worker)
    log = worker.log()

    assert len(reports) >= 5, "the backlog was too short to be swept during it"
    assert all(r.sent == 0 and r.failed == [] for r in reports), [r for r in reports if r.sent or r.failed]
    assert {a.status for a in assets.values()} == {"ready"}
    assert {a.attempts for a in assets.values()} == {0} and {a.error_code for a in assets.values()} == {None}
    assert len(INGEST_RECEIVED.findall(log)) == BACKLOG, "redundant ingest runs"
    assert log.count("claimed (re-queued 0 times before)") == BACKLOG
    assert "duplicate message skipped" not in log and "re-queued (attempt" not in log


def test_a_lost_message_is_sent_again_and_a_duplicate_is_skipped(app_config, register_file, start_worker,
                                                                 wait_for_status, tmp_path):
    from archive import create_app

    lost_id, dup_id = (register_file(p) for p in _images(tmp_path, 2))
    app = create_app({**app_config, "RESEND_QUEUED_AFTER": 20})
    try:
        with app.app_context():  # the first asset's message is lost (a worker died holding it)
            for name in _queue_files(app):
                os.remove(os.path.join(app.config["DATA_DIR"], "broker", "queue", name))
            INGEST.send_now(dup_id)  # the second one's is sent twice
            INGEST.send_now(dup_id)
        _age(app, [lost_id], 60)
        worker = start_worker(beat=True, ORTAK_RESEND_QUEUED_AFTER="20")
        assets = wait_for_status([lost_id, dup_id], timeout=120, worker=worker)
        log = worker.log()
        assert assets[lost_id].status == "ready" and assets[lost_id].attempts == 0
        assert assets[dup_id].status == "ready" and assets[dup_id].attempts == 0
        assert f"asset {lost_id} claimed" in log and f"asset {dup_id} claimed" in log
        assert log.count(f"asset {dup_id} claimed") == 1
        assert (log.count(f"asset {dup_id} is being processed already")
                + log.count(f"asset {dup_id} is ready, nothing to do")) == 1
    finally:
        app.extensions["ortak.db"].dispose()


def _transcoding_a_long_master(app, register_file, start_worker, sample_video, tmp_path):
    """(worker, asset id, [the partial proxy file]) once a worker is transcoding a 48 s master
    (the 4 s sample looped by stream copy, so the transcode runs a while: the test acts within
    ~0.1 s of the first proxy bytes, the decode of 48 s takes seconds more even on an idle
    machine). Not longer: the interrupted test's next worker makes the whole master again
    (a 164 s master made that test take 64-124 s)."""
    long_video = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "11", "-i", str(sample_video), "-c", "copy",
                    str(long_video)], check=True)
    worker = start_worker()
    asset_id = register_file(long_video)
    scratch = Path(app.config["DATA_DIR"], "tmp")
    partial: list[Path] = []

    def transcoding() -> bool:
        # <process dir>/ortak-make-*/<rendition>/<file>: one make writes every rendition of a decode
        partial[:] = [p for p in scratch.glob("p*/ortak-make-*/proxy/proxy.mp4") if p.stat().st_size > 0]
        return bool(partial)

    _wait(transcoding, 120, "the proxy transcode never wrote its output", worker.log())
    return worker, asset_id, partial
