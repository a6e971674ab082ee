"""The reverse clip search page: `GET /provenance/lookup` (drop a file; the page's script
posts it to `POST /api/v1/provenance/lookup` and shows the matches, and to
`POST /provenance/lookup/credentials` for the chain of content credentials the file carries)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from archive.errors import ApiError
from archive.provenance import credential_pages, credentials
from archive.provenance import lookup_pages as pages
from archive.web.headers import page_headers

bp = Blueprint("provenance_lookup_pages", __name__, template_folder="templates")


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.route("/provenance/lookup")
@login_required
def lookup_page():
    return render_template("provenance/lookup.html", **pages.lookup_page())


@bp.route("/provenance/lookup/credentials", methods=["POST"])
@login_required
def lookup_credentials():
    """The content credentials of the clip dropped on the lookup page, as an HTML fragment the
    page's script puts beside the matches (the verify page's chain of manifests). A file the
    C2PA library cannot read, an empty or oversized one: the fragment says so, with its 4xx."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ApiError("Send the file as the multipart field `file`.", code="file_required", status=400)
        result = credential_pages.present(credentials.verify_upload(upload.stream, upload.filename))
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return render_template("provenance/_lookup_credentials.html", result=None,
                               error=credential_pages.error_text(exc)), exc.status
    return render_template("provenance/_lookup_credentials.html", result=result, error=None)
