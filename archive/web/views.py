"""The web pages: log in, search, upload, the asset page. HTML only; the logic is in services."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from archive import db
from archive.accounts import services as accounts
from archive.accounts import throttle
from archive.accounts.auth import log_in, log_out
from archive.config import settings
from archive.errors import ApiError, WrongRole
from archive.web import messages, pages
from archive.web.error_pages import error_page, http_error_page
from archive.web.forms import LoginForm, LogoutForm
from archive.web.headers import page_headers
from archive.web.i18n import COOKIE, LANGUAGE_NAMES, LANGUAGES, format_decimal_size, format_percent_of, init_babel
from archive.web.present import export_label, person_name, show

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")


@bp.record_once
def _setup(state) -> None:
    init_babel(state.app)
    # Every HTTP error a browser meets (no route, wrong method, a crash) gets the styled page.
    state.app.extensions["ortak.error_page"] = http_error_page


UPLOAD_ROLES = ("producer", "admin")


@bp.after_request
def _security_headers(resp):
    return page_headers(resp)


@bp.app_context_processor  # app-wide: the error pages of unrouted paths use base.html too
def _page_globals():
    current = pages.lang()
    return {"logout_form": LogoutForm() if current_user.is_authenticated else None,
            "can_upload": current_user.is_authenticated and current_user.role in UPLOAD_ROLES,
            "languages": LANGUAGES, "current_lang": current, "current_lang_name": LANGUAGE_NAMES[current],
            "media_url": media_url, "messages_catalogue": messages.script_catalogue,
            "unread_notifications": pages.unread_notifications(current_user),
            "rendition_label": pages.rendition_label, "export_label": export_label}


def media_url(asset_id: str, rendition: str, inline: bool = True) -> str:
    """The download API (API.md); `inline` lets the browser show it rather than save it."""
    url = f"/api/v1/assets/{quote(str(asset_id), safe='')}/download?rendition={quote(rendition, safe='')}"
    return url + "&inline=1" if inline else url


@bp.app_template_filter("person_name")
def _person_name(value) -> str:
    return person_name(value)


@bp.app_template_filter("label")
def _label(value, key: str) -> str:
    """A stored code as the pages name it in their language: `{{ p|label("platform") }}` →
    "Xətti TV" (archive.web.present.show, the one label table: platforms, territories with WORLD
    in words, block kinds, statuses, languages, countries, genres); a list is joined with ", ",
    nothing is "—", a code without a label stays as it is."""
    return show(key, value)


@bp.app_template_filter("percent")
def _percent(value) -> str:
    """A whole percent (0..100) as the page's language writes it ("%60" in Turkish)."""
    return format_percent_of(value)


@bp.app_template_filter("filesize")
def _filesize(value) -> str:
    return format_decimal_size(value)


@bp.app_template_filter("decimal")
def _decimal(value, digits: int = 1) -> str:
    """A number with `digits` decimals as the page's language writes it (CLDR through Babel:
    "10,0" in tr and az, "10.0" in en; the pages' scripts write the same, messages.js)."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(value, pattern)


@bp.app_template_filter("email")
def _email(value) -> Markup:
    """An e-mail address that wraps only before its dots and its @ (<wbr> there), never inside
    a part, not even at a hyphen: each part is an unbreakable span (CSS `.email-part`)."""
    parts = re.split(r"(?=[.@])", str(value or ""))
    return Markup("<wbr>").join(Markup('<span class="email-part">%s</span>') % p for p in parts if p)


@bp.app_template_filter("datetime")
def _datetime(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "medium")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    # The services speak English. A code the messages table knows is said in the page's
    # language, and only so; a 403, 404 or 5xx without one gets its status's sentence, with
    # the English sentence in small print (it says more than the status).
    if exc.code in messages.API_ERRORS:
        return error_page(exc.status, messages.api_error(exc.code, exc.message, exc.status, exc.details),
                          headers=exc.headers)
    message = exc.message if exc.status not in (403, 404) and exc.status < 500 else None
    return error_page(exc.status, message, detail=exc.message if message is None else None, headers=exc.headers)


@bp.errorhandler(CSRFError)
def _csrf_error(_exc):
    return error_page(400, _("The form expired; please try again."))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL would be an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            throttle.check_login(form.email.data)
        except throttle.Throttled as exc:
            minutes = -(-exc.retry_after // 60)
            error = ngettext("Too many failed attempts. Try again in %(num)d minute.",
                             "Too many failed attempts. Try again in %(num)d minutes.", minutes)
            return (render_template("login.html", form=form, error=error), 429,
                    {"Retry-After": str(exc.retry_after)})
        user = accounts.authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            log_in(user)  # the session row (and an upgraded password hash) commit with the request
            return redirect(_safe_next(request.args.get("next")))
        throttle.login_failed(form.email.data)
        # One message whether the e-mail is unknown or the password wrong: no user enumeration.
        error, status = _("Wrong e-mail or password."), 401
    elif request.method == "POST":
        error, status = (_("The form expired; please try again.") if form.csrf_token.errors
                         else _("Enter your e-mail and password.")), 400
    return render_template("login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if current_user.is_authenticated and form.validate_on_submit():
        log_out()
    return redirect(url_for("web.login"))


@bp.route("/lang/<code>")
def set_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    resp = make_response(redirect(_safe_next(request.args.get("next"))))
    resp.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                    secure=request.is_secure)
    return resp


@bp.route("/")
@login_required
def index():
    page = pages.search_page(request.args, current_user)
    if not page.get("error") and 0 < page["pages"] < page["page"]:
        # A page past the last (an old link, a hand-made URL): the last page, not "page 99 of 2".
        args = {k: v for k, v in request.args.lists() if k != "page"}
        return redirect(url_for("web.index") + "?" + urlencode({**args, "page": [str(page["pages"])]}, doseq=True))
    return render_template("search.html", **page), (400 if page.get("error") else 200)


@bp.route("/upload")
@login_required
def upload():
    if current_user.role not in UPLOAD_ROLES:
        raise WrongRole("upload", UPLOAD_ROLES, current_user.role)
    return render_template("upload.html", max_size=settings().MAX_UPLOAD_SIZE, **pages.upload_page())


@bp.route("/assets/<asset_id>")
@login_required
def asset(asset_id: str):
    return render_template("asset.html", **pages.asset_page(current_user, asset_id))


@bp.route("/assets/<asset_id>", methods=["POST"])
@login_required
def asset_edit(asset_id: str):
    page = pages.asset_page(current_user, asset_id, formdata=request.form)
    if not page["can_edit"]:
        abort(403)
    form = page["form"]
    if not form.validate():
        page["edit_errors"] = pages.edit_errors(form=form)
        return render_template("asset.html", **page), 400
    try:
        pages.save_metadata(current_user, asset_id, form.changes(admin=current_user.role == "admin"))
    except ApiError as exc:
        if exc.status >= 500 or exc.status in (403, 404):
            raise
        page["edit_errors"] = pages.edit_errors(error=exc)
        return render_template("asset.html", **page), exc.status
    # Shown beside the form (not at the top of the page), where asset.js moves the focus.
    flash(_("Saved."), pages.SAVED)
    return redirect(url_for("web.asset", asset_id=asset_id) + "#save-status")


@bp.route("/my-uploads")
@login_required
def my_uploads():
    return render_template("my_uploads.html", **pages.my_uploads_page(current_user, request.args))
