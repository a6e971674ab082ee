"""The provenance JSON API: an asset's provenance (lineage) document, its BagIt export, and the
fixity report.

- `GET /api/v1/assets/{id}/provenance`: `archive.provenance.lineage.provenance` (every member;
  each section shows what the caller may see);
- `POST /api/v1/assets/{id}/bag`: the asset as a BagIt bag, a streamed tar
  (`archive.provenance.bag`), a master-quality read through the access gate; the usage
  declaration as `{"declaration": {...}}` or in the query, as for a download of the original;
- `GET /api/v1/fixity`: the fixity report (`archive.provenance.fixity.report`), admins only;
  `?asset=<id>` for one asset's files.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from archive import db
from archive.access.declarations import read_declaration
from archive.access.policies import Reader
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.api.params import id_param, lang_param
from archive.assets.services import get_asset
from archive.errors import ValidationError
from archive.filenames import content_disposition
from archive.provenance import bag, fixity, lineage

bp = Blueprint("provenance", __name__, url_prefix="/api/v1")


@bp.get("/assets/<asset_id>/provenance")
@require_user()
def asset_provenance(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    return jsonify(lineage.provenance(session, asset, api_user(), lang_param()))


def _declaration():
    """`{"declaration": {...}}` from a JSON body, or the query's declaration fields (API.md; 422
    `invalid_declaration` for both at once), cleaned."""
    body = None
    if request.content_length or request.is_json:
        body = json_body()
        unknown = sorted(str(k)[:40] for k in body if k != "declaration")
        if unknown:
            raise ValidationError(f"Unknown fields: {', '.join(unknown)}.", code="invalid_body",
                                  details={"errors": [{"field": "body", "code": "unknown_field",
                                                       "message": "unknown fields", "fields": unknown}]})
    return read_declaration(request.args, body)


@bp.post("/assets/<asset_id>/bag")
@require_user()
def asset_bag(asset_id: str):
    stream = bag.prepare_bag(db.session(), Reader.for_user(api_user()), asset_id, _declaration())
    stream.decision.raise_if_denied()
    # The request's unit of work commits the usage record before the first byte leaves.
    headers = {"Content-Type": "application/x-tar", "Content-Length": str(stream.length),
               "Content-Disposition": content_disposition(stream.filename, False),
               "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
               "Ortak-Access-Decision": stream.decision.outcome}
    return Response(stream.chunks, status=200, headers=headers, direct_passthrough=True)


@bp.get("/fixity")
@require_user("admin")
def fixity_report():
    session = db.session()
    asset_id = id_param("asset")
    if asset_id is not None:
        asset_id = get_asset(session, asset_id).id
    return jsonify(fixity.report(session, current_app.config, asset_id=asset_id))
