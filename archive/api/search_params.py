"""The query of GET /api/v1/search: which parameters it reads and how each is checked.

The OpenAPI document (archive.api.spec) is built from the same tables, so the document and
the checks cannot drift apart.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, NamedTuple
from urllib.parse import unquote_plus, unquote_to_bytes

from flask import request

from archive.accounts.models import COUNTRIES
from archive.api.params import bad_param, flag_param, int_param, list_param, str_param
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
# Project ids are UUIDs; a well-formed id of no project simply matches nothing.
PROJECT_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CLEARED_PATTERN = r"^(" + "|".join(PLATFORMS) + r"):([A-Z]{2}|WORLD)$"
CLEARED_MAX = 40
DECADE_PATTERN = r"^[0-9]{3}0$"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DURATIONS = tuple(name for _bound, name in DURATION_BUCKETS)
YES_NO = ("yes", "no")


class FacetRule(NamedTuple):
    """How a facet's values are checked: `check` (value → value to filter on, or None when
    refused), `describe` (what a value must be, for the OpenAPI document), `allowed` (a tuple of
    choices or a regular expression, for the document) and `sentence`, the
    archive.api.params.PARAMETER_SENTENCES key a refused value is said with."""
    check: Callable[[str], str | None]
    describe: str
    allowed: tuple[str, ...] | str
    sentence: str | None


def _choices(choices: tuple[str, ...], describe: str | None = None) -> FacetRule:
    """A facet whose values are a fixed list: a value off it says `value_not_a_choice` with the list."""
    return FacetRule(lambda value: value if value in choices else None,
                     describe or f"must be one of {', '.join(choices)}", choices, "value_not_a_choice")


def _pattern(pattern: str, describe: str, sentence: str) -> FacetRule:
    matcher = re.compile(pattern)
    return FacetRule(lambda value: value if matcher.match(value) else None, describe, pattern, sentence)


SEARCH_FACETS: dict[str, FacetRule] = {
    "country": _choices(COUNTRIES),
    # The organisation's name as the facet counts give it; a name of no organisation matches nothing.
    "organisation": FacetRule(lambda v: v, "must be an organisation's name", r"^.{1,64}$", None),
    "genre": _choices(GENRES),
    "decade": _pattern(DECADE_PATTERN, "must be a decade's first year, such as 1970", "not_a_decade"),
    "year": _pattern(YEAR_PATTERN, "must be a year of four digits, such as 1975", "not_a_year"),
    "language": FacetRule(language_code, "must be an ISO 639 language code, such as az, tr, en",
                          r"^[A-Za-z]{2,3}$", "not_a_language"),
    "meta_language": _choices(LANGS),
    "kind": _choices(KINDS),
    "duration": _choices(DURATIONS, f"must be one of {', '.join(DURATIONS)} (minutes)"),
    "transcript": _choices(YES_NO, "must be yes or no"),
    "project": _pattern(PROJECT_PATTERN, "must be a project id", "not_a_project"),
    # Only the asset's own organisation finds it before it is ready, so only it sees other values.
    "status": _choices(STATUSES),
}


def max_search_page(per_page: int) -> int:
    """The deepest page served at `per_page` hits a page: MAX_OFFSET ÷ per_page + 1 (501 at 20
    a page), the page whose first hit is the last one search.fields.MAX_OFFSET serves (docs/api.md)."""
    return MAX_OFFSET // per_page + 1


def facet_filters(args=None) -> dict[str, list[str]]:
    """The facet filters of `args` (the request's query by default), each value checked as
    SEARCH_FACETS says (ParameterError otherwise). Repeated parameters are OR-ed
    (?country=TR&country=AZ); different facets are AND-ed."""
    filters: dict[str, list[str]] = {}
    for facet, rule in SEARCH_FACETS.items():
        choices = isinstance(rule.allowed, tuple)
        values = list_param(facet, max_items=MAX_FACET_VALUES, limit=MAX_FACET_VALUE, check=rule.check,
                            args=args, sentence=rule.sentence,
                            values={"choices": list(rule.allowed)} if choices else None)
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
        raise bad_param("cleared", "cleared_format")
    platform, territory = value.split(":")
    if platform not in PLATFORMS:
        raise bad_param("cleared", "unknown_platform", values={"value": platform[:40], "choices": list(PLATFORMS)},
                        platforms=list(PLATFORMS))
    if not is_territory(territory):
        raise bad_param("cleared", "unknown_territory", values={"value": territory[:40]})
    return platform, territory


def cleared_for(user, platform: str | None, territory: str) -> ClearedFor:
    """"Cleared for me": the user's organisation in `territory` today, filtered on `platform`
    (None: no filter), counted on every platform."""
    org = user.organisation
    return ClearedFor(organisation=str(org.id), country=org.country, territory=territory, platform=platform,
                      platforms=PLATFORMS)


def date_param(name: str, args: Mapping | None = None) -> str | None:
    """`recorded_from`/`recorded_to` (of `args`, the request's query by default): YYYY, YYYY-MM
    or YYYY-MM-DD; 400 otherwise."""
    value = str_param(name, limit=10, args=args)
    if value is not None and not re.match(DATE_PATTERN, value):
        raise bad_param(name, "search_date")
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
    if args is None or args.get("q") == request.args.get("q"):  # the API's, or the page's own
        _refuse_undecodable("q")
    text = str_param("q", limit=MAX_QUERY, args=args) or ""
    raw = (request.args if args is None else args).get("q")
    if not text and not is_blank(raw):
        return UNREADABLE
    return text


def _refuse_undecodable(name: str) -> None:
    """400 `invalid_parameter` (reason `not_utf8`) when the request's query string gives `name`
    a value whose percent-escapes are not UTF-8: `halı` sent in windows-1254 (`hal%FD`), which
    werkzeug keeps as typed, so the search looked for the words `hal` and `FD` and found nothing."""
    for pair in request.query_string.split(b"&"):
        key, _eq, value = pair.partition(b"=")
        if unquote_plus(key.decode("latin-1")) != name:
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise bad_param(name, "not_utf8", reason="not_utf8") from None


def page_param(per_page: int, args: Mapping | None = None) -> int:
    """`page` (of `args`, the request's query by default): 1 to max_search_page(per_page); a
    whole number past it is 400 `invalid_parameter` with sentence `too_deep` (details min, max),
    anything else unusable the `whole_number` refusal of archive.api.params.parse_int."""
    deepest = max_search_page(per_page)
    too_deep = bad_param("page", "too_deep", values={"per_page": per_page}, min=1, max=deepest)
    return int_param("page", 1, 1, deepest, args=args, too_high=too_deep)


def search_query(default_lang: str | None, user=None, args: Mapping | None = None) -> SearchQuery:
    """The search `args` ask for (the request's query by default: GET /api/v1/search; the search
    page passes its own): 400 `invalid_parameter` naming the first parameter at fault.
    With `cleared=PLATFORM:TERRITORY`, only what `user`'s organisation may use there today;
    with `as_you_type=1`, `q` is still being typed and its last word is also a prefix."""
    args = request.args if args is None else args
    per_page = int_param("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, args=args)
    page = page_param(per_page, args)
    cleared = parse_cleared(args.get("cleared"))
    return SearchQuery(text=query_text(args), filters=facet_filters(args),
                       page=page, per_page=per_page,
                       lang=str_param("lang", choices=LANGS, args=args) or default_lang,
                       cleared=cleared_for(user, *cleared) if cleared and user is not None else None,
                       sort=str_param("sort", choices=SORTS, args=args) or "relevance",
                       recorded_from=date_param("recorded_from", args), recorded_to=date_param("recorded_to", args),
                       **typed(flag_param("as_you_type", args=args)), **viewer(user))
