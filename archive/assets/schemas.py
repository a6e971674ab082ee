"""The asset metadata shape (API.md) and its validation.

{"title": {"tr","az","en"}, "description": {...}, "genre", "keywords", "people", "places",
 "recorded": "YYYY" | "YYYY-MM" | "YYYY-MM-DD", "languages", "organisation", "country"}

`validate_metadata` checks every field and reports every mistake at once: it raises
ValidationError (422, code `invalid_metadata`) with
`details = {"field": <first field>, "errors": [{"field", "code", "message", "params"}, ...]}`.
Field error codes: `not_text`, `too_long` {limit, length}, `not_an_object`,
`unknown_language` {language}, `not_a_list` {max_items}, `invalid_choice` {choices},
`invalid_date`, `date_out_of_range` {min, max}, `unknown_language_code` {values},
`empty_title`, `unknown_field` {fields}. Messages are English; pages translate by code.

Rules and their sources:
- `null` removes a field (in a PATCH); `organisation` and `country` cannot be removed.
- `recorded` is a real date of the Gregorian calendar, from RECORDED_MIN_YEAR (1826, the
  oldest surviving camera photograph, Niépce's "View from the Window at Le Gras": nothing
  recorded by a camera or a microphone is older) to today. "Today" is the date in UTC+14,
  the earliest time zone on Earth, so that a recording made after midnight anywhere is
  never in the future.
- `languages` are ISO 639 codes (the tables of `pycountry`): 639-1 (`az`), 639-2/T and
  639-3 (`aze`, `azj`), 639-2/B (`ger`), any case. Each is stored in one normal form: the
  two-letter 639-1 code when the language has one (BCP 47 prefers it), else the 639-3 code.
- `country` is one of the organisation countries (`archive.accounts.models.COUNTRIES`).
- A title must not end up empty once given: an edit that would leave an asset with no title
  at all (every language removed, or only blanks typed) is refused with `empty_title`.
  An asset that never had a title keeps showing its file name.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

import pycountry

from archive.accounts.models import COUNTRIES
from archive.assets.models import GENRES
from archive.config import DEFAULTS
from archive.errors import ValidationError
from archive.validation import LANGS, FieldError, disguise_error, distinct_errors, latest_recording_date

LOCALISED = ("title", "description")
LISTS = ("keywords", "people", "places")
MAX_LIST = 200
MAX_ITEM = 200
MAX_ORGANISATION = 200
DEFAULT_MAX_TITLE = DEFAULTS["MAX_TITLE_LENGTH"]
DEFAULT_MAX_TEXT = DEFAULTS["MAX_TEXT_LENGTH"]
RECORDED_MIN_YEAR = 1826
RECORDED_PATTERN = r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$"
_RECORDED = re.compile(RECORDED_PATTERN, re.ASCII)
LANGUAGE_CODE_PATTERN = r"^[A-Za-z]{2,3}$"
_LANG_CODE = re.compile(LANGUAGE_CODE_PATTERN)
FIELDS = (*LOCALISED, "genre", *LISTS, "recorded", "languages", "organisation", "country")


def raise_field_errors(errors: list[FieldError]) -> None:
    """ValidationError (422 `invalid_metadata`) carrying every error, each mistake once
    (`archive.validation.distinct_errors`), when there is any."""
    errors = distinct_errors(errors)
    if not errors:
        return
    raise ValidationError(" ".join(e.message for e in errors), code="invalid_metadata",
                          details={"field": errors[0].field, "errors": [e.as_dict() for e in errors]})


def language_code(value: str) -> str | None:
    """An ISO 639 code in any of its forms → its normal form (see module doc), None if unknown."""
    if not isinstance(value, str) or not _LANG_CODE.match(value):
        return None
    code = value.lower()
    lang = (pycountry.languages.get(alpha_2=code) if len(code) == 2
            else pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code))
    if lang is None:
        return None
    return getattr(lang, "alpha_2", None) or lang.alpha_3


_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\u0085\u2028\u2029]+")


# The bidirectional embeddings, overrides and isolates are refused wherever they stand (see
# archive.validation.disguise_error), never trimmed away quietly.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _edge(ch: str) -> bool:
    # Whitespace, and invisible format characters (zero-width space, soft hyphen, BOM, bidi
    # marks: Unicode category Cf), which leave a text that looks empty.
    return ch.isspace() or (unicodedata.category(ch) == "Cf" and ch not in _BIDI_CONTROLS)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC text with the control characters dropped (NUL, ESC... Unicode category Cc; tabs and
    line breaks are kept in `multiline` text, made single spaces elsewhere) and whitespace and
    invisible format characters trimmed from both ends: "\u200b", "\u00ad" or "\u00a0 " alone
    are empty."""
    value = unicodedata.normalize("NFC", value)
    if not multiline:
        value = _LINE_BREAKS.sub(" ", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc" or (multiline and ch in "\t\n\r"))
    start, end = 0, len(value)
    while start < end and _edge(value[start]):
        start += 1
    while end > start and _edge(value[end - 1]):
        end -= 1
    return value[start:end]


class _Checker:
    """Cleans one metadata object field by field, collecting FieldErrors instead of raising."""

    def __init__(self, max_title: int, max_text: int, today: date, strict: bool = False):
        self.max_title, self.max_text, self.today = max_title, max_text, today
        self.strict = strict  # a JSON body: each field its JSON type, nothing converted
        self.errors: list[FieldError] = []
        self.blank_titles = False

    def fail(self, field: str, code: str, message: str, **params) -> None:
        self.errors.append(FieldError(field, code, message, params))

    def text(self, value: Any, field: str, limit: int, *, multiline: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(field, "not_text", f"{field} must be text.")
            return None
        value = clean_text(value, multiline=multiline)
        if self.disguised(value, field):
            return None
        if len(value) > limit:
            self.fail(field, "too_long", f"{field} is longer than {limit} characters ({len(value)}).",
                      limit=limit, length=len(value))
            return None
        return value

    def disguised(self, value: str, field: str) -> bool:
        """Record `forbidden_characters` when `value` holds characters that can disguise it
        (archive.validation.disguise_error)."""
        problem = disguise_error(field, value)
        if problem is not None:
            self.errors.append(problem)
        return problem is not None

    def localised(self, value: Any, field: str, limit: int) -> dict[str, str] | None:
        if value is None:
            return {lang: "" for lang in LANGS}  # null removes every language
        if not isinstance(value, dict):
            self.fail(field, "not_an_object", f"{field} must be an object with the keys {', '.join(LANGS)}.")
            return None
        out: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in LANGS:
                self.fail(f"{field}.{lang}"[:80], "unknown_language",
                          f"{field}: {str(lang)[:20]!r} is not one of the languages {', '.join(LANGS)}.",
                          language=str(lang)[:20])
                continue
            if text is None:
                text = ""
            cleaned = self.text(text, f"{field}.{lang}", limit, multiline=field == "description")
            if cleaned is None:
                continue
            if field == "title" and cleaned == "" and text != "":
                self.blank_titles = True
            # An empty text is kept: in a PATCH it removes that language (see merge_metadata).
            out[lang] = cleaned
        return out

    def text_list(self, value: Any, field: str) -> list[str] | None:
        if value is None:
            return []
        if isinstance(value, str) and not self.strict:  # Upload-Metadata and CSV carry text only
            value = value.split(",")
        if not isinstance(value, list) or len(value) > MAX_LIST:
            self.fail(field, "not_a_list", f"{field} must be a list of at most {MAX_LIST} texts.", max_items=MAX_LIST)
            return None
        out: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(field, "not_text", f"{field} must be a list of texts; item {index + 1} is not text.",
                          index=index)
                ok = False
                break
            item = clean_text(item)
            problem = disguise_error(field, item)
            if problem is not None:
                self.errors.append(FieldError(field, problem.code, f"Item {index + 1} of {problem.message}",
                                              {**problem.params, "index": index}))
                ok = False
                break
            if len(item) > MAX_ITEM:
                self.fail(field, "too_long", f"Item {index + 1} of {field} is longer than {MAX_ITEM} characters "
                          f"({len(item)}).", limit=MAX_ITEM, length=len(item), index=index)
                ok = False
                break
            if item and item not in out:
                out.append(item)
        return out if ok else None

    def choice(self, value: Any, field: str, choices: tuple[str, ...], *, nullable: bool) -> str | None:
        if nullable and value in (None, ""):
            return None
        if value not in choices:
            self.fail(field, "invalid_choice", f"{field} must be one of {', '.join(choices)}.", choices=list(choices))
        return value

    def recorded(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if self.strict and not isinstance(value, str):
            self.fail("recorded", "not_text", 'recorded must be text: "YYYY", "YYYY-MM" or "YYYY-MM-DD".')
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema counts 1975.0 as the integer 1975; so do we
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        m = _RECORDED.match(value) if isinstance(value, str) else None
        parts = None
        if m:
            year, month, day = (int(g) if g else None for g in m.groups())
            try:
                date(year, month or 1, day or 1)
                parts = (year, month, day)
            except ValueError:
                pass
        if parts is None:
            self.fail("recorded", "invalid_date",
                      "recorded must be a real date written YYYY, YYYY-MM or YYYY-MM-DD.")
            return None
        year, month, day = parts
        latest = self.today
        # Compared at the precision given: "2026" is not in the future during 2026.
        given = (year, month or 0, day or 0)
        limit = (latest.year, latest.month if month else 0, latest.day if day else 0)
        if year < RECORDED_MIN_YEAR or given > limit:
            self.fail("recorded", "date_out_of_range",
                      f"recorded must be from {RECORDED_MIN_YEAR} to {latest.isoformat()}.",
                      min=str(RECORDED_MIN_YEAR), max=latest.isoformat())
            return None
        return value

    def languages(self, value: Any) -> list[str] | None:
        codes = self.text_list(value, "languages")
        if codes is None:
            return None
        normal = [language_code(c) for c in codes]
        bad = [c for c, n in zip(codes, normal) if n is None]
        if bad:
            self.fail("languages", "unknown_language_code",
                      f"languages must be ISO 639 codes such as az, tr, en; not {', '.join(b[:20] for b in bad[:10])}.",
                      values=[b[:20] for b in bad[:10]])
            return None
        return list(dict.fromkeys(n for n in normal if n))


def metadata_errors(data: Any, *, max_title: int = DEFAULT_MAX_TITLE, max_text: int = DEFAULT_MAX_TEXT,
                    current: Mapping[str, Any] | None = None, today: date | None = None,
                    strict: bool = False) -> tuple[dict[str, Any], list[FieldError]]:
    """(cleaned fields, every FieldError) for a metadata object; see `validate_metadata`."""
    checker = _Checker(max_title, max_text, today or latest_recording_date(), strict)
    if not isinstance(data, dict):
        checker.fail("metadata", "not_an_object", "Metadata must be a JSON object.")
        return {}, checker.errors
    unknown = sorted(str(k)[:60] for k in set(data) - set(FIELDS))
    if unknown:
        checker.fail(unknown[0], "unknown_field", f"Unknown metadata fields: {', '.join(unknown[:20])}.",
                     fields=unknown[:20])
    out: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "title":
            cleaned = checker.localised(value, name, max_title)
        elif name == "description":
            cleaned = checker.localised(value, name, max_text)
        elif name in LISTS:
            cleaned = checker.text_list(value, name)
        elif name == "genre":
            cleaned = checker.choice(value, name, GENRES, nullable=True)
        elif name == "recorded":
            cleaned = checker.recorded(value)
        elif name == "languages":
            cleaned = checker.languages(value)
        elif name == "organisation":
            cleaned = checker.text(value, name, MAX_ORGANISATION)
        else:  # country
            cleaned = checker.choice(value, name, COUNTRIES, nullable=False)
        if not any(e.field.split(".")[0] == name for e in checker.errors):
            out[name] = cleaned
    if "title" in out:
        before = {k: v for k, v in ((current or {}).get("title") or {}).items() if v}
        after = {**before, **out["title"]}
        if not any(after.values()) and (before or checker.blank_titles):
            checker.fail("title", "empty_title",
                         "The title cannot be left empty: give it in at least one of tr, az, en.")
    return out, checker.errors


def validate_metadata(data: Any, *, max_title: int = DEFAULT_MAX_TITLE, max_text: int = DEFAULT_MAX_TEXT,
                      current: Mapping[str, Any] | None = None, today: date | None = None,
                      strict: bool = False) -> dict[str, Any]:
    """The cleaned metadata fields of `data`, or ValidationError (422) listing every mistake.

    `current` is the asset's metadata the fields will be merged into (None: a new asset); it
    decides whether a title change would leave no title. Unknown fields are refused so that a
    typo does not silently drop data. `strict` (a JSON body, PATCH): every field has its JSON
    type, as the metadata shape gives it: lists are arrays (a text is `not_a_list`, not split
    on commas) and `recorded` is text (a number is `not_text`). Without it (Upload-Metadata,
    CSV rows, which carry only text) a list may be comma-separated text and `recorded` a year
    as a number.
    """
    out, errors = metadata_errors(data, max_title=max_title, max_text=max_text, current=current, today=today,
                                  strict=strict)
    raise_field_errors(errors)
    return out


def merge_metadata(current: dict, changes: dict) -> dict:
    """Apply a PATCH: localised fields merge per language (empty text removes), others replace."""
    merged = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
              for k, v in (current or {}).items()}
    for name, value in changes.items():
        if name in LOCALISED:
            base = merged.get(name) or {}
            base.update(value)
            merged[name] = {k: v for k, v in base.items() if v}
        elif value in (None, [], ""):
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged
