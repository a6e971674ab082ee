"""The API's own endpoints: search, the caller, and the OpenAPI document."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from flask import Blueprint, Response, jsonify, request

from archive.accounts.auth import api_user, require_user
from archive.api.params import bad_param, int_param, str_param
from archive.errors import ApiError
from archive.services import search_backend
from search.interfaces import QueryError, SearchQuery

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SEARCH_FACETS = ("country", "genre", "year", "language", "kind")
MAX_QUERY = 500
MAX_FACET_VALUE = 64
MAX_FACET_VALUES = 20
LANGS = ("tr", "az", "en")


def _facet_filters() -> dict[str, list[str]]:
    """Repeated parameters are OR-ed (?country=TR&country=AZ); other parameters are ignored."""
    filters: dict[str, list[str]] = {}
    for facet in SEARCH_FACETS:
        values = [v.replace("\x00", "").strip() for v in request.args.getlist(facet)]
        values = [v for v in values if v]
        if not values:
            continue
        if len(values) > MAX_FACET_VALUES:
            raise bad_param(facet, f"At most {MAX_FACET_VALUES} values of {facet}.")
        if any(len(v) > MAX_FACET_VALUE for v in values):
            raise bad_param(facet, f"A {facet} value is longer than {MAX_FACET_VALUE} characters.")
        filters[facet] = values
    return filters


@bp.get("/search")
@require_user()
def search():
    query = SearchQuery(
        text=str_param("q", limit=MAX_QUERY) or "",
        filters=_facet_filters(),
        page=int_param("page", 1, 1, 1000),
        per_page=int_param("per_page", 20, 1, 100),
        lang=str_param("lang", choices=LANGS) or getattr(api_user(), "locale", None),
    )
    try:
        result = search_backend().search(query)
    except QueryError as exc:
        raise ApiError(f"The search could not be understood: {exc}", code="invalid_query", status=400) from exc
    return jsonify({
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "hits": [{"id": h.id, "title": h.title, "snippet": h.snippet, "score": h.score,
                  "segments": h.segments} for h in result.hits],
        "facets": result.facets,
    })


@bp.get("/me")
@require_user()
def me():
    user = api_user()
    org = user.organisation
    return jsonify({"id": user.id, "email": user.email, "role": user.role, "locale": user.locale,
                    "organisation": org.name if org is not None else None,
                    "country": org.country if org is not None else None})


@lru_cache(maxsize=1)
def _openapi_text() -> str:
    text = resources.files("archive.api").joinpath("openapi.json").read_text(encoding="utf-8")
    json.loads(text)  # a broken document fails loudly here, not in a client
    return text


@bp.get("/openapi.json")
def openapi():
    # Public on purpose: the contract is not a secret, and clients read it before they log in.
    return Response(_openapi_text(), mimetype="application/json")
