"""archive.supervisor with small Python children: the grace period and the kill after it, a second
signal, and a process a child started in a session of its own (as ffmpeg runs) that would
outlive it. (`ortak run` itself, with gunicorn and Celery: tests/functional/test_run_command.py.)"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

# A child that writes its pid, then sleeps; with STUBBORN it ignores SIGTERM and SIGINT; with
# GRANDCHILD it first starts a sleeper in a session of its own and writes that one's pid too.
CHILD = textwrap.dedent("""
    import os, signal, subprocess, sys, time
    out = sys.argv[1]
    if "STUBBORN" in sys.argv:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    pids = [os.getpid()]
    if "GRANDCHILD" in sys.argv:
        pids.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                                     start_new_session=True).pid)
    with open(out + ".tmp", "w") as fh:
        fh.write(" ".join(map(str, pids)))
    os.rename(out + ".tmp", out)
    time.sleep(300)
""")

SUPERVISOR = textwrap.dedent("""
    import sys
    from archive.supervisor import supervise
    script, grace, *children = sys.argv[1:]
    sys.exit(supervise([(f"child{i}", [sys.executable, "-c", script, *c.split(",")])
                        for i, c in enumerate(children)], grace=float(grace)))
""")


def _start(tmp_path: Path, grace: float, *children: str) -> tuple[subprocess.Popen, list[list[int]]]:
    files = [tmp_path / f"pids{i}" for i in range(len(children))]
    args = [",".join([str(f), *c.split(",")]) if c else str(f) for f, c in zip(files, children)]
    # Its output goes to a file: a pipe would stay open as long as a process left behind lives.
    with (tmp_path / "out").open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", SUPERVISOR, CHILD, str(grace), *args],
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not all(f.exists() for f in files):
        assert proc.poll() is None and time.monotonic() < deadline, _output(tmp_path)
        time.sleep(0.1)
    time.sleep(1.2)  # the supervisor notes its children's descendants every second
    return proc, [[int(p) for p in f.read_text().split()] for f in files]


def _output(tmp_path: Path) -> str:
    return (tmp_path / "out").read_text()


def _gone(pids: list[int]) -> bool:
    def alive(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return not any(alive(p) for p in pids)


def _cleanup(proc: subprocess.Popen, pids: list[int]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    proc, pids = _start(tmp_path, 2.0, "", "STUBBORN")
    try:
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 1  # a child had to be killed
        took = time.monotonic() - began
        out = _output(tmp_path)
        assert 2.0 <= took < 10, out
        assert "child0 (pid" in out and "ended with status 143" in out  # its default TERM
        assert "still running 2 s after the stop began: killing it" in out
        assert _gone(pids[0] + pids[1])
    finally:
        _cleanup(proc, pids[0] + pids[1])


def test_a_second_signal_kills_at_once(tmp_path):
    proc, pids = _start(tmp_path, 60.0, "STUBBORN")
    try:
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        began = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 1
        assert time.monotonic() - began < 10  # not the 60 s of grace
        assert "got SIGINT again: killing what still runs" in _output(tmp_path)
        assert _gone(pids[0])
    finally:
        _cleanup(proc, pids[0])


def test_what_a_child_started_in_its_own_session_does_not_outlive_it(tmp_path):
    proc, pids = _start(tmp_path, 5.0, "GRANDCHILD", "")
    child, grandchild = pids[0]
    try:
        os.kill(child, signal.SIGKILL)  # the child dies unasked; its grandchild is in no group of ours
        assert proc.wait(timeout=30) == 128 + signal.SIGKILL
        out = _output(tmp_path)
        assert "child0" in out and "ended unasked with status 137" in out
        assert _gone([child, grandchild] + pids[1]), out
    finally:
        _cleanup(proc, pids[0] + pids[1])
