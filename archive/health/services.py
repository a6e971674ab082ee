"""The health checks: the database, storage, search and the queue, each asked once."""
from __future__ import annotations

import logging
from typing import Callable

from archive import backends, db
from archive.provenance import credentials

log = logging.getLogger(__name__)
MAX_ERROR = 300


def _check_queue() -> None:
    with backends.celery().connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


CHECKS: dict[str, Callable[[], None]] = {
    "database": lambda: db.get_db().check(),
    "storage": lambda: backends.storage().check(),
    "search": lambda: backends.search_backend().check(),
    "queue": _check_queue,
}


def check_all() -> tuple[bool, dict[str, dict]]:
    """(all answered, {name: {"ok": bool, "error"?: str}}); never raises: a health check
    reports every failure."""
    result, ok = {}, True
    for name, check in CHECKS.items():
        try:
            check()
            result[name] = {"ok": True}
        except Exception as exc:  # every failure is reported, whatever its kind
            log.warning("health check %s failed: %s", name, exc)
            result[name] = {"ok": False, "error": str(exc)[:MAX_ERROR]}
            ok = False
    return ok, result


def warnings() -> dict[str, dict]:
    """What works but not as configured, without making the service unhealthy: {name: {"ok":
    False, "warning": str} or {"ok": True, ...}}. `content_credentials`: whether exports are
    signed (archive.provenance.credentials.health). Logged as warnings. Never raises."""
    result = {"content_credentials": credentials.health()}
    for name, entry in result.items():
        if not entry.get("ok"):
            log.warning("health: %s: %s", name, entry.get("warning"))
    return result
