"""The rights JSON API (API.md): an asset's rights blocks, its avails and avails grid, and
contracts with their documents."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Blueprint, Response, jsonify, request

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import filename_header, json_body
from archive.api.params import bad_param, str_param
from archive.assets.services import get_asset
from archive.errors import ApiError
from archive.filenames import content_disposition
from archive.rights import contracts, services
from archive.rights.avails import PLATFORMS, is_territory

bp = Blueprint("rights", __name__, url_prefix="/api/v1")
MANAGERS = ("rights_manager",)  # admins pass every role check


def date_param(name: str, default: date) -> date:
    """`name` as YYYY-MM-DD (400 `invalid_parameter` otherwise), `default` when absent."""
    raw = str_param(name, limit=10)
    if raw is None:
        return default
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_param(name, "day") from None


def _territory_param() -> str:
    raw = str_param("territory", limit=5)
    if raw is None:
        raise bad_param("territory", "territory_required")
    code = raw.upper()
    if not code.isascii() or not is_territory(code):
        raise bad_param("territory", "unknown_territory", value=raw[:5])
    return code


@bp.get("/assets/<asset_id>/rights")
@require_user()
def list_rights(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    return jsonify({"items": services.listed_json(session, asset),
                    "can_manage": services.can_manage(api_user(), asset)})


@bp.post("/assets/<asset_id>/rights")
@require_user(*MANAGERS)
def create_rights(asset_id: str):
    session = db.session()
    row = services.create_block(session, get_asset(session, asset_id, viewer=api_user()), json_body(), api_user())
    return jsonify({"id": row.id, **services.blocks_json(session, [row])[0]}), 201


@bp.patch("/assets/<asset_id>/rights/<int:block_id>")
@require_user(*MANAGERS)
def patch_rights(asset_id: str, block_id: int):
    session = db.session()
    row = services.update_block(session, get_asset(session, asset_id, viewer=api_user()), block_id, json_body(), api_user())
    return jsonify(services.blocks_json(session, [row])[0])


@bp.delete("/assets/<asset_id>/rights/<int:block_id>")
@require_user(*MANAGERS)
def delete_rights(asset_id: str, block_id: int):
    session = db.session()
    services.delete_block(session, get_asset(session, asset_id, viewer=api_user()), block_id, api_user())
    return "", 204


@bp.get("/assets/<asset_id>/avails")
@require_user()
def asset_avails(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    org_value = str_param("org", limit=200)
    org = services.find_organisation(session, org_value) if org_value else None
    platform = str_param("platform", choices=PLATFORMS)
    if platform is None:
        raise bad_param("platform", "platform_required", choices=list(PLATFORMS))
    territory = _territory_param()
    today = datetime.now(timezone.utc).date()
    start = date_param("from", today)
    end = date_param("to", start)
    if end < start:
        raise bad_param("to", "to_before_from", reason="window_reversed")
    decision = services.check_avails(session, asset, api_user(), org, platform=platform, territory=territory,
                                     start=start, end=end, segment=_segment_param(asset))
    return jsonify(decision.as_json())


# What segment_seconds found wrong → the parameter sentence that says it.
_SEGMENT_SENTENCES = {"segment_outside_asset": "segment_outside_asset", "segment_reversed": "segment_reversed",
                      "duration_unknown": "segment_duration_unknown"}


def _segment_param(asset) -> tuple[float, float] | None:
    """`in` and `out` (timecodes of the master, read as a rights block's segment is) → seconds
    from its first frame; None when both are absent (the whole asset). 400 `invalid_parameter`
    {parameter, reason: `segment_incomplete`, `invalid_timecode`, `segment_outside_asset`,
    `segment_reversed`, `duration_unknown`}."""
    points = {"in": str_param("in", limit=40), "out": str_param("out", limit=40)}
    if points["in"] is None and points["out"] is None:
        return None
    for name, value in points.items():
        if value is None:
            raise bad_param(name, "segment_incomplete", reason="segment_incomplete")
    errors: list = []
    segment = services.segment_seconds(asset, points, errors, path="segment")
    if errors:
        error = errors[0]
        name = error.field.rpartition(".")[2]
        if name not in points:  # an error of the whole segment (duration_unknown)
            name = "in"
        raise bad_param(name, _SEGMENT_SENTENCES.get(error.code, "segment_timecode"),
                        values={"value": points[name]}, reason=error.code)
    return segment


@bp.get("/assets/<asset_id>/avails/grid")
@require_user()
def asset_avails_grid(asset_id: str):
    session = db.session()
    return jsonify(services.grid(session, get_asset(session, asset_id, viewer=api_user())))


@bp.post("/contracts")
@require_user(*MANAGERS)
def create_contract():
    row = contracts.create_contract(db.session(), json_body(), api_user())
    return jsonify(contracts.contract_json(row)), 201


@bp.get("/contracts")
@require_user(*MANAGERS)
def list_contracts():
    return jsonify({"items": [contracts.contract_json(c) for c in contracts.list_contracts(db.session(), api_user())]})


@bp.get("/contracts/<contract_id>")
@require_user(*MANAGERS)
def get_contract(contract_id: str):
    return jsonify(contracts.contract_json(contracts.get_contract(db.session(), contract_id, api_user())))


@bp.post("/contracts/<contract_id>/documents")
@require_user(*MANAGERS)
def add_document(contract_id: str):
    session = db.session()
    contract = contracts.get_contract(session, contract_id, api_user())
    if request.content_length is not None and request.content_length > contracts.MAX_DOCUMENT_BYTES:
        raise ApiError(f"A document is at most {contracts.MAX_DOCUMENT_BYTES} bytes.", code="document_too_large",
                       status=413, details={"limit": contracts.MAX_DOCUMENT_BYTES}, headers={"Connection": "close"})
    body = request.stream.read(contracts.MAX_DOCUMENT_BYTES + 1)
    doc = contracts.add_document(session, contract, body, request.mimetype or None,
                                 filename_header("Ortak-Filename"), api_user())
    return jsonify({"id": doc.id, **contracts.contract_json(contract)}), 201


@bp.get("/contracts/<contract_id>/documents/<int:document_id>")
@require_user(*MANAGERS)
def get_document(contract_id: str, document_id: int):
    contract = contracts.get_contract(db.session(), contract_id, api_user())
    doc, chunks = contracts.document_bytes(contract, document_id)
    return Response(chunks, mimetype=doc.content_type, direct_passthrough=True,
                    headers={"Content-Length": str(doc.size), "Content-Disposition": content_disposition(doc.filename),
                             "Content-Security-Policy": "default-src 'none'; sandbox"})
