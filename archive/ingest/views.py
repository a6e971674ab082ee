"""HTTP for uploads: tus 1.0.0 at /api/v1/uploads (core, creation, termination, checksum).

Bodies are read from `request.stream` by the service in fixed-size chunks; nothing here
buffers a body. GET /api/v1/uploads/<id> (JSON) is an Ortak extension.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, request

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api import limits
from archive.errors import ApiError
from archive.ingest import services, tus

bp = Blueprint("ingest", __name__, url_prefix="/api/v1/uploads")
UPLOADERS = ("producer", "admin")


@bp.before_request
def _tus_version():
    # GET is our JSON extension; OPTIONS is exempt by the protocol.
    if request.method not in ("OPTIONS", "GET"):
        tus.check_resumable(request.headers.get("Tus-Resumable"))


@bp.after_request
def _tus_headers(response):
    response.headers.update(tus.common_headers())
    if request.method in ("POST", "PATCH") and response.status_code >= 400:
        # The body may be unread; the connection cannot carry another request.
        response.headers["Connection"] = "close"
    return response


def _method() -> str:
    # tus core: X-HTTP-Method-Override replaces the method, for clients that cannot send PATCH or DELETE.
    return request.headers.get("X-HTTP-Method-Override", request.method).upper()


def _empty(status: int, headers: dict[str, str]):
    resp = make_response("", status)
    resp.headers.update(headers)
    resp.headers.pop("Content-Type", None)
    return resp


def _body_length() -> int | None:
    """Content-Length, or None for a chunked body; 411 when neither frames the body."""
    if request.content_length is not None:
        return request.content_length
    if not request.environ.get("wsgi.input_terminated"):
        raise ApiError("Send Content-Length (or a chunked body to a server that supports it).",
                       code="length_required", status=411)
    return None


def _check_content_type() -> None:
    if request.mimetype != tus.OFFSET_CONTENT_TYPE:
        raise ApiError(f"A PATCH body must be sent as {tus.OFFSET_CONTENT_TYPE}.", code="wrong_content_type",
                       status=415)


def _metadata_limit() -> int:
    return limits.metadata_limit(limits.header_bytes_limit(current_app.config))


def _done_headers(upload) -> dict[str, str]:
    """The asset the upload links (its own `uploading` asset from creation on; for a duplicate,
    the asset that held the bytes already): Ortak-Asset-Id, Ortak-Upload-Status, Link."""
    if not upload.asset_id:
        return {}
    headers = {"Ortak-Asset-Id": upload.asset_id, "Ortak-Upload-Status": upload.status,
               "Link": f'</api/v1/assets/{upload.asset_id}>; rel="asset"'}
    if upload.status == "duplicate":
        # The bytes were in the archive already: which asset, and what became of this copy.
        headers["Ortak-Duplicate-Of"] = upload.asset_id
        if upload.holding:
            headers["Ortak-Holding"] = upload.holding
    return headers


@bp.route("", methods=["OPTIONS"])
@bp.route("/<upload_id>", methods=["OPTIONS"])
def options(upload_id=None):
    return _empty(204, tus.options_headers(current_app.config["MAX_UPLOAD_SIZE"], _metadata_limit()))


@bp.route("", methods=["POST"], provide_automatic_options=False)
@require_user(*UPLOADERS)
def create():
    if request.headers.get("Upload-Defer-Length"):
        raise tus.TusError("Upload-Defer-Length is not supported; send Upload-Length.",
                           code="defer_length_unsupported")
    length = tus.parse_non_negative(request.headers.get("Upload-Length"), "Upload-Length")
    header = request.headers.get("Upload-Metadata", "")
    raw = tus.parse_metadata(header, _metadata_limit())
    session = db.session()
    with_body = request.mimetype == tus.OFFSET_CONTENT_TYPE and (request.content_length or 0) > 0
    checksum = tus.parse_checksum(request.headers.get("Upload-Checksum")) if with_body else None
    upload = services.create_upload(session, api_user(), length=length, raw_metadata=raw, raw_header=header)
    headers = {"Location": f"/api/v1/uploads/{upload.id}", **_done_headers(upload)}
    if with_body:
        result = services.append(session, api_user(), upload.id, offset=0, stream=request.stream,
                                 content_length=request.content_length, checksum=checksum)
        headers.update({"Upload-Offset": str(result.upload.offset), **_done_headers(result.upload)})
    return _empty(201, headers)


@bp.route("/<upload_id>", methods=["GET", "HEAD"], provide_automatic_options=False)
@require_user(*UPLOADERS)
def status(upload_id):
    upload = services.get_upload(db.session(), api_user(), upload_id)
    if _method() == "GET":
        resp = jsonify(services.describe(upload))
        resp.headers.update(_done_headers(upload))
        return resp
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length),
               "Cache-Control": "no-store", **_done_headers(upload)}
    meta_header = (upload.upload_metadata or {}).get("header")
    if meta_header:
        headers["Upload-Metadata"] = meta_header
    return _empty(200, headers)


@bp.route("/<upload_id>", methods=["PATCH"], provide_automatic_options=False)
@require_user(*UPLOADERS)
def patch(upload_id):
    _check_content_type()
    offset = tus.parse_non_negative(request.headers.get("Upload-Offset"), "Upload-Offset")
    checksum = tus.parse_checksum(request.headers.get("Upload-Checksum"))
    result = services.append(db.session(), api_user(), upload_id, offset=offset, stream=request.stream,
                             content_length=_body_length(), checksum=checksum)
    return _empty(204, {"Upload-Offset": str(result.upload.offset), **_done_headers(result.upload)})


@bp.route("/<upload_id>", methods=["DELETE"], provide_automatic_options=False)
@require_user(*UPLOADERS)
def delete(upload_id):
    services.terminate(db.session(), api_user(), upload_id)
    return _empty(204, {})


@bp.route("/<upload_id>", methods=["POST"], provide_automatic_options=False)
def method_override(upload_id):
    views = {"PATCH": patch, "DELETE": delete, "HEAD": status}
    view = views.get(_method())
    if view is None:
        raise ApiError("POST to an upload needs X-HTTP-Method-Override: PATCH, DELETE or HEAD.",
                       code="method_not_allowed", status=405, headers={"Allow": "GET, HEAD, PATCH, DELETE, OPTIONS"})
    return view(upload_id)
