"""The reverse clip search page: `GET /provenance/lookup` (drop a file; the page's script
posts it to `POST /api/v1/provenance/lookup` and shows the matches)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from archive.provenance import pages
from archive.web.headers import page_headers

bp = Blueprint("provenance_pages", __name__, template_folder="templates")


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.route("/provenance/lookup")
@login_required
def lookup_page():
    return render_template("provenance/lookup.html", **pages.lookup_page())
