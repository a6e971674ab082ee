"""The single mapping from an Asset to the flat document every search backend indexes.

A document (all values plain JSON):

    id, created (ISO 8601 UTC), filename, organisation,
    title_tr, title_az, title_en, description_tr, description_az, description_en,
    keywords, people, places (lists of text),
    country, genre, year, languages (list), kind, status      ← the facets

Facet values are strings (`year` too: "1975"), so filters and counts look the same in every
backend and in the URL. Absent values are None or [].
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

LANGS = ("tr", "az", "en")
TITLE_FIELDS = tuple(f"title_{lang}" for lang in LANGS)
DESCRIPTION_FIELDS = tuple(f"description_{lang}" for lang in LANGS)
LIST_FIELDS = ("keywords", "people", "places")
# Searched as text besides titles and descriptions.
OTHER_TEXT_FIELDS = (*LIST_FIELDS, "filename", "organisation")
# Document key of each facet in search.interfaces.FACETS.
FACET_FIELDS = {"country": "country", "genre": "genre", "year": "year", "language": "languages",
                "kind": "kind", "status": "status"}


def asset_document(asset) -> dict[str, Any]:
    """Flatten an `archive.assets.models.Asset` (its `meta` in the API shape) into a document."""
    meta = asset.meta or {}
    titles = meta.get("title") or {}
    descriptions = meta.get("description") or {}
    recorded = meta.get("recorded")
    organisation = meta.get("organisation") or (asset.organisation.name if asset.organisation else None)
    doc: dict[str, Any] = {
        "id": asset.id,
        "created": _iso(asset.created_at),
        "filename": asset.filename,
        "organisation": organisation,
        "country": meta.get("country") or asset.country,
        "genre": meta.get("genre") or None,
        "year": str(recorded)[:4] if recorded else None,
        "languages": list(meta.get("languages") or []),
        "kind": asset.kind,
        "status": asset.status,
    }
    for lang in LANGS:
        doc[f"title_{lang}"] = titles.get(lang) or None
        doc[f"description_{lang}"] = descriptions.get(lang) or None
    for field in LIST_FIELDS:
        doc[field] = list(meta.get(field) or [])
    return doc


def display_title(doc: dict[str, Any], lang: str | None) -> str:
    """The title in the searcher's language, else another one, else the file name (as Asset.title)."""
    order = ([lang] if lang in LANGS else []) + ["en", "tr", "az"]
    for code in order:
        if doc.get(f"title_{code}"):
            return doc[f"title_{code}"]
    return doc.get("filename") or doc.get("id", "")


def snippet_sources(doc: dict[str, Any], lang: str | None) -> list[str]:
    """Texts a snippet may be cut from, the searcher's language first."""
    order = ([lang] if lang in LANGS else []) + [c for c in ("en", "tr", "az") if c != lang]
    texts = [doc.get(f"description_{c}") for c in order]
    texts += [doc.get(f"title_{c}") for c in order]
    texts += [", ".join(doc.get(f) or []) for f in LIST_FIELDS]
    return [t for t in texts if t]


def _iso(value: datetime | None) -> str:
    value = value or datetime.now(timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()
