"""The single document shape every search backend indexes (one flat document per asset).

The archive reads an asset's rows and calls `document(...)`; nothing here knows the
archive's models. A document (all values plain JSON):

    id, created (ISO 8601 UTC), filename, organisation,
    title_tr, title_az, title_en, description_tr, description_az, description_en,
    keywords, people, places (lists of text),
    country, genre, year, languages (list), kind, status,
    projects (list: the co-production projects whose footage it is),
    decade ("1970"), meta_languages (the languages its titles/descriptions are in),
    duration_bucket (DURATION_BUCKETS), has_transcript ("yes"/"no")   ← the facets
    owner (the organisation id: it sees the asset while it is not ready yet),
    recorded_day (YYYYMMDD as an integer, 00 for an unknown month or day; 0 when unknown),
    duration_ms (0 when unknown), title_key_tr/_az/_en (search.collation.sort_key),
    title_sort_tr/_az/_en (search.collation.sort_text: the title order)  ← sorts
    segments (only when there are some): timecoded texts [{"in", "out", "in_seconds",
      "out_seconds", "text", "lang", "source"}] (markers and transcript cues), searched as
      body text and returned with the hits they match
    cleared (list: what is open today by platform × territory × licensee, `search.cleared`;
             searched by "cleared for me", never stored back with the document)

Facet values are strings (`year` too: "1975"), so filters and counts look the same in every
backend and in the URL. Absent values are None or [].
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from search import collation

LANGS = ("tr", "az", "en")
TITLE_FIELDS = tuple(f"title_{lang}" for lang in LANGS)
DESCRIPTION_FIELDS = tuple(f"description_{lang}" for lang in LANGS)
LIST_FIELDS = ("keywords", "people", "places")
# Searched as text besides titles and descriptions.
OTHER_TEXT_FIELDS = (*LIST_FIELDS, "filename", "organisation")
# Document key of each facet in search.interfaces.FACETS.
FACET_FIELDS = {"country": "country", "organisation": "organisation", "genre": "genre", "decade": "decade",
                "year": "year", "language": "languages", "meta_language": "meta_languages", "kind": "kind",
                "duration": "duration_bucket", "transcript": "has_transcript", "project": "projects",
                "status": "status"}
# (upper bound in seconds, exclusive; bucket value): "0-1" is under a minute, "60+" an hour or more.
DURATION_BUCKETS = ((60, "0-1"), (300, "1-5"), (1200, "5-20"), (3600, "20-60"), (float("inf"), "60+"))
SORT_FIELDS = ("recorded_day", "duration_ms", *(f"title_key_{lang}" for lang in ("tr", "az", "en")))


def document(*, doc_id: str, created: datetime | None, filename: str, organisation: str | None,
             country: str | None, genre: str | None, recorded: str | None, languages: list[str],
             kind: str | None, status: str, titles: dict[str, str], descriptions: dict[str, str],
             keywords: list[str], people: list[str], places: list[str],
             projects: list[str] | None = None, segments: list[dict] | None = None,
             cleared: list[str] | None = None, owner: str | None = None, duration: float | None = None,
             has_transcript: bool = False) -> dict[str, Any]:
    """The flat document for one asset, from plain values (the archive reads them off its rows).

    `recorded` is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (its year becomes the `year` facet);
    `titles`/`descriptions` map a language code to text; languages other than tr/az/en are
    ignored. `created` is an aware datetime (UTC when naive). `projects` are the ids of the
    projects the asset is footage of (a filter and facet like the others). `segments` are
    timecoded texts {"in": TIMECODE, "out": TIMECODE | None, "text"}; left out when there are none.
    `cleared` are the tokens of `search.cleared.document_tokens`. `owner` is the id of the
    organisation the asset belongs to; `duration` its length in seconds (None: unknown);
    `has_transcript` whether it has subtitles or a transcript.
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
        "owner": owner or None,
        "decade": str(recorded)[:3] + "0" if recorded and str(recorded)[:4].isdigit() else None,
        "meta_languages": [lang for lang in LANGS if (titles or {}).get(lang) or (descriptions or {}).get(lang)],
        "duration_bucket": duration_bucket(duration),
        "has_transcript": "yes" if has_transcript else "no",
        "recorded_day": recorded_day(recorded),
        "duration_ms": int(round(duration * 1000)) if duration and duration > 0 else 0,
    }
    for lang in LANGS:
        doc[f"title_{lang}"] = (titles or {}).get(lang) or None
        doc[f"description_{lang}"] = (descriptions or {}).get(lang) or None
    for lang in LANGS:
        doc[f"title_key_{lang}"] = collation.sort_key(display_title(doc, lang), lang)
        doc[f"title_sort_{lang}"] = collation.sort_text(display_title(doc, lang), lang)
    for name, values in (("keywords", keywords), ("people", people), ("places", places)):
        doc[name] = list(values or [])
    if segments:
        doc["segments"] = [{"in": seg.get("in"), "out": seg.get("out"), "in_seconds": seg.get("in_seconds"),
                            "out_seconds": seg.get("out_seconds"), "text": seg.get("text") or "",
                            "lang": seg.get("lang"), "source": seg.get("source") or "marker"}
                           for seg in segments]
    return doc


def duration_bucket(seconds: float | None) -> str | None:
    """The DURATION_BUCKETS value of a length in seconds; None when unknown or zero."""
    if not seconds or seconds <= 0:
        return None
    return next(name for bound, name in DURATION_BUCKETS if seconds < bound)


def recorded_day(recorded: str | None) -> int:
    """"1975", "1975-06" or "1975-06-21" → 19750000, 19750600, 19750621; 0 when absent or unreadable."""
    parts = str(recorded or "").split("-")[:3]
    try:
        numbers = [int(p) for p in parts if p]
    except ValueError:
        return 0
    if not numbers or not 0 < numbers[0] < 10000:
        return 0
    numbers += [0] * (3 - len(numbers))
    return numbers[0] * 10000 + numbers[1] * 100 + numbers[2]


def language_order(lang: str | None) -> list[str]:
    """The languages a hit's texts are looked for in: the searcher's (tr, az or en) first, then
    en, tr, az."""
    return ([lang] if lang in LANGS else []) + [c for c in ("en", "tr", "az") if c != lang]


def display_title(doc: dict[str, Any], lang: str | None) -> str:
    """The title in the searcher's language, else another one, else the file name (as Asset.title)."""
    for code in language_order(lang):
        if doc.get(f"title_{code}"):
            return doc[f"title_{code}"]
    return doc.get("filename") or doc.get("id", "")


def shown_descriptions(doc: dict[str, Any], lang: str | None) -> tuple[list[str], bool]:
    """(the descriptions a hit may show, whether that is the searcher's own): the description in
    the searcher's language alone when the asset has one (the hit is shown in that language, as
    its title: `snippet_sources` and search.fields.highlights both keep to it), else every
    description the asset has, in `language_order`."""
    own = doc.get(f"description_{lang}") if lang in LANGS else None
    if own:
        return [own], True
    texts = [doc.get(f"description_{c}") for c in language_order(lang)]
    return [t for t in texts if t], False


def snippet_sources(doc: dict[str, Any], lang: str | None) -> list[str]:
    """Texts a snippet may be cut from: the descriptions `shown_descriptions` gives; unless that is
    the searcher's own, then the titles and lists too, the searcher's language first."""
    texts, own = shown_descriptions(doc, lang)
    if own:
        return texts
    texts += [doc.get(f"title_{c}") for c in language_order(lang)]
    texts += [", ".join(doc.get(f) or []) for f in LIST_FIELDS]
    return [t for t in texts if t]


def _iso(value: datetime | None) -> str:
    value = value or datetime.now(timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()
