"""How a mapped document and a query become engine fields; shared by every backend.

Each text goes into `<group>_<form>` fields: group `title` (all title languages) or `body`
(descriptions, keywords, people, places, file name, organisation, segments); form `n`
normalised, `f` folded, `s` stemmed, `x` cross-Turkic, `xs` cross-Turkic stem, `e` English
stem (English texts only) — search.analysis. Values are whitespace-separated words, one a
position, so an engine needs only a whitespace tokenizer and no case or accent handling of
its own, and phrases match in every form. How a query uses the fields: search.query.
"""
from __future__ import annotations

from typing import Any, Mapping

from search import analysis, normalize
from search.cleared import check as check_cleared
from search.cleared import query as cleared_query
from search.interfaces import FACETS, QueryError, SearchError, SearchQuery
from search.mapping import DESCRIPTION_FIELDS, FACET_FIELDS, OTHER_TEXT_FIELDS, TITLE_FIELDS

TEXT_FIELDS = tuple(f"{group}_{form}" for group in ("title", "body") for form in analysis.FORMS)
# Texts in English, which also get the English stem (`e`).
ENGLISH_FIELDS = ("title_en", "description_en")
MAX_PER_PAGE = 100
MAX_OFFSET = 10_000
MAX_FILTER_VALUES = 50
FACET_SIZE = 1000


def doc_id(doc: Mapping[str, Any]) -> str:
    value = doc.get("id")
    if not isinstance(value, str) or not value:
        raise SearchError("a search document needs a text id")
    return value


def text_fields(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """{field: [word string per source text]} for the TEXT_FIELDS; empty ones left out."""
    groups: dict[str, list[tuple[Any, bool]]] = {
        "title": [(doc.get(f), f in ENGLISH_FIELDS) for f in TITLE_FIELDS],
        "body": [(doc.get(f), f in ENGLISH_FIELDS) for f in DESCRIPTION_FIELDS]}
    for field in OTHER_TEXT_FIELDS:
        value = doc.get(field)
        groups["body"].extend((v, False) for v in (value if isinstance(value, list) else [value]))
    groups["body"].extend((seg.get("text"), False) for seg in segments_of(doc))
    out: dict[str, list[str]] = {}
    for group, texts in groups.items():
        for text, english in texts:
            if not text:
                continue
            for form, words in analysis.text_forms(str(text), english_text=english).items():
                if words:
                    out.setdefault(f"{group}_{form}", []).append(" ".join(words))
    return out


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
    value = doc.get("segments")
    return [seg for seg in value if isinstance(seg, dict)] if isinstance(value, list) else []


def matching_segments(doc: Mapping[str, Any], words: list[str]) -> list[dict]:
    """The document's segments whose text has one of the query `words` in any of its forms
    (normalised, folded, stemmed), in document order; none for an empty query. Ranking them
    is the search's to refine."""
    if not words:
        return []
    wanted = set()
    for word in words:
        wanted.update(analysis.forms(word)[:3])
    out = []
    for seg in segments_of(doc):
        forms = set()
        for variant in analysis.text_forms(str(seg.get("text") or "")).values():
            forms.update(variant)
        if forms & wanted:
            out.append({"in": seg.get("in"), "out": seg.get("out"), "text": seg.get("text")})
    return out


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
            raise QueryError(f"unknown filter {facet!r}; use one of {', '.join(FACETS)}")
        if isinstance(values, str):
            values = [values]
        values = [str(v) for v in values if v not in (None, "")]
        if len(values) > MAX_FILTER_VALUES:
            raise QueryError(f"too many values for filter {facet!r} (at most {MAX_FILTER_VALUES})")
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
        raise QueryError(f"results past the first {MAX_OFFSET} are not served; narrow the search")
    return query.per_page, offset


CLEARED_FIELD = "cleared"


def cleared_values(doc: Mapping[str, Any]) -> list[str]:
    """The document's `cleared` tokens (search.cleared), as text."""
    return [str(v) for v in doc.get(CLEARED_FIELD) or [] if v]


def stored_source(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What a backend keeps of the document for titles and snippets: all but the rights tokens."""
    return {k: v for k, v in doc.items() if k != CLEARED_FIELD}


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
