"""`ortak run` (what `make run` starts): the web service and a worker as children of one
process that stops both on SIGTERM, and both when either ends unasked, leaving no process.

Each test starts the real command on a free port with its own data directory and embedded
broker, waits until the web service answers and the worker's pool is up, then looks at the
whole process tree by pid (psutil compares start times, so a reused pid is not mistaken).
"""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.live_server import free_port

# Process supervision does not depend on the database: the SQLite run of `make test` covers it
# (the `start` fixture skips in the PostgreSQL run). The test that starts nothing runs in
# whichever run takes the database-independent tests (tests/conftest.py).


class Running:
    def __init__(self, data_dir: Path, database_url: str, log: Path, *args: str):
        self.port = free_port()
        self.log = log
        env = {**os.environ, "ORTAK_DATA_DIR": str(data_dir), "ORTAK_DATABASE_URL": database_url,
               "ORTAK_SECRET_KEY": "test-secret", "ORTAK_BROKER_URL": "", "ORTAK_PORT": str(self.port),
               "ORTAK_LOG_LEVEL": "INFO"}
        with log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "run", "--concurrency", "1", *args],
                                         env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.me = psutil.Process(self.proc.pid)
        self.seen: dict[int, psutil.Process] = {}

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def answers(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def children(self) -> dict[str, psutil.Process]:
        """The two direct children by role: gunicorn (web) and the Celery worker."""
        found = {}
        for child in self.me.children():
            cmdline = " ".join(child.cmdline())
            found["web" if "gunicorn" in cmdline else "worker" if "worker" in cmdline else cmdline] = child
        return found

    def wait_ready(self, timeout: float = 90) -> dict[str, psutil.Process]:
        """Until the web service answers and the worker has its pool process; the children."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"ortak run ended with {self.proc.returncode}:\n{self.output()}"
            children = self.children()
            if self.answers() and "worker" in children and children["worker"].children():
                self.note_tree()
                return children
            time.sleep(0.3)
        raise AssertionError(f"ortak run not ready after {timeout} s:\n{self.output()}")

    def note_tree(self) -> list[psutil.Process]:
        for p in self.me.children(recursive=True):
            self.seen.setdefault(p.pid, p)
        return list(self.seen.values())

    def cleanup(self) -> None:
        for p in [*self.seen.values(), self.me]:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)


@pytest.fixture
def start(tmp_path, data_dir, database_url):
    if os.environ.get("ORTAK_TEST_DATABASE_URL"):
        pytest.skip("process supervision: covered by the SQLite run")
    started: list[Running] = []

    def _start(*args: str) -> Running:
        running = Running(data_dir, database_url, tmp_path / f"run-{len(started)}.log", *args)
        started.append(running)
        return running

    yield _start
    for running in started:
        running.cleanup()


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_sigterm_stops_the_web_service_and_the_worker_and_leaves_no_process(start):
    running = start("--grace", "20")
    children = running.wait_ready()
    assert set(children) == {"web", "worker"}
    tree = running.note_tree()
    assert len(tree) >= 4  # gunicorn's master and worker, Celery's main process and its pool process

    began = time.monotonic()
    running.proc.send_signal(signal.SIGTERM)
    assert running.proc.wait(timeout=25) == 0, running.output()  # 0: both stopped by themselves
    gone, alive = psutil.wait_procs(tree, timeout=5)
    took = time.monotonic() - began
    assert not alive, f"left running: {[(p.pid, p.cmdline()) for p in alive]}"
    assert took < 20, f"stopping took {took:.1f} s:\n{running.output()}"  # within the grace: nobody was killed
    assert not running.answers()
    out = running.output()
    assert f"sending SIGTERM to web (pid {children['web'].pid})" in out
    assert f"sending SIGTERM to worker (pid {children['worker'].pid})" in out


def test_sigint_is_sent_on_to_both(start):
    running = start()
    children = running.wait_ready()
    tree = running.note_tree()
    running.proc.send_signal(signal.SIGINT)
    running.proc.wait(timeout=25)
    assert not _alive(tree) and not _alive(list(children.values()))
    assert "got SIGINT: sending SIGINT to web" in running.output()


def test_a_worker_that_dies_stops_the_web_service_and_the_exit_status_says_so(start):
    running = start()
    children = running.wait_ready()
    tree = running.note_tree()
    pool = children["worker"].children()
    children["worker"].kill()  # as the OOM killer would: no chance to stop its pool

    assert running.proc.wait(timeout=25) == 128 + signal.SIGKILL, running.output()
    gone, alive = psutil.wait_procs(tree, timeout=5)
    assert not alive, f"left running: {[(p.pid, p.cmdline()) for p in alive]}"
    assert pool and all(p in gone for p in pool)  # the orphaned pool process too
    assert not running.answers()
    assert f"worker (pid {children['worker'].pid}) ended unasked with status 137" in running.output()


def test_a_web_service_that_cannot_start_stops_the_worker(start, tmp_path):
    # The port is taken: gunicorn gives up, and the worker must not be left running alone.
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        running = start("--port", str(taken.getsockname()[1]))
        deadline = time.monotonic() + 60
        while running.proc.poll() is None and time.monotonic() < deadline:
            running.note_tree()
            time.sleep(0.2)
        status = running.proc.wait(timeout=30)
    assert status != 0, running.output()
    assert "web (pid" in running.output() and "ended unasked" in running.output()
    assert not _alive(list(running.seen.values()))


def test_a_database_without_the_schema_is_one_line_before_anything_starts(tmp_path):
    env = {**os.environ, "ORTAK_DATA_DIR": str(tmp_path), "ORTAK_DATABASE_URL": f"sqlite:///{tmp_path}/none.db",
           "ORTAK_SECRET_KEY": "test-secret", "ORTAK_PORT": str(free_port())}
    done = subprocess.run([sys.executable, "-m", "archive.cli", "run"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "ortak db upgrade" in done.stderr and "started" not in done.stderr
