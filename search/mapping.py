"""The single document shape every search backend indexes (one flat document per asset).

The archive reads an asset's rows and calls `document(...)`; nothing here knows the
archive's models. A document (all values plain JSON):

    id, created (ISO 8601 UTC), filename, organisation,
    title_tr, title_az, title_en, description_tr, description_az, description_en,
    keywords, people, places (lists of text),
    country, genre, year, languages (list), kind, status,
    projects (list: the co-production projects whose footage it is)   ← the facets
    segments (only when there are some): timecoded texts [{"in", "out", "text"}] (markers
      today, transcripts later), searched as body text and returned with the hits they match
    cleared (list: what is open today by platform × territory × licensee, `search.cleared`;
             searched by "cleared for me", never stored back with the document)

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
                "kind": "kind", "status": "status", "project": "projects"}


def document(*, doc_id: str, created: datetime | None, filename: str, organisation: str | None,
             country: str | None, genre: str | None, recorded: str | None, languages: list[str],
             kind: str | None, status: str, titles: dict[str, str], descriptions: dict[str, str],
             keywords: list[str], people: list[str], places: list[str],
             projects: list[str] | None = None, segments: list[dict] | None = None,
             cleared: list[str] | None = None) -> dict[str, Any]:
    """The flat document for one asset, from plain values (the archive reads them off its rows).

    `recorded` is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (its year becomes the `year` facet);
    `titles`/`descriptions` map a language code to text; languages other than tr/az/en are
    ignored. `created` is an aware datetime (UTC when naive). `projects` are the ids of the
    projects the asset is footage of (a filter and facet like the others). `segments` are
    timecoded texts {"in": TIMECODE, "out": TIMECODE | None, "text"}; left out when there are none.
    `cleared` are the tokens of `search.cleared.document_tokens`.
    """
    doc: dict[str, Any] = {
        "id": doc_id,
        "created": _iso(created),
        "filename": filename,
        "organisation": organisation or None,
        "country": country or None,
        "genre": genre or None,
        "year": str(recorded)[:4] if recorded else None,
        "languages": list(languages or []),
        "kind": kind,
        "status": status,
        "projects": list(projects or []),
        "cleared": list(cleared or []),
    }
    for lang in LANGS:
        doc[f"title_{lang}"] = (titles or {}).get(lang) or None
        doc[f"description_{lang}"] = (descriptions or {}).get(lang) or None
    for name, values in (("keywords", keywords), ("people", people), ("places", places)):
        doc[name] = list(values or [])
    if segments:
        doc["segments"] = [{"in": seg.get("in"), "out": seg.get("out"), "text": seg.get("text") or ""}
                           for seg in segments]
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
