"""GET /healthz: 200 when the database, storage, search and queue answer; `warnings` for what works
but not as configured (C2PA exports unsigned), which never makes it 503."""
from __future__ import annotations

from flask import Blueprint, jsonify

from archive.health.services import check_all, warnings

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    ok, checks = check_all()
    return jsonify({"ok": ok, "checks": checks, "warnings": warnings()}), (200 if ok else 503)
