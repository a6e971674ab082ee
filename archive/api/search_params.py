"""The query of GET /api/v1/search: which parameters it reads and how each is checked.

The OpenAPI document (archive.api.spec) is built from the same tables, so the document and
the checks cannot drift apart.
"""
from __future__ import annotations

import re
from typing import Callable

from flask import request

from archive.accounts.models import COUNTRIES
from archive.api.params import ParameterError, bad_param, flag_param, int_param, list_param, str_param
from archive.assets.models import GENRES, KINDS, STATUSES
from archive.assets.schemas import LANGS, language_code
from archive.rights.avails import PLATFORMS, is_territory
from search.cleared import ClearedFor
from search.fields import MAX_OFFSET, MAX_PER_PAGE
from search.interfaces import SORTS, SearchQuery
from search.mapping import DURATION_BUCKETS
from search.query import is_blank

MAX_QUERY = 500
MAX_FACET_VALUE = 64
MAX_FACET_VALUES = 20
DEFAULT_PER_PAGE = 20
YEAR_PATTERN = r"^[0-9]{4}$"
_YEAR = re.compile(YEAR_PATTERN)
# Project ids are UUIDs; a well-formed id of no project simply matches nothing.
PROJECT_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_PROJECT = re.compile(PROJECT_PATTERN)
CLEARED_PATTERN = r"^(" + "|".join(PLATFORMS) + r"):([A-Z]{2}|WORLD)$"
CLEARED_MAX = 40
DECADE_PATTERN = r"^[0-9]{3}0$"
_DECADE = re.compile(DECADE_PATTERN)
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DURATIONS = tuple(name for _bound, name in DURATION_BUCKETS)
YES_NO = ("yes", "no")


def _choice(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    return lambda value: value if value in choices else None


# facet → (check: value → value to filter on, or None when refused; what a value must be;
# the values allowed, for the document: a tuple of choices or a regular expression)
SEARCH_FACETS: dict[str, tuple[Callable[[str], str | None], str, tuple[str, ...] | str]] = {
    "country": (_choice(COUNTRIES), f"must be one of {', '.join(COUNTRIES)}", COUNTRIES),
    # The organisation's name as the facet counts give it; a name of no organisation matches nothing.
    "organisation": (lambda v: v, "must be an organisation's name", r"^.{1,64}$"),
    "genre": (_choice(GENRES), f"must be one of {', '.join(GENRES)}", GENRES),
    "decade": (lambda v: v if _DECADE.match(v) else None, "must be a decade's first year, such as 1970",
               DECADE_PATTERN),
    "year": (lambda v: v if _YEAR.match(v) else None, "must be a year of four digits, such as 1975", YEAR_PATTERN),
    "language": (language_code, "must be an ISO 639 language code, such as az, tr, en",
                 r"^[A-Za-z]{2,3}$"),
    "meta_language": (_choice(LANGS), f"must be one of {', '.join(LANGS)}", LANGS),
    "kind": (_choice(KINDS), f"must be one of {', '.join(KINDS)}", KINDS),
    "duration": (_choice(DURATIONS), f"must be one of {', '.join(DURATIONS)} (minutes)", DURATIONS),
    "transcript": (_choice(YES_NO), "must be yes or no", YES_NO),
    "project": (lambda v: v if _PROJECT.match(v) else None, "must be a project id", PROJECT_PATTERN),
    # Only the asset's own organisation finds it before it is ready, so only it sees other values.
    "status": (_choice(STATUSES), f"must be one of {', '.join(STATUSES)}", STATUSES),
}


def max_search_page(per_page: int) -> int:
    """The deepest page served at `per_page` hits a page: MAX_OFFSET ÷ per_page + 1 (501 at 20
    a page), the page whose first hit is the last one search.fields.MAX_OFFSET serves (docs/api.md)."""
    return MAX_OFFSET // per_page + 1


# The sentence (archive.web.messages.PARAMETER_ERRORS) of a refused value of a facet whose
# values are no fixed list; those with one say `value_not_a_choice` with the choices.
FACET_SENTENCES = {"decade": "not_a_decade", "year": "not_a_year", "language": "not_a_language",
                   "project": "not_a_project"}


def facet_filters(args=None) -> dict[str, list[str]]:
    """The facet filters of `args` (the request's query by default), each value checked as
    SEARCH_FACETS says (ParameterError otherwise). Repeated parameters are OR-ed
    (?country=TR&country=AZ); different facets are AND-ed."""
    filters: dict[str, list[str]] = {}
    for facet, (check, describe, allowed) in SEARCH_FACETS.items():
        choices = isinstance(allowed, tuple)
        values = list_param(facet, max_items=MAX_FACET_VALUES, limit=MAX_FACET_VALUE, check=check,
                            describe=describe, args=args,
                            sentence="value_not_a_choice" if choices else FACET_SENTENCES.get(facet),
                            values={"choices": list(allowed)} if choices else None)
        if values:
            filters[facet] = values
    return filters


def parse_cleared(raw: str | None) -> tuple[str, str] | None:
    """`PLATFORM:TERRITORY` → (platform, territory); None when absent. ParameterError (400
    `invalid_parameter`, details.parameter `cleared`) for an empty or malformed value, an
    unknown platform (`details.platforms`) or territory (ISO 3166-1 alpha-2 or WORLD)."""
    if raw is None:
        return None
    value = raw.replace("\x00", "").strip()
    if len(value) > CLEARED_MAX or value.count(":") != 1:
        raise bad_param("cleared", "cleared must be PLATFORM:TERRITORY, such as linear_tv:TR.",
                        sentence="cleared_format")
    platform, territory = value.split(":")
    if platform not in PLATFORMS:
        raise bad_param("cleared", f"cleared: {platform[:40]!r} is not a platform; use one of {', '.join(PLATFORMS)}.",
                        sentence="unknown_platform", values={"value": platform[:40], "choices": list(PLATFORMS)},
                        platforms=list(PLATFORMS))
    if not is_territory(territory):
        raise bad_param("cleared", f"cleared: {territory[:40]!r} is not an ISO 3166-1 alpha-2 territory or WORLD.",
                        sentence="unknown_territory", values={"value": territory[:40]})
    return platform, territory


def cleared_for(user, platform: str | None, territory: str) -> ClearedFor:
    """"Cleared for me": the user's organisation in `territory` today, filtered on `platform`
    (None: no filter), counted on every platform."""
    org = user.organisation
    return ClearedFor(organisation=str(org.id), country=org.country, territory=territory, platform=platform,
                      platforms=PLATFORMS)


def date_param(name: str) -> str | None:
    """`recorded_from`/`recorded_to`: YYYY, YYYY-MM or YYYY-MM-DD; 400 otherwise."""
    value = str_param(name, limit=10)
    if value is not None and not re.match(DATE_PATTERN, value):
        raise bad_param(name, f"{name} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, such as 1975-06.",
                        sentence="search_date")
    return value


def viewer(user) -> dict:
    """What `user` may find besides ready assets: their organisation's assets in any status;
    an admin everything."""
    if user is None:
        return {}
    return {"viewer_organisation": str(user.organisation_id) if user.organisation_id is not None else None,
            "sees_everything": getattr(user, "role", None) == "admin"}


def typed(as_you_type: bool) -> dict:
    """As-you-type searches feed a suggestion list: the last word is a prefix and no facet is counted."""
    return {"as_you_type": as_you_type, "count_facets": not as_you_type}


UNREADABLE = "\ufffd"


def query_text(args=None) -> str:
    """`q` (of `args`, the request's query by default) as the search reads it: NUL removed and
    trimmed as every text parameter (`str_param`: 400 `invalid_parameter` over MAX_QUERY
    characters); "" when absent or blank (spaces, tabs, line breaks: `search.query.is_blank`),
    which browses everything. A `q` that was not blank but is nothing once cleaned (only NUL or
    other control characters: `%00`, `%1F`) is U+FFFD, which has no letter or digit, so the
    search refuses it (400 `invalid_query` `no_searchable_text`) as it refuses `*` or `"`
    instead of listing everything."""
    text = str_param("q", limit=MAX_QUERY, args=args) or ""
    raw = (request.args if args is None else args).get("q")
    if not text and not is_blank(raw):
        return UNREADABLE
    return text


def search_query(default_lang: str | None, user=None) -> SearchQuery:
    """The request's search; 400 `invalid_parameter` naming the first parameter at fault.
    With `cleared=PLATFORM:TERRITORY`, only what `user`'s organisation may use there today;
    with `as_you_type=1`, `q` is still being typed and its last word is also a prefix."""
    per_page = int_param("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    deepest = max_search_page(per_page)
    try:
        page = int_param("page", 1, 1, deepest)
    except ParameterError:
        digits = (request.args.get("page") or "").lstrip("0")
        # A whole number past the deepest page (its length first: no 8,000-digit int is made).
        if digits and re.fullmatch(r"[0-9]+", digits) and (len(digits) > 18 or int(digits) > deepest):
            raise bad_param("page", f"At {per_page} hits a page, the search serves pages 1 to {deepest}; "
                                    "narrow the search.", sentence="too_deep", values={"per_page": per_page},
                            min=1, max=deepest) from None
        raise
    cleared = parse_cleared(request.args.get("cleared"))
    return SearchQuery(text=query_text(), filters=facet_filters(), page=page,
                       per_page=per_page, lang=str_param("lang", choices=LANGS) or default_lang,
                       cleared=cleared_for(user, *cleared) if cleared and user is not None else None,
                       sort=str_param("sort", choices=SORTS) or "relevance",
                       recorded_from=date_param("recorded_from"), recorded_to=date_param("recorded_to"),
                       **typed(flag_param("as_you_type")), **viewer(user))
