"""ElasticsearchBackend: the scale backend (Elasticsearch 8/9, or a compatible server).

ICU is a plugin that an Elasticsearch cluster may lack, and the stock analysers get Turkish
casing wrong, so the engine receives each text as search.analysis made it: whitespace-separated
words in one field per form (normalised, folded, stemmed, cross-Turkic, English), and the
query's plan (search.query) is compiled to `term`, `prefix`, `fuzzy` and `match_phrase`
clauses on those fields (never a query string), so user text cannot be a syntax error and the
ranking is tantivy's. The raw texts also go into language fields that Elasticsearch analyses
itself the same way (search.es_template), with the synonyms as a `synonym_graph` at search time.

Index management: the backend's name (`ES_INDEX`, default `ortak-assets`) is an alias; an
index template gives every `<name>-NNNNNN` index the settings and mappings. `ortak reindex`
(`rebuild`) fills a fresh index and moves the alias to it in one atomic `_aliases` call, so
searches never see a half-built index. Titles and snippets come from the stored document
through the same highlighter as the tantivy backend, in the original spelling.

Segments (transcript cues, markers) are `nested` documents (search.es_template.segment_mapping).
A search with words asks, beside the asset query, a `nested` query on them with `inner_hits`:
Elasticsearch says which segments of each hit matched and ranks them, and the hit lists the
best fields.MAX_SEGMENT_HITS in time order (their `_nested.offset`), as the tantivy backend
does from its segment index, with the same clauses (search.query's plan, no typo matches)
and the same highlighter. The stored `source` no longer carries the segments: a hit of a
transcript with hundreds of cues sends back only its matching ones.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch, NotFoundError, TransportError, helpers

from search import es_template, fields, normalize
from search import query as query_plan
from search.interfaces import (FACETS, Hit, SearchBackend, SearchBusy, SearchConfigError, SearchError, SearchQuery,
                               SearchResult)
from search.highlight import highlight
from search.mapping import display_title, snippet_sources

SETTINGS = es_template.settings()
MAPPINGS = es_template.mappings()
SEGMENTS = es_template.SEGMENTS_FIELD
# What a hit's matching segments bring back of their nested documents (not their words).
SEGMENT_SOURCE = [f"{SEGMENTS}.{name}" for name in ("in", "out", "in_seconds", "out_seconds", "text", "lang", "source")]
# Segments a "did you mean" query reads spellings off, per asset it finds.
SUGGESTION_SEGMENTS = 20
# A language-analysed clause is optional beside the word clauses: it adds to the score only.
LANGUAGE_BOOST = 0.2


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, index: str = "ortak-assets"):
        self.es = client
        self.index_name = index  # the alias searches and writes go through
        self._ready = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ElasticsearchBackend":
        url = config.get("ES_URL")
        if not url:
            raise SearchConfigError("ORTAK_ES_URL: required when ORTAK_SEARCH=elasticsearch")
        # The cluster may start after us: connecting waits for the first use; /healthz reports it.
        return cls(Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=2),
                   config.get("ES_INDEX") or "ortak-assets")

    # ---- the index: an alias over numbered indices made from the template -----------------------

    def _ensure_index(self, client: Elasticsearch | None = None) -> None:
        """The index template and the alias over a numbered index, made once a process (the
        first use); `client`: `self.es` with other options (a write's bounded wait)."""
        if self._ready:
            return
        es = client or self.es
        try:
            es.indices.put_index_template(name=self.index_name, **es_template.template(self.index_name))
            if not es.indices.exists(index=self.index_name):
                es.indices.create(index=self._numbered(1), aliases={self.index_name: {}})
            elif es.indices.exists_alias(name=self.index_name):
                # An index made from an older template has no nested segments and the mapping
                # is strict, so documents with segments would be refused: adding a field is
                # allowed on a live index (through the alias, on each index behind it), putting
                # one that is there changes nothing. Its documents get their segments when
                # indexed again (`ortak reindex`).
                es.indices.put_mapping(index=self.index_name, properties={SEGMENTS: MAPPINGS["properties"][SEGMENTS]})
            else:
                # An index made by an older version under the alias's own name: it lacks the facets
                # added since (the `project` facet) and the mapping is strict, so documents carrying
                # them would be refused until `ortak reindex` replaced it with an aliased one. Adding
                # a keyword field is allowed on a live index; putting one that is there changes nothing.
                es.indices.put_mapping(index=self.index_name, properties={
                    name: MAPPINGS["properties"][name]
                    for name in (*FACETS, fields.OWNER_FIELD, *fields.SORT_INTEGERS, *fields.SORT_TEXTS, SEGMENTS)})
        except ApiError as exc:
            # Another process created it between our check and our create.
            if getattr(exc, "error", "") != "resource_already_exists_exception":
                raise SearchError(f"cannot create index {self.index_name}: {exc}") from exc
        except TransportError as exc:
            raise SearchError(f"Elasticsearch unreachable: {exc}") from exc
        self._ready = True

    def _numbered(self, number: int) -> str:
        return f"{self.index_name}-{number:06d}"

    def _number_of(self, name: str) -> int | None:
        """The generation of an index this backend numbered (`<alias>-NNNNNN`), else None: an
        older, unaliased index under the alias's own name is not numbered, even when that name
        ends in digits (`archive-2024`)."""
        match = re.fullmatch(re.escape(self.index_name) + r"-(\d{6,})", name)
        return int(match.group(1)) if match else None

    def _behind_alias(self) -> list[str]:
        """The concrete indices the alias points to (the name itself for an older, unaliased index)."""
        try:
            if self.es.indices.exists_alias(name=self.index_name):
                return sorted(self.es.indices.get_alias(name=self.index_name))
            return [self.index_name] if self.es.indices.exists(index=self.index_name) else []
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch alias {self.index_name} unreadable: {exc}") from exc

    def rebuild(self, batches: Iterable[list[dict]], *, jobs: int | None = None) -> int:
        """Fill a new index `<alias>-NNNNNN` from `batches`, then move the alias to it and drop
        the old index: searches see the old documents until the swap, the new ones after it.
        Documents written through the alias meanwhile land in the old index; their next index
        task (or another rebuild) puts them in the new one."""
        self._ensure_index()
        old = self._behind_alias()
        numbers = [number for number in map(self._number_of, old) if number is not None]
        new = self._numbered(max(numbers, default=0) + 1)
        done = 0
        try:
            self.es.indices.create(index=new)
            for batch in batches:
                done += self._bulk(new, batch, refresh=False)
            self.es.indices.refresh(index=new)
            actions: list[dict] = [{"add": {"index": new, "alias": self.index_name}}]
            for name in old:
                actions.insert(0, {"remove_index": {"index": name}} if name == self.index_name
                               else {"remove": {"index": name, "alias": self.index_name}})
            self.es.indices.update_aliases(actions=actions)
            for name in old:
                if name != self.index_name:
                    self.es.indices.delete(index=name, ignore_unavailable=True)
        except (ApiError, TransportError) as exc:
            try:
                self.es.indices.delete(index=new, ignore_unavailable=True)
            except (ApiError, TransportError):
                pass  # the original error matters; a stray index is swept by the next rebuild
            raise SearchError(f"Elasticsearch rebuild into {new} failed: {exc}") from exc
        return done

    def _call(self, what: str, fn, *args, **kwargs):
        self._ensure_index()
        try:
            return fn(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch {what} failed: {exc}") from exc

    # ---- writing ------------------------------------------------------------------------------

    def index(self, docs: Iterable[dict], *, wait: float | None = None) -> int:
        if wait is None:
            self._ensure_index()
            # refresh=wait_for: the documents are searchable when this returns (the interface's
            # promise), at the next scheduled refresh (every second by default).
            return self._bulk(self.index_name, docs, refresh="wait_for")
        # A bounded wait cannot sit out the next scheduled refresh: the bulk refreshes the
        # shards it wrote to itself, one request with no retries, given up after `wait` (as is
        # the index's set-up when this is the process's first use).
        client = self.es.options(request_timeout=wait, max_retries=0, retry_on_timeout=False)
        try:
            self._ensure_index(client)
            return self._bulk(self.index_name, docs, refresh=True, client=client)
        except SearchError as exc:
            if isinstance(exc.__cause__, ConnectionTimeout):
                raise SearchBusy(f"Elasticsearch did not take the write within {wait:.1f} s") from exc.__cause__
            raise

    def _bulk(self, index: str, docs: Iterable[dict], *, refresh, client: Elasticsearch | None = None) -> int:
        actions = [{"_op_type": "index", "_index": index, "_id": body["id"], "_source": body}
                   for body in (self._document(doc) for doc in docs)]
        if not actions:
            return 0
        ok, errors = self._call("bulk index", helpers.bulk, client or self.es, actions, refresh=refresh,
                                raise_on_error=False)
        if errors:
            raise SearchError(f"Elasticsearch refused {len(errors)} documents: {errors[:3]}")
        return ok

    def delete(self, doc_id: str) -> None:
        try:
            self._call("delete", self.es.delete, index=self.index_name, id=str(doc_id), refresh="wait_for")
        except SearchError as exc:
            if not isinstance(exc.__cause__, NotFoundError):
                raise

    def clear(self) -> None:
        """An empty index behind the alias (rebuild with no documents)."""
        self.rebuild([])

    def _document(self, doc: dict) -> dict:
        """The indexed body of a mapped document: its word and language fields, facets, rights
        tokens, owner, sort integers, its segments as nested documents (each cue analysed once,
        for the asset's body fields and for itself: fields.document_forms) and the stored
        `source` without them."""
        in_order = fields.segments_of(doc)  # sorted once for the document
        text_fields, analysed = fields.document_forms(doc, in_order)
        body = {"id": fields.doc_id(doc), "created": doc.get("created"),
                "source": fields.stored_source(doc, in_order),
                **text_fields, **es_template.language_texts(doc), **fields.facet_values(doc)}
        segments = es_template.segment_documents(in_order, analysed)
        if segments:
            body[SEGMENTS] = segments
        tokens = fields.cleared_values(doc)
        if tokens:
            body[fields.CLEARED_FIELD] = tokens
        if doc.get(fields.OWNER_FIELD):
            body[fields.OWNER_FIELD] = str(doc[fields.OWNER_FIELD])
        # A long is signed: the 64-bit title keys lose their last bit, which keeps their order.
        body.update({name: value >> 1 if name.startswith("title_key_") else value
                     for name, value in fields.sort_values(doc).items()})
        body.update(fields.sort_texts(doc))
        return body

    # ---- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        return self._search(query, suggest=True)

    def _search(self, query: SearchQuery, *, suggest: bool) -> SearchResult:
        per_page, offset = fields.page_window(query)
        parsed = query_plan.parse(query.text, as_you_type=query.as_you_type)
        words = parsed.words
        typed = [w.rstrip(query_plan.PREFIX_MARK) for w in words]  # Elasticsearch's own analysis: the words as typed
        text_plan = query_plan.plan(parsed, frequent=self._frequent(parsed))
        # The facet filters go to `post_filter` (hits and total), not the query, so each facet's
        # aggregation can leave out its own filter (multi-select facets: _facet_aggs).
        facet_filters = {facet: {"terms": {facet: values}}
                         for facet, values in fields.clean_filters(query.filters).items()}
        bool_query: dict[str, Any] = {"filter": []}
        low, high = fields.recorded_range(query)
        if low is not None or high is not None:
            bool_query["filter"].append({"range": {fields.RECORDED_FIELD: {"gte": low or 1, "lte": high or 99991231}}})
        visible = self._visibility_filter(query)
        if visible is not None:
            bool_query["filter"].append(visible)
        who = fields.clean_cleared(query.cleared)
        if who is not None and who.platform:
            bool_query["filter"].append(self._cleared_query(who, who.platform))
        sort_field, descending = fields.sort_order(query, bool(text_plan.must))
        if text_plan.must:
            bool_query["must"] = [compile_clause(c) for c in text_plan.must]
        else:
            bool_query["must"] = [{"match_all": {}}]
        if text_plan.must_not:
            bool_query["must_not"] = [compile_clause(c) for c in text_plan.must_not]
        should = [compile_clause(c) for c in text_plan.should]  # optional beside `must`: score only
        if text_plan.must and words:
            # Elasticsearch's own analysis of the typed words (synonym graphs, its stemmers).
            should.append({"multi_match": {"query": " ".join(typed), "type": "most_fields", "boost": LANGUAGE_BOOST,
                                           "fields": [f"{name}{sub}" for name in (*es_template.LANGUAGE_FIELDS,
                                                                                   es_template.NAMES_FIELD)
                                                      for sub in ("", ".folded", ".stem", ".cross")]}})
        segment_query = _segment_query(text_plan)
        if segment_query is not None:
            # Score 0 (score_mode none): the asset ranks by its own fields, which hold its
            # segments' words, as on tantivy; the segments are ranked among themselves.
            should.append({"nested": {"path": SEGMENTS, "query": segment_query, "score_mode": "none",
                                      "inner_hits": {"name": SEGMENTS, "size": fields.MAX_SEGMENT_HITS,
                                                     "_source": {"includes": SEGMENT_SOURCE}}}})
        if should:
            bool_query["should"] = should
        request: dict[str, Any] = {
            "index": self.index_name, "query": {"bool": bool_query}, "from_": offset, "size": per_page,
            "track_total_hits": True, "source_includes": ["source"],
        }
        if facet_filters:
            request["post_filter"] = {"bool": {"filter": list(facet_filters.values())}}
        cleared_agg = ({"filters": {"filters": {p: self._cleared_query(who, p) for p in who.platforms}}}
                       if who is not None and who.platforms else None)
        request["aggs"] = _facet_aggs(facet_filters, cleared_agg, count_facets=query.count_facets)
        if sort_field is not None:
            request["sort"] = [{sort_field: {"order": "desc" if descending else "asc"}}, {"id": {"order": "asc"}}]
        resp = self._call("search", self.es.search, **request)
        hits = []
        for h in resp["hits"]["hits"]:
            source = h["_source"]["source"]
            hits.append(Hit(id=source["id"], score=float(h.get("_score") or 0.0) if sort_field is None else 0.0,
                            title=display_title(source, query.lang),
                            snippet=normalize.snippet(snippet_sources(source, query.lang), words),
                            segments=_hit_segments(h, source, words),
                            highlights=fields.highlights(source, words, query.lang)))
        aggs = _flatten_aggs(resp.get("aggregations") or {})
        facets = {f: {str(b["key"]): b["doc_count"] for b in aggs.get(f, {}).get("buckets", [])} for f in FACETS}
        if who is not None:
            buckets = (aggs.get("cleared") or {}).get("buckets") or {}
            facets["cleared"] = {p: buckets[p]["doc_count"] for p in who.platforms
                                 if (buckets.get(p) or {}).get("doc_count")}
        total = resp["hits"]["total"]["value"]
        did_you_mean = None
        if suggest and total == 0 and text_plan.must and offset == 0:
            did_you_mean = self._did_you_mean(parsed, query)
        return SearchResult(total=total, hits=hits, facets=facets, did_you_mean=did_you_mean)

    def _frequent(self, parsed) -> frozenset[str]:
        """The words of `parsed` (search.query.typo_words) that as many assets as
        search.query.frequent_threshold have, folded, in a title or body field (`title_f`,
        `body_f`): they get no typo clause. One request (no hits, the assets counted and a
        `filter` aggregation per word), and none for a query without such a word."""
        words = query_plan.typo_words(parsed)
        if not words:
            return frozenset()
        aggs = {str(i): {"filter": {"bool": {"should": [{"term": {field: value}}
                                                        for field, value in query_plan.frequency_terms(word)]}}}
                for i, word in enumerate(words)}
        resp = self._call("search", self.es.search, index=self.index_name, size=0, track_total_hits=True,
                          query={"match_all": {}}, aggs=aggs)
        assets = resp["hits"]["total"]["value"]
        threshold = query_plan.frequent_threshold(assets)
        if assets < threshold:
            return frozenset()
        counts = resp.get("aggregations") or {}
        return frozenset(w for i, w in enumerate(words) if (counts.get(str(i)) or {}).get("doc_count", 0) >= threshold)

    @staticmethod
    def _visibility_filter(query: SearchQuery) -> dict | None:
        """Assets not in a HIDDEN_STATUSES status, and those of the viewer's own organisation in
        any status, as a filter; None (no filter) for a viewer who sees everything."""
        if query.sees_everything:
            return None
        visible: list[dict] = [{"bool": {"must_not": [{"terms": {"status": list(fields.HIDDEN_STATUSES)}}]}}]
        if query.viewer_organisation:
            visible.append({"term": {fields.OWNER_FIELD: str(query.viewer_organisation)}})
        return {"bool": {"should": visible, "minimum_should_match": 1}}

    def _did_you_mean(self, parsed, query: SearchQuery) -> str | None:
        """search.query.suggestion, each word's closest spelling read off the documents that
        have a word two edits from it, for the words no document has in any form; offered only
        when the suggested query finds something. Spellings are read, and words known, from the
        documents the query's viewer finds only (`_visibility_filter`; a segment is read from
        its asset's document): a word of an asset they may not see is never suggested."""
        visible = self._visibility_filter(query)
        seen = {"filter": [visible]} if visible is not None else {}
        def closest(word: str) -> str | None:
            folded = normalize.fold(word)
            typo = [{"fuzzy": {f"{group}_f": {"value": folded, "fuzziness": 2}}} for group in ("title", "body")]
            # The segments' own spellings come from their nested documents (`source` has none).
            typo.append({"nested": {"path": SEGMENTS, "score_mode": "none",
                                    "query": {"fuzzy": {f"{SEGMENTS}.body_f": {"value": folded, "fuzziness": 2}}},
                                    "inner_hits": {"name": SEGMENTS, "size": SUGGESTION_SEGMENTS,
                                                   "_source": {"includes": [f"{SEGMENTS}.text"]}}}})
            resp = self._call("search", self.es.search, index=self.index_name, size=20, source_includes=["source"],
                              query={"bool": {"should": typo, **seen}})
            texts = [t for h in resp["hits"]["hits"] for t in fields.source_texts(h["_source"]["source"])]
            texts += [str(inner["_source"].get("text") or "") for h in resp["hits"]["hits"]
                      for inner in _inner_hits(h)]
            return query_plan.candidates_from(texts, word)

        def known(word: str) -> bool:
            clause = query_plan.word_clause(word, fuzzy=False)
            found = [compile_clause(clause)]
            segment = compile_clause(clause, segment=True)
            if segment is not None:
                found.append({"nested": {"path": SEGMENTS, "score_mode": "none", "query": segment}})
            resp = self._call("search", self.es.search, index=self.index_name, size=0,
                              query={"bool": {"should": found, "minimum_should_match": 1, **seen}})
            return resp["hits"]["total"]["value"] > 0

        suggested = query_plan.suggestion(parsed, closest, known)
        if suggested is None:
            return None
        again = self._search(replace(query, text=suggested, page=1, per_page=1, as_you_type=False, sort="relevance"),
                             suggest=False)
        return suggested if again.total else None

    @staticmethod
    def _cleared_query(who, platform: str) -> dict:
        """search.cleared.query as a bool query: one `should` per alternative."""
        should = []
        for alt in fields.cleared_alternatives(who, platform):
            clause: dict[str, Any] = {"filter": [{"terms": {fields.CLEARED_FIELD: list(alt.any_of)}}]}
            if alt.none_of:
                clause["must_not"] = [{"terms": {fields.CLEARED_FIELD: list(alt.none_of)}}]
            should.append({"bool": clause})
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def count(self) -> int:
        return int(self._call("count", self.es.count, index=self.index_name)["count"])

    def check(self) -> None:
        try:
            self.es.cluster.health(timeout="5s")
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch unavailable: {exc}") from exc


# The filter aggregation that holds what is counted with every facet filter (_facet_aggs).
ALL_FILTERS_AGG = "all_filters"


def _facet_aggs(facet_filters: dict[str, dict], cleared: dict | None, *, count_facets: bool) -> dict[str, Any]:
    """The search's aggregations. The query holds every filter but the facet filters (those are
    the `post_filter`), so: without a facet filter, a terms aggregation per facet (and `cleared`)
    as they are; with some, the unfiltered facets and `cleared` inside one `filter` aggregation
    ALL_FILTERS_AGG of every facet filter, and each filtered facet inside a `filter`
    aggregation of the other facets' filters (none: at the top), so its other values keep
    their counts. _flatten_aggs reads the answer back to {facet: terms answer}."""
    terms = {f: {"terms": {"field": f, "size": fields.FACET_SIZE}} for f in FACETS} if count_facets else {}
    if cleared is not None:
        terms["cleared"] = cleared
    if not facet_filters:
        return terms
    out: dict[str, Any] = {}
    rest = {name: agg for name, agg in terms.items() if name not in facet_filters}
    if rest:
        out[ALL_FILTERS_AGG] = {"filter": {"bool": {"filter": list(facet_filters.values())}}, "aggs": rest}
    for facet in facet_filters:
        if facet not in terms:
            continue
        others = [clause for name, clause in facet_filters.items() if name != facet]
        out[facet] = ({"filter": {"bool": {"filter": others}}, "aggs": {facet: terms[facet]}} if others
                      else terms[facet])
    return out


def _flatten_aggs(aggs: dict[str, Any]) -> dict[str, Any]:
    """The aggregations _facet_aggs asked for, answered, as {facet or "cleared": its terms or
    filters answer}, out of their `filter` wrappers."""
    out = dict(aggs)
    wrapped = out.pop(ALL_FILTERS_AGG, None)
    if isinstance(wrapped, dict):
        out.update({k: v for k, v in wrapped.items() if isinstance(v, dict)})
    for name, value in list(out.items()):
        if isinstance(value, dict) and "buckets" not in value and isinstance(value.get(name), dict):
            out[name] = value[name]  # a filtered facet inside its filter of the other facets
    return out


def _segment_query(text_plan) -> dict | None:
    """The query a segment must match, as the tantivy backend's segment search: one of the
    plan's `must` clauses (any query word or phrase, in its forms but without typo matches)
    and none of its `must_not` ones, on the segment's word fields; None without words."""
    must = [c for c in (compile_clause(c, segment=True) for c in text_plan.must) if c is not None]
    if not must:
        return None
    query: dict[str, Any] = {"bool": {"should": must, "minimum_should_match": 1}}
    must_not = [c for c in (compile_clause(c, segment=True) for c in text_plan.must_not) if c is not None]
    if must_not:
        query["bool"]["must_not"] = must_not
    return query


def _inner_hits(hit: dict) -> list[dict]:
    """The segments' inner hits of a hit (best first), [] when none matched."""
    return (((hit.get("inner_hits") or {}).get(SEGMENTS) or {}).get("hits") or {}).get("hits") or []


def _hit_segments(hit: dict, source: dict, words: list[str]) -> list[dict]:
    """A hit's matching segments as the answer lists them (fields.segment_hit and its
    highlight), in time order: from the nested query's inner hits (the best
    fields.MAX_SEGMENT_HITS, ordered by their position `_nested.offset`). A document indexed
    before segments were nested still has them in its `source`: matched in Python
    (fields.matching_segments) until `ortak reindex` indexes it again."""
    if SEGMENTS in source:
        return fields.matching_segments(source, words)
    inner = sorted(_inner_hits(hit), key=lambda h: h["_nested"]["offset"])
    out = []
    for segment in inner:
        seg = fields.segment_hit(segment["_source"])
        seg["highlight"] = highlight(str(seg.get("text") or ""), words)
        out.append(seg)
    return out


def compile_clause(clause, *, segment: bool = False) -> dict | None:
    """A search.query clause as Elasticsearch query DSL: `term`, `prefix`, `fuzzy` (edit
    distance 1, transpositions count one), `match_phrase` on the whitespace-analysed field,
    `bool` for Any_ (should, at least one) and All (must), `constant_score` for Const.

    With `segment`, for a segment's nested document: the clause on its word fields
    (`segments.body_<form>`), its title-field and typo (`fuzzy`) parts left out as the tantivy
    backend's segment search leaves them; None when nothing of it is left."""
    if segment:
        if isinstance(clause, (query_plan.Match, query_plan.Phrase)):
            if not clause.field.startswith("body_") or getattr(clause, "kind", None) == "fuzzy":
                return None
            clause = replace(clause, field=f"{SEGMENTS}.{clause.field}")
        elif isinstance(clause, query_plan.Const):
            inner = compile_clause(clause.clause, segment=True)
            return None if inner is None else {"constant_score": {"filter": inner, "boost": clause.score}}
        elif isinstance(clause, query_plan.All):
            parts = [compile_clause(c, segment=True) for c in clause.clauses]
            return None if any(p is None for p in parts) else {"bool": {"must": parts}}
        else:
            parts = [p for p in (compile_clause(c, segment=True) for c in clause.clauses) if p is not None]
            return {"bool": {"should": parts, "minimum_should_match": 1}} if parts else None
    if isinstance(clause, query_plan.Match):
        if clause.kind == "fuzzy":
            return {"fuzzy": {clause.field: {"value": clause.value, "fuzziness": 1, "transpositions": True,
                                             "boost": clause.boost}}}
        kind = "prefix" if clause.kind == "prefix" else "term"
        return {kind: {clause.field: {"value": clause.value, "boost": clause.boost}}}
    if isinstance(clause, query_plan.Phrase):
        return {"match_phrase": {clause.field: {"query": " ".join(clause.words), "boost": clause.boost}}}
    if isinstance(clause, query_plan.Const):
        return {"constant_score": {"filter": compile_clause(clause.clause), "boost": clause.score}}
    if isinstance(clause, query_plan.All):
        return {"bool": {"must": [compile_clause(c) for c in clause.clauses]}}
    return {"bool": {"should": [compile_clause(c) for c in clause.clauses], "minimum_should_match": 1}}
