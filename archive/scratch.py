"""Scratch space under DATA_DIR/tmp, one folder per process, swept when its process is gone.

A transcode writes its output (and, from S3, a copy of the original) into a folder under
`DATA_DIR/tmp` and removes it when it ends, however it ends, through `finally`. A process
killed outright (SIGKILL, the OOM killer, a power cut) runs no `finally`; its files stay.
So each process writes only inside its own folder, named after its owner:

    DATA_DIR/tmp/p<pid>-<start>-<host>/      start: the process start time in 1/100 s

and `sweep_orphans` removes the folders whose owner is gone: on this host, when no process
with that pid and start time runs (the start time tells a reused pid apart); for another
host sharing the data volume, where processes cannot be seen, when nothing inside changed
for SCRATCH_MAX_AGE seconds. Host names must therefore be unique among the machines (or
containers) that share a data directory, which is Docker's default (the container id).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

SCRATCH = "tmp"
_NAME = re.compile(r"^p(?P<pid>\d+)-(?P<start>\d+)-(?P<host>.+)$")
# psutil derives the start time from clock ticks (1/100 s on Linux) plus the boot time.
_START_TOLERANCE = 2


@dataclass(frozen=True)
class Owner:
    """The process a scratch folder belongs to."""

    pid: int
    start: int  # process start time, hundredths of a second since the epoch
    host: str

    @property
    def folder_name(self) -> str:
        return f"p{self.pid}-{self.start}-{self.host}"

    @classmethod
    def parse(cls, name: str) -> "Owner | None":
        m = _NAME.match(name)
        if m is None:
            return None
        return cls(int(m["pid"]), int(m["start"]), m["host"])


def _hostname() -> str:
    # Dots and hyphens are kept; anything that cannot be in a file name is not.
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:128] or "localhost"


def _start_of(pid: int) -> int | None:
    """The start time of a running process, None when it is gone, -1 when it cannot be seen."""
    try:
        proc = psutil.Process(pid)
        # A zombie has exited and only waits to be reaped (slowly, by a container's init):
        # it runs nothing and will clean nothing up.
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return round(proc.create_time() * 100)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:  # alive, owned by someone else: it is not ours to judge
        return -1


def current_owner() -> Owner:
    pid = os.getpid()
    return Owner(pid, _start_of(pid) or 0, _hostname())


def process_dir(data_dir: str) -> str:
    """This process's scratch folder (created if needed): DATA_DIR/tmp/p<pid>-<start>-<host>."""
    path = os.path.join(data_dir, SCRATCH, current_owner().folder_name)
    os.makedirs(path, exist_ok=True)
    return path


def owner_alive(owner: Owner) -> bool:
    """Whether the owner still runs; only answerable for this host (True otherwise)."""
    if owner.host != _hostname():
        return True
    start = _start_of(owner.pid)
    if start is None:
        return False
    return start == -1 or abs(start - owner.start) <= _START_TOLERANCE


def _last_change(path: Path) -> float:
    """The newest modification time of the folder or anything in it (a running transcode
    keeps touching its output)."""
    newest = 0.0
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            try:
                newest = max(newest, os.lstat(name).st_mtime)
            except OSError:  # removed while we looked
                continue
    return newest


def sweep_orphans(data_dir: str, max_age: float, now: float | None = None) -> list[str]:
    """Remove scratch folders whose process is gone; returns the names removed.

    A folder of this host goes as soon as its process does; one of another host, or one not
    named by this scheme, only once nothing in it changed for `max_age` seconds. The folder
    of a process that still runs is never touched, however old.
    """
    root = Path(data_dir) / SCRATCH
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return removed
    for entry in entries:
        owner = Owner.parse(entry.name)
        if owner is not None and owner.host == _hostname():
            orphaned = not owner_alive(owner)
        else:
            orphaned = now - _last_change(Path(entry.path)) > max_age
        if not orphaned:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass
        if not os.path.lexists(entry.path):
            removed.append(entry.name)
            log.info("removed orphaned scratch %s", entry.path)
    return removed
