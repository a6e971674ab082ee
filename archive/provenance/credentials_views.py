"""Verifying content credentials (C2PA) of any file: `POST /api/v1/provenance/verify`
(multipart, field `file`) and the page `/provenance/verify` (drop a file, see its chain).

HTTP only: the size limit is applied while the body is read (413 `file_too_large`, before
a byte is parsed when Content-Length already says so); `archive.provenance.credentials.verify_upload`
does the rest. Members only: the answer shows who signed what.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import login_required

from archive.accounts.auth import require_user
from archive.config import settings
from archive.errors import ValidationError
from archive.provenance import credential_pages, credentials, multipart
from archive.web.headers import page_headers

api = Blueprint("provenance_credentials", __name__, url_prefix="/api/v1/provenance")
pages = Blueprint("provenance_credential_pages", __name__, template_folder="templates")
FORM_SLACK = 64 * 1024  # the multipart envelope around the file


@pages.after_request
def _headers(resp):
    return page_headers(resp)


def uploaded_file():
    """The `file` part of the multipart body: 413 when too large, 422 `file_required` without it
    (a required field of the body missing, 422 as for a JSON body and as `provenance/lookup`)."""
    limit = settings().C2PA_VERIFY_MAX_BYTES
    if request.content_length is not None and request.content_length > limit + FORM_SLACK:
        raise credentials.too_large(limit)
    request.max_content_length = limit + FORM_SLACK
    upload = multipart.file_part("file", lambda: credentials.too_large(limit))
    if upload is None or not upload.filename:
        raise ValidationError("Send the file as the multipart field `file`.", code="file_required")
    return upload


@api.post("/verify")
@require_user()
def verify():
    upload = uploaded_file()
    return jsonify(credentials.verify_upload(upload.stream, upload.filename))


@pages.route("/provenance/verify", methods=["GET", "POST"])
@login_required
def verify_page():
    if request.method == "GET":
        return render_template("provenance/verify.html", result=None, error=None)
    result, error, status = credential_pages.verification(uploaded_file)
    return render_template("provenance/verify.html", result=result, error=error), status


@pages.app_context_processor
def _labels():
    """The asset page's section and the verify page translate states and reasons by code."""
    return {"state_label": credential_pages.state_label, "unsigned_label": credential_pages.unsigned_label,
            "unsigned_detail": credential_pages.unsigned_detail, "action_label": credential_pages.action_label,
            "relationship_label": credential_pages.relationship_label,
            "failure_text": credential_pages.failure_text, "reason_parts": credential_pages.reason_parts}
