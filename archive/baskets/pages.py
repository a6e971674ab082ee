"""The baskets pages: `/baskets` (the caller's baskets, a new one) and `/baskets/<id>` (its
items, add and remove, the zip with its progress, sharing with users and by link). The pages
call the JSON API from `static/baskets.js`; every label is in the page's language."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from archive import db
from archive.access.declarations import PLATFORMS
from archive.api.params import int_param
from archive.baskets import services
from archive.errors import ApiError
from archive.web import messages
from archive.web.error_pages import error_page
from archive.web.headers import page_headers
from archive.web.pages import lang

bp = Blueprint("basket_pages", __name__, url_prefix="/baskets", template_folder="templates",
               static_folder="static", static_url_path="/static/baskets")

LABELS = {
    "queued": _l("Waiting for a worker"), "building": _l("Building the zip"), "ready": _l("The zip is ready"),
    "failed": _l("The zip could not be built"), "error": _l("The server refused it: %(reason)s"),
    "removed": _l("Removed."), "added": _l("Added."), "shared": _l("Shared."), "link_made": _l("Link made."),
    "declare_to_download": _l("Another member asked for this zip. Declare your use above: it downloads once every "
                              "item is cleared for it, and is recorded as yours."),
}


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.errorhandler(ApiError)
def _page_error(exc: ApiError):
    if exc.code in messages.API_ERRORS:
        plain = {k: v for k, v in exc.details.items() if isinstance(v, (str, int, float))}
        return error_page(exc.status, messages.api_error(exc.code, exc.message, exc.status, plain),
                          headers=exc.headers)
    return error_page(exc.status, None, detail=exc.message, headers=exc.headers)


def _labels() -> dict[str, str]:
    return {k: str(v) for k, v in LABELS.items()}


@bp.route("")
@login_required
def basket_list():
    return render_template("baskets/list.html", baskets=services.list_baskets(db.session(), current_user),
                           labels=_labels())


@bp.route("/<basket_id>")
@login_required
def basket_page(basket_id: str):
    session = db.session()
    basket = services.get_basket(session, basket_id, current_user)
    page = int_param("page", 1, 1, 100_000)
    doc = services.basket_json(session, basket, current_user, page=page, lang=lang())
    return render_template("baskets/basket.html", basket=doc, platforms=PLATFORMS, labels=_labels())
