"""How a mapped document and a query become engine fields; shared by every backend.

Each text goes into `<group>_<form>` fields: group `title` (all title languages, and the
subject lists: keywords, people, places — SUBJECT_FIELDS) or `body` (descriptions, file name,
organisation, segments); form `n`
normalised, `f` folded, `s` stemmed, `x` cross-Turkic, `xs` cross-Turkic stem, `e` English
stem (English texts only) — search.analysis. Values are whitespace-separated words, one a
position, so an engine needs only a whitespace tokenizer and no case or accent handling of
its own, and phrases match in every form. How a query uses the fields: search.query.
"""
from __future__ import annotations

import datetime
import functools
import re
from typing import Any, Mapping

from search import analysis, collation, normalize
from search.highlight import highlight
from search.cleared import check as check_cleared
from search.cleared import query as cleared_query
from search.interfaces import FACETS, SORTS, QueryError, SearchError, SearchQuery
from search.mapping import (DESCRIPTION_FIELDS, FACET_FIELDS, LANGS, LIST_FIELDS, OTHER_TEXT_FIELDS, TITLE_FIELDS,
                            display_title, recorded_day, shown_descriptions)

TEXT_FIELDS = tuple(f"{group}_{form}" for group in ("title", "body") for form in analysis.FORMS)
# The lists that say what an asset is about (the people in it, the places it shows, its
# keywords), ranked with the titles: a cataloguer chose each entry for this asset, where a
# description only mentions. An asset tagged `Naxçıvan` is about Naxçıvan as much as one
# titled so, and above one whose description names it in passing.
SUBJECT_FIELDS = LIST_FIELDS
# Texts in English, which also get the English stem (`e`).
ENGLISH_FIELDS = ("title_en", "description_en")
MAX_PER_PAGE = 100
MAX_OFFSET = 10_000
MAX_FILTER_VALUES = 50
FACET_SIZE = 1000
# The facets an asset has one value of at most (search.mapping.document gives each a single
# value or None; `language`, `meta_language` and `project` are lists): a backend may count two
# of them together (a value pair per asset) and add the pairs up without counting an asset twice.
SINGLE_VALUED_FACETS = frozenset(FACETS) - {"language", "meta_language", "project"}


def doc_id(doc: Mapping[str, Any]) -> str:
    value = doc.get("id")
    if not isinstance(value, str) or not value:
        raise SearchError("a search document needs a text id")
    return value


def text_fields(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """{field: [word string per source text]} for the TEXT_FIELDS; empty ones left out. A
    backend that also indexes each segment on its own takes `document_forms`, which gives the
    segments' analysis too (each cue analysed once)."""
    return document_forms(doc)[0]


def document_forms(doc: Mapping[str, Any], segments: list[dict] | None = None,
                   ) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    """(text_fields(doc), each of the document's segments (segments_of, in order) analysed as
    the index takes it: {form letter: words joined}, {} for a segment without a word), every
    text of the document analysed in one search.analysis.indexed_forms_many call. `segments`:
    `segments_of(doc)` when the caller has it already (a backend sorts them once a document)."""
    groups: dict[str, list[tuple[Any, bool]]] = {
        "title": [(doc.get(f), f in ENGLISH_FIELDS) for f in TITLE_FIELDS],
        "body": [(doc.get(f), f in ENGLISH_FIELDS) for f in DESCRIPTION_FIELDS]}
    for field in OTHER_TEXT_FIELDS:
        value = doc.get(field)
        group = "title" if field in SUBJECT_FIELDS else "body"
        groups[group].extend((v, False) for v in (value if isinstance(value, list) else [value]))
    given = [(group, str(text), english) for group, texts in groups.items() for text, english in texts if text]
    segments = segments_of(doc) if segments is None else segments
    with_text = [i for i, seg in enumerate(segments) if seg.get("text")]
    analysed_texts = analysis.indexed_forms_many(
        [text for _, text, _ in given] + [str(segments[i]["text"]) for i in with_text],
        [english for _, _, english in given] + [_english_segment(segments[i]) for i in with_text])
    out: dict[str, list[str]] = {}
    for (group, _, _), analysed in zip(given, analysed_texts):
        for form, joined in analysed.items():
            out.setdefault(f"{group}_{form}", []).append(joined)
    segment_analysis: list[dict[str, str]] = [{} for _ in segments]
    for i, analysed in zip(with_text, analysed_texts[len(given):]):
        segment_analysis[i] = analysed
    for analysed in segment_analysis:
        for form, joined in analysed.items():
            out.setdefault(f"body_{form}", []).append(joined)
    return out, segment_analysis


def _english_segment(seg: Mapping[str, Any]) -> bool:
    """Whether a segment's text is English (an English transcript's cue: `lang` `en`, as
    archive.assets.schemas.language_code gives it, or `eng`), so it gets the English stem as an
    English title or description does."""
    return str(seg.get("lang") or "").lower() in ("en", "eng")


def source_texts(doc: Mapping[str, Any]) -> list[str]:
    """Every searchable text of a mapped document (titles, descriptions, lists, file name,
    organisation, segments), as given."""
    texts: list[Any] = [doc.get(f) for f in (*TITLE_FIELDS, *DESCRIPTION_FIELDS)]
    for field in OTHER_TEXT_FIELDS:
        value = doc.get(field)
        texts.extend(value if isinstance(value, list) else [value])
    texts.extend(seg.get("text") for seg in segments_of(doc))
    return [str(t) for t in texts if t]


def segments_of(doc: Mapping[str, Any]) -> list[dict]:
    """The document's segments (markers and transcript cues alike) in time order: by in-point,
    then out-point (seconds), ties as given. Both backends index them in this order and list a
    hit's matching ones by it (tantivy's `position`, Elasticsearch's `_nested.offset`).
    A new sorted list each call: a backend takes it once a document and hands it on
    (`document_forms`, `stored_source`)."""
    value = doc.get("segments")
    found = [seg for seg in value if isinstance(seg, dict)] if isinstance(value, list) else []
    return sorted(found, key=lambda seg: (_seconds(seg.get("in_seconds")), _seconds(seg.get("out_seconds"))))


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def matching_segments(doc: Mapping[str, Any], words: list[str]) -> list[dict]:
    """The document's segments whose text has one of the query `words` in any of its forms
    (normalised, folded, stemmed), in time order; none for an empty query. Only for a
    document stored before the backends indexed segments on their own (an Elasticsearch index
    not rebuilt since), whose `source` still holds them."""
    if not words:
        return []
    wanted = set()
    for word in words:
        wanted.update(analysis.forms(word.rstrip("*"))[:3])  # a prefix (search.query.PREFIX_MARK) as a word here
    out = []
    for seg in segments_of(doc):
        if any(not wanted.isdisjoint(_raw_word_forms(w)) for w in _RAW_WORD.findall(str(seg.get("text") or ""))):
            out.append({"in": seg.get("in"), "out": seg.get("out"), "in_seconds": seg.get("in_seconds"),
                        "out_seconds": seg.get("out_seconds"), "text": seg.get("text"),
                        "highlight": highlight(str(seg.get("text") or ""), words),
                        "lang": seg.get("lang"), "source": seg.get("source") or "marker"})
            if len(out) >= MAX_SEGMENT_HITS:
                break
    return out


MAX_SEGMENT_HITS = 5  # per hit: the first matching segments in time order
# A run of letters and digits as a text has it (analysis.words normalises first; this is only
# the cache key, so each distinct spelling is analysed once per process).
_RAW_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=200_000)
def _raw_word_forms(raw: str) -> frozenset[str]:
    """Every form the index has of one word of a text (analysis.text_forms), cached: a hit's
    segments are matched word by word, and a transcript repeats its words."""
    return frozenset(f for variant in analysis.text_forms(raw).values() for f in variant)


def highlights(doc: Mapping[str, Any], words: list[str], lang: str | None) -> dict[str, str]:
    """{"title": ..., "description": ...} highlighted (search.highlight) where a query word
    matched, each in the language the hit is shown in: the title the hit's `title` is
    (mapping.display_title), and the description in the searcher's language when the asset has
    one, else the first description that matches (mapping.shown_descriptions). A text in that language with no match is
    left out, never replaced by another language's (a card on an Azerbaijani page showed the
    Turkish title that a typo had matched)."""
    out: dict[str, str] = {}
    title = highlight(display_title(doc, lang), words)
    if title:
        out["title"] = title
    texts, _own = shown_descriptions(doc, lang)
    for text in texts:
        marked = highlight(text, words)
        if marked:
            out["description"] = marked
            break
    return out


# ---- visibility, ranges and sorting ----------------------------------------------------------

OWNER_FIELD = "owner"
# Who finds an asset (issue 11/12): every member finds it in a PUBLIC_STATUSES status; in any
# other (HIDDEN_STATUSES) only its owner organisation (OWNER_FIELD) and a viewer who sees
# everything do. PUBLIC_STATUSES is the one list of public statuses: the archive's asset routes,
# lists and provenance lookups import it (archive.assets.services.visible_to), since `search`
# may not import the archive; those also show a hidden asset to its uploaders of another
# organisation, which the index, holding no uploader, does not. HIDDEN_STATUSES is what the filters name (a document without a
# status stays found); tests/contract/test_search.py asserts it is the archive's other statuses
# (archive.assets.models.STATUSES less PUBLIC_STATUSES).
PUBLIC_STATUSES = ("ready",)
HIDDEN_STATUSES = ("uploading", "processing", "rejected", "failed")
RECORDED_FIELD = "recorded_day"
RECORDED_LAST = "recorded_last"  # recorded_day, with unknown dates after every known one
DURATION_FIELD = "duration_ms"
DURATION_LAST = "duration_last"  # duration_ms, with unknown lengths after every known one
SORT_INTEGERS = (RECORDED_FIELD, RECORDED_LAST, DURATION_FIELD, DURATION_LAST, *(f"title_key_{c}" for c in LANGS))
# The title order: the whole collation key as text (search.collation.sort_text).
SORT_TEXTS = tuple(f"title_sort_{c}" for c in LANGS)
RANGE_FIELDS = (RECORDED_FIELD,)
NO_DATE = 99_999_999
NO_DURATION = 2**63 - 1  # milliseconds: after every real length (a signed long, as Elasticsearch stores it)


def sort_values(doc: Mapping[str, Any]) -> dict[str, int]:
    """The document's unsigned integers to sort and range-filter on (search.mapping)."""
    day = int(doc.get(RECORDED_FIELD) or 0)
    duration = int(doc.get(DURATION_FIELD) or 0)
    out = {RECORDED_FIELD: day, RECORDED_LAST: day or NO_DATE, DURATION_FIELD: duration,
           DURATION_LAST: duration or NO_DURATION}
    for code in LANGS:
        out[f"title_key_{code}"] = int(doc.get(f"title_key_{code}") or 2**64 - 1)
    return out


def sort_texts(doc: Mapping[str, Any]) -> dict[str, str]:
    """The document's title sort texts (search.mapping; made here from its titles for a
    document mapped before them)."""
    return {f"title_sort_{code}": str(doc.get(f"title_sort_{code}") or
                                      collation.sort_text(display_title(doc, code), code)) for code in LANGS}


def sort_order(query: SearchQuery, has_words: bool) -> tuple[str | None, bool]:
    """(fast field to order by, descending) for the query's sort; (None, _) is by relevance.
    Without query words "relevance" is newest upload first. Unknown recording dates and
    lengths (0) come last both ways, as SQL's NULLS LAST: ascending orders by the field that
    holds them as the largest value (RECORDED_LAST, DURATION_LAST), descending by the one that
    holds them as 0. QueryError for an unknown sort."""
    sort = query.sort or "relevance"
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort[:40]!r}; use one of {', '.join(SORTS)}")
    if sort == "relevance":
        return (None, False) if has_words else ("created", True)
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name == "title":
        code = query.lang if query.lang in LANGS else "tr"
        return f"title_sort_{code}", descending
    if name == "recorded":
        return (RECORDED_FIELD if descending else RECORDED_LAST), descending
    if name == "duration":
        return (DURATION_FIELD if descending else DURATION_LAST), descending
    return "created", descending


def recorded_range(query: SearchQuery) -> tuple[int | None, int | None]:
    """The recording-date range as inclusive YYYYMMDD integers (a year or month alone
    covers all its days); QueryError for a date that is not YYYY, YYYY-MM or YYYY-MM-DD or
    a range that ends before it starts."""
    low = _day(query.recorded_from, "recorded_from", end=False)
    high = _day(query.recorded_to, "recorded_to", end=True)
    if low is not None and high is not None and high < low:
        raise QueryError("recorded_to is before recorded_from", reason="dates_reversed")
    return low, high


def _real_day(parts: list[str]) -> bool:
    """Whether YYYY, MM, DD name a day of the calendar (1975-02-31 does not)."""
    try:
        datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return False
    return True


def _day(value: str | None, name: str, *, end: bool) -> int | None:
    if not value:
        return None
    day = recorded_day(value) if len(value) <= 10 and value[:4].isdigit() else 0
    parts = value.split("-")
    if not day or len(parts) > 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4 \
            or (len(parts) > 1 and not 1 <= int(parts[1]) <= 12) or (len(parts) > 2 and not _real_day(parts)):
        raise QueryError(f"{name} must be a date as YYYY, YYYY-MM or YYYY-MM-DD", reason="invalid_date",
                         params={"name": name})
    if end:  # the last day of the year or month given
        if len(parts) == 1:
            day += 1231
        elif len(parts) == 2:
            day += 31
    return day


def facet_values(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    out = {}
    for facet in FACETS:
        value = doc.get(FACET_FIELDS[facet])
        values = [str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if values:
            out[facet] = values
    return out


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Facet → accepted values; QueryError for an unknown facet or too many values."""
    out = {}
    for facet, values in (filters or {}).items():
        if facet not in FACETS:
            raise QueryError(f"unknown filter {facet!r}; use one of {', '.join(FACETS)}", reason="unknown_filter",
                             params={"name": str(facet)[:40]})
        if isinstance(values, str):
            values = [values]
        values = [str(v) for v in values if v not in (None, "")]
        if len(values) > MAX_FILTER_VALUES:
            raise QueryError(f"too many values for filter {facet!r} (at most {MAX_FILTER_VALUES})",
                             reason="too_many_values", params={"limit": MAX_FILTER_VALUES})
        if values:
            out[facet] = values
    return out


def page_window(query: SearchQuery) -> tuple[int, int]:
    """(limit, offset) of the asked page; QueryError when it is out of range."""
    if not isinstance(query.page, int) or query.page < 1:
        raise QueryError("page must be a positive whole number")
    if not isinstance(query.per_page, int) or not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    offset = (query.page - 1) * query.per_page
    if offset > MAX_OFFSET:
        raise QueryError(f"results past the first {MAX_OFFSET} are not served; narrow the search", reason="too_deep",
                         params={"limit": MAX_OFFSET})
    return query.per_page, offset


CLEARED_FIELD = "cleared"


def cleared_values(doc: Mapping[str, Any]) -> list[str]:
    """The document's `cleared` tokens (search.cleared), as text."""
    return [str(v) for v in doc.get(CLEARED_FIELD) or [] if v]


def stored_source(doc: Mapping[str, Any], segments: list[dict] | None = None) -> dict[str, Any]:
    """What a backend keeps of the document for the hit card (titles, snippets, highlights):
    all but the rights tokens and the segments, which are just counted (`segment_count`):
    each backend indexes the segments on their own (tantivy's segment index, Elasticsearch's
    nested documents) and reads a hit's matching ones from there (a transcript's hundreds of
    cues decoded per hit made a page of hits 100 times slower). `segments`: `segments_of(doc)`
    when the caller has it already."""
    out = {k: v for k, v in doc.items() if k not in (CLEARED_FIELD, "segments")}
    out["segment_count"] = len(segments_of(doc) if segments is None else segments)
    return out


def segment_text_fields(seg: Mapping[str, Any], analysed: dict[str, str] | None = None) -> dict[str, list[str]]:
    """{`body_<form>`: [words]} of one segment's text, as text_fields makes them for an asset;
    from `analysed` (its entry of `document_forms`' segments) when given."""
    if analysed is None:
        text = seg.get("text")
        analysed = analysis.indexed_forms(str(text), english_text=_english_segment(seg)) if text else {}
    return {f"body_{form}": [joined] for form, joined in analysed.items()}


def segment_hit(seg: Mapping[str, Any]) -> dict[str, Any]:
    """A segment as a hit lists it (without its highlight)."""
    return {"in": seg.get("in"), "out": seg.get("out"), "in_seconds": seg.get("in_seconds"),
            "out_seconds": seg.get("out_seconds"), "text": seg.get("text"), "lang": seg.get("lang"),
            "source": seg.get("source") or "marker"}


def clean_cleared(who):
    """`who` (a search.cleared.ClearedFor, or None) if its values are plain codes; QueryError otherwise."""
    if who is not None:
        try:
            check_cleared(who)
        except ValueError as exc:
            raise QueryError(f"cleared: {exc}") from exc
    return who


def cleared_alternatives(who, platform: str) -> list:
    """search.cleared.query, a QueryError for a value that is no plain code."""
    try:
        return cleared_query(who, platform)
    except ValueError as exc:
        raise QueryError(f"cleared: {exc}") from exc
