"""GET /healthz: 200 when the database, storage, search and queue answer."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from archive import db, services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _check_queue() -> None:
    with services.celery().connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


@bp.get("/healthz")
def healthz():
    checks = {
        "database": lambda: db.session().execute(text("SELECT 1")),
        "storage": lambda: services.storage().check(),
        "search": lambda: services.search_backend().check(),
        "queue": _check_queue,
    }
    result, ok = {}, True
    for name, check in checks.items():
        try:
            check()
            result[name] = {"ok": True}
        except Exception as exc:  # a health check reports every failure, it never raises
            log.warning("health check %s failed: %s", name, exc)
            result[name] = {"ok": False, "error": str(exc)[:300]}
            ok = False
    return jsonify({"ok": ok, "checks": result}), (200 if ok else 503)
