"""Markers JSON API: `/api/v1/assets/{id}/markers` (list, add) and `.../markers/{marker_id}`
(edit, remove)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.assets.services import get_asset
from archive.markers import services
from archive.markers.services import timeline_of

bp = Blueprint("markers", __name__, url_prefix="/api/v1/assets")


@bp.get("/<asset_id>/markers")
@require_user()
def list_markers(asset_id: str):
    session = db.session()
    return jsonify(services.list_markers(session, get_asset(session, asset_id, viewer=api_user()), api_user()))


@bp.post("/<asset_id>/markers")
@require_user()
def add_marker(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    marker = services.add_marker(session, asset, json_body(), api_user())
    return jsonify(services.marker_json(marker, timeline_of(asset), api_user())), 201


@bp.patch("/<asset_id>/markers/<int:marker_id>")
@require_user()
def edit_marker(asset_id: str, marker_id: int):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    marker = services.get_marker(session, asset, marker_id)
    marker = services.edit_marker(session, asset, marker, json_body(), api_user())
    return jsonify(services.marker_json(marker, timeline_of(asset), api_user()))


@bp.delete("/<asset_id>/markers/<int:marker_id>")
@require_user()
def remove_marker(asset_id: str, marker_id: int):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    services.remove_marker(session, asset, services.get_marker(session, asset, marker_id), api_user())
    return "", 204
