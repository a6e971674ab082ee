"""The SearchBackend boundary. Backends: TantivySearchBackend (embedded), ElasticsearchBackend.

The index is derived data: documents have the shape of `search.mapping.document` and
`ortak reindex` rebuilds the whole index from the database.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Iterable

from search.cleared import ClearedFor

FACETS = ("country", "organisation", "genre", "decade", "year", "language", "meta_language", "kind", "duration",
          "transcript", "project", "status")
# Sort orders: "relevance" (the default with query text; newest upload first without), or a
# field ascending, "-field" descending. "title" is alphabetical in the searcher's language.
SORTS = ("relevance", "recorded", "-recorded", "created", "-created", "duration", "-duration", "title", "-title")


class SearchError(Exception):
    pass


class SearchBusy(SearchError):
    """The index did not take a write within the `wait` its caller gave (`SearchBackend.index`):
    another writer held it (tantivy: one writer per index directory across processes) or the
    engine did not answer in time (Elasticsearch). tantivy wrote nothing; Elasticsearch may
    still apply a write it answered too late. Either way the caller leaves the document to a
    write that may wait (the index task)."""


class SearchConfigError(SearchError):
    """A backend cannot be set up from its settings; the message names the setting."""


class QueryError(SearchError, ValueError):
    """The query cannot be parsed or a filter value is invalid (a client mistake).

    `code` says which mistake, for a translated message: `invalid_query` (a filter, page or
    rights value), `no_searchable_text` (characters but no word to search, search.query).
    `reason` names an `invalid_query` more closely, for a page that says it in its own language
    (`dates_reversed`, `invalid_date`, `too_deep`, `unknown_filter`, `too_many_values`; None for
    the others), with `params` for its sentence."""

    def __init__(self, message: str, *, code: str = "invalid_query", reason: str | None = None,
                 params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.params = dict(params or {})


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet name -> accepted values (OR)
    page: int = 1
    per_page: int = 20
    lang: str | None = None  # the searcher's language, for snippets and titles
    # "Cleared for me": filter on its platform (if any) and count the `cleared` facet
    # (platform -> hits cleared there) for its organisation and territory, today.
    cleared: ClearedFor | None = None
    sort: str = "relevance"
    # Count the facets (False: hits and total only, as a suggestion list needs).
    count_facets: bool = True
    # Recording date range, inclusive: "YYYY", "YYYY-MM" or "YYYY-MM-DD" (None: open).
    recorded_from: str | None = None
    recorded_to: str | None = None
    # Who is searching: assets not ready yet are found by their own organisation
    # (`viewer_organisation`, an organisation id) only; `sees_everything` (admins) finds all.
    viewer_organisation: str | None = None
    sees_everything: bool = False
    # Typed so far, as the person types: the last word is also a prefix (search.query).
    as_you_type: bool = False


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title: str
    snippet: str
    segments: list[dict] = field(default_factory=list)  # timecoded hits where they exist
    # Highlighted fragments: {"title": "…<mark>word</mark>…", "description": …}, present only
    # where a query word matched (HTML-escaped text with <mark> around the matches).
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # facet -> value -> count; "cleared": platform -> count
    # When a query with words finds nothing: the same query with words of the index spelled
    # like the typed ones, which finds something (search.query.suggestion); else None.
    did_you_mean: str | None = None


class SearchBackend(abc.ABC):
    name: str

    @abc.abstractmethod
    def index(self, docs: Iterable[dict], *, wait: float | None = None) -> int:
        """Add or replace documents (by "id"); visible to search when this returns; how many.

        `wait` (seconds; None: the backend's own patience, up to a minute) bounds how long the
        call waits for the index to take the write: for another writer to let go (tantivy) or
        for the engine to answer (Elasticsearch). Past it SearchBusy is raised (tantivy wrote
        nothing; Elasticsearch may still apply a write it answered too late): a web request that
        indexes what it just committed gives up quickly and leaves the write to its index task.
        Once tantivy holds its writers the write is not cut short: its commit, and the merges
        the commit waits for, take what they take."""

    @abc.abstractmethod
    def delete(self, doc_id: str) -> None: ...

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Drop every document."""

    def rebuild(self, batches: Iterable[list[dict]], *, jobs: int | None = None) -> int:
        """Replace every document with those of `batches` (`ortak reindex`); return how many
        were indexed. Here: clear, then index batch by batch. A backend that can build aside
        and swap (Elasticsearch aliases) overrides it so searches never see a partial index;
        one that analyses text in Python (tantivy) may spread that over `jobs` processes (None:
        the backend's default); others ignore `jobs`."""
        self.clear()
        return sum(self.index(batch) for batch in batches)

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def check(self) -> None:
        """Raise SearchError unless the engine answers."""
