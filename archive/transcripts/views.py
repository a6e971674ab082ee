"""Transcripts JSON API: `/api/v1/assets/{id}/transcripts` (list) and
`.../transcripts/{lang}` (put an SRT or WebVTT file as the body, read, remove)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import filename_header, raw_body
from archive.assets.services import get_asset
from archive.transcripts import services

bp = Blueprint("transcripts", __name__, url_prefix="/api/v1/assets")


@bp.get("/<asset_id>/transcripts")
@require_user()
def list_transcripts(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    return jsonify({"transcripts": [services.transcript_json(t, asset, with_segments=False)
                                    for t in services.transcripts_of(session, asset.id)],
                    "rejected": services.rejections(session, asset)})


@bp.get("/<asset_id>/transcripts/<lang>")
@require_user()
def get_transcript(asset_id: str, lang: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    return jsonify(services.transcript_json(services.get_transcript(session, asset, services.check_lang(lang)), asset))


@bp.put("/<asset_id>/transcripts/<lang>")
@require_user()
def put_transcript(asset_id: str, lang: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    if not services.may_change(api_user(), asset):  # refuse before reading a large body
        services.put_transcript(session, asset, lang, b"", api_user())
    data = raw_body(services.MAX_BYTES)
    transcript, created = services.put_transcript(session, asset, lang, data, api_user(),
                                                  filename=filename_header("X-Filename"))
    return jsonify(services.transcript_json(transcript, asset, with_segments=False)), 201 if created else 200


@bp.delete("/<asset_id>/transcripts/<lang>")
@require_user()
def remove_transcript(asset_id: str, lang: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    services.remove_transcript(session, asset, lang, api_user())
    return "", 204
