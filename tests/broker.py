"""The embedded broker's queue folder, read by tests: what was sent, to which queue."""
from __future__ import annotations

import base64
import json
import os


def _folder(app) -> str:
    return os.path.join(app.config["DATA_DIR"], "broker", "queue")


def queued(app, queue: str) -> list[tuple[str, tuple]]:
    """Task messages waiting in the embedded broker for `queue`, oldest first: [(task name, args)]."""
    out = []
    for name in sorted(os.listdir(_folder(app))):
        if name.endswith(f".{queue}.msg"):
            with open(os.path.join(_folder(app), name)) as fh:
                msg = json.load(fh)
            args = json.loads(base64.b64decode(msg["body"]))[0]
            out.append((msg["headers"]["task"], tuple(args)))
    return out


def clear(app) -> None:
    """Drop every waiting message (as if a worker had taken them)."""
    for name in os.listdir(_folder(app)):
        os.remove(os.path.join(_folder(app), name))


def take(app, queue: str, task: str) -> list[tuple]:
    """Remove the waiting messages of `task` from `queue` (as a worker taking them would) and
    return their args, oldest first."""
    folder = _folder(app)
    if not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(f".{queue}.msg"):
            continue
        with open(os.path.join(folder, name)) as fh:
            msg = json.load(fh)
        if msg["headers"]["task"] == task:
            out.append(tuple(json.loads(base64.b64decode(msg["body"]))[0]))
            os.remove(os.path.join(folder, name))
    return out
