"""The subprocess runner against real ffmpeg: timeouts, group kills, progress, failures."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from archive.media import runner
from archive.media.runner import CommandFailed, CommandTimeout

ENDLESS = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
           "-i", "testsrc2=size=160x120:rate=10", "-f", "null", "-progress", "pipe:1", "-"]


def _dead(pid: int, wait: float = 10.0) -> bool:
    """Gone, or a zombie nobody has reaped yet (it no longer runs)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _wait_for_file(path, wait=10.0) -> str:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


def test_timeout_kills_the_whole_process_group(tmp_path):
    # A shell that starts a second, background ffmpeg: both are in the group and both must die.
    pidfile = tmp_path / "bg.pid"
    script = f"{' '.join(ENDLESS[:-1])} - >/dev/null 2>&1 & echo $! > {pidfile}; exec {' '.join(ENDLESS)}"
    started = []
    with pytest.raises(CommandTimeout) as info:
        runner.run(["sh", "-c", script], timeout=1.5, on_start=started.append)
    assert "did not finish within 1.5 s" in str(info.value)
    background = int(_wait_for_file(pidfile))
    assert _dead(started[0]) and _dead(background)


def test_progress_callback_gets_fractions():
    seen = []
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
           "-i", "testsrc2=size=160x120:rate=25:duration=3", "-f", "null", "-progress", "pipe:1", "-"]
    result = runner.run(cmd, timeout=60, duration=3.0, on_progress=seen.append, progress_interval=0.5)
    assert result.returncode == 0 and result.progress.done
    assert seen, "progress callback never called"
    assert all(0.0 <= v <= 1.0 for v in seen) and seen == sorted(seen)


def test_failure_carries_the_stderr_tail(tmp_path):
    with pytest.raises(CommandFailed) as info:
        runner.run(["ffmpeg", "-nostdin", "-hide_banner", "-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"],
                   timeout=30)
    assert info.value.returncode not in (0, None)
    assert "No such file or directory" in str(info.value)
    assert "missing.mp4" in info.value.stderr_tail


def test_unstartable_command():
    with pytest.raises(CommandFailed) as info:
        runner.run(["/nonexistent/ffmpeg"], timeout=5)
    assert "cannot start" in str(info.value)


def test_capture_stdout():
    assert runner.run([sys.executable, "-c", "print('{}')"], timeout=30, capture_stdout=True).stdout.strip() == b"{}"


def test_exception_in_the_caller_kills_ffmpeg():
    started = []

    def explode(_fraction):
        raise RuntimeError("the task is going away")

    cmd = ENDLESS[:-1] + ["-"]
    with pytest.raises(RuntimeError):
        runner.run(cmd, timeout=60, duration=100.0, on_progress=explode, progress_interval=0.1,
                   on_start=started.append)
    assert _dead(started[0])


CHILD = textwrap.dedent("""
    import signal, sys
    from archive.media import runner

    def billiard_like(signum, frame):  # what Celery's prefork pool process does on SIGTERM
        sys.exit(-(256 - signum))

    signal.signal(signal.SIGTERM, billiard_like)

    def started(pid):
        with open(sys.argv[1], "w") as fh:
            fh.write(str(pid))
    runner.run(%r, timeout=600, on_start=started)
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_ffmpeg_dies_with_its_worker_process(tmp_path, sig):
    """SIGTERM (a revoked task) unwinds through run() and kills the group; SIGKILL is met by PDEATHSIG."""
    pidfile = tmp_path / "ffmpeg.pid"
    worker = subprocess.Popen([sys.executable, "-c", CHILD % (ENDLESS,), str(pidfile)])
    try:
        ffmpeg_pid = int(_wait_for_file(pidfile))
        assert psutil.pid_exists(ffmpeg_pid)
        os.kill(worker.pid, sig)
        worker.wait(timeout=10)
        assert _dead(ffmpeg_pid), f"ffmpeg {ffmpeg_pid} outlived its worker after {sig.name}"
        if sig == signal.SIGTERM:
            assert worker.returncode == (-241) & 0xFF  # exited through SystemExit(-241), not killed
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
