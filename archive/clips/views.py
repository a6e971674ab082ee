"""Clips JSON API: `POST /api/v1/assets/{id}/clips` (export a segment), `GET` (the clips cut
from the asset)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.assets.services import get_asset
from archive.clips import services

bp = Blueprint("clips", __name__, url_prefix="/api/v1/assets")


@bp.post("/<asset_id>/clips")
@require_user()
def export_clip(asset_id: str):
    session = db.session()
    source = get_asset(session, asset_id, viewer=api_user())
    clip = services.request_clip(session, source, json_body(), api_user(), request.args)
    return jsonify({"id": clip.id, "status": clip.status, "lineage": clip.lineage}), 202


@bp.get("/<asset_id>/clips")
@require_user()
def list_clips(asset_id: str):
    session = db.session()
    source = get_asset(session, asset_id, viewer=api_user())
    return jsonify({"items": [services.clip_json(c) for c in services.clips_of(session, source, viewer=api_user())]})
