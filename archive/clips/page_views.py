"""The clip export page: `GET /assets/{id}/clip` (the form, and the rights decision once
checked), `POST /assets/{id}/clip` (export; then the clip's own page shows its progress)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from archive import db
from archive.assets.services import get_asset
from archive.clips import pages, services
from archive.errors import ApiError
from archive.rights import pages as rights_pages
from archive.web import pages as web_pages
from archive.web.headers import page_headers

bp = Blueprint("clip_pages", __name__, template_folder="templates")


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.route("/assets/<asset_id>/clip")
@login_required
def export_form(asset_id: str):
    session = db.session()
    source = get_asset(session, asset_id, viewer=current_user)
    page = pages.export_page(session, current_user, source, request.args, web_pages.lang())
    return render_template("clips/export.html", **page), 400 if page["errors"] else 200


@bp.route("/assets/<asset_id>/clip", methods=["POST"])
@login_required
def export(asset_id: str):
    session = db.session()
    source = get_asset(session, asset_id, viewer=current_user)
    needs = rights_pages.needs_declaration(current_user, source)
    try:
        clip = services.request_clip(session, source, pages.body_from_form(request.form, needs), current_user, {})
    except ApiError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        # A refusal's usage record is kept (the gate asked for it); nothing else was made.
        page = pages.export_page(session, current_user, source, {**request.form.to_dict(), "checked": "1"},
                                 web_pages.lang())
        reasons = (exc.details or {}).get("reasons") if exc.status == 403 else None
        page["errors"] = ([rights_pages.reason_text(r) for r in reasons] if reasons
                          else rights_pages.error_lines(exc))
        return render_template("clips/export.html", **page), exc.status
    return redirect(url_for("web.asset", asset_id=clip.id))
