"""The assets JSON API: list, read, edit metadata, history, download."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from archive import db
from archive.access.declarations import read_declaration
from archive.access.policies import Reader
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.api.params import flag_param, int_param, lang_param, str_param
from archive.assets import services
from archive.assets.download import has_encoded_separator, prepare_download, prepare_rendition_file
from archive.assets.models import STATUSES

bp = Blueprint("assets", __name__, url_prefix="/api/v1/assets")
MAX_PAGE = 100_000
MAX_PER_PAGE = 100


@bp.get("")
@require_user()
def list_assets():
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", 20, 1, MAX_PER_PAGE)
    status = str_param("status", choices=STATUSES)
    # mine=1: the caller's own uploads, in every status (processing, rejected... included).
    mine = flag_param("mine")
    return jsonify(services.list_assets(db.session(), page, per_page, status, viewer=api_user(),
                                        uploader_id=api_user().id if mine else None, lang=lang_param()))


@bp.get("/<asset_id>")
@require_user()
def get_asset(asset_id: str):
    asset = services.get_asset(db.session(), asset_id, viewer=api_user())
    return jsonify(services.asset_to_json(asset, lang_param(), viewer=api_user()))


@bp.patch("/<asset_id>")
@require_user()
def patch_asset(asset_id: str):
    session = db.session()
    asset = services.get_asset(session, asset_id, viewer=api_user())
    asset = services.update_metadata(session, asset, json_body(), api_user())
    return jsonify(services.asset_to_json(asset, lang_param(), viewer=api_user()))


@bp.get("/<asset_id>/history")
@require_user()
def asset_history(asset_id: str):
    session = db.session()
    asset = services.get_asset(session, asset_id, viewer=api_user())
    return jsonify({"id": asset.id, "events": services.history(session, asset, viewer=api_user())})


@bp.get("/<asset_id>/download")
@require_user()
def download(asset_id: str):
    session = db.session()
    d = prepare_download(
        # Any rendition name, however long or odd, is checked by the service: unknown → 404.
        session, Reader.for_user(api_user()), asset_id, request.args.get("rendition"),
        declaration=read_declaration(request.args),
        range_header=request.headers.get("Range"), if_none_match=request.headers.get("If-None-Match"),
        if_range=request.headers.get("If-Range"), inline=flag_param("inline"),
        head=request.method == "HEAD")
    d.decision.raise_if_denied()
    # The request's unit of work commits the usage record before the first byte leaves.
    # direct_passthrough: the storage iterator goes to the server untouched, chunk by chunk.
    return Response(d.body, status=d.status, headers=d.headers, direct_passthrough=True)


@bp.get("/<asset_id>/renditions/<name>")
@require_user()
def rendition(asset_id: str, name: str):
    return jsonify(services.rendition_manifest(db.session(), asset_id, name, viewer=api_user()))


# merge_slashes=False: '//' in a file path is refused as no file, not redirected to another one.
@bp.get("/<asset_id>/renditions/<name>/<path:path>", merge_slashes=False)
@require_user()
def rendition_file(asset_id: str, name: str, path: str):
    session = db.session()
    d = prepare_rendition_file(
        session, Reader.for_user(api_user()), asset_id, name, path,
        # The server decodes %2F before routing; only the raw URI still shows it.
        encoded_separator=has_encoded_separator(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")),
        range_header=request.headers.get("Range"), if_none_match=request.headers.get("If-None-Match"),
        if_range=request.headers.get("If-Range"), head=request.method == "HEAD")
    d.decision.raise_if_denied()  # a refusal's record is kept; the request commits the rest
    return Response(d.body, status=d.status, headers=d.headers, direct_passthrough=True)
