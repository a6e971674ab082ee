"""The provenance pages: an asset's provenance (`GET /assets/{id}/provenance`, linked from the
asset page), its BagIt export from a form (`POST /assets/{id}/provenance/bag`, with the usage
declaration when the rights ask for one), and the fixity report for admins (`GET /fixity`).

The pages show the same documents as the API (`archive.provenance.lineage`,
`archive.provenance.fixity.report`), every sentence in the page's language."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_number, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from archive import db
from archive.access.declarations import FIELDS as DECLARATION_FIELDS
from archive.access.policies import Reader
from archive.assets.services import get_asset
from archive.errors import ApiError, WrongRole
from archive.filenames import content_disposition
from archive.provenance import bag, fixity, lineage
from archive.rights import pages as rights_pages
from archive.rights.avails import PLATFORMS
from archive.web import messages
from archive.web.error_pages import error_page
from archive.web.headers import page_headers
from archive.web import pages as web_pages
from archive.web.pages import ACTION_LABELS, RENDITION_LABELS, lang

bp = Blueprint("provenance_pages", __name__, template_folder="templates")

OUTCOME_LABELS = {"pass": _l("Intact"), "fail": _l("Changed"), "missing": _l("Missing"),
                  "unchecked": _l("Not checked yet")}
DECISION_LABELS = {"allowed": _l("Allowed"), "allowed_with_conditions": _l("Allowed with conditions"),
                   "denied": _l("Refused")}


def fixity_detail(check: dict) -> str:
    """The detail of one fixity check (`archive.provenance.fixity.check_json` shape) in the
    page's language, made from its fields rather than its stored English `detail`: for a
    "fail" the digest read, the bytes read and the digest recorded at store time (and the size
    recorded, when the bytes read differ from it); for "missing" that storage lacks the file
    (what storage said stays in the API's `detail`); "" for a pass."""
    if check["outcome"] == "fail":
        text = _("SHA-256 %(actual)s read from %(read)s bytes; %(expected)s was recorded when it was stored.",
                 actual=check["actual_sha256"], read=format_number(check["bytes_read"]),
                 expected=check["expected_sha256"])
        size = check.get("expected_size")
        if size is not None and size != check["bytes_read"]:
            text += " " + _("%(size)s bytes were recorded.", size=format_number(size))
        return text
    if check["outcome"] == "missing":
        return _("The file is not in storage.")
    return ""


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    if exc.code in messages.API_ERRORS:  # said in the page's language (wrong_role: the action and roles)
        return error_page(exc.status, messages.api_error(exc.code, exc.message, exc.status, exc.details),
                          headers=exc.headers)
    return error_page(exc.status, exc.message if exc.status == 400 else None, detail=exc.message,
                      headers=exc.headers)


def _page(asset, errors=(), values=None, status=200):
    session = db.session()
    doc = lineage.provenance(session, asset, current_user, lang())
    return render_template(
        "provenance/provenance.html", doc=doc, asset=asset, errors=list(errors), values=values or {},
        rights_blocks=[rights_pages.block_view(b, lang()) for b in doc["rights"]],
        needs_declaration=rights_pages.needs_declaration(current_user, asset),
        platforms=[(p, str(rights_pages.PLATFORM_LABELS[p])) for p in PLATFORMS],
        outcome_labels=OUTCOME_LABELS, decision_labels=DECISION_LABELS, action_labels=ACTION_LABELS,
        rendition_labels=RENDITION_LABELS, fixity_damage=web_pages.fixity_damage(doc["fixity"]["items"]),
        usage_label=web_pages.usage_label), status


@bp.route("/assets/<asset_id>/provenance")
@login_required
def provenance(asset_id: str):
    return _page(get_asset(db.session(), asset_id, viewer=current_user))


@bp.route("/assets/<asset_id>/provenance/bag", methods=["POST"])
@login_required
def export_bag(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=current_user)
    values = {k: request.form.get(k) for k in DECLARATION_FIELDS if request.form.get(k) not in (None, "")}
    try:
        stream = bag.prepare_bag(session, Reader.for_user(current_user), asset.id, values or None)
        stream.decision.raise_if_denied()
    except ApiError as exc:
        if exc.status >= 500 or exc.code in ("asset_not_found", "blob_missing"):
            raise
        reasons = (exc.details or {}).get("reasons") if exc.status == 403 else None
        errors = [rights_pages.reason_text(r) for r in reasons] if reasons else rights_pages.error_lines(exc)
        return _page(asset, errors, values, exc.status)
    headers = {"Content-Type": "application/x-tar", "Content-Length": str(stream.length),
               "Content-Disposition": content_disposition(stream.filename, False),
               "Cache-Control": "private, no-store", "Ortak-Access-Decision": stream.decision.outcome}
    return Response(stream.chunks, status=200, headers=headers, direct_passthrough=True)


@bp.route("/fixity")
@login_required
def fixity_report():
    if current_user.role != "admin":
        raise WrongRole("fixity", ("admin",), current_user.role)
    report = fixity.report(db.session(), current_app.config)
    return render_template("provenance/fixity.html", report=report, outcome_labels=OUTCOME_LABELS,
                           rendition_labels=RENDITION_LABELS, fixity_detail=fixity_detail)
