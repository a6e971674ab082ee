"""Reverse clip search, JSON: `POST /api/v1/provenance/lookup` (a video file as the body, or
multipart `file`) → the candidate masters (`archive.provenance.services.lookup`)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.errors import ApiError, ValidationError
from archive.api.params import lang_param
from archive.provenance import multipart, services
from archive.web import messages

bp = Blueprint("provenance_lookup", __name__, url_prefix="/api/v1/provenance")

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file


def _in_language(exc: ValidationError, lang: str | None) -> ValidationError:
    """An `undecodable` refusal with its message in `lang` (the answer's language,
    `archive.api.params.lang_param`; English without one), said by its `details.reason`."""
    with force_locale(lang or "en"):
        message = messages.undecodable((exc.details or {}).get("reason"))
    return ValidationError(message, code=exc.code, details=exc.details)


@bp.post("/lookup")
@require_user()
def lookup():
    lang = lang_param()
    try:
        return _lookup(lang)
    except ValidationError as exc:
        if exc.code != "undecodable":
            raise
        raise _in_language(exc, lang) from exc


def _too_large(limit: int) -> ApiError:
    return ApiError(f"The clip is larger than the {limit // (1024 * 1024)} MB a lookup accepts.",
                    code="too_large", status=413, details={"max_bytes": limit})


def _lookup(lang: str | None):
    limit = int(current_app.config["LOOKUP_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
        raise _too_large(limit)
    if request.mimetype == "multipart/form-data":
        request.max_content_length = limit + FORM_OVERHEAD
        upload = multipart.file_part("file", lambda: _too_large(limit))
        if upload is None or not upload.filename:
            raise ValidationError("Send the clip as the form field `file`.", code="file_required")
        try:
            return jsonify(services.lookup(db.session(), api_user(), upload.stream, filename=upload.filename,
                                           lang=lang))
        finally:
            upload.close()  # a large part is spooled to a temporary file: gone now, not at collection
    return jsonify(services.lookup(db.session(), api_user(), request.stream, filename=None, lang=lang))
