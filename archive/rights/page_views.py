"""The rights web pages: the rights editor's forms (add or delete a block, record a contract
with its document) and the usage declaration before an original download. Each form posts
here with the session's CSRF token, calls one service, and redirects back to the asset page
or renders it again with the mistakes in the page's language."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from archive import db
from archive.assets.services import get_asset
from archive.errors import ApiError
from archive.rights import contracts, pages, services
from archive.web import messages
from archive.web import pages as web_pages
from archive.web.error_pages import error_page
from archive.web.headers import page_headers

bp = Blueprint("rights_pages", __name__, template_folder="templates")


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    # A browser gets the error page (no asset, no such block, not a rights manager...): a code
    # the messages table knows in the page's language, else its status's sentence with the
    # service's English in small print, as on the other pages.
    if exc.code in messages.API_ERRORS:
        return error_page(exc.status, messages.api_error(exc.code, exc.message, exc.status, exc.details),
                          headers=exc.headers)
    message = exc.message if exc.status not in (403, 404) and exc.status < 500 else None
    return error_page(exc.status, message, detail=exc.message if message is None else None, headers=exc.headers)


def _asset_page_again(asset_id: str, errors: list[str], status: int):
    page = web_pages.asset_page(current_user, asset_id)
    page["rights_errors"] = errors
    return render_template("asset.html", **page), status


@bp.route("/assets/<asset_id>/rights", methods=["POST"])
@login_required
def add_block(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=current_user)
    if not services.can_manage(current_user, asset):
        abort(403)
    try:
        services.create_block(session, asset, pages.block_from_form(request.form), current_user)
    except ApiError as exc:
        if exc.status >= 500 or exc.status in (403, 404):
            raise
        session.rollback()
        return _asset_page_again(asset_id, pages.error_lines(exc), exc.status)
    flash(_("The rights block was added."), "rights")
    return redirect(url_for("web.asset", asset_id=asset_id) + "#rights")


@bp.route("/assets/<asset_id>/rights/<int:block_id>/delete", methods=["POST"])
@login_required
def delete_block(asset_id: str, block_id: int):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=current_user)
    if not services.can_manage(current_user, asset):
        abort(403)
    services.delete_block(session, asset, block_id, current_user)
    flash(_("The rights block was deleted."), "rights")
    return redirect(url_for("web.asset", asset_id=asset_id) + "#rights")


@bp.route("/assets/<asset_id>/contracts", methods=["POST"])
@login_required
def add_contract(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=current_user)
    if not services.can_manage(current_user, asset):
        abort(403)
    upload = request.files.get("document")
    try:
        # The asset's organisation is the licensor (an admin's own organisation is not).
        contract = contracts.create_contract(session, {"licensor": asset.organisation.name,
                                                       "reference": request.form.get("reference") or None,
                                                       "signed": request.form.get("signed") or None}, current_user)
        if upload is not None and upload.filename:
            body = upload.stream.read(contracts.MAX_DOCUMENT_BYTES + 1)
            contracts.add_document(session, contract, body, upload.mimetype or None, upload.filename, current_user)
    except ApiError as exc:
        if exc.status >= 500 or exc.status in (403, 404):
            raise
        session.rollback()
        return _asset_page_again(asset_id, pages.error_lines(exc), exc.status)
    flash(_("The contract was recorded."), "rights")
    return redirect(url_for("web.asset", asset_id=asset_id) + "#rights")


@bp.route("/assets/<asset_id>/declare")
@login_required
def declare(asset_id: str):
    session = db.session()
    asset = get_asset(session, asset_id, viewer=current_user)
    page = pages.declaration_page(session, current_user, asset, request.args)
    status = 400 if page["errors"] else 200
    return render_template("rights/declare.html", asset=services_asset(asset), **page), status


def services_asset(asset) -> dict:
    return {"id": asset.id, "title": asset.title(web_pages.lang()), "filename": asset.filename, "size": asset.size}
