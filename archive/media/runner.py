"""The one place that runs ffmpeg/ffprobe (and any other subprocess of the media pipeline).

Every command gets its own process group (so a kill reaches everything it spawned), a
timeout, its stderr tail kept for the error message, and `-progress pipe:1` parsed into a
0..1 fraction. The group is killed (SIGTERM, then SIGKILL) on timeout and on any exception
unwinding through `run`. A revoked/terminated Celery task is such an exception: billiard's
SIGTERM handler in the pool process raises SystemExit in the task, so the `finally` here
kills ffmpeg before the process exits. A SIGKILLed worker (hard time limit, OOM killer)
unwinds nothing; for that the child gets PR_SET_PDEATHSIG on Linux and dies with it.
"""
from __future__ import annotations

import collections
import ctypes
import ctypes.util
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from archive.media.timecode import Progress, ProgressParser

log = logging.getLogger(__name__)

KILL_GRACE = 3.0  # seconds between SIGTERM and SIGKILL
MAX_STDOUT = 64 * 1024 * 1024  # ffprobe JSON of a sane file is far smaller


class MediaError(Exception):
    """A media command could not do its work (our failure, not the file's)."""


# A URL's query string (a presigned URL's signature and credential: `BlobStorage.internal_url`),
# and signature parameters wherever they stand (decoded, or cut from their URL).
_QUERY = re.compile(r"(https?://[^\s?#'\"]+)\?[^\s#'\"]*")
_SIGNED = re.compile(r"(?i)\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature)=[^&\s:]+")


def redacted(text: str) -> str:
    """`text` (a command line's word, a message, stderr) with every http(s) URL's query string
    cut to `?…` and any signature parameter left blanked: what a command that read a signed URL
    may say in an error or a log."""
    return _SIGNED.sub(lambda m: f"{m.group(1)}=…", _QUERY.sub(lambda m: f"{m.group(1)}?…", text))


class CommandFailed(MediaError):
    """A command that failed, its `argv`, `stderr_tail` and message `redacted` (a signed URL
    given to ffmpeg is not logged with its signature)."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stderr_tail: str, message: str | None = None):
        self.argv = [redacted(str(a)) for a in argv]
        self.returncode = returncode
        self.stderr_tail = stderr_tail = redacted(stderr_tail)
        message = redacted(message) if message is not None else None
        tool = os.path.basename(self.argv[0]) if self.argv else "command"
        # ffmpeg folds repeats into "Last message repeated n times": the message is the line before.
        lines = [line for line in stderr_tail.strip().splitlines() if not line.strip().startswith("Last message repeated")]
        detail = lines[-1] if lines else "no error output"
        super().__init__(message or f"{tool} exited with status {returncode}: {detail}")


class CommandTimeout(CommandFailed):
    def __init__(self, argv: Sequence[str], timeout: float, stderr_tail: str):
        tool = os.path.basename(argv[0]) if argv else "command"
        super().__init__(argv, None, stderr_tail, f"{tool} did not finish within {timeout:g} s and was stopped")


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: bytes
    stderr_tail: str
    progress: Progress | None


ProgressCallback = Callable[[float], None]


def _libc_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()
_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:  # runs in the forked child before exec: keep it tiny
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run(argv: Sequence[str], *, timeout: float, capture_stdout: bool = False,
        duration: float | None = None, on_progress: ProgressCallback | None = None,
        progress_interval: float = 1.0, on_start: Callable[[int], None] | None = None,
        stderr_lines: int = 30, check: bool = True) -> RunResult:
    """Run `argv`, returning its result; raise CommandFailed/CommandTimeout.

    With `capture_stdout` the whole stdout is returned (ffprobe's JSON); otherwise stdout is
    read as ffmpeg's `-progress pipe:1` stream and `on_progress(fraction)` is called at most
    once per `progress_interval` seconds, from the calling thread.
    """
    argv = [str(a) for a in argv]
    tail: collections.deque[str] = collections.deque(maxlen=stderr_lines)
    chunks: list[bytes] = []
    latest: list[Progress | None] = [None]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=_child_setup, close_fds=True)
    except OSError as exc:
        raise CommandFailed(argv, None, "", f"cannot start {os.path.basename(argv[0])}: {exc}") from exc
    readers = [threading.Thread(target=_read_stderr, args=(proc.stderr, tail), daemon=True),
               threading.Thread(target=_read_stdout, args=(proc.stdout, capture_stdout, chunks, latest), daemon=True)]
    for t in readers:
        t.start()
    try:
        if on_start is not None:
            on_start(proc.pid)
        deadline = time.monotonic() + timeout
        last_call, last_value = 0.0, None
        while True:
            try:
                proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now >= deadline:
                kill_group(proc)
                _join(readers)
                raise CommandTimeout(argv, timeout, "\n".join(tail))
            if on_progress is not None and now - last_call >= progress_interval and latest[0] is not None:
                value = latest[0].fraction(duration)
                if value is not None and value != last_value:
                    last_call, last_value = now, value
                    on_progress(value)
        _join(readers)
    finally:
        if proc.returncode is None:  # the caller is unwinding: never leave ffmpeg behind
            kill_group(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    stderr_tail = "\n".join(tail)
    if check and proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, stderr_tail)
    return RunResult(proc.returncode, b"".join(chunks), stderr_tail, latest[0])


def _join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=5)


def _read_stderr(stream, tail: collections.deque) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)


def _read_stdout(stream, capture: bool, chunks: list[bytes], latest: list) -> None:
    if capture:
        size = 0
        while chunk := stream.read(65536):
            size += len(chunk)
            if size <= MAX_STDOUT:
                chunks.append(chunk)
        return
    parser = ProgressParser()
    for raw in iter(stream.readline, b""):
        progress = parser.feed(raw.decode("utf-8", "replace"))
        if progress is not None:
            latest[0] = progress


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def kill_group(proc: subprocess.Popen, grace: float = KILL_GRACE) -> None:
    """SIGTERM the process group (ffmpeg finalises cleanly on it), SIGKILL what is left."""
    pgid = proc.pid  # start_new_session made the child its group's leader
    _signal_group(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    # Members other than the leader may outlive it; the group id stays valid while any do.
    _signal_group(pgid, signal.SIGKILL)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.error("process group %s did not die after SIGKILL", pgid)
