"""The reverse clip search page: `GET /provenance/lookup` (drop a file; the page's script
posts it to `POST /api/v1/provenance/lookup` and shows the matches, and to
`POST /provenance/lookup/credentials` for the chain of content credentials the file carries)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from archive.provenance import credential_pages
from archive.provenance.credentials_views import uploaded_file
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
    result, error, status = credential_pages.verification(uploaded_file)
    return render_template("provenance/_lookup_credentials.html", result=result, error=error), status
