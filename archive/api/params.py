"""Reading query parameters: every client mistake becomes a 400 `invalid_parameter`.

One parser per kind of value, used by the API and the pages alike:
- `parse_int`: a whole number written in ASCII digits, within bounds. Python's `str.isdigit`
  and `int` accept far more than a URL should carry (`"²"`, `"１"`, `"٣"`, `" 7"`, `"+7"`,
  `"1_000"`), and disagree with each other on some of it, so neither decides here.
- `str_param`: text of bounded length, optionally one of a fixed set of choices.
- `list_param`: a repeatable parameter (`?country=TR&country=AZ`), each value checked.
- `flag_param`: a yes/no switch (`1`/`true`/`yes`, `0`/`false`/`no`).
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping

from flask import request

from archive.errors import ApiError
from archive.web.i18n import N_

MAX_PARAM = 200
# Bounds checked by length first: a 10,000-digit number is refused without converting it.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
_DIGITS = re.compile(r"[0-9]+")
# The ids the archive makes (archive.db.new_id: UUID4 text), in either case.
_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

# Why a parameter was refused: each sentence once, in English (a ParameterError's `message` is it,
# filled in by `bad_param`), translated by the same text (the API's answers in the language asked,
# the pages': archive.web.messages.parameter_error). `%(name)s` is the parameter (on a page: its
# label), the other placeholders the refusal's `values`.
PARAMETER_SENTENCES = {
    "whole_number": N_("%(name)s must be a whole number from %(min)s to %(max)s, written with the digits 0-9."),
    "too_long": N_("%(name)s is longer than %(limit)s characters."),
    "not_a_choice": N_("%(name)s must be one of: %(choices)s."),
    "too_many_values": N_("%(name)s takes at most %(max_items)s values."),
    "value_too_long": N_("A value of %(name)s is longer than %(limit)s characters."),
    "value_not_accepted": N_("%(name)s: “%(value)s” is not accepted."),
    "value_not_a_choice": N_("%(name)s: “%(value)s” is not one of: %(choices)s."),
    "not_a_decade": N_("%(name)s: “%(value)s” is not a decade's first year, such as 1970."),
    "not_a_year": N_("%(name)s: “%(value)s” is not a year of four digits, such as 1975."),
    "not_a_language": N_("%(name)s: “%(value)s” is not an ISO 639 language code, such as az, tr, en."),
    "not_a_project": N_("%(name)s: “%(value)s” is not a project's id."),
    "not_an_id": N_("%(name)s: “%(value)s” is not an id (ids look like 0b7c3f9e-5d1a-4c2b-9e8f-1a2b3c4d5e6f)."),
    "not_a_flag": N_("%(name)s must be 1 or 0 (true or false)."),
    "cleared_format": N_("%(name)s must be PLATFORM:TERRITORY, such as linear_tv:TR."),
    "unknown_platform": N_("%(name)s: “%(value)s” is not a platform; use one of: %(choices)s."),
    "unknown_territory": N_("%(name)s: “%(value)s” is not an ISO 3166-1 alpha-2 territory code or WORLD."),
    "not_utf8": N_("%(name)s is not UTF-8 text: send it as UTF-8, percent-encoded."),
    "search_date": N_("%(name)s must be a date written YYYY, YYYY-MM or YYYY-MM-DD, such as 1975-06."),
    "too_deep": N_("At %(per_page)s hits a page, the search shows pages 1 to %(max)s; narrow the search."),
    "day": N_("%(name)s must be a date written YYYY-MM-DD."),
    "territory_required": N_("%(name)s is required: an ISO 3166-1 alpha-2 territory code or WORLD."),
    "platform_required": N_("%(name)s is required: one of %(choices)s."),
    "to_before_from": N_("%(name)s is before from."),
    # A segment of an asset as two timecodes, `in` and `out` (archive.rights.services.segment_seconds).
    "segment_incomplete": N_("%(name)s is missing: give both in and out, or neither for the whole asset."),
    "segment_timecode": N_("%(name)s: “%(value)s” is not a timecode of this asset, such as 00:01:00:00 (with ; "
                           "before the frames when its timecode is drop-frame)."),
    "segment_outside_asset": N_("%(name)s: “%(value)s” is before the asset's first frame or past its last."),
    "segment_reversed": N_("%(name)s must come after in."),
    "segment_duration_unknown": N_("The asset's duration is not known: a segment of it cannot be checked."),
}


class ParameterError(ApiError):
    """A query parameter the server cannot use (400 `invalid_parameter`, details.parameter).

    `sentence` names its message in PARAMETER_SENTENCES, filled from `values` (`name` the
    parameter, and the sentence's other placeholders): `message` is it in English, and a client
    that asks for Turkish or Azerbaijani, or a page, gets it whole in that language."""

    status = 400
    code = "invalid_parameter"

    def __init__(self, message: str, *, details: dict | None = None, sentence: str | None = None,
                 values: dict | None = None):
        super().__init__(message, details=details)
        self.sentence = sentence
        self.values = values or {}


def english(sentence: str, values: Mapping) -> str:
    """PARAMETER_SENTENCES[sentence] filled with `values` as they are (a list joined with ", ")."""
    return PARAMETER_SENTENCES[sentence] % {k: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                                            for k, v in values.items()}


def bad_param(name: str, sentence: str, *, values: dict | None = None, **details) -> ParameterError:
    """ParameterError for parameter `name`: `details` {parameter: name, **details}; its message
    the PARAMETER_SENTENCES `sentence` filled from `name`, `details` and `values`."""
    filled = {"name": name, **details, **(values or {})}
    return ParameterError(english(sentence, filled), details={"parameter": name, **details}, sentence=sentence,
                          values=filled)


def parse_int(raw: str | None, *, name: str, default: int, lo: int, hi: int,
              too_high: ParameterError | None = None) -> int:
    """`raw` as a whole number in [lo, hi]; `default` when absent.

    Accepted: ASCII digits only (`0`-`9`, at most 18 of them; leading zeros allowed). Refused
    with ParameterError (400, details {parameter, min, max}): an empty value, signs, spaces,
    decimal points, exponents, underscores, any non-ASCII digit, and anything outside [lo, hi];
    with `too_high`, a whole number past `hi` (of any length: no long int is made) raises that
    instead.
    """
    if raw is None:
        return default
    if _WHOLE_NUMBER.fullmatch(raw) and lo <= int(raw) <= hi:
        return int(raw)
    if too_high is not None and _DIGITS.fullmatch(raw):
        digits = raw.lstrip("0")
        if digits and (len(digits) > 18 or int(digits) > hi):
            raise too_high
    raise bad_param(name, "whole_number", min=lo, max=hi)


def int_param(name: str, default: int, lo: int, hi: int, *, args: Mapping | None = None,
              too_high: ParameterError | None = None) -> int:
    """The query parameter `name` (of `args`, the request's query by default) through `parse_int`."""
    return parse_int((request.args if args is None else args).get(name), name=name, default=default, lo=lo, hi=hi,
                     too_high=too_high)


def _clean(raw: str) -> str:
    return raw.replace("\x00", "").strip()


def str_param(name: str, *, limit: int = MAX_PARAM, choices: Iterable[str] | None = None,
              args: Mapping | None = None) -> str | None:
    """The query parameter `name` (of `args`, the request's query by default) as text (NUL
    removed, trimmed), or None when absent (or, for free text, empty).

    400 when longer than `limit` characters or, with `choices`, not one of them (an empty
    value is none of them).
    """
    raw = (request.args if args is None else args).get(name)
    if raw is None:
        return None
    value = _clean(raw)
    if value == "" and choices is None:
        return None
    if len(value) > limit:
        raise bad_param(name, "too_long", limit=limit)
    if choices is not None:
        choices = tuple(choices)
        if value not in choices:
            raise bad_param(name, "not_a_choice", choices=list(choices))
    return value


def id_param(name: str, *, args: Mapping | None = None) -> str | None:
    """The query parameter `name` (of `args`, the request's query by default) as one of the
    archive's ids (archive.db.new_id: a UUID written with hyphens, given back in lowercase), or
    None when absent. 400 `invalid_parameter` for anything else, an empty value too (sentence
    `not_an_id`; `too_long` past 64 characters): a filter on an id that cannot be one is the
    caller's mistake, not an empty list. An id that names nothing is the caller's route to
    judge (a filter matches nothing; a lookup answers 404)."""
    raw = (request.args if args is None else args).get(name)
    if raw is None:
        return None
    value = _clean(raw)
    if len(value) > 64:
        raise bad_param(name, "too_long", limit=64)
    if not _ID.fullmatch(value):
        raise bad_param(name, "not_an_id", values={"value": value})
    return value.lower()


def list_param(name: str, *, max_items: int, limit: int = MAX_PARAM,
               check: Callable[[str], str | None] | None = None,
               sentence: str | None = None, values: dict | None = None, args: Mapping | None = None) -> list[str]:
    """Every value of a repeatable parameter (empty values dropped), each through `check`,
    read from `args` (a MultiDict; the request's query by default).

    `check(value)` returns the value to use (normalised) or None when it is not acceptable;
    the 400 then says the PARAMETER_SENTENCES `sentence` (`value_not_accepted` by default),
    filled from `values` and the value.
    """
    given = [_clean(v) for v in (request.args if args is None else args).getlist(name)]
    given = [v for v in given if v]
    if len(given) > max_items:
        raise bad_param(name, "too_many_values", max_items=max_items)
    out: list[str] = []
    for value in given:
        if len(value) > limit:
            raise bad_param(name, "value_too_long", limit=limit)
        checked = check(value) if check is not None else value
        if checked is None:
            raise bad_param(name, sentence or "value_not_accepted", values=values, value=value[:40])
        if checked not in out:
            out.append(checked)
    return out


def flag_param(name: str, default: bool = False, *, args: Mapping | None = None) -> bool:
    """A yes/no parameter (of `args`, the request's query by default): 1/true/yes or 0/false/no
    (any case); absent → `default`; anything else (an empty value too) is 400."""
    raw = (request.args if args is None else args).get(name)
    if raw is None:
        return default
    value = _FLAGS.get(_clean(raw).lower())
    if value is None:
        raise bad_param(name, "not_a_flag", choices=sorted(_FLAGS))
    return value


def lang_param() -> str | None:
    """The language an API answer's display titles and texts are given in (tr, az or en), by one
    negotiation for every route that chooses a title: `?lang=` (another value is 400
    `invalid_parameter`), else the caller's saved locale (`User.locale`), else the best of the
    request's `Accept-Language` (as the error messages read it), else None: the reader's own
    default (`Asset.title`: en, tr, az, then the file name)."""
    from archive.accounts.auth import api_user
    from archive.assets.schemas import LANGS

    return (str_param("lang", choices=LANGS)
            or getattr(api_user(), "locale", None)
            or request.accept_languages.best_match(LANGS))
