"""Worker fixtures: a real `ortak worker` process on the test's database, storage and broker."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_db_or_skip() -> int:
    """An empty Redis database number (so another run's worker cannot take our messages)."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            pass
    except OSError:
        pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; the Redis broker run needs it")
    import redis

    # The SQLite and the PostgreSQL runs of `make test` go side by side: each keeps to its own
    # half of the databases, so the two cannot both pick the same empty one at the same moment.
    dbs = range(11, 7, -1) if os.environ.get("ORTAK_TEST_DATABASE_URL") else range(15, 11, -1)
    for db in dbs:
        if redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).dbsize() == 0:
            return db
    pytest.skip("no empty Redis database (8..15) to run the worker on")




class WorkerProcess:
    def __init__(self, app, log_path: Path, beat: bool, extra_env: dict[str, str]):
        cfg = app.config
        env = dict(os.environ)
        env.update({"ORTAK_DATA_DIR": cfg["DATA_DIR"], "ORTAK_DATABASE_URL": cfg["DATABASE_URL"],
                    "ORTAK_SECRET_KEY": cfg["SECRET_KEY"], "ORTAK_LOG_FORMAT": "text", "ORTAK_LOG_LEVEL": "INFO",
                    "ORTAK_BROKER_URL": cfg["BROKER_URL"] if not cfg["BROKER_URL"].startswith("filesystem") else "",
                    "ORTAK_STUCK_AFTER": str(cfg["STUCK_AFTER"]), **extra_env})
        argv = [sys.executable, "-m", "archive.cli", "worker", "--concurrency", "1",
                "--queues", "celery,media", "--beat" if beat else "--no-beat"]
        self.log_path = log_path
        self._log = log_path.open("wb")
        # Its own session: the teardown can stop the worker and every pool process it forked.
        self.proc = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._terminated = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        raise AssertionError(f"worker not ready after {timeout} s:\n{self.log()[-4000:]}")

    def terminate(self) -> None:
        """SIGTERM (a warm shutdown), once; `stop` waits for it."""
        if not self._terminated and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self._terminated = True

    def stop(self, grace: float = 5) -> None:
        """SIGTERM (a warm shutdown), `grace` seconds for it, then SIGKILL to the worker's session.
        A teardown waits no longer: a test that needs the running task to finish waits for it
        itself, and a warm shutdown mid-transcode took 20 s of `test_pipeline`'s revoke test."""
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of ours left in its session
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture
def start_worker(app, tmp_path):
    """start_worker(beat=False, **env) -> WorkerProcess, ready to consume; stopped at teardown."""
    started: list[WorkerProcess] = []

    def _start(beat: bool = False, **env: str) -> WorkerProcess:
        w = WorkerProcess(app, tmp_path / f"worker-{len(started)}.log", beat, env)
        started.append(w)
        w.wait_ready()
        return w

    yield _start
    # All told to stop at once, then each given what is left of one grace period: a test's
    # workers shut down side by side, not one after another (up to 5 s each).
    for w in started:
        w.terminate()
    deadline = time.monotonic() + 5
    for w in started:
        w.stop(grace=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def wait_for_status(app):
    """wait_for_status(asset_ids, timeout) -> {id: Asset} once none is `processing` any more."""
    from archive import db
    from archive.assets.models import Asset

    def _wait(asset_ids, timeout: float = 120, worker: WorkerProcess | None = None):
        deadline = time.monotonic() + timeout
        while True:
            with app.app_context():
                s = db.session()
                assets = {i: s.get(Asset, i) for i in asset_ids}
                for a in assets.values():
                    a.renditions  # load while the session is open
                if all(a.status != "processing" for a in assets.values()):
                    return assets
            if time.monotonic() > deadline:
                states = {i: a.status for i, a in assets.items()}
                log = worker.log()[-4000:] if worker else ""
                raise AssertionError(f"still processing after {timeout} s: {states}\n{log}")
            time.sleep(0.5)

    return _wait
