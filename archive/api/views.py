"""The API's own endpoints: search (and its avails in the EMA layout), the caller, and the OpenAPI document.

The blueprint also installs the request-head limits (archive.api.limits) for the whole app.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import force_locale

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api import limits
from archive.api.params import ParameterError, lang_param
from archive.api.search_params import search_query
from archive.api.spec import build_document
from archive.backends import search_backend
from archive.errors import ApiError, error_response
from archive.rights import ema
from archive.web import messages
from archive.web.i18n import LANGUAGES
from search.interfaces import QueryError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: limits.install(state.app))


def query_error(exc: QueryError) -> ApiError:
    """400 `invalid_query`, its message in the language the request's Accept-Language names
    (tr, az, en), else in English as every API error's (docs/api.md "Conventions"; a client
    without Accept-Language had it in Turkish, the pages' default); `details.reason` is the
    search's code (`no_searchable_text`, `invalid_query`)."""
    lang = request.accept_languages.best_match(LANGUAGES) or "en"
    with force_locale(lang):
        # In Turkish or Azerbaijani the reason whole, as the pages say it (no English inside);
        # in English the engine's own sentence, which names the parameters.
        message = messages.query_error(exc.code, str(exc), *((exc.reason, exc.params) if lang != "en" else ()))
    return ApiError(message, code="invalid_query", status=400, details={"reason": exc.code})


@bp.app_errorhandler(ParameterError)
def parameter_error(exc: ParameterError):
    """400 `invalid_parameter` (from any route) as archive.errors answers every ApiError, its
    message in Turkish or Azerbaijani when the request's Accept-Language names one
    (archive.web.messages.parameter_error: the same sentence, whole, as invalid_query's), else
    the English message as raised (the sentence filled in, archive.api.params.bad_param)."""
    lang = request.accept_languages.best_match(LANGUAGES) or "en"
    if lang == "en":
        return error_response(exc)
    with force_locale(lang):
        return error_response(exc, messages.parameter_error(exc.sentence, exc.values, exc.message))


@bp.get("/search")
@require_user()
def search():
    user = api_user()
    query = search_query(lang_param(), user)
    try:
        result = search_backend().search(query)
    except QueryError as exc:
        raise query_error(exc) from exc
    return jsonify({
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "sort": query.sort,
        "hits": [{"id": h.id, "title": h.title, "snippet": h.snippet, "score": h.score,
                  "highlights": h.highlights, "segments": h.segments} for h in result.hits],
        "facets": result.facets,
        "did_you_mean": result.did_you_mean,
    })


@bp.get("/avails/ema")
@require_user("rights_manager")
def avails_ema():
    """The avails of the search's hits (the same parameters as /search: that page of hits) in the
    EMA Avails layout, as CSV (`archive.rights.ema`); a rights manager gets the rows of their
    organisation's assets among them, an admin all."""
    user = api_user()
    query = search_query(lang_param(), user)
    try:
        result = search_backend().search(query)
    except QueryError as exc:
        raise query_error(exc) from exc
    rows = ema.ema_rows(db.session(), user, [h.id for h in result.hits])  # refusals raise here, before any byte
    return Response(ema.ema_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="ortak-avails-ema.csv"'})


@bp.get("/me")
@require_user()
def me():
    user = api_user()
    org = user.organisation
    return jsonify({"id": user.id, "email": user.email, "role": user.role, "locale": user.locale,
                    "organisation": org.name if org is not None else None,
                    "country": org.country if org is not None else None})


def _openapi_text() -> str:
    # Built from the running configuration (limits are settings), once per app.
    text = current_app.extensions.get("ortak.openapi")
    if text is None:
        text = json.dumps(build_document(current_app.config), ensure_ascii=False, indent=1)
        current_app.extensions["ortak.openapi"] = text
    return text


@bp.get("/openapi.json")
def openapi():
    # Public on purpose: the contract is not a secret, and clients read it before they log in.
    return Response(_openapi_text(), mimetype="application/json")
