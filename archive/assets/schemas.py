"""The asset metadata shape (API.md) and its validation.

{"title": {"tr","az","en"}, "description": {...}, "genre", "keywords", "people", "places",
 "recorded": "YYYY" | "YYYY-MM" | "YYYY-MM-DD", "languages", "organisation", "country"}
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from archive.assets.models import GENRES
from archive.errors import ValidationError

LANGS = ("tr", "az", "en")
LOCALISED = ("title", "description")
LISTS = ("keywords", "people", "places")
MAX_LIST = 200
MAX_ITEM = 200
_RECORDED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
FIELDS = (*LOCALISED, "genre", *LISTS, "recorded", "languages", "organisation", "country")


def clean_text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", code="invalid_metadata", details={"field": field})
    value = unicodedata.normalize("NFC", value).replace("\x00", "").strip()
    if len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters.", code="metadata_too_long",
                              details={"field": field, "limit": limit, "length": len(value)})
    return value


def _localised(value: Any, field: str, limit: int) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object with keys tr, az, en.", code="invalid_metadata",
                              details={"field": field})
    out = {}
    for lang, text in value.items():
        if lang not in LANGS:
            raise ValidationError(f"{field}: unknown language {lang!r}; use tr, az or en.",
                                  code="invalid_metadata", details={"field": field})
        if text is None:
            continue
        # An empty text is kept: in a PATCH it removes that language (see merge_metadata).
        out[lang] = clean_text(text, f"{field}.{lang}", limit)
    return out


def _list(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise ValidationError(f"{field} must be a list of at most {MAX_LIST} texts.", code="invalid_metadata",
                              details={"field": field})
    out: list[str] = []
    for item in value:
        item = clean_text(item, field, MAX_ITEM)
        if item and item not in out:
            out.append(item)
    return out


def validate_recorded(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        value = str(value)
    m = _RECORDED.match(value) if isinstance(value, str) else None
    if not m:
        raise ValidationError("recorded must be YYYY, YYYY-MM or YYYY-MM-DD.", code="invalid_metadata",
                              details={"field": "recorded"})
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValidationError(f"recorded is not a real date: {value}.", code="invalid_metadata",
                              details={"field": "recorded"}) from exc
    return value


def validate_metadata(data: Any, *, max_title: int = 500, max_text: int = 20000, partial: bool = True) -> dict:
    """Return the cleaned metadata; raise ValidationError (422) naming the field otherwise.

    Unknown fields are refused so that a typo does not silently drop data.
    """
    if not isinstance(data, dict):
        raise ValidationError("Metadata must be a JSON object.", code="invalid_metadata")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(f"Unknown metadata fields: {', '.join(unknown)}.", code="unknown_field",
                              details={"fields": unknown})
    out: dict[str, Any] = {}
    for field, value in data.items():
        if field == "title":
            out[field] = _localised(value, field, max_title)
        elif field == "description":
            out[field] = _localised(value, field, max_text)
        elif field in LISTS:
            out[field] = _list(value, field)
        elif field == "genre":
            if value not in (*GENRES, None, ""):
                raise ValidationError(f"genre must be one of {', '.join(GENRES)}.", code="invalid_metadata",
                                      details={"field": "genre"})
            out[field] = value or None
        elif field == "recorded":
            out[field] = validate_recorded(value)
        elif field == "languages":
            langs = _list(value, field)
            bad = [x for x in langs if not _LANG_CODE.match(x)]
            if bad:
                raise ValidationError("languages must be ISO 639 codes such as az, tr, en.",
                                      code="invalid_metadata", details={"field": "languages", "values": bad})
            out[field] = langs
        elif field == "organisation":
            out[field] = clean_text(value, field, 200)
        elif field == "country":
            if value not in ("TR", "AZ"):
                raise ValidationError("country must be TR or AZ.", code="invalid_metadata",
                                      details={"field": "country"})
            out[field] = value
    return out


def merge_metadata(current: dict, changes: dict) -> dict:
    """Apply a PATCH: localised fields merge per language (empty text removes), others replace."""
    merged = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
              for k, v in (current or {}).items()}
    for field, value in changes.items():
        if field in LOCALISED:
            base = merged.get(field) or {}
            base.update(value)
            merged[field] = {k: v for k, v in base.items() if v}
        elif value in (None, [], ""):
            merged.pop(field, None)
        else:
            merged[field] = value
    return merged
