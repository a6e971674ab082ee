"""Share links: the JSON API (`/api/v1/shares`) and the page a link opens (`/s/<token>`), with
its files and the basket's zip. The page needs no account; a password, when the link has one,
is asked once per browser session."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError as CsrfInvalid

from archive import db
from archive.access.declarations import declaration_from_query
from archive.assets.download import ORIGINAL, has_encoded_separator
from archive.assets.services import person_json
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.api.params import flag_param, int_param
from archive.errors import ApiError, error_body, wants_json
from archive.shares import reads, services
from archive.baskets.zip_answer import zip_response
from archive.web import messages
from archive.web.error_pages import error_page
from archive.web.headers import page_headers
from archive.web.pages import lang
from archive.web.player import labels as player_labels
from archive.web.player import player as player_settings

api = Blueprint("shares", __name__, url_prefix="/api/v1/shares")
pages = Blueprint("share_pages", __name__, url_prefix="/s", template_folder="templates")
MAX_PAGE = 1000


@api.post("")
@require_user()
def create_share():
    link, token = services.create_share(db.session(), json_body(), api_user())
    return jsonify({**services.share_json(link, services.link_declaration(db.session(), link)),
                    "url": request.host_url.rstrip("/") + services.share_url(token)}), 201


@api.delete("/<share_id>")
@require_user()
def revoke_share(share_id: str):
    services.revoke(db.session(), share_id, api_user())
    return "", 204


# ---- the page a link opens -----------------------------------------------------------------------

@pages.after_request
def _headers(resp):
    resp = page_headers(resp)
    resp.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address: never pass it on
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@pages.errorhandler(ApiError)
def _page_error(exc: ApiError):
    if wants_json():  # a script (Accept: application/json) gets the API's error shape and code
        resp = jsonify(error_body(exc.code, exc.message, exc.details))
        resp.status_code = exc.status
        resp.headers.update(exc.headers)
        return resp
    if exc.code in messages.API_ERRORS:  # in the page's language; plain values only fill the sentence
        plain = {k: v for k, v in exc.details.items() if isinstance(v, (str, int, float))}
        # A refusal's reasons (rights_denied, declaration_required) in the page's language too,
        # never the engine's English sentence.
        reasons = exc.details.get("reasons") if isinstance(exc.details.get("reasons"), list) else []
        detail = " ".join(messages.rights_reason(r) for r in reasons if isinstance(r, dict)) or None
        message = messages.api_error(exc.code, exc.message, exc.status, plain)
        return error_page(exc.status, message, detail=detail if detail != message else None, headers=exc.headers)
    return error_page(exc.status, None, detail=exc.message, headers=exc.headers)


def _unlocked(link) -> bool:
    return link.password_hash is None or session.get(f"share:{link.id}") is True


def _open(token: str):
    link = services.open_link(db.session(), token)
    if not _unlocked(link):
        raise ApiError("This link needs its password.", code="share_password_required", status=401)
    return link


@pages.route("/<token>", methods=["GET", "POST"])
def share_page(token: str):
    """The link's page (HTML), or, for a client whose `Accept` prefers application/json, the
    link as JSON (`_share_doc`); errors in the API's shape for such a client (docs/api.md, "Share
    link pages"). A password-protected link is opened by POSTing its form (`password`,
    `csrf_token` from the form, with the session cookie the form set): 303 back here; a wrong
    password 401 `share_password_wrong`, a stale form 400 `csrf_failed`."""
    link = services.open_link(db.session(), token)
    if not _unlocked(link):
        wrong = False
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
            except CsrfInvalid:
                raise ApiError("The form expired; open the link again.", code="csrf_failed") from None
            if services.check_password(link, request.form.get("password", "")):
                session[f"share:{link.id}"] = True
                return redirect(url_for("share_pages.share_page", token=token), code=303)
            wrong = True
        else:
            services.check_password(link, None)  # a throttled link says so at once
        if wants_json():
            if wrong:
                raise ApiError("The password is wrong.", code="share_password_wrong", status=401)
            raise ApiError("This link needs its password: POST it with the form's csrf_token (see the link's "
                           "HTML page).", code="share_password_required", status=401,
                           details={"csrf_token": generate_csrf()})
        return render_template("shares/password.html", token=token, wrong=wrong, csrf=generate_csrf()), \
            (401 if wrong else 200)
    page = int_param("page", 1, 1, MAX_PAGE)
    contents = reads.page_contents(db.session(), link, page, lang())
    if wants_json():
        return jsonify(_share_doc(token, link, contents))
    first = contents["first"]
    ready = reads.playable(first, link) if first else {}
    return render_template("shares/share.html", token=token, link=link, creator=person_json(link.creator, None),
                           downloads_left=services.downloads_left(link),
                           page=contents, first=first, ready=ready,
                           **(_player(token, link, first, ready) if first else {}))


def _share_doc(token: str, link, contents: dict) -> dict:
    """The link for a script: {"id", "expires", "renditions", "declaration" (recorded at its
    creation, or null), "asset_id" | "basket": {"id", "name"}, "items", "total", "page", "pages",
    "zip": its URL when the basket's zip may be taken, else null, "max_downloads",
    "downloads_left" (null: no limit)}."""
    basket = contents["basket"]
    return {"id": link.id, "expires": link.expires_at.isoformat(), "renditions": link.renditions,
            "declaration": services.link_declaration(db.session(), link), "asset_id": link.asset_id,
            "basket": {"id": basket.id, "name": basket.name} if basket is not None else None,
            "items": contents["items"], "total": contents["total"], "page": contents["page"],
            "pages": contents["pages"],
            "zip": url_for("share_pages.share_zip", token=token) if contents["zip"] else None,
            "max_downloads": link.max_downloads, "downloads_left": services.downloads_left(link)}


def _player(token: str, link, asset, ready: dict) -> dict:
    """The asset page's player (`_player.html`, player.js) for the link's first asset: HLS,
    storyboard and waveform through `/s/<token>/assets/<id>/renditions/...`, the proxy and
    poster through the link's file route; no markers, no clip export."""
    rows = {r.name: r for r in asset.renditions if r.status == "ready" and r.entry and r.file_count}

    def stream(name: str) -> str | None:
        if name not in rows or not reads.streams(link):
            return None
        return url_for("share_pages.share_rendition_file", token=token, asset_id=asset.id, name=name,
                       path=rows[name].entry)

    doc = {"id": asset.id, "kind": asset.kind, "technical": asset.technical, "renditions": []}
    settings = {**player_settings(doc, lang()), "hls": stream("hls"), "storyboard": stream("storyboard"),
                "waveform": stream("waveform"), "markers": None}

    def media_url(asset_id: str, rendition: str, inline: bool = True) -> str:
        return url_for("share_pages.share_file", token=token, asset_id=asset_id, rendition=rendition)

    return {"asset": asset, "player": settings, "player_labels": player_labels(), "shared": True,
            "hls_ready": bool(settings["hls"]), "proxy_ready": bool(ready.get("proxy")),
            "poster_ready": bool(ready.get("poster")), "poster_name": "poster", "active": False,
            "media_url": media_url}


@pages.route("/<token>/assets/<asset_id>/renditions/<name>/<path:path>", methods=["GET", "HEAD"],
             merge_slashes=False)
def share_rendition_file(token: str, asset_id: str, name: str, path: str):
    """The player's streams of a shared asset (HLS playlists and segments, storyboard,
    waveform), through the gate as the link's creator (`reads.prepare_shared_rendition_file`)."""
    link = _open(token)
    d = reads.prepare_shared_rendition_file(
        db.session(), link, asset_id, name, path,
        encoded_separator=has_encoded_separator(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")),
        range_header=request.headers.get("Range"), if_none_match=request.headers.get("If-None-Match"),
        if_range=request.headers.get("If-Range"), head=request.method == "HEAD")
    d.decision.raise_if_denied()
    return Response(d.body, status=d.status, headers=d.headers, direct_passthrough=True)


@pages.route("/<token>/assets/<asset_id>/<rendition>", methods=["GET", "HEAD"])
def share_file(token: str, asset_id: str, rendition: str):
    """One permitted file of a shared asset (`reads.prepare_shared_file`); `?download=1` asks
    for it as a download (an attachment, counted against the link's `max_downloads`); without
    it the poster and the proxy are the page's previews, served inline and never counted."""
    range_header = request.headers.get("Range")
    download = flag_param("download")
    link = _open(token)
    declaration = declaration_from_query(request.args)
    if rendition == ORIGINAL:  # the link's recorded declaration, else the visitor's
        declaration = services.read_declaration_of(db.session(), link, declaration)
    d = reads.prepare_shared_file(db.session(), link, asset_id, rendition, declaration=declaration,
                                  range_header=range_header,
                                  if_none_match=request.headers.get("If-None-Match"), head=request.method == "HEAD",
                                  download=download)
    d.decision.raise_if_denied()
    if d.redirect:
        return redirect(d.redirect, code=302)
    return Response(d.body, status=d.status, headers=d.headers, direct_passthrough=True)


@pages.route("/<token>/zip", methods=["GET", "HEAD"])
def share_zip(token: str):
    """The basket's ready zip (`reads.prepare_shared_zip`): whole (200) or one Range (206 with
    `Content-Range`), ETag its SHA-256, If-Range honoured; HEAD its headers, no download."""
    link = _open(token)
    declaration = services.read_declaration_of(db.session(), link, declaration_from_query(request.args))
    head = request.method == "HEAD"
    z = reads.prepare_shared_zip(db.session(), link, declaration, range_header=request.headers.get("Range"),
                                 if_range=request.headers.get("If-Range"), head=head)
    return zip_response(z, head=head)
