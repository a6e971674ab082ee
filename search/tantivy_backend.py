"""TantivySearchBackend: the embedded default, an index directory under SEARCH_DIR.

Text reaches tantivy already analysed (search.analysis): tantivy's own `lowercase` turns
`İ` into `i` + a combining dot and its `ascii_fold` maps `ə` to `a`. Each text is indexed in
every form (normalised, folded, stemmed, cross-Turkic, English) as whitespace-separated
words, and the query's plan (search.query) is built clause by clause from term, phrase,
prefix and fuzzy queries, never parsed by tantivy, so no user text can be a syntax error.

tantivy allows one writer per index directory across processes (the web process and the
workers both index): every write opens a short-lived writer, retrying while another process
holds the lock, commits and releases it (the asset index's lock first, then the segment
index's). Searches reload the reader when a commit changed the index's meta.json, so
commits made by any process are seen.
"""
from __future__ import annotations

import collections
import concurrent.futures
import functools
import hashlib
import itertools
import json
from dataclasses import dataclass, replace
import os
import re
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

import tantivy

from search import analysis, fields, normalize
from search import query as query_plan
from search.interfaces import (FACETS, Hit, SearchBackend, SearchBusy, SearchConfigError, SearchError, SearchQuery,
                               SearchResult)
from search.highlight import highlight
from search.mapping import display_title, snippet_sources

# Bump when the schema changes: a new directory is made and `ortak reindex` fills it.
# v2: the `project` facet; v3: the `cleared` rights tokens; v4: the cross-Turkic and English forms;
# v5: more facets, sort fields, the owner organisation; v6: segments (transcript cues and markers)
# in a segment index of their own beside the asset index, no longer stored in each asset's source;
# v7: the segment index's `asset_key` fast field (a page's segments found by one query)
# v8: people, places and keywords in the title fields (search.fields.SUBJECT_FIELDS)
# v9: the title sort texts (search.fields.SORT_TEXTS: the whole collation key, `title` sorts to the end)
# v10: `duration_last` (search.fields.DURATION_LAST: unknown lengths last in an ascending duration sort)
SCHEMA_VERSION = "v10"
# Documents a rebuild writes between two commits.
REBUILD_COMMIT = 5000
# "Did you mean": the segments a word is looked up in before it is called unknown to the viewer
# (those of assets they may not find are dropped after the search: the segment index has no owner).
KNOWN_SEGMENTS = 50


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for field in fields.TEXT_FIELDS:
        sb.add_text_field(field, tokenizer_name="whitespace")
    for facet in FACETS:
        sb.add_text_field(facet, tokenizer_name="raw", fast=True)
    sb.add_text_field(fields.CLEARED_FIELD, tokenizer_name="raw")
    sb.add_text_field(fields.OWNER_FIELD, tokenizer_name="raw")
    sb.add_integer_field("created", indexed=True, fast=True)
    for name in fields.SORT_INTEGERS:
        sb.add_unsigned_field(name, indexed=name in fields.RANGE_FIELDS, fast=True)
    for name in fields.SORT_TEXTS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_bytes_field("source", stored=True)
    return sb.build()


def build_segment_schema() -> tantivy.Schema:
    """One document per segment (a transcript cue or marker): the asset's id, and as
    `asset_key` its asset_key (a fast field, to group a page's segments by asset without
    reading them), the text in the same `body_*` forms as assets (title fields exist, empty,
    so one query plan compiles for both) and the segment as stored JSON."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("asset", stored=True, tokenizer_name="raw")
    for field in fields.TEXT_FIELDS:
        sb.add_text_field(field, tokenizer_name="whitespace")
    sb.add_bytes_field("source", stored=True)
    sb.add_unsigned_field("asset_key", fast=True)
    return sb.build()


class TantivySearchBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = 60.0, heap_size: int = 32_000_000):
        self.path = Path(path) / SCHEMA_VERSION
        self.lock_timeout = lock_timeout
        self.heap_size = heap_size
        self.schema = build_schema()
        self.segment_schema = build_segment_schema()
        self._index: tantivy.Index | None = None
        self._segments: tantivy.Index | None = None
        self._pid: int | None = None
        # Threads of one process take turns at the writer instead of spinning on its lock.
        self._write_lock = threading.Lock()
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._threads_pid: int | None = None
        # A query text's parse, plan and compiled tantivy clauses, kept for the searches that
        # repeat it (the next page, a facet clicked, "did you mean"'s own count): tantivy
        # queries are immutable and the plan depends on the text and which of its words are
        # frequent (`_frequent`) alone.
        self._text_query = functools.lru_cache(maxsize=256)(self._build_text_query)
        self._parse = functools.lru_cache(maxsize=256)(query_plan.parse)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "TantivySearchBackend":
        backend = cls(config["SEARCH_DIR"])
        try:
            backend._open()
        except (OSError, ValueError) as exc:
            raise SearchConfigError(f"ORTAK_SEARCH_DIR: cannot open a search index at {backend.path}: {exc}") from exc
        return backend

    # ---- the index, once per process ---------------------------------------------------------

    def _open(self) -> tantivy.Index:
        # A forked worker must not reuse the parent's handle (its threads did not survive the fork).
        if self._index is None or self._pid != os.getpid():
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / "segments").mkdir(exist_ok=True)
            index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            index.config_reader(reload_policy="Manual")
            segments = tantivy.Index(self.segment_schema, path=str(self.path / "segments"), reuse=True)
            segments.config_reader(reload_policy="Manual")
            self._index, self._segments, self._pid = index, segments, os.getpid()
            self._metas: dict[Path, bytes] = {}  # each index's meta.json at its last reload (_fresh)
        return self._index

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """This process's threads for a search's facet counts (`_search`), made on first use
        (a forked worker makes its own: threads do not survive a fork)."""
        if self._threads is None or self._threads_pid != os.getpid():
            self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="tantivy-counts")
            self._threads_pid = os.getpid()
        return self._threads

    def _searcher(self) -> tantivy.Searcher:
        return self._fresh(self._open(), self.path)

    def _segment_searcher(self) -> tantivy.Searcher:
        self._open()
        return self._fresh(self._segments, self.path / "segments")

    def _fresh(self, index: tantivy.Index, directory: Path) -> tantivy.Searcher:
        """A searcher of `index` (at `directory`) that sees every commit made so far, by this
        process or another: the reader is reloaded when the index's `meta.json` (tantivy's
        list of committed segments and deletes, rewritten by every commit with its new
        opstamp) differs from the one read before the last reload; a search of an index
        nobody wrote to since reuses the reader (a reload opens every segment again)."""
        try:
            meta = (directory / "meta.json").read_bytes()
        except OSError:
            meta = None
        if meta is None or self._metas.get(directory) != meta:
            index.reload()
            if meta is not None:
                self._metas[directory] = meta
        return index.searcher()

    def _write(self, work, segment_work=None) -> None:
        """`work(writer)` on the asset index, then `segment_work(writer)` on the segment index
        (each its own commit: the segments of an asset are written after the asset and
        deleted with it)."""
        self._write_one(self._open(), work)
        if segment_work is not None:
            self._write_one(self._segments, segment_work)

    def _write_one(self, index: tantivy.Index, work) -> None:
        with self._write_lock:
            writer = self._acquire_writer(index)
            try:
                work(writer)
                writer.commit()
                writer.wait_merging_threads()  # releases the lock once merges are done
            except Exception as exc:
                _rollback(writer)
                _let_go(exc)
                if isinstance(exc, SearchError):
                    raise
                raise SearchError(f"search index write failed: {exc}") from exc
            finally:
                del writer

    def _write_both(self, work, wait: float | None = None) -> int:
        """`work(asset writer, segment writer)` with both writers open, then the asset index's
        commit and the segment index's, in that order (as `_write`); what `work` returns.

        Both writers are held while `work` runs so that tantivy's indexing threads index what
        was added while this thread analyses the next documents (`_write_prepared`): the
        analysis (Python) and the indexing (tantivy's threads) used to run one after the
        other. Every process takes the asset index's lock first, so two writers never wait on
        each other. An exception `work` raises as `_Unwritten` (an error of the documents, not
        of the index) rolls both back and is raised as it was; any other is a SearchError.
        `wait`: seconds to wait for both writers (None: `lock_timeout`); SearchBusy past it."""
        deadline = time.monotonic() + (self.lock_timeout if wait is None else wait)
        if not self._write_lock.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise SearchBusy(f"the search index at {self.path} is being written by another thread of this process")
        try:
            return self._write_both_locked(work, deadline, wait is not None)
        finally:
            self._write_lock.release()

    def _write_both_locked(self, work, deadline: float, busy: bool) -> int:
        """`_write_both` once this thread holds `_write_lock`: both writers by `deadline`."""
        writer = self._acquire_writer(self._open(), deadline, busy)
        try:
            segment_writer = self._acquire_writer(self._segments, deadline, busy)
        except Exception:
            _rollback(writer)
            del writer
            raise
        try:
            done = work(writer, segment_writer)
            writer.commit()
            writer.wait_merging_threads()  # releases the lock once merges are done
        except Exception as exc:
            _rollback(writer)
            _rollback(segment_writer)
            del segment_writer
            _let_go(exc)
            if isinstance(exc, _Unwritten):
                raise exc.error from None
            if isinstance(exc, SearchError):
                raise
            raise SearchError(f"search index write failed: {exc}") from exc
        finally:
            del writer
        try:
            segment_writer.commit()
            segment_writer.wait_merging_threads()
        except Exception as exc:
            _rollback(segment_writer)
            raise SearchError(f"search index write failed: {exc}") from exc
        finally:
            del segment_writer
        return done

    def _acquire_writer(self, index: tantivy.Index, deadline: float | None = None,
                        busy: bool = False) -> tantivy.IndexWriter:
        """The index's writer, retrying while another process holds its lock until `deadline`
        (time.monotonic(); None: `lock_timeout` from now), then SearchBusy when `busy` (the
        caller gave a wait of its own), else SearchError."""
        started = time.monotonic()
        deadline = started + self.lock_timeout if deadline is None else deadline
        delay = 0.02
        while True:
            try:
                return index.writer(heap_size=self.heap_size, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise SearchError(f"cannot open the search index writer: {exc}") from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    error = SearchBusy if busy else SearchError
                    raise error(f"the search index at {self.path} stayed locked by another writer "
                                f"for {time.monotonic() - started:.1f} s") from exc
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.5)

    # ---- writing ----------------------------------------------------------------------------

    def index(self, docs: Iterable[dict], *, wait: float | None = None) -> int:
        return self._write_prepared((prepare(doc) for doc in docs), wait)

    def _write_prepared(self, prepared: Iterable["Prepared"], wait: float | None = None) -> int:
        """Write analysed documents (`prepare`; an iterable, read while the writers are open,
        so an asset is analysed while tantivy indexes the one before): each replaces the
        asset's document and its segments; one commit on each index. An error raised while
        reading `prepared` (a document without a text id) writes nothing and is raised as it is."""
        items = iter(prepared)
        first = next(items, None)
        if first is None:
            return 0

        def work(writer, segment_writer) -> int:
            done, item = 0, first
            while item is not None:
                document, segments = self._documents(item)
                # Deleting first makes `index` a replace; the delete only hits older documents.
                writer.delete_documents_by_term("id", item.doc_id)
                writer.add_document(document)
                segment_writer.delete_documents_by_term("asset", item.doc_id)
                for segment in segments:
                    segment_writer.add_document(segment)
                done += 1
                try:
                    item = next(items, None)
                except Exception as exc:  # noqa: BLE001 - the documents' error, raised by _write_both as it is
                    raise _Unwritten(exc) from exc
            return done

        return self._write_both(work, wait)

    def rebuild(self, batches: Iterable[list[dict]], *, jobs: int | None = None) -> int:
        """Clear, then index `batches`, committing every REBUILD_COMMIT documents (a commit
        costs as much as indexing thousands; other writers, the web process and workers, get
        their turn between commits). With `jobs` > 1 the analysis (`prepare`, pure Python,
        about 60 % of the indexing CPU) runs in that many processes while this one writes
        what they return, in order; the default (None or 1) analyses here, a document at a
        time while tantivy's threads index the ones before (`_write_prepared`): on 2 cores the
        pool measured 0.89x, its pickling costing 65 % more CPU (benchmarks/search_indexing.py).
        Returns how many documents were indexed. Raises SearchError for a document without a
        text id."""
        self.clear()
        batches = iter(batches)
        head = list(itertools.islice(batches, 2))
        batches = itertools.chain(head, batches)
        if (jobs or 1) <= 1 or len(head) < 2:  # one job, or one batch: no pool to start
            return self._write_in_commits(map(functools.partial(map, prepare), batches))
        import concurrent.futures
        import multiprocessing
        # Spawned, not forked: this process holds tantivy's threads.
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            return self._write_in_commits(_bounded_map(pool, prepare_many, batches, 2 * jobs))

    def _write_in_commits(self, prepared_batches: Iterable[Iterable["Prepared"]]) -> int:
        """Write analysed batches in order, one commit after the batch that brings a commit's
        documents to REBUILD_COMMIT and one for the rest; how many were written. The batches
        are read while the writers are open (`_write_prepared`): a lazy batch (`map(prepare,
        docs)`) is analysed a document at a time while tantivy indexes."""
        batches, done = iter(prepared_batches), 0
        while (batch := next(batches, None)) is not None:
            def one_commit(batch=batch):
                taken = 0
                while batch is not None:
                    for item in batch:
                        yield item
                        taken += 1
                    if taken >= REBUILD_COMMIT:
                        return
                    batch = next(batches, None)
            done += self._write_prepared(one_commit())
        return done

    def delete(self, doc_id: str) -> None:
        self._write(lambda writer: writer.delete_documents_by_term("id", str(doc_id)),
                    lambda writer: writer.delete_documents_by_term("asset", str(doc_id)))

    def clear(self) -> None:
        self._write(lambda writer: writer.delete_all_documents(), lambda writer: writer.delete_all_documents())

    def _documents(self, prepared: "Prepared") -> tuple[tantivy.Document, list[tantivy.Document]]:
        """The asset's tantivy document and its segments' documents."""
        d = tantivy.Document()
        d.add_text("id", prepared.doc_id)
        for field, value in prepared.texts:
            d.add_text(field, value)
        d.add_integer("created", prepared.created)
        for name, value in prepared.unsigned:
            d.add_unsigned(name, value)
        d.add_bytes("source", prepared.source)
        key = asset_key(prepared.doc_id)
        segments = []
        for texts, source in prepared.segments:
            s = tantivy.Document()
            s.add_text("asset", prepared.doc_id)
            s.add_unsigned("asset_key", key)
            for field, value in texts:
                s.add_text(field, value)
            s.add_bytes("source", source)
            segments.append(s)
        return d, segments

    # ---- reading ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        return self._search(query, suggest=True)

    def _build_text_query(self, text: str | None, as_you_type: bool,
                          frequent: frozenset[str] = frozenset()) -> "_TextQuery":
        """The parsed query, its plan (`frequent`: its words without typo clauses,
        `_frequent`) and the plan's clauses compiled on the asset index's schema, for
        `_text_query`'s cache. Exclusions and the counting pass's must (search.query.counted)
        are matched, never scored: without the clauses other clauses of their word are sure to
        cover."""
        parsed = self._parse(text, as_you_type=as_you_type)
        text_plan = query_plan.plan(parsed, frequent=frequent)

        def compiled(clauses) -> tuple:
            return tuple(self._compile(c) for c in clauses)
        return _TextQuery(parsed, text_plan, compiled(text_plan.must),
                          compiled(query_plan.counted(c) for c in text_plan.must_not), compiled(text_plan.should),
                          compiled(query_plan.counted(c) for c in text_plan.must),
                          compiled(text_plan.top_must), compiled(text_plan.top_should))

    def _search(self, query: SearchQuery, *, suggest: bool, count_only: bool = False) -> SearchResult:
        """The page of hits, total and facets; with `count_only` the total alone (no hits,
        facets or suggestion: what "did you mean" needs of its suggested query)."""
        per_page, offset = fields.page_window(query)
        parsed = self._parse(query.text, as_you_type=bool(query.as_you_type))  # a QueryError as it is
        try:
            searcher = self._searcher()
            frequent = self._frequent(searcher, parsed)
        except (ValueError, OSError) as exc:
            raise SearchError(f"search failed: {exc}") from exc
        text_query = self._text_query(query.text, bool(query.as_you_type), frequent)
        text_plan, words = text_query.plan, text_query.parsed.words
        # The facet filters apart from the rest: a filtered facet is counted without its own
        # filter (multi-select facets: `_counts`, from `filter_values`).
        filter_values = fields.clean_filters(query.filters)
        facet_filters = {facet: self._facet_filter(facet, values) for facet, values in filter_values.items()}
        clauses = []
        low, high = fields.recorded_range(query)
        if low is not None or high is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, fields.RECORDED_FIELD, tantivy.FieldType.Unsigned, low or 1, high or 99991231,
                include_lower=True, include_upper=True)))
        visible = self._visibility_query(query)
        if visible is not None:
            clauses.append((tantivy.Occur.Must, visible))
        who = fields.clean_cleared(query.cleared)
        if who is not None and who.platform:
            clauses.append((tantivy.Occur.Must, self._cleared_query(who, who.platform)))
        facet_platforms = list(who.platforms) if who is not None else []  # counted in `_counts`
        sort_field, descending = fields.sort_order(query, bool(text_plan.must))
        clauses += [(tantivy.Occur.MustNot, c) for c in text_query.must_not]
        # The counts need which documents match, not their scores: without the `should` clauses
        # (the score tiers, every word's own forms again; never alone: a plan with `should` has
        # `must`), whose weights and scorers tantivy would build for each segment and drop, and
        # with the must for matching alone (search.query.counted: a word's exact and folded
        # terms left out beside its cross-Turkic term or typo, which find their documents).
        # Sorted by a field, the page's search does not score either.
        counted_clauses = clauses + [(tantivy.Occur.Must, c) for c in text_query.counted_must]
        clauses += [(tantivy.Occur.Must, f) for f in facet_filters.values()]
        top_clauses = clauses + [(tantivy.Occur.Must, c) for c in text_query.top_must] + [
            (tantivy.Occur.Should, c) for c in text_query.top_should]
        clauses += [(tantivy.Occur.Must, c) for c in text_query.must]
        if sort_field is None:
            clauses += [(tantivy.Occur.Should, c) for c in text_query.should]
        if not text_plan.must:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            counted_clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        q = tantivy.Query.boolean_query(clauses)

        try:
            if count_only:
                return SearchResult(total=searcher.search(q, limit=1, count=True).count, hits=[],
                                    facets={f: {} for f in FACETS}, did_you_mean=None)
            # With counts to make, the total comes from their aggregation (it visits every
            # match anyway, unscored) and the page's search does not count; without, the page's
            # search counts. The aggregation runs in another thread beside the page's search
            # and the page's Python (tantivy lets go of the GIL while it searches): the two
            # passes each build the text query's weights (its fuzzy terms walk the term
            # dictionary in every segment), which tantivy's Python API cannot share, so they
            # are built at the same time instead of one after the other.
            counted = bool(query.count_facets or facet_platforms)
            total, aggs, cleared_counts = 0, {}, {}
            counting = None
            if counted:
                counting = self._pool().submit(
                    self._counts, searcher, counted_clauses, filter_values, query.count_facets,
                    {p: self._cleared_filter(who, p) for p in facet_platforms if p != who.platform})
            try:
                page = None
                if sort_field is None and counted and text_plan.top_score:
                    page = self._top_tier_page(searcher, top_clauses, text_plan.top_score, per_page, offset)
                if page is None:
                    order = {} if sort_field is None else {
                        "order_by_field": sort_field, "order": tantivy.Order.Desc if descending else tantivy.Order.Asc}
                    found = searcher.search(q, limit=per_page, offset=offset, count=not counted, **order)
                    page = found.hits
                if not counted:
                    total = found.count
                sources = [(key, json.loads(searcher.doc(address)["source"][0])) for key, address in page]
                segments = self._page_segments({s["id"]: s["segment_count"] for _, s in sources
                                                if s.get("segment_count")}, text_plan, words)
                hits = [Hit(id=source["id"], score=float(key) if sort_field is None else 0.0,
                            title=display_title(source, query.lang),
                            snippet=normalize.snippet(snippet_sources(source, query.lang), words),
                            segments=segments.get(source["id"], []),
                            highlights=fields.highlights(source, words, query.lang))
                        for key, source in sources]
            except BaseException:
                if counting is not None:  # not left running: the page's error is the one raised
                    concurrent.futures.wait([counting])
                raise
            if counting is not None:
                total, aggs, cleared_counts = counting.result()
            if counting is not None and who is not None and who.platform in facet_platforms:
                cleared_counts[who.platform] = total  # the platform filtered on: every match
            did_you_mean = None
            if suggest and total == 0 and text_plan.must and offset == 0:
                did_you_mean = self._did_you_mean(searcher, text_query.parsed, query)
        except (ValueError, OSError) as exc:
            raise SearchError(f"search failed: {exc}") from exc
        facets = {f: {b["key"]: b["doc_count"] for b in aggs.get(f, {}).get("buckets", [])} for f in FACETS}
        if who is not None:
            facets["cleared"] = {p: cleared_counts[p] for p in facet_platforms if cleared_counts[p]}
        return SearchResult(total=total, hits=hits, facets=facets, did_you_mean=did_you_mean)

    def _frequent(self, searcher: tantivy.Searcher, parsed: Any) -> frozenset[str]:
        """The words of `parsed` (search.query.typo_words) that as many assets as
        search.query.frequent_threshold have, folded, in a title or body field (`title_f`,
        `body_f`): they get no typo clause. Each index segment's term dictionary says how many
        documents have a term (deleted ones too, until a merge), so only a word whose two
        counts add up to the threshold is counted exactly, by a search of its two terms."""
        words = query_plan.typo_words(parsed)
        assets = searcher.num_docs
        threshold = query_plan.frequent_threshold(assets)
        if not words or assets < threshold:
            return frozenset()
        out = set()
        for word in words:
            terms = query_plan.frequency_terms(word)
            if sum(searcher.doc_freq(field, value) for field, value in terms) < threshold:
                continue
            either = tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, value)) for field, value in terms])
            if searcher.search(either, limit=1, count=True).count >= threshold:
                out.add(word)
        return frozenset(out)

    @staticmethod
    def _top_tier_page(searcher: tantivy.Searcher, clauses: list, top_score: float, per_page: int,
                       offset: int) -> list | None:
        """The page of a query with score tiers read off its top tier alone (search.query.Plan:
        `clauses` its top_must and top_should with the query's other clauses), each hit's score
        that tier's `top_score` more, as the whole query scores it; None when the top tier may
        not fill the page (its count short of the page's end: the whole query then gives it).
        The top tier ranks above every other match, so its best are the query's best: a search
        without the tiers' clauses, and without the typo and synonym clauses in each word's
        must, which score only beside its own forms here. 300 search page queries at 100,000
        assets (benchmarks/search_latency.py, `--baseline`): 0.87-0.91x the CPU at p50, the same
        answers but for the scores' float32 rounding."""
        found = searcher.search(tantivy.Query.boolean_query(clauses), limit=per_page, offset=offset, count=True)
        if found.count < offset + per_page:
            return None
        return [(float(key) + top_score, address) for key, address in found.hits]

    def _counts(self, searcher: tantivy.Searcher, clauses: list, filter_values: dict[str, list[str]],
                count_facets: bool, platforms: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, int]]:
        """(total, the facets' terms aggregations {facet: {"buckets": [{"key", "doc_count"}]}},
        {platform: count}) in one aggregation pass over `clauses` (the query without its facet
        filters): a `filter` bucket of every facet filter (its doc_count the total) holding the
        unfiltered facets' terms and one `filter` bucket per platform of `platforms` ({platform:
        search.cleared's alternatives as a query string, _cleared_filter}); and, with
        `count_facets`, per filtered facet a `filter` bucket of the other facets' filters holding
        that facet's terms, so its other values keep their counts (a multi-select facet:
        ticking one more value widens the search). Before, each filtered facet and each platform
        was a pass of its own over the matches (with their text query's weights built again),
        and the total came from the scored search.

        A `filter` bucket is a set of the segment's documents matching its query string (parsed
        by tantivy's QueryParser; values quoted, _filter_string), looked up for each match; made
        for every segment whatever the query matches, it costs with the archive's size. So
        without a filter bucket where one is not needed: one filtered facet is counted by a
        plain terms aggregation (its other filters: none), two single-valued ones
        (fields.SINGLE_VALUED_FACETS) by one terms aggregation of value pairs, each facet's
        counts the sums over the other's filtered values (`_pair_counts`; when a facet has more
        than fields.FACET_SIZE values there, the filter buckets as above, in a second pass).
        benchmarks/search_latency.py's two facet filters at 100,000 assets: the aggregation
        0.93-0.94x the CPU, the same counts 300/300 (the whole search 0.99x)."""
        def terms(facet: str) -> dict:
            return {"terms": {"field": facet, "size": fields.FACET_SIZE}}

        inner = {f: terms(f) for f in FACETS if f not in filter_values} if count_facets else {}
        inner.update({f"platform:{p}": {"filter": text} for p, text in platforms.items()})
        request = {"all": {"filter": _filter_string(filter_values), **({"aggs": inner} if inner else {})}}
        paired = (count_facets and len(filter_values) == 2
                  and all(f in fields.SINGLE_VALUED_FACETS for f in filter_values))
        if paired:
            first, second = filter_values
            request["pairs"] = {**terms(first), "aggs": {second: terms(second)}}
        elif count_facets:
            request.update(_without_requests(filter_values, terms))
        query = tantivy.Query.boolean_query(clauses)
        found = searcher.aggregate(query, request)
        everything = found["all"]
        aggs = {f: everything[f] for f in FACETS if f in everything}
        if paired:
            counted = _pair_counts(found["pairs"], filter_values)
            if counted is None:  # more values than one terms aggregation returns: counted apart
                counted = _without_counts(searcher.aggregate(query, _without_requests(filter_values, terms)),
                                          filter_values)
            aggs.update(counted)
        elif count_facets:
            aggs.update(_without_counts(found, filter_values))
        return (int(everything["doc_count"]), aggs,
                {p: int(everything[f"platform:{p}"]["doc_count"]) for p in platforms})

    def _page_segments(self, assets: dict[str, int], text_plan, words: list[str]) -> dict[str, list[dict]]:
        """{asset id: its segments that match one of the query's terms (search.query's plan,
        the same forms as the asset's search), at most fields.MAX_SEGMENT_HITS, the best
        scored of them in time order}, for the page's assets that have segments only
        (`assets`: {asset id: its number of segments}).

        One query on the segment index for the whole page: the page's assets (a term each,
        scored as a query per asset would score them, so the order within an asset is the
        same) and the text. Its hits, best first, are grouped by the `asset_key` fast field
        (no stored segment read); only the kept segments are decoded. The limit is the page's
        number of segments, so no asset's best segment is cut off by another's."""
        if not assets or not text_plan.must:
            return {}
        Q, O = tantivy.Query, tantivy.Occur
        keys = {asset_key(asset_id): asset_id for asset_id in assets}
        if len(keys) < len(assets):  # two ids of one page with one key: a query each (never seen)
            out = {}
            for asset_id, count in assets.items():
                out.update(self._page_segments({asset_id: count}, text_plan, words))
            return out
        # No typo matches in cues (as before segments had an index): each fuzzy clause walks the
        # term dictionary.
        text = [(O.Must, Q.boolean_query([(O.Should, self._compile(c, self.segment_schema, fuzzy=False))
                                          for c in text_plan.must]))]
        text += [(O.MustNot, self._compile(c, self.segment_schema)) for c in text_plan.must_not]
        page = Q.boolean_query([(O.Should, Q.term_query(self.segment_schema, "asset", asset_id)) for asset_id in assets])
        searcher = self._segment_searcher()
        found = searcher.search(Q.boolean_query([(O.Must, page), *text]), limit=max(1, sum(assets.values())),
                                count=False)
        addresses = [address for _score, address in found.hits]
        kept: dict[str, list] = {}
        for key, address in zip(searcher.fast_field_values("asset_key", addresses) if addresses else (), addresses):
            best = kept.setdefault(keys[key], [])
            if len(best) < fields.MAX_SEGMENT_HITS:
                best.append(address)
        out = {}
        for asset_id in assets:
            if asset_id not in kept:
                continue
            segments = sorted((json.loads(searcher.doc(address)["source"][0]) for address in kept[asset_id]),
                              key=lambda seg: seg["position"])
            for seg in segments:
                del seg["position"], seg["asset"]
                seg["highlight"] = highlight(str(seg.get("text") or ""), words)
            out[asset_id] = segments
        return out

    def _did_you_mean(self, searcher: tantivy.Searcher, parsed, query: SearchQuery) -> str | None:
        """search.query.suggestion, each word's closest spelling read off the documents that
        have a word two edits from it, for the words no document has in any form; offered only
        when the suggested query finds something with the same filters. Spellings are read,
        and words known, from the documents the query's viewer finds only
        (`_visibility_query`): a word of an asset they may not see is never suggested."""
        visible = self._visibility_query(query)

        def seen(q: tantivy.Query) -> tantivy.Query:
            return q if visible is None else tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, q), (tantivy.Occur.Must, visible)])

        def segments(q: tantivy.Query, limit: int) -> list[dict]:
            """The stored segments `q` matches (at most `limit`) of the assets the viewer finds."""
            segment_searcher = self._segment_searcher()
            found = [json.loads(segment_searcher.doc(address)["source"][0])
                     for _score, address in segment_searcher.search(q, limit=limit).hits]
            kept = self._findable(searcher, visible, {seg["asset"] for seg in found})
            return [seg for seg in found if seg["asset"] in kept]

        def closest(word: str) -> str | None:
            folded = normalize.fold(word)

            def fuzzy(schema: tantivy.Schema) -> tantivy.Query:
                # Built on the schema of the index it runs on: a query resolves field names to
                # that schema's field numbers, and the two indexes number their fields apart.
                return tantivy.Query.boolean_query([
                    (tantivy.Occur.Should, tantivy.Query.fuzzy_term_query(schema, f"{group}_f", folded, distance=2))
                    for group in ("title", "body")])
            texts = []
            for _score, address in searcher.search(seen(fuzzy(self.schema)), limit=20).hits:
                source = json.loads(searcher.doc(address)["source"][0])
                texts += fields.source_texts(source)
            texts += [str(seg.get("text") or "") for seg in segments(fuzzy(self.segment_schema), 20)]
            return query_plan.candidates_from(texts, word)

        def known(word: str) -> bool:
            clause = query_plan.word_clause(word, fuzzy=False)
            if searcher.search(seen(self._compile(clause)), limit=1).hits:
                return True
            return bool(segments(self._compile(clause, self.segment_schema), KNOWN_SEGMENTS))

        suggested = query_plan.suggestion(parsed, closest, known)
        if suggested is None:
            return None
        again = self._search(replace(query, text=suggested, page=1, per_page=1, as_you_type=False, sort="relevance"),
                             suggest=False, count_only=True)
        return suggested if again.total else None

    def _compile(self, clause, schema: tantivy.Schema | None = None, *, fuzzy: bool = True) -> tantivy.Query:
        """A search.query clause as a tantivy query (on the asset index's schema unless told);
        without its typo (fuzzy) matches when not `fuzzy`."""
        Q, schema = tantivy.Query, schema or self.schema
        if isinstance(clause, query_plan.Match):
            if clause.kind == "prefix":
                inner = Q.regex_query(schema, clause.field, re.escape(clause.value) + ".*")
            elif clause.kind == "fuzzy":
                inner = Q.fuzzy_term_query(schema, clause.field, clause.value, distance=1)
            else:
                inner = Q.term_query(schema, clause.field, clause.value)
            return Q.boost_query(inner, clause.boost)
        if isinstance(clause, query_plan.Phrase):
            return Q.boost_query(Q.phrase_query(schema, clause.field, list(clause.words)), clause.boost)
        if isinstance(clause, query_plan.Const):
            # Its matches alone count (a constant score), so the clauses other clauses of their
            # word cover are left out (search.query.counted; with its typo clauses only).
            inner = query_plan.counted(clause.clause) if fuzzy else clause.clause
            return Q.const_score_query(self._compile(inner, schema, fuzzy=fuzzy), clause.score)
        occur = tantivy.Occur.Must if isinstance(clause, query_plan.All) else tantivy.Occur.Should
        parts = clause.clauses if isinstance(clause, query_plan.All) else _one_typo_walk(clause.clauses)
        return Q.boolean_query([(occur, self._compile(c, schema, fuzzy=fuzzy)) for c in parts
                                if fuzzy or getattr(c, "kind", None) != "fuzzy"])

    def _facet_filter(self, facet: str, values: list[str]) -> tantivy.Query:
        """A facet filter (any of `values`) as a Must clause: a Should of term queries with
        the constant score 1.0 that term_set_query gave (so scores and order are unchanged).
        term_set_query's weight reads the postings of its terms into a bitset of the whole
        segment before the search starts; term queries are only advanced to the documents the
        rest of the query matches (benchmarks/search_latency.py's queries with its two facet
        filters: the page's scored search alone 0.78x the CPU at 35,000 assets, the same hits
        and scores 300/300; the whole search 0.97x at 70,000)."""
        return tantivy.Query.const_score_query(tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, facet, value)) for value in values]), 1.0)

    def _visibility_query(self, query: SearchQuery) -> tantivy.Query | None:
        """Assets not in a HIDDEN_STATUSES status, and those of the viewer's own organisation in
        any status; None (no clause) for a viewer who sees everything."""
        if query.sees_everything:
            return None
        public = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.all_query()),
            (tantivy.Occur.MustNot, self._facet_filter("status", list(fields.HIDDEN_STATUSES)))])
        options = [(tantivy.Occur.Should, public)]
        if query.viewer_organisation:
            options.append((tantivy.Occur.Should, tantivy.Query.term_query(
                self.schema, fields.OWNER_FIELD, str(query.viewer_organisation))))
        return tantivy.Query.const_score_query(tantivy.Query.boolean_query(options), 0.0)

    def _findable(self, searcher: tantivy.Searcher, visible: tantivy.Query | None, asset_ids: set[str]) -> set[str]:
        """Those of `asset_ids` the `visible` clause (`_visibility_query`; None: every asset) finds."""
        if visible is None or not asset_ids:
            return set(asset_ids)
        ids = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "id", i))
                                           for i in asset_ids])
        found = searcher.search(tantivy.Query.boolean_query([(tantivy.Occur.Must, ids), (tantivy.Occur.Must, visible)]),
                                limit=len(asset_ids))
        return {searcher.doc(address)["id"][0] for _score, address in found.hits}

    def _cleared_query(self, who, platform: str) -> tantivy.Query:
        """search.cleared.query as tantivy clauses, a Should per alternative; a filter, so it
        adds nothing to the score. Term queries, not term_set_query: a term set walks the
        field's whole term dictionary (measured 70x slower on 20,000 documents)."""
        def term(token: str) -> tantivy.Query:
            return tantivy.Query.term_query(self.schema, fields.CLEARED_FIELD, token)

        alternatives = []
        for alt in fields.cleared_alternatives(who, platform):
            parts = [(tantivy.Occur.Must, tantivy.Query.boolean_query([(tantivy.Occur.Should, term(t))
                                                                       for t in alt.any_of]))]
            parts += [(tantivy.Occur.MustNot, term(t)) for t in alt.none_of]
            alternatives.append((tantivy.Occur.Should, tantivy.Query.boolean_query(parts)))
        return tantivy.Query.const_score_query(tantivy.Query.boolean_query(alternatives), 0.0)

    def _cleared_filter(self, who, platform: str) -> str:
        """_cleared_query's alternatives as a query string for a `filter` aggregation: a
        Should per alternative, each holding any of its tokens and none of its excluded ones."""
        alternatives = []
        for alt in fields.cleared_alternatives(who, platform):
            parts = ["+(" + " ".join(_quoted(fields.CLEARED_FIELD, t) for t in alt.any_of) + ")"]
            parts += ["-" + _quoted(fields.CLEARED_FIELD, t) for t in alt.none_of]
            alternatives.append("(" + " ".join(parts) + ")")
        return " ".join(alternatives)

    def count(self) -> int:
        try:
            return self._searcher().num_docs
        except (ValueError, OSError) as exc:
            raise SearchError(f"search index unavailable: {exc}") from exc

    def check(self) -> None:
        try:
            self._searcher().num_docs
        except Exception as exc:  # noqa: BLE001 - health checks report any failure as ours
            raise SearchError(f"search index at {self.path} unavailable: {exc}") from exc


@dataclass(frozen=True)
class Prepared:
    """A mapped document analysed for the two indexes, in plain values (picklable, so the
    analysis can run in another process): `texts` the asset's (field, words) pairs, text
    fields, facets, rights tokens and owner; `created` in microseconds since the epoch;
    `unsigned` the sort and range integers; `source` the stored JSON; `segments` one
    ((field, words) pairs, stored JSON) per segment, in order."""
    doc_id: str
    texts: list[tuple[str, str]]
    created: int
    unsigned: list[tuple[str, int]]
    source: bytes
    segments: list[tuple[list[tuple[str, str]], bytes]]


def prepare(doc: dict) -> Prepared:
    """Analyse one mapped document (search.mapping.document) for the asset and segment
    indexes; all its texts in one search.analysis.indexed_forms_many call (fields.document_forms),
    each cue once, for the asset and for itself. Raises SearchError for a document without a
    text id."""
    doc_id = fields.doc_id(doc)
    in_order = fields.segments_of(doc)  # sorted once for the document
    text_fields, analysed = fields.document_forms(doc, in_order)
    texts = [(field, value) for field, values in {**text_fields, **fields.facet_values(doc)}.items()
             for value in values]
    texts += [(fields.CLEARED_FIELD, token) for token in fields.cleared_values(doc)]
    texts += list(fields.sort_texts(doc).items())
    if doc.get(fields.OWNER_FIELD):
        texts.append((fields.OWNER_FIELD, str(doc[fields.OWNER_FIELD])))
    segments = []
    for position, seg in enumerate(in_order):
        seg_texts = [(field, value) for field, values in fields.segment_text_fields(seg, analysed[position]).items()
                     for value in values]
        segments.append((seg_texts, json.dumps({**fields.segment_hit(seg), "asset": doc_id, "position": position},
                                               ensure_ascii=False).encode()))
    return Prepared(doc_id=doc_id, texts=texts, created=_micros(doc.get("created")),
                    unsigned=list(fields.sort_values(doc).items()),
                    source=json.dumps(fields.stored_source(doc, in_order), ensure_ascii=False).encode(), segments=segments)


class _Unwritten(Exception):
    """An error raised while reading the documents to write (not by the index): `error`."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _let_go(exc: BaseException) -> None:
    """Clear the variables of the finished frames in the tracebacks of `exc` and of the
    exceptions it was raised from or during: a `work` function's frame holds the writers it was
    given, and an error kept by its caller (a task runner's record of a failure, a log record's
    exc_info, a test) would keep them open, and tantivy's lock on the index with them, for
    every other writer of this process and of the others. The frames' code and lines, what a
    traceback prints, stay."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue  # None, or an `error` attribute that is not an exception (a message)
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # a frame still running is left as it is
        pending += [current.__cause__, current.__context__, getattr(current, "error", None)]


def _rollback(writer: tantivy.IndexWriter) -> None:
    try:
        writer.rollback()
    except Exception:  # noqa: BLE001 - a consumed or broken writer: the original error matters
        pass


class _TextQuery(NamedTuple):
    """A query text's analysis (TantivySearchBackend._build_text_query): the plan's clauses
    compiled for the page's scored search (`must`, `should`), for matching alone (`must_not`,
    `counted_must`: search.query.counted) and for its top tier (`top_must`, `top_should`)."""
    parsed: Any
    plan: Any
    must: tuple
    must_not: tuple
    should: tuple
    counted_must: tuple
    top_must: tuple
    top_should: tuple


def _one_typo_walk(clauses: tuple) -> tuple:
    """A word's clauses (search.query.word_clause) with its two typo clauses of a field group,
    on `{group}_f` and `{group}_x`, made one on `{group}_x` at their two boosts' sum when the
    cross-Turkic typos find every document the folded ones find
    (search.analysis.cross_covers_typos): the same matches, totals and facet counts, one
    Levenshtein walk of the term dictionary of every segment fewer in each of a search's two
    passes (the scored page and the counting aggregation). A document that has both typo
    matches scores as before (their constant scores add up: the sum); one with only the
    cross-Turkic match (`korkutt` for `qorqud`) now gets the sum too. Other clauses as they are."""
    fuzzy = {m.field: m for m in clauses if isinstance(m, query_plan.Match) and m.kind == "fuzzy"}
    dropped, merged = set(), {}
    for field, folded in fuzzy.items():
        group, form = field.rsplit("_", 1)
        crossed = fuzzy.get(f"{group}_x")
        if form == "f" and crossed is not None and analysis.cross_covers_typos(folded.value):
            dropped.add(field)
            merged[crossed.field] = replace(crossed, boost=round(crossed.boost + folded.boost, 4))
    if not dropped:
        return clauses
    return tuple(merged.get(c.field, c) if isinstance(c, query_plan.Match) and c.kind == "fuzzy" else c
                 for c in clauses if not (isinstance(c, query_plan.Match) and c.kind == "fuzzy" and c.field in dropped))


def _quoted(field: str, value: str) -> str:
    """`field:"value"` in tantivy's query syntax, matching the one term `value` of a `raw`
    field: inside double quotes a backslash takes the next character as it is (tantivy's
    query grammar, simple_term), so `\\` and `"` are escaped and nothing else has a meaning."""
    return f'{field}:"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filter_string(filter_values: Mapping[str, list[str]]) -> str:
    """The facet filters (search.fields.clean_filters) as a query string: each facet one of
    its values, every facet (AND of ORs, as the search's _facet_filter clauses); `*` (every
    document) without filters."""
    return " ".join("+(" + " ".join(_quoted(facet, v) for v in values) + ")"
                    for facet, values in filter_values.items()) or "*"


def _without_requests(filter_values: Mapping[str, list[str]], terms) -> dict[str, dict]:
    """Per filtered facet a `filter` bucket of the other facets' filters holding that facet's
    terms aggregation (`terms(facet)`), named `without:<facet>`; the terms aggregation alone
    when there are no other filters (a filter bucket costs with the archive's size, `_counts`).
    Read back with `_without_counts`."""
    request = {}
    for facet in filter_values:
        others = {name: values for name, values in filter_values.items() if name != facet}
        request[f"without:{facet}"] = ({"filter": _filter_string(others), "aggs": {facet: terms(facet)}}
                                       if others else terms(facet))
    return request


def _without_counts(found: Mapping[str, Any], filter_values: Mapping[str, list[str]]) -> dict[str, dict]:
    """{facet: its terms aggregation} from the answer to `_without_requests(filter_values, ...)`."""
    return {facet: found[f"without:{facet}"] if len(filter_values) == 1 else found[f"without:{facet}"][facet]
            for facet in filter_values}


def _pair_counts(pairs: Mapping[str, Any], filter_values: Mapping[str, list[str]]) -> dict[str, dict] | None:
    """{facet: {"buckets": [{"key", "doc_count"}]}} for the two filtered facets of
    `filter_values`, from `pairs`, the terms aggregation of the first holding the second's:
    each facet's value counted over the matches whose other facet has one of its filtered
    values (an asset has one value of each, fields.SINGLE_VALUED_FACETS, so no asset is
    counted twice). Buckets as a terms aggregation orders them: most documents first, then by
    value; values counted 0 left out. None when a terms aggregation left values out
    (`sum_other_doc_count`: more than fields.FACET_SIZE values), or when a facet's counts hold
    more than fields.FACET_SIZE values (each value of the first holding at most that many of
    the second, all of them together more), of which a terms aggregation returns the
    FACET_SIZE most frequent: then the caller counts with filter buckets."""
    first, second = filter_values
    if pairs.get("sum_other_doc_count") or any(row[second].get("sum_other_doc_count") for row in pairs["buckets"]):
        return None
    wanted = {first: set(filter_values[first]), second: set(filter_values[second])}
    counts: dict[str, collections.Counter] = {first: collections.Counter(), second: collections.Counter()}
    for row in pairs["buckets"]:
        for cell in row[second]["buckets"]:
            if cell["key"] in wanted[second]:
                counts[first][row["key"]] += cell["doc_count"]
            if row["key"] in wanted[first]:
                counts[second][cell["key"]] += cell["doc_count"]
    if any(sum(1 for n in counted.values() if n) > fields.FACET_SIZE for counted in counts.values()):
        return None
    return {facet: {"buckets": [{"key": key, "doc_count": n}
                                for key, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])) if n]}
            for facet, counted in counts.items()}


def _bounded_map(pool, fn, items: Iterable, ahead: int):
    """`fn` over `items` in `pool`, results in order, at most `ahead` submitted and not yet
    taken (never the whole archive in memory)."""
    pending: collections.deque = collections.deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) > ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def prepare_many(docs: list[dict]) -> list[Prepared]:
    """`prepare` for a batch (one task of `rebuild`'s process pool)."""
    return [prepare(doc) for doc in docs]


def asset_key(doc_id: str) -> int:
    """A 64-bit number for an asset id (its BLAKE2b digest), the segment index's `asset_key`."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big")


def _micros(created: Any) -> int:
    if isinstance(created, datetime):
        return int(created.timestamp() * 1_000_000)
    if isinstance(created, str) and created:
        try:
            return int(datetime.fromisoformat(created).timestamp() * 1_000_000)
        except ValueError:
            pass
    return 0
