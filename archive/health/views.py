"""GET /healthz: 200 when the database, storage, search and queue answer."""
from __future__ import annotations

from flask import Blueprint, jsonify

from archive.health.services import check_all

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    ok, checks = check_all()
    return jsonify({"ok": ok, "checks": checks}), (200 if ok else 503)
