"""`ortak run`: the web service and a worker as the children of one foreground process.

`supervise()` starts each command as a child in a process group of its own (so a Ctrl-C on
the terminal reaches the supervisor alone, which decides what the children get) and then:

- SIGTERM or SIGINT to the supervisor is sent on to every child that still runs, and the
  children get `grace` seconds to stop (gunicorn finishes its requests, the Celery worker its
  running tasks, which are `acks_late` and go back to the queue if cut short); a second signal,
  or the end of the grace period, kills what is left with SIGKILL;
- a child that ends while nothing asked it to is a failure: the others are stopped the same
  way and the supervisor's exit status is not 0;
- once every child has ended, whatever it left behind (a gunicorn or Celery pool process, an
  ffmpeg it started in a group of its own) is killed: nothing outlives `ortak run`.

The exit status: 0 when a signal asked for the stop and every child ended by itself within the
grace period; 1 when a child had to be killed; when a child ended unasked, its own status
(128 + N for a signal N), or 1 if it said 0.

Honcho (a Procfile runner) does most of this but signals each child's whole group (the
gunicorn and Celery pool processes would get the TERM meant for their masters) and exits with
the first child's status even when that is 0, which would hide a worker that quit.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import psutil

DEFAULT_GRACE = 30.0  # seconds: gunicorn's graceful_timeout (archive.server) is 10 s; Celery's warm
# shutdown (its embedded scheduler too) took up to 14 s on a loaded 2-core machine
POLL = 0.1  # seconds between looks at the children
FORWARDED = (signal.SIGTERM, signal.SIGINT)


@dataclass
class Child:
    """One supervised command: its name (for the messages), its argv and, once started, its
    process and what it started (snapshots of its descendants)."""

    name: str
    argv: Sequence[str]
    proc: subprocess.Popen | None = None
    descendants: dict[int, psutil.Process] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        """Started and not yet reaped by `reap()`."""
        return self.proc is not None and self.proc.returncode is None

    def has_ended(self) -> bool:
        """Whether the child has ended, without reaping it: until `reap()` its zombie keeps its
        pid, and so its process group's id, from being given to another process."""
        if not self.running():
            return False
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def reap(self) -> int:
        """Kill what the ended child left behind (the rest of its process group and every
        process it was seen to start), then reap it; returns its exit status."""
        kill_group(self.pid)
        left = [p for p in self.descendants.values() if _alive(p)]
        for p in left:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(left, timeout=5)
        assert self.proc is not None
        return exit_status(self.proc.wait())

    def note_descendants(self) -> None:
        """Remember the processes this child started (psutil's handles compare the start time,
        so a pid reused later is not taken for one of them)."""
        try:
            for p in psutil.Process(self.pid).children(recursive=True):
                self.descendants.setdefault(p.pid, p)
        except psutil.NoSuchProcess:
            pass


def exit_status(returncode: int) -> int:
    """A child's status as a shell reports it: 128 + N for a child ended by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def kill_group(pgid: int) -> None:
    """SIGKILL every process of the group (nothing when it has none left)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Supervisor:
    """Runs `children` until a signal or the unasked end of one of them; see the module."""

    def __init__(self, children: Sequence[Child], *, grace: float = DEFAULT_GRACE,
                 env: Mapping[str, str] | None = None, say: Callable[[str], None] | None = None):
        self.children = list(children)
        self.grace = grace
        self.env = dict(env) if env is not None else None
        self.say = say or (lambda line: print(f"ortak run: {line}", file=sys.stderr, flush=True))
        self.signals: list[int] = []  # received, oldest first (the handler only appends)
        self.stopping = False
        self.failed_status: int | None = None
        self.killed = False
        self.deadline: float | None = None
        self.stop_began = 0.0

    def _on_signal(self, signum, frame) -> None:
        self.signals.append(signum)

    def run(self) -> int:
        """Start the children, supervise them until every one has ended; the exit status."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in FORWARDED}
        try:
            self._start()
            self._loop()
        finally:
            for child in self.children:  # only when left by an exception
                if child.running():
                    child.note_descendants()
                    self.killed = True
                    kill_group(child.pid)
                    child.reap()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.failed_status is not None:
            return self.failed_status
        return 1 if self.killed else 0

    def _start(self) -> None:
        for child in self.children:
            if self.signals:  # asked to stop while starting: start nothing more
                break
            # process_group=0: the child leads a group of its own (a terminal's Ctrl-C goes
            # to the supervisor's group only) and keeps the terminal for its output.
            child.proc = subprocess.Popen(child.argv, env=self.env, stdin=subprocess.DEVNULL, process_group=0)
            self.say(f"started {child.name} (pid {child.pid})")

    def _loop(self) -> None:
        handled = 0
        last_snapshot = 0.0
        while any(child.running() for child in self.children):
            if time.monotonic() - last_snapshot >= 1.0:
                for child in self.children:
                    if child.running():
                        child.note_descendants()
                last_snapshot = time.monotonic()
            while handled < len(self.signals):
                name = signal.Signals(self.signals[handled]).name
                if not self.stopping:
                    self._stop(f"got {name}", self.signals[handled])
                else:
                    self.say(f"got {name} again: killing what still runs")
                    self._kill_all()
                handled += 1
            for child in self.children:
                if not child.has_ended():
                    continue
                status = child.reap()
                if not self.stopping:
                    self.say(f"{child.name} (pid {child.pid}) ended unasked with status {status}: "
                             "stopping the others")
                    self.failed_status = status or 1
                    self._stop(f"{child.name} ended", signal.SIGTERM)
                else:
                    self.say(f"{child.name} (pid {child.pid}) ended with status {status}, "
                             f"{time.monotonic() - self.stop_began:.1f} s after the stop began")
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.say(f"still running {self.grace:g} s after the stop began: killing it")
                self._kill_all()
            time.sleep(POLL)

    def _stop(self, reason: str, sig: int) -> None:
        self.stopping = True
        self.stop_began = time.monotonic()
        self.deadline = self.stop_began + self.grace
        for child in self.children:
            if child.running() and not child.has_ended():
                child.note_descendants()
                self.say(f"{reason}: sending {signal.Signals(sig).name} to {child.name} (pid {child.pid})")
                os.kill(child.pid, sig)  # a zombie until reaped: the pid is still this child's

    def _kill_all(self) -> None:
        self.deadline = None
        for child in self.children:
            if child.running() and not child.has_ended():
                child.note_descendants()
                self.killed = True
                kill_group(child.pid)


def supervise(commands: Sequence[tuple[str, Sequence[str]]], *, grace: float = DEFAULT_GRACE,
              env: Mapping[str, str] | None = None) -> int:
    """Run the (name, argv) `commands` as supervised children until a signal or the unasked
    end of one of them; returns the exit status described in the module docstring. `grace`
    is in seconds; `env` the children's environment (default: this process's)."""
    return Supervisor([Child(name, argv) for name, argv in commands], grace=grace, env=env).run()
