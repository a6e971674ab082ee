"""Elasticsearch index management and analysis: the alias swap of `ortak reindex`, the index
template, and its analysers against search.analysis.

Against osmem-server for what it implements (aliases, templates, Turkish lowercase,
asciifolding, Snowball stemmers); the cases that need `mapping` char filters and
`synonym_graph` (osmem ignores both) run only against a real Elasticsearch at ORTAK_ES_URL
(or ES_URL), marked `real_es`.
"""
from __future__ import annotations

import copy
import os
import uuid

import pytest
from elasticsearch import Elasticsearch

from search import analysis, es_template
from search.elasticsearch_backend import MAPPINGS, SETTINGS, ElasticsearchBackend
from search.interfaces import SearchQuery
from tests.contract.es_replay import PlainJsonNode
from tests.contract.test_search import doc, drop_es, osmem  # noqa: F401 - the osmem fixture

ES_URL = os.environ.get("ORTAK_ES_URL") or os.environ.get("ES_URL")
real_es = pytest.mark.skipif(not ES_URL, reason="needs a real Elasticsearch: set ORTAK_ES_URL")


@pytest.fixture
def client(osmem):  # noqa: F811
    c = Elasticsearch(osmem.url, node_class=PlainJsonNode)
    yield c
    c.close()


@pytest.fixture
def real_client():
    c = Elasticsearch(ES_URL)
    yield c
    c.close()


@pytest.fixture
def backend(client):
    b = ElasticsearchBackend(client, f"ortak-idx-{uuid.uuid4().hex[:8]}")
    yield b
    drop_es(client, b.index_name)


def ids(backend, text=""):
    return {h.id for h in backend.search(SearchQuery(text=text, per_page=100)).hits}


def test_the_name_is_an_alias_over_a_template_made_index(backend, client):
    backend.index([doc("a", title_tr="Eski Bakü")])
    assert sorted(client.indices.get_alias(name=backend.index_name)) == [f"{backend.index_name}-000001"]
    assert client.indices.exists_index_template(name=backend.index_name)
    mapping = client.indices.get_mapping(index=f"{backend.index_name}-000001")
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert set(properties["text_tr"]["fields"]) == {"folded", "stem", "cross"}
    assert properties["title_xs"]["analyzer"] == "ortak_words"


def test_rebuild_swaps_the_alias_and_searches_never_see_a_partial_index(backend, client):
    backend.index([doc("old1", title_tr="Eski Bakü"), doc("old2", title_tr="Eski İstanbul")])
    seen_during = []

    def batches():
        yield [doc("new1", title_tr="Yeni Bakü")]
        seen_during.append(ids(backend))  # mid-rebuild: the old index, whole
        yield [doc("new2", title_tr="Yeni İstanbul")]
        seen_during.append(ids(backend))

    assert backend.rebuild(batches()) == 2
    assert seen_during == [{"old1", "old2"}, {"old1", "old2"}]
    assert ids(backend) == {"new1", "new2"} and ids(backend, "bakü") == {"new1"}
    assert sorted(client.indices.get_alias(name=backend.index_name)) == [f"{backend.index_name}-000002"]
    assert not client.indices.exists(index=f"{backend.index_name}-000001")
    backend.clear()
    assert ids(backend) == set() and backend.count() == 0
    assert sorted(client.indices.get_alias(name=backend.index_name)) == [f"{backend.index_name}-000003"]


def test_a_failed_rebuild_keeps_the_old_index(backend, client):
    backend.index([doc("old", title_tr="Eski Bakü")])

    def batches():
        yield [doc("new", title_tr="Yeni")]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(batches())
    assert ids(backend) == {"old"}


@pytest.mark.parametrize("suffix", ["legacy", "2024"], ids=["word", "digits"])
def test_rebuild_replaces_an_unaliased_index_of_an_older_version(client, suffix):
    # A name ending in digits is not a generation this backend numbered (it failed when a
    # random suffix happened to be all digits): the new index is still the first.
    name = f"ortak-{uuid.uuid4().hex[:8]}-{suffix}"
    client.indices.create(index=name, settings=SETTINGS, mappings=MAPPINGS)
    try:
        backend = ElasticsearchBackend(client, name)
        backend.index([doc("old", title_tr="Eski")])
        assert ids(backend) == {"old"}
        backend.rebuild([[doc("new", title_tr="Yeni")]])
        assert ids(backend) == {"new"}
        assert sorted(client.indices.get_alias(name=name)) == [f"{name}-000001"]
    finally:
        drop_es(client, name)


# ---- the template's analysers against search.analysis -------------------------------------------

WORDS = ["İSTANBUL", "Istanbul", "ŞƏKİ", "ışık", "türküleri", "Karabağ", "halıları", "Qarabağ"]


def analyse(client, index, analyzer, text):
    return [t["token"] for t in client.indices.analyze(index=index, analyzer=analyzer, text=text)["tokens"]]


def without_char_filters(settings):
    """The template's settings with its analysers' char filters taken off: osmem ignores
    `mapping` and cannot run `pattern_replace` in `_analyze`; the token filters remain."""
    out = copy.deepcopy(settings)
    for analyzer in out["analysis"]["analyzer"].values():
        analyzer.pop("char_filter", None)
    return out


@pytest.fixture
def analysed_index(client):
    name = f"ortak-an-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, settings=without_char_filters(SETTINGS), mappings=MAPPINGS)
    yield name
    client.indices.delete(index=name, ignore_unavailable=True)


@pytest.mark.parametrize("word", WORDS)
def test_exact_and_folded_analysers_agree_with_search_analysis(client, analysed_index, word):
    (normalised,) = analysis.words(word)
    assert analyse(client, analysed_index, "ortak_exact", word) == [normalised]
    assert analysis.fold(normalised) in analyse(client, analysed_index, "ortak_folded", word)


# The last ones are search/data/stems.txt's (`stemmer_override`): Snowball alone cuts them to
# `de`, `de`, `oy`, `duk`, `duk`, `kale`.
@pytest.mark.parametrize("word", ["türküleri", "halıları", "oyunları", "karabağ",
                                  "denizde", "dede", "oyunu", "düğünde", "dugunde", "kalemi"])
def test_turkish_stem_analyser_agrees_with_search_analysis(client, analysed_index, word):
    assert analyse(client, analysed_index, "ortak_stem_tr", word) == [analysis.stem(word)]


@pytest.mark.parametrize("word", ["rigs", "dancing", "earthquakes"])
def test_english_stem_analyser_agrees_with_search_analysis(client, analysed_index, word):
    assert analyse(client, analysed_index, "ortak_stem_en", word) == [analysis.forms(word)[5]]


def test_template_mappings_are_made_from_the_shared_tables():
    assert "Ә => Ə" in es_template.cyrillic_mappings() and "ҝ => g" in es_template.cyrillic_mappings()
    assert {"q => k", "x => h", "ə => e", "Q => K"} <= set(es_template.cross_turkic_mappings())
    assert "düğün, toy, wedding" in es_template.synonym_rules()
    assert any(rule.startswith("karadeniz, qara dəniz") for rule in es_template.synonym_rules())


@real_es
@pytest.mark.parametrize("text", ["Шәки", "Ҝәнҹә", "ШУША", "Қарабағ"])
def test_cyrillic_char_filter_agrees_with_icu(real_client, text):
    name = f"ortak-an-{uuid.uuid4().hex[:8]}"
    real_client.indices.create(index=name, settings=SETTINGS, mappings=MAPPINGS)
    try:
        assert analyse(real_client, name, "ortak_exact", text) == analysis.words(text)
    finally:
        real_client.indices.delete(index=name)


@real_es
@pytest.mark.parametrize("az, tr", [("Qarabağ", "Karabağ"), ("Naxçıvan", "Nahçıvan"), ("aşıqları", "aşıkları")])
def test_cross_turkic_analyser_joins_spellings(real_client, az, tr):
    name = f"ortak-an-{uuid.uuid4().hex[:8]}"
    real_client.indices.create(index=name, settings=SETTINGS, mappings=MAPPINGS)
    try:
        assert analyse(real_client, name, "ortak_cross", az) == analyse(real_client, name, "ortak_cross", tr)
    finally:
        real_client.indices.delete(index=name)


@real_es
def test_synonym_graph_at_search_time(real_client):
    backend = ElasticsearchBackend(real_client, f"ortak-syn-{uuid.uuid4().hex[:8]}")
    try:
        backend.index([doc("sea", title_tr="Karadeniz kıyısında"), doc("toy", title_az="Gəncə toyu")])
        assert "sea" in ids(backend, "Qara dəniz")
        hits = real_client.search(index=backend.index_name, query={"match": {"text_az": "düğün"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["toy"]
    finally:
        drop_es(real_client, backend.index_name)


# ---- segments as nested documents (issue 11) -----------------------------------------------------

def cue(second, text, *, source="transcript"):
    return {"in": f"00:00:{second:02d}:00", "out": None, "in_seconds": float(second), "out_seconds": None,
            "text": text, "lang": "az", "source": source}


def test_segments_are_nested_documents_and_not_in_the_stored_source(backend, client):
    backend.index([doc("a", title_az="Gəncə", segments=[cue(3, "Gəlin köçür"), cue(9, "toy başlayır", source="marker")])])
    index = f"{backend.index_name}-000001"
    properties = next(iter(client.indices.get_mapping(index=index).values()))["mappings"]["properties"]
    segments = properties["segments"]
    assert segments["type"] == "nested" and segments["properties"]["in_seconds"]["type"] == "double"
    assert set(segments["properties"]["text"]["fields"]) == {"folded", "stem", "cross"}
    assert segments["properties"]["body_x"]["analyzer"] == "ortak_words"
    stored = client.get(index=backend.index_name, id="a")["_source"]
    assert "segments" not in stored["source"] and stored["source"]["segment_count"] == 2
    assert [s["text"] for s in stored["segments"]] == ["Gəlin köçür", "toy başlayır"]
    assert stored["text_names"] == ["a.mp4"]  # the cues are not flattened into the names field
    # Other clients of the cluster find segments by time with a nested query of their own.
    found = client.search(index=backend.index_name, query={"nested": {
        "path": "segments", "query": {"range": {"segments.in_seconds": {"gte": 5}}}, "inner_hits": {}}})
    inner = found["hits"]["hits"][0]["inner_hits"]["segments"]["hits"]["hits"]
    assert [(h["_nested"]["offset"], h["_source"]["source"]) for h in inner] == [(1, "marker")]
    assert client.count(index=backend.index_name)["count"] == 1


def test_rebuild_carries_the_segments_to_the_new_index(backend):
    backend.index([doc("old", title_az="Köhnə", segments=[cue(1, "zurna")])])
    backend.rebuild([[doc("new", title_az="Yeni", segments=[cue(2, "zurna çalır"), cue(4, "davul")])]])
    (hit,) = backend.search(SearchQuery(text="zurna")).hits
    assert hit.id == "new" and [s["in_seconds"] for s in hit.segments] == [2.0]


def test_an_index_of_an_older_template_takes_nested_segments(client):
    """An aliased index made from the template before segments were nested (strict, no
    `segments`, cues in the stored source): the backend adds the nested field, so new documents
    with segments are taken and list them; the older documents list theirs from the stored
    source until `ortak reindex`."""
    name = f"ortak-pre-{uuid.uuid4().hex[:8]}"
    old = copy.deepcopy(MAPPINGS)
    del old["properties"]["segments"]
    client.indices.create(index=f"{name}-000001", settings=SETTINGS, mappings=old, aliases={name: {}})
    legacy = {"id": "old", "title_az": "Köhnə", "segments": [cue(1, "Zurna çalır"), cue(2, "davul")]}
    client.index(index=name, id="old", refresh=True, document={
        "id": "old", "source": legacy, "body_n": ["köhnə zurna çalır davul"], "status": "ready"})
    try:
        backend = ElasticsearchBackend(client, name)
        backend.index([doc("new", title_az="Yeni", segments=[cue(5, "zurna")])])
        found = {h.id: [s["in_seconds"] for s in h.segments] for h in backend.search(SearchQuery(text="zurna")).hits}
        assert found == {"new": [5.0], "old": [1.0]}
    finally:
        drop_es(client, name)


@real_es
def test_segment_text_is_analysed_like_the_assets_texts(real_client):
    """The nested `segments.text` has the language fields' analysers (Cyrillic mapping, the
    synonym graph at search time), for the cluster's other clients (dashboards)."""
    backend = ElasticsearchBackend(real_client, f"ortak-seg-{uuid.uuid4().hex[:8]}")
    try:
        backend.index([doc("toy", title_az="Gəncə", segments=[cue(1, "toy gecəsi"), cue(6, "Шәки шәһәри")])])

        def offsets(field, text):
            hits = real_client.search(index=backend.index_name, query={"nested": {
                "path": "segments", "query": {"match": {field: text}}, "inner_hits": {}}})["hits"]["hits"]
            return [h["_nested"]["offset"] for hit in hits for h in hit["inner_hits"]["segments"]["hits"]["hits"]]
        assert offsets("segments.text", "düğün") == [0]
        assert offsets("segments.text.folded", "seki") == [1]
    finally:
        drop_es(real_client, backend.index_name)


def test_matching_segments_leave_the_assets_score_as_it_is(backend, monkeypatch):
    """The nested clause only lists segments (score_mode none): an asset ranks by its own
    fields, which hold its segments' words, as on tantivy."""
    from search import elasticsearch_backend

    backend.index([doc("a", title_az="Zurna", segments=[cue(1, "zurna zurna"), cue(2, "zurna")]),
                   doc("b", title_az="Davul zurna", segments=[cue(3, "davul")])])
    listed = {h.id: (h.score, len(h.segments)) for h in backend.search(SearchQuery(text="zurna")).hits}
    monkeypatch.setattr(elasticsearch_backend, "_segment_query", lambda plan: None)
    alone = {h.id: (h.score, len(h.segments)) for h in backend.search(SearchQuery(text="zurna")).hits}
    assert {k: n for k, (_, n) in listed.items()} == {"a": 2, "b": 0}
    assert {k: n for k, (_, n) in alone.items()} == {"a": 0, "b": 0}
    assert {k: s for k, (s, _) in listed.items()} == pytest.approx({k: s for k, (s, _) in alone.items()})
