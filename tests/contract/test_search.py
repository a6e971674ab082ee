"""One SearchBackend suite, run against every backend that can run here.

- tantivy: always, on a fresh index directory.
- osmem: Elasticsearch backend against osmem-server (in-memory, OpenSearch-compatible) for the
  shape of requests and answers; its scoring and analysis are not Elasticsearch's own.
- elasticsearch: a real cluster, only when ORTAK_ES_URL (or ES_URL) is set.
The replay tests at the end check the exact requests the Elasticsearch backend sends against
recordings in es_fixtures/ (see es_replay.py; the replay server is a fake).
"""
from __future__ import annotations

import json
from html import unescape as html_unescape
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from elasticsearch import Elasticsearch

from search.cleared import ClearedFor, document_tokens
from search.elasticsearch_backend import MAPPINGS, SETTINGS, ElasticsearchBackend
from search import query as query_plan
from search.interfaces import QueryError, SearchBusy, SearchQuery
from search.tantivy_backend import TantivySearchBackend
from tests.contract.es_replay import FIXTURES, PlainJsonNode, RecordingProxy, ReplayServer

BASE = datetime(2024, 5, 1, tzinfo=timezone.utc)


def doc(doc_id, *, days=0, **fields):
    base = {"id": doc_id, "created": (BASE + timedelta(days=days)).isoformat(), "filename": f"{doc_id}.mp4",
            "organisation": None, "country": "TR", "genre": None, "year": None, "languages": [],
            "kind": "video", "status": "ready", "keywords": [], "people": [], "places": []}
    for lang in ("tr", "az", "en"):
        base[f"title_{lang}"] = None
        base[f"description_{lang}"] = None
    base.update(fields)
    return base


CORPUS = [
    doc("ist", days=1, title_tr="İSTANBUL HATIRASI", title_en="Memories of Istanbul", country="TR", genre="documentary",
        year="1975", languages=["tr"], description_tr="Boğaz'da bir gün. İstanbul'un eski vapurları.",
        organisation="TRT"),
    doc("isik", days=2, title_tr="IŞIK", description_tr="Karanlıkta bir ışık arayan adamın hikâyesi.",
        country="TR", genre="film", year="1980", languages=["tr"], people=["Türkan Şoray"]),
    doc("seki", days=3, title_az="ŞƏKİ XAN SARAYI", description_az="Şəki şəhərində çəkilmiş film; Gəncə yolunda.",
        country="AZ", genre="documentary", year="1975", languages=["az"], places=["Şəki", "Gəncə"]),
    doc("turku", days=4, title_tr="Bir türkü", description_tr="Karadeniz'den bir türkü ve kemençe.",
        country="TR", genre="folklore", year="1990", languages=["tr"], kind="audio"),
    doc("mugam", days=5, title_az="Muğam axşamı", title_en="An evening of mugham",
        description_en="Alim Qasımov sings in Baku.", country="AZ", genre="music", year="1990",
        languages=["az", "en"], people=["Alim Qasımov"]),
]


def ids(result):
    return {h.id for h in result.hits}


# ---- the backends --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def osmem():
    osmem_server = pytest.importorskip("osmem_server")
    try:
        server = osmem_server.OsmemServer.start(japanese=False)
    except osmem_server.OsmemError as exc:
        pytest.skip(f"osmem-server cannot start here: {exc}")
    yield server
    server.close()
    server.process.stdout.close()  # osmem's close() leaves the pipe open (a ResourceWarning)


@pytest.fixture(params=["tantivy", "osmem", "elasticsearch"])
def backend(request, tmp_path):
    if request.param == "tantivy":
        yield TantivySearchBackend(tmp_path / "index")
        return
    if request.param == "osmem":
        client = Elasticsearch(request.getfixturevalue("osmem").url, node_class=PlainJsonNode)
    else:
        url = os.environ.get("ORTAK_ES_URL") or os.environ.get("ES_URL")
        if not url:
            pytest.skip("ORTAK_ES_URL is not set: no real Elasticsearch to test against")
        client = Elasticsearch(url)
    b = ElasticsearchBackend(client, f"ortak-test-{uuid.uuid4().hex[:8]}")
    yield b
    drop_es(client, b.index_name)
    client.close()


def drop_es(client, name):
    """Every index behind the alias `name`, and its template."""
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True, allow_no_indices=True)
    client.indices.delete(index=name, ignore_unavailable=True)
    client.options(ignore_status=404).indices.delete_index_template(name=name)


@pytest.fixture
def filled(backend):
    assert backend.index(CORPUS) == len(CORPUS)
    return backend


def find(backend, text, **kw):
    return backend.search(SearchQuery(text=text, **kw))


# ---- text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["İSTANBUL", "istanbul", "Istanbul", "ıstanbul", "İstanbul'da"])
def test_turkish_casing_finds_istanbul(filled, text):
    assert "ist" in ids(find(filled, text))


@pytest.mark.parametrize("text", ["IŞIK", "ışık", "isik", "ISIK", "Işık"])
def test_dotless_i_folds(filled, text):
    assert "isik" in ids(find(filled, text))


@pytest.mark.parametrize("text", ["Şəki", "şəki", "ŞƏKİ", "Seki", "seki", "Şeki"])
def test_schwa_and_cedilla_fold(filled, text):
    assert ids(find(filled, text)) == {"seki"}


@pytest.mark.parametrize("text", ["Шәки", "ШӘКИ", "Ҝәнҹә"])
def test_azerbaijani_cyrillic_query_finds_latin_text(filled, text):
    assert ids(find(filled, text)) == {"seki"}


@pytest.mark.parametrize("text", ["türküleri", "türküler", "turkuleri"])
def test_turkish_stemming(filled, text):
    assert "turku" in ids(find(filled, text))


def test_exact_spelling_ranks_above_folded(filled):
    filled.index([doc("isik-folded", title_tr="isik", country="TR")])
    hits = find(filled, "ışık").hits
    assert hits[0].id == "isik"


def test_all_words_must_match(filled):
    assert ids(find(filled, "türkü kemençe")) == {"turku"}
    assert ids(find(filled, "türkü Qasımov")) == set()


def test_people_places_keywords_filename_are_searched(filled):
    assert ids(find(filled, "qasimov")) == {"mugam"}
    assert ids(find(filled, "Türkan")) == {"isik"}
    assert "seki" in ids(find(filled, "gence"))
    assert ids(find(filled, "mugam.mp4")) == {"mugam"}


def test_title_in_searchers_language_and_snippet(filled):
    hit = find(filled, "istanbul", lang="en").hits[0]
    assert hit.title == "Memories of Istanbul"
    hit = find(filled, "istanbul", lang="tr").hits[0]
    assert hit.title == "İSTANBUL HATIRASI"
    assert "İstanbul'un" in hit.snippet
    assert find(filled, "seki", lang="en").hits[0].title == "ŞƏKİ XAN SARAYI"  # no English title


def test_a_hit_is_shown_in_the_searchers_language_whatever_matched(backend):
    """A typo (`Karabga`) meets the Turkish title and description, not the Azerbaijani ones: the
    hit still shows the Azerbaijani title, description and snippet to an Azerbaijani searcher,
    never the Turkish highlight in their place; a language the asset lacks falls back."""
    backend.index([doc("halı", title_tr="Karabağ halıları", title_az="Qarabağ xalçaları",
                       description_tr="Karabağ'da dokunan halılar.", description_az="Şuşada toxunan xalçalar.",
                       country="AZ")])
    (hit,) = find(backend, "Karabga", lang="az").hits
    assert hit.title == "Qarabağ xalçaları"
    assert "Karabağ" not in hit.highlights.get("title", "") and "Karabağ" not in hit.highlights.get("description", "")
    assert hit.snippet == "Şuşada toxunan xalçalar."
    (hit,) = find(backend, "Karabga", lang="tr").hits
    assert hit.highlights == {"title": "<mark>Karabağ</mark> halıları",
                              "description": "<mark>Karabağ</mark>&#x27;da dokunan halılar."}
    (hit,) = find(backend, "Şuşada", lang="en").hits  # no English texts: the first that matches
    assert hit.highlights["description"] == "<mark>Şuşada</mark> toxunan xalçalar."


@pytest.mark.parametrize("text", ['title:(', "AND OR", "'; DROP TABLE assets; --", "a" * 5000,
                                  "x:[1 TO", "İ" * 300, "\x00ist", "<script>alert(1)</script>",
                                  "field:value^3", "/regex.*/", "{!lucene}", "   ", '"istanbul', 'istanbul"', "((istanbul",
                                  "istanbul)]}", "AND", "NOT", "-istanbul -", "ist*" * 200])
def test_hostile_query_text_just_searches(filled, text):
    result = find(filled, text)
    assert result.total >= 0


@pytest.mark.parametrize("text", ['"', "*", "***", "\\", "(((", "-", "~", "🎉", "🎉🎉 !!", '""', "-*", "' '", "\x00",
                                  "\x1f"])
def test_a_query_without_a_word_is_refused_not_answered_with_everything(filled, text):
    with pytest.raises(QueryError) as raised:
        find(filled, text)
    assert raised.value.code == "no_searchable_text"


# ---- query semantics: forms, cross-Turkic spellings, synonyms, syntax (search.query) ----------

SEMANTICS = [
    doc("carpets", days=1, title_az="Qarabağ xalçaları", description_az="Şuşa'da toxunmuş xalçalar.", country="AZ"),
    doc("korkut", days=2, title_tr="Dede Korkut hikâyeleri", description_tr="Oğuz destanları."),
    doc("rigs", days=3, title_en="Oil rigs of the Caspian", description_en="Offshore rigs at Neft Daşları."),
    doc("palace", days=4, title_tr="Sarayı", description_tr="Eski bir saray."),
    doc("palace2", days=5, title_tr="Saraya", description_tr="Saraya giden yol."),
]


@pytest.fixture
def semantics(backend):
    backend.index(SEMANTICS)
    return backend


def ranked(backend, text, **kw):
    return [h.id for h in find(backend, text, **kw).hits]


@pytest.mark.parametrize("text, first", [
    ("KARABAĞ HALILARI", "carpets"),        # cross-Turkic spelling + a synonym + Turkish endings
    ("Karabakh carpet", "carpets"),         # exonym + English synonym
    ("Карабах", "carpets"),                 # Russian Cyrillic exonym
    ("qarabag xalcalari", "carpets"),       # no diacritics
    ("Şuşa'da", "carpets"),                 # apostrophe suffix
    ("Dədə Qorqud", "korkut"),              # Azerbaijani spelling of a Turkish title
    ("dede korkut hikayesi", "korkut"),     # a possessive the stemmer misses, no circumflex
    ("oil rig", "rigs"),                    # English stem
    ("rigs of the Caspian", "rigs"),        # stop words optional
    ("Kaspian", "rigs"),                    # one typo in a word of 5+ letters
    ("Caspian petrol", "rigs"),             # a Turkish word for an English one (petrol | neft | oil)
])
def test_every_word_matches_in_some_form(semantics, text, first):
    assert ranked(semantics, text)[:1] == [first]


def test_every_word_must_match(semantics):
    assert ranked(semantics, "Qarabağ korkut") == []


def test_exact_ranks_above_stemmed_and_fuzzy(semantics):
    assert ranked(semantics, "sarayı")[:2] == ["palace", "palace2"]
    assert ranked(semantics, "saraya")[:2] == ["palace2", "palace"]


def test_phrases(semantics):
    assert ranked(semantics, '"dede korkut"') == ["korkut"]
    assert ranked(semantics, '"Dədə Qorqud"') == ["korkut"]
    assert ranked(semantics, '"korkut dede"') == []


def test_exclusion(semantics):
    assert "carpets" not in ranked(semantics, "xalça -Şuşa")
    assert set(ranked(semantics, "-saray -xalça")) == {"korkut", "rigs"}  # only exclusions: browse the rest


def test_prefixes(semantics):
    assert ranked(semantics, "Qarab*") == ["carpets"]
    assert ranked(semantics, "Karab*") == ["carpets"]  # cross-Turkic prefix
    assert ranked(semantics, "Qarab") == []
    assert ranked(semantics, "Qarab", as_you_type=True) == ["carpets"]


def test_did_you_mean(semantics):
    result = find(semantics, "xolçalrı")
    assert result.total == 0 and result.did_you_mean == "xalçaları"
    assert find(semantics, "xalça").did_you_mean is None
    assert find(semantics, "qqqqqqqq").did_you_mean is None


def test_did_you_mean_keeps_a_word_the_archive_has(backend):
    """A word found in some form is not replaced (search.query.suggestion's `known`): a query
    that finds nothing because of its exclusion gets no suggestion; a misspelt word beside a
    known one is corrected alone."""
    backend.index([doc("tr", title_tr="Karabağ Halıları"), doc("az", days=1, title_az="Qarabağ xalçaları"),
                   doc("halk", days=2, title_tr="Halk oyunları", description_tr="Karadeniz halkı.")])
    for text in ("halı -Qarabağ", "halı -Karabağ", "halıları -qarabag"):
        result = find(backend, text)
        assert result.total == 0 and result.did_you_mean is None, text
    result = find(backend, "Qarabağ xolçalrı")
    assert result.total == 0 and result.did_you_mean == "qarabağ xalçaları"


@pytest.mark.parametrize("text", ["KARABAĞ HALILARI", "Гарабаг халча", "Qarabag carpets", "Karabakh xalcalari"])
def test_words_matched_through_other_forms_are_highlighted(backend, text):
    """Cross-Turkic, Cyrillic, synonym and typo matches are marked (search.highlight.other_form_spans)."""
    backend.index([doc("carpets", title_az="Qarabağ xalçaları", country="AZ",
                       segments=[{"in": "00:00:01:00", "out": "00:00:02:00", "in_seconds": 1.0, "out_seconds": 2.0,
                                  "text": "Bu xalçanı Şuşada toxudular.", "lang": "az", "source": "transcript"}])])
    (hit,) = find(backend, text).hits
    assert hit.highlights["title"].count("<mark>") == 2, (text, hit.highlights)


@pytest.mark.parametrize("text, kw, title, segment", [
    ("Qarab*", {}, "<mark>Qarabağ</mark> xalçaları", "Bu <mark>Qarabağ</mark> naxışıdır."),
    ("İstanb", {"as_you_type": True}, "<mark>İstanbul</mark>'da bir gece", None),
    ("Karab*", {}, "<mark>Qarabağ</mark> xalçaları", "Bu <mark>Qarabağ</mark> naxışıdır."),   # cross-Turkic prefix
    ("xalça Qarab", {"as_you_type": True}, "<mark>Qarabağ</mark> <mark>xalçaları</mark>", None),
])
def test_a_prefix_marks_the_words_it_begins(backend, text, kw, title, segment):
    """A prefix (`word*`, or the last word typed) marks what it found: Snowball's stem of the
    beginning (`qarab` → `qarap`, `istanb` → `istanp`) begins no word, so nothing was marked."""
    backend.index([doc("carpets", title_az="Qarabağ xalçaları", country="AZ", segments=[cue(1, "Bu Qarabağ naxışıdır.")]),
                   doc("night", title_tr="İstanbul'da bir gece", days=1)])
    hit = find(backend, text, **kw).hits[0]
    assert html_unescape(hit.highlights["title"]) == title, hit.highlights
    if segment is not None:
        assert [s["highlight"] for s in hit.segments] == [segment]


def test_a_segment_matched_through_a_synonym_is_highlighted(backend):
    backend.index([doc("toy", title_tr="Şuşa'da bir gün",
                       segments=[{"in": "00:00:01:00", "out": "00:00:02:00", "in_seconds": 1.0, "out_seconds": 2.0,
                                  "text": "Şuşada böyük bir toy oldu.", "lang": "az", "source": "transcript"}])])
    (hit,) = find(backend, "düğün").hits
    assert [s["highlight"] for s in hit.segments] == ["Şuşada böyük bir <mark>toy</mark> oldu."]


def test_a_tagged_place_ranks_above_a_passing_mention(backend):
    """People, places and keywords rank with the titles (search.fields.SUBJECT_FIELDS), even
    beside a long description, above a short description that names the place."""
    long = " ".join(["Kənd meydanında yallı gedən qadınlar, zurna və nağara çalanlar, toy günü."] * 3)
    backend.index([doc("tagged", title_az="Yallı rəqsi", description_az=long, places=["Naxçıvan"], country="AZ"),
                   *[doc(f"mention{i}", days=i + 1, title_az=f"Kənd həyatı {i}",
                         description_az="Naxçıvan yolunda bir gün.", country="AZ") for i in range(4)]])
    for text in ("Naxçıvan", "Nahçıvan", "Нахчыван"):
        assert ranked(backend, text)[:1] == ["tagged"], text


def test_an_azerbaijani_synonym_typed_with_turkish_a(backend):
    """`Molla Nasreddin` (ə typed as a) finds the group of `Molla Nəsrəddin`: `Nasreddin Hoca`."""
    backend.index([doc("hoca", title_tr="Nasreddin Hoca fıkraları"),
                   doc("jurnal", days=1, title_az="Molla Nəsrəddin jurnalı", country="AZ")])
    assert set(ranked(backend, "Molla Nasreddin")) == {"hoca", "jurnal"}


def test_turkish_a_for_azerbaijani_schwa(backend):
    """Azerbaijani ə is often Turkish a (search.analysis.schwa_readings): `Ali`, `Hasan`,
    `nasred*` find `Əli`, `Həsən`, `Nəsrəddin`, and `Həsən` finds `Hasan`."""
    backend.index([doc("az", title_az="Əli Qasımov və Həsən bəy", description_az="Molla Nəsrəddin.", country="AZ"),
                   doc("tr", days=1, title_tr="Hasan Bey ile Ali")])
    assert set(ranked(backend, "Ali Kasımov")) == {"az"}
    assert set(ranked(backend, "Hasan")) == set(ranked(backend, "Həsən")) == {"az", "tr"}
    assert set(ranked(backend, "nasred*")) == {"az"}


FOLK = [  # each word in another form than the queries below type it
    doc("hazirlik", days=1, title_tr="Düğün Hazırlıkları", description_tr="Köyde bir türkü."),
    doc("dugunde", days=2, title_tr="Şuşa'da Bir Düğün", description_tr="Kemençe ustalar."),
    doc("toylar", days=3, title_az="Şuşada toy", description_az="Xalça ilə Şuşa.", country="AZ"),
    doc("gozler", days=4, title_tr="Göz", description_tr="Köprü ve kız."),
]


@pytest.mark.parametrize("typed, expected", [
    ("dugunler", {"hazirlik", "dugunde"}), ("düğünler", {"hazirlik", "dugunde"}),
    ("dugunde", {"hazirlik", "dugunde"}),
    ("toylari", {"toylar"}), ("turkuler", {"hazirlik"}), ("xalcalari", {"toylar"}),
    ("ustalari", {"dugunde"}), ("gozleri", {"gozler"}), ("kopruler", {"gozler"}), ("kizlari", {"gozler"}),
])
def test_a_word_typed_without_its_turkish_letters_finds_its_inflected_forms(backend, typed, expected):
    """A folded word with a suffix (`dugunler`) is stemmed as the word it was before folding
    (search.analysis.restored_stems): it finds what the word written with its letters finds."""
    backend.index(FOLK)
    assert expected <= set(ranked(backend, typed)), typed


SYNONYM_RIVALS = [  # synonyms said often, in titles and descriptions; the word's own form once
    doc("ganja", days=1, title_en="Wedding dance from Ganja", description_en="A wedding, wedding songs.",
        title_az="Gəncədə toy", description_az="Toy, toy mahnıları.", country="AZ"),
    doc("hazirlik", days=2, title_tr="Düğün Hazırlıkları"),
    doc("susa", days=3, title_az="Şuşada toy", description_az="Bir gün Şuşada."),
    doc("xalca", days=4, title_az="Qarabağ xalçaları", description_az="Xalça, xalçalar, carpets.", country="AZ"),
    doc("hali", days=5, title_tr="Karabağ Halıları"),
]


@pytest.mark.parametrize("text, first", [
    ("düğünleri", ["hazirlik"]), ("toyları", ["ganja", "susa"]), ("halısı", ["hali"]), ("wedding", ["ganja"]),
    ("xalçası", ["xalca"]),
])
def test_a_word_own_forms_rank_above_its_synonyms(backend, text, first):
    """Exact, folded, stemmed and cross-Turkic forms of a word rank above a document that
    matches only a synonym (search.query.SYNONYM_SCORE, OWN_FORM_SCORE), however often the
    synonym is said; the synonym documents are still found."""
    backend.index(SYNONYM_RIVALS)
    found = ranked(backend, text)
    assert sorted(found[:len(first)]) == sorted(first), (text, found)
    assert len(found) > len(first), (text, found)


# ---- filters, facets, pages ----------------------------------------------------------------

def test_facet_counts_over_everything(filled):
    facets = find(filled, "").facets
    assert facets["country"] == {"TR": 3, "AZ": 2}
    assert facets["genre"] == {"documentary": 2, "film": 1, "folklore": 1, "music": 1}
    assert facets["year"] == {"1975": 2, "1980": 1, "1990": 2}
    assert facets["language"] == {"tr": 3, "az": 2, "en": 1}
    assert facets["kind"] == {"video": 4, "audio": 1}
    assert facets["status"] == {"ready": 5}


def test_filters_or_within_and_across_facets(filled):
    r = find(filled, "", filters={"year": ["1975", "1990"]})
    assert ids(r) == {"ist", "seki", "turku", "mugam"}
    r = find(filled, "", filters={"year": ["1975", "1990"], "country": ["AZ"]})
    assert ids(r) == {"seki", "mugam"} and r.total == 2
    # country is counted without its own filter (multi-select), genre with every filter
    assert r.facets["country"] == {"AZ": 2, "TR": 2} and r.facets["genre"] == {"documentary": 1, "music": 1}
    r = find(filled, "", filters={"language": ["en"]})
    assert ids(r) == {"mugam"}
    assert find(filled, "", filters={"country": ["XX"]}).total == 0


def test_a_filtered_facet_is_counted_without_its_own_filter(filled):
    """Multi-select facets: the values of a facet that has a filter are counted with every other
    filter but not its own, so the other values stay offered with what ticking them would add;
    the other facets are counted with every filter."""
    r = find(filled, "", filters={"country": ["TR"]})
    assert ids(r) == {"ist", "isik", "turku"} and r.total == 3
    assert r.facets["country"] == {"TR": 3, "AZ": 2}
    assert r.facets["genre"] == {"documentary": 1, "film": 1, "folklore": 1}
    assert r.facets["year"] == {"1975": 1, "1980": 1, "1990": 1}
    wider = find(filled, "", filters={"country": ["TR", "AZ"]})
    assert wider.total == 5 and wider.facets["country"] == {"TR": 3, "AZ": 2}
    # Two facets with filters: each is counted with the other's filter.
    r = find(filled, "", filters={"country": ["TR"], "year": ["1975"]})
    assert ids(r) == {"ist"} and r.total == 1
    assert r.facets["country"] == {"TR": 1, "AZ": 1}
    assert r.facets["year"] == {"1975": 1, "1980": 1, "1990": 1}
    assert r.facets["genre"] == {"documentary": 1} and r.facets["kind"] == {"video": 1}
    # With words and the recording range: they narrow every facet's counts, the facet's own filter not.
    r = find(filled, "türkü", filters={"country": ["AZ"]})
    assert r.total == 0 and r.hits == []
    assert r.facets["country"] == {"TR": 1} and r.facets["genre"] == {}
    # A value with no match under the other filters is not offered.
    r = find(filled, "", filters={"country": ["AZ"], "genre": ["film"]})
    assert r.total == 0 and r.facets["country"] == {"TR": 1} and r.facets["genre"] == {"documentary": 1, "music": 1}
    # Facets not asked for: none counted, the filters still apply.
    r = find(filled, "", filters={"country": ["AZ"]}, count_facets=False)
    assert ids(r) == {"seki", "mugam"} and not any(r.facets.get(f) for f in ("country", "genre"))


def test_filters_combine_with_text(filled):
    r = find(filled, "film", filters={"country": ["AZ"]})
    assert ids(r) == {"seki"} and r.facets["year"] == {"1975": 1}


def test_unknown_filter_and_bad_page_are_query_errors(filled):
    with pytest.raises(QueryError):
        find(filled, "", filters={"password": ["x"]})
    with pytest.raises(QueryError):
        find(filled, "", page=0)
    with pytest.raises(QueryError):
        find(filled, "", per_page=10_000)


def test_pagination_and_browse_order(backend):
    backend.index([doc(f"d{i:02d}", days=i, title_en=f"Reel {i}") for i in range(25)])
    pages = [find(backend, "", page=p, per_page=10) for p in (1, 2, 3)]
    assert [r.total for r in pages] == [25, 25, 25]
    got = [h.id for r in pages for h in r.hits]
    assert got == [f"d{i:02d}" for i in reversed(range(25))]  # newest first
    r = find(backend, "reel", page=3, per_page=10)
    assert r.total == 25 and len(r.hits) == 5
    assert find(backend, "", page=4, per_page=10).hits == []


# ---- rights: "cleared for me" ---------------------------------------------------------------

UNIVERSE = ("AZ", "DE", "FR", "GE", "TR")
CLEARED_CORPUS = [  # organisation 7 is Turkish, 8 Azerbaijani, 9 Turkish
    # an all-members grant everywhere on linear TV
    doc("world", days=1, title_en="Folk dances", cleared=document_tokens(
        owner=1, open_today={"all": {"linear_tv": UNIVERSE}, "country:TR": {"linear_tv": UNIVERSE}},
        named=["country:TR"], universe=UNIVERSE)),
    # WORLD minus AZ on vod to all members; organisation 7 restricted
    doc("most", days=2, title_en="Folk songs", cleared=document_tokens(
        owner=1, open_today={"all": {"vod": ["DE", "FR", "GE", "TR"]}, "org:7": {}},
        named=["org:7"], universe=UNIVERSE)),
    # Turkish organisations, in Türkiye, on linear TV
    doc("few", days=3, title_en="Film", cleared=document_tokens(
        owner=2, open_today={"country:TR": {"linear_tv": ["TR"]}}, named=["country:TR"], universe=UNIVERSE)),
    # organisation 7's own asset, cleared for nobody else
    doc("own7", days=4, title_en="Folk tales", cleared=document_tokens(
        owner=7, open_today={}, named=[], universe=UNIVERSE)),
    doc("none", days=5, title_en="Folk", cleared=[]),
]
PLATFORMS = ("linear_tv", "vod", "social")


def cleared_for(org, country, territory, platform=None):
    return ClearedFor(organisation=str(org), country=country, territory=territory, platform=platform,
                      platforms=PLATFORMS)


@pytest.fixture
def rights(backend):
    backend.index(CLEARED_CORPUS)
    return backend


@pytest.mark.parametrize("who,expected", [
    ((7, "TR", "TR", "linear_tv"), {"world", "few", "own7"}),
    ((9, "TR", "TR", "linear_tv"), {"world", "few"}),
    ((8, "AZ", "TR", "linear_tv"), {"world"}),
    ((8, "AZ", "WORLD", "linear_tv"), {"world"}),
    ((9, "TR", "WORLD", "linear_tv"), {"world"}),
    ((7, "TR", "TR", "vod"), {"own7"}),             # a restriction for 7 beats the all-members grant
    ((9, "TR", "TR", "vod"), {"most"}),
    ((8, "AZ", "AZ", "vod"), set()),                # WORLD minus AZ
    ((8, "AZ", "DE", "vod"), {"most"}),
    ((8, "AZ", "WORLD", "vod"), set()),
    ((8, "AZ", "TR", "social"), set()),
])
def test_cleared_filter(rights, who, expected):
    r = find(rights, "", cleared=cleared_for(*who))
    assert ids(r) == expected and r.total == len(expected)


def test_cleared_facet_counts_per_platform(rights):
    r = find(rights, "", cleared=cleared_for(9, "TR", "TR"))
    assert r.total == len(CLEARED_CORPUS)  # no platform: no filter, counts only
    assert r.facets["cleared"] == {"linear_tv": 2, "vod": 1}
    r = find(rights, "folk", cleared=cleared_for(7, "TR", "TR", "linear_tv"), filters={"kind": ["video"]})
    assert ids(r) == {"world", "own7"}
    assert r.facets["cleared"] == {"linear_tv": 2, "vod": 1, "social": 1}  # own7 counts everywhere
    assert r.facets["country"] == {"TR": 2}
    assert "cleared" not in find(rights, "").facets


def test_cleared_ranks_as_without(rights):
    plain = find(rights, "folk dances")
    filtered = find(rights, "folk dances", cleared=cleared_for(9, "TR", "TR", "linear_tv"))
    assert [h.id for h in filtered.hits] == ["world"]
    assert filtered.hits[0].score == pytest.approx(plain.hits[0].score, rel=1e-3)


def test_cleared_tokens_are_not_given_back(rights):
    hit = find(rights, "film").hits[0]
    assert hit.id == "few" and "|" not in hit.snippet


@pytest.mark.parametrize("bad", [ClearedFor("7", "TR", "TR", "linear tv"), ClearedFor("7 OR 1", "TR", "TR"),
                                 ClearedFor("7", "TR", 'TR"', "vod"), ClearedFor("", "TR", "TR", "vod"),
                                 ClearedFor("7", "TR", "T" * 200, "vod")])
def test_cleared_hostile_values_are_query_errors(rights, bad):
    with pytest.raises(QueryError):
        find(rights, "", cleared=bad)


# ---- writes --------------------------------------------------------------------------------

def test_replace_by_id(filled):
    filled.index([doc("isik", title_tr="Karanlık", country="AZ", filename="karanlik.mov")])
    assert filled.count() == len(CORPUS)
    assert ids(find(filled, "ışık")) == set()
    assert ids(find(filled, "karanlık")) == {"isik"}
    assert find(filled, "", filters={"country": ["AZ"]}).total == 3


def test_delete_and_clear(filled):
    filled.delete("seki")
    filled.delete("never-indexed")
    assert filled.count() == len(CORPUS) - 1
    assert ids(find(filled, "şəki")) == set()
    filled.clear()
    assert filled.count() == 0 and find(filled, "").total == 0
    filled.index(CORPUS[:1])
    assert filled.count() == 1


def test_check(backend):
    backend.check()


def test_a_write_with_a_wait_is_searchable_when_it_returns(filled):
    """`index(..., wait=)` (a web request indexing what it just committed) keeps the promise of
    `index`: the document is found as soon as the call returns, replacing the older one."""
    assert filled.index([doc("ist", days=1, title_tr="Galata kulesi", country="TR")], wait=5) == 1
    assert ids(find(filled, "galata")) == {"ist"} and ids(find(filled, "istanbul")) == set()
    assert filled.count() == len(CORPUS)


def test_a_held_tantivy_writer_makes_a_write_with_a_wait_search_busy(tmp_path):
    """tantivy: one writer per index directory. Another holder (here a second handle on the
    same directory, as another process's would be) keeps it: a write with a wait gives up as
    SearchBusy and writes nothing; once it is free the same write goes through."""
    backend = TantivySearchBackend(tmp_path / "index")
    held = TantivySearchBackend(tmp_path / "index")._open().writer(heap_size=15_000_000, num_threads=1)
    with pytest.raises(SearchBusy):
        backend.index(CORPUS[:1], wait=0.2)
    assert backend.count() == 0
    del held
    assert backend.index(CORPUS[:1], wait=5) == 1 and backend.count() == 1


def test_an_elasticsearch_that_does_not_answer_costs_a_write_with_a_wait_no_more_than_it():
    """A cluster that takes connections and never answers (a hung node, a network that drops
    the replies), met by a process's first write: the index's set-up (template, alias) is
    bounded by the write's wait like the write itself, not by the client's own patience
    (request_timeout × retries, a minute and more as `from_config` makes it)."""
    import socket
    import time

    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel takes connections; no one answers
        client = Elasticsearch(f"http://127.0.0.1:{silent.getsockname()[1]}", request_timeout=5,
                               retry_on_timeout=True, max_retries=1)
        backend = ElasticsearchBackend(client, "ortak-silent")
        started = time.monotonic()
        with pytest.raises(SearchBusy):
            backend.index([doc("a", title_tr="Galata")], wait=0.3)
        assert time.monotonic() - started < 3
        client.close()


# ---- the exact requests the Elasticsearch backend sends --------------------------------------

REPLAY_INDEX = "ortak-contract"


def cue(second, text, *, source="transcript", lang="tr"):
    return {"in": f"00:00:{second:02d}:00", "out": f"00:00:{second + 1:02d}:00", "in_seconds": float(second),
            "out_seconds": float(second + 1), "text": text, "lang": lang, "source": source}


SEGMENTED = [  # transcripts and markers: nested documents on Elasticsearch
    doc("horon", days=1, title_tr="Karadeniz gecesi", segments=[
        cue(2, "Kemençe çalınıyor"), cue(5, "davul ve zurna"), cue(8, "bir kemençe daha"),
        cue(12, "Horon başlıyor", source="marker")]),
    doc("davul", days=2, title_tr="Kemençe ve davul", segments=[cue(1, "kemençe")]),
]
SCENARIO = [  # (fixture name, operation); each runs on a new backend object, in this order
    ("check", lambda b: b.check()),
    ("index", lambda b: b.index(CORPUS)),
    ("search", lambda b: b.search(SearchQuery(text="Karadeniz türküleri", filters={"country": ["TR"]},
                                              per_page=5, lang="tr"))),
    ("browse", lambda b: b.search(SearchQuery(filters={"year": ["1975"]}, page=1, per_page=2))),
    ("browse_facets", lambda b: b.search(SearchQuery(filters={"country": ["TR", "AZ"], "year": ["1975"]},
                                                     text="film", page=1, per_page=2))),
    ("index_cleared", lambda b: b.index(CLEARED_CORPUS)),
    ("search_cleared", lambda b: b.search(SearchQuery(text="folk", cleared=cleared_for(7, "TR", "TR", "linear_tv"),
                                                      per_page=5, lang="en"))),
    ("index_segments", lambda b: b.index(SEGMENTED)),
    ("search_segments", lambda b: b.search(SearchQuery(text="kemençe -tulum", per_page=5, lang="tr"))),
    ("suggest_segments", lambda b: b.search(SearchQuery(text="horronu", per_page=5))),
    ("delete", lambda b: b.delete("seki")),
    ("count", lambda b: b.count()),
    ("clear", lambda b: b.clear()),
]


def _plain(result):
    return json.loads(json.dumps(result, default=lambda o: o.__dict__))


@pytest.mark.skipif(not os.environ.get("ORTAK_RECORD_ES"), reason="set ORTAK_RECORD_ES=1 to re-record es_fixtures")
def test_record_es_fixtures(osmem):
    client = Elasticsearch(osmem.url, node_class=PlainJsonNode)
    drop_es(client, REPLAY_INDEX)
    FIXTURES.mkdir(exist_ok=True)
    for name, operation in SCENARIO:
        with RecordingProxy(osmem.url) as proxy:
            result = operation(ElasticsearchBackend(Elasticsearch(proxy.url), REPLAY_INDEX))
        payload = {"operation": name, "recorded_from": "osmem-server " + osmem.version,
                   "result": _plain(result), "exchanges": proxy.exchanges}
        (FIXTURES / f"{name}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


@pytest.mark.parametrize("name,operation", SCENARIO, ids=[n for n, _ in SCENARIO])
def test_es_replay(name, operation):
    recording = json.loads((FIXTURES / f"{name}.json").read_text())
    with ReplayServer(recording["exchanges"]) as server:
        client = Elasticsearch(server.url, max_retries=0)
        result = operation(ElasticsearchBackend(client, REPLAY_INDEX))
    assert not server.mismatches, "\n".join(server.mismatches)
    assert server.expected == [], f"requests recorded but not sent: {server.expected}"
    assert _plain(result) == recording["result"]


# ---- the project facet (co-production footage) -------------------------------------------------

def test_filter_and_facet_by_project(backend):
    """The co-production filter (`project`): an asset may be footage of several projects."""
    p1, p2 = "0b7f5e4e-3c1a-4f57-9a55-1f1d7c9e0001", "0b7f5e4e-3c1a-4f57-9a55-1f1d7c9e0002"
    backend.index([doc("a", title_tr="Kıyı", projects=[p1]), doc("b", title_tr="Kıyı iki", projects=[p1, p2]),
                   doc("c", title_tr="Kıyı üç", projects=[])])
    assert ids(find(backend, "", filters={"project": [p1]})) == {"a", "b"}
    assert ids(find(backend, "kıyı", filters={"project": [p2]})) == {"b"}
    assert ids(find(backend, "", filters={"project": [p1, p2]})) == {"a", "b"}
    assert find(backend, "", filters={"project": ["0b7f5e4e-3c1a-4f57-9a55-1f1d7c9e0003"]}).total == 0
    assert find(backend, "").facets["project"] == {p1: 2, p2: 1}
    # Linked later: the asset's new document is found under the project.
    backend.index([doc("c", title_tr="Kıyı üç", projects=[p2])])
    assert ids(find(backend, "", filters={"project": [p2]})) == {"b", "c"}


def test_an_index_made_before_the_project_facet_takes_documents_with_it(osmem):
    """An Elasticsearch index created by an older version (strict mapping, no `project`) gains
    the field when a backend first uses it, so documents of co-production footage are taken and
    found by project before any `ortak reindex`."""
    client = Elasticsearch(osmem.url, node_class=PlainJsonNode)
    name = f"ortak-old-{uuid.uuid4().hex[:8]}"
    old = json.loads(json.dumps(MAPPINGS))
    del old["properties"]["project"]
    client.indices.create(index=name, settings=SETTINGS, mappings=old)
    try:
        backend = ElasticsearchBackend(client, name)
        project = "0b7f5e4e-3c1a-4f57-9a55-1f1d7c9e0001"
        assert backend.index([doc("old", title_tr="Eski dizin", projects=[project])]) == 1
        assert ids(find(backend, "", filters={"project": [project]})) == {"old"}
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)
        client.close()


# ---- facets, sorts, visibility, segments (issue 11) ---------------------------------------------

def _mapped(doc_id, title_az, *, recorded=None, duration=None, status="ready", owner="org-a", segments=None,
            days=0, country="AZ"):
    from search.mapping import document
    return document(doc_id=doc_id, created=BASE + timedelta(days=days), filename=f"{doc_id}.mp4",
                    organisation="AzTV" if owner == "org-a" else "TRT", country=country, genre="folklore",
                    recorded=recorded, languages=["az"], kind="video", status=status, titles={"az": title_az},
                    descriptions={}, keywords=["toy"], people=[], places=[], segments=segments, owner=owner,
                    duration=duration, has_transcript=bool(segments))


SORTED = [
    _mapped("cay", "Çay dəstgahı", recorded="1975-06-21", duration=50, days=1),
    _mapped("cam", "Cam ustası", recorded="1962", duration=900, days=2),
    _mapped("eks", "Əkinçilər toyu", recorded=None, duration=4000, days=3, owner="org-b", country="TR"),
    _mapped("ekin", "Ekin vaxtı", recorded="1988-02", duration=200, days=4),
    _mapped("isiq", "İşıq toyu", recorded="1975-01-05", duration=1500, days=5),
    _mapped("ish", "Işıqlı yol", recorded="1991", duration=None, days=6),
    _mapped("new", "Yeni toy", recorded="2001", status="processing", owner="org-b", days=7, country="TR",
            segments=[{"in": "00:00:10:00", "out": "00:00:12:00", "in_seconds": 10.0, "out_seconds": 12.0,
                       "text": "Gəlin köçür, toy başlayır", "lang": "az", "source": "transcript"}]),
]


@pytest.fixture
def sortable(backend):
    assert backend.index(SORTED) == len(SORTED)
    return backend


def order(backend, sort, **kw):
    return [h.id for h in backend.search(SearchQuery(sort=sort, per_page=20, **kw)).hits]


def test_title_sorts_in_the_azerbaijani_alphabet(sortable):
    # c < ç, e < ə, ı < i (dotless before dotted); the asset still being processed is not shown.
    assert order(sortable, "title", lang="az") == ["cam", "cay", "ekin", "eks", "ish", "isiq"]
    assert order(sortable, "-title", lang="az") == ["isiq", "ish", "eks", "ekin", "cay", "cam"]


def test_an_azerbaijani_cyrillic_title_sorts_among_the_latin_ones(backend):
    backend.index([doc("bakı", title_az="Bakı"), doc("arşın", title_az="Аршын мал алан"),
                   doc("zaqatala", title_az="Zaqatala"), doc("ağdam", title_az="Ağdam")])
    assert order(backend, "title", lang="az") == ["ağdam", "arşın", "bakı", "zaqatala"]


def test_titles_sharing_a_long_beginning_sort_to_their_last_letter(backend):
    """The title order is the whole collation key (search.collation.sort_text), not its first
    bytes: titles agreeing in their first 8 to 30 letters still order, both ways, and an
    untitled asset comes last ascending, first descending."""
    titles = {"zurna": "Karabağ Zurnası", "hali": "Karabağ Halıları", "halic": "Karabağ Halıçıları",
              "halı2": "Karabağ Halıları ve kilimleri", "kilim": "Karabağ Kilimleri",
              "long1": "Azerbaycan halk müziği antolojisi cilt 2", "long2": "Azerbaycan halk müziği antolojisi cilt 10",
              "long3": "Azerbaycan halk müziği antolojisi çilt 1"}
    from search.mapping import document
    docs = [document(doc_id=doc_id, created=BASE + timedelta(days=i), filename=f"{doc_id}.mp4", organisation="TRT",
                     country="TR", genre=None, recorded=None, languages=["tr"], kind="video", status="ready",
                     titles={"tr": title}, descriptions={}, keywords=[], people=[], places=[], segments=None,
                     owner="org-a", duration=None, has_transcript=False)
            for i, (doc_id, title) in enumerate(titles.items())]
    backend.index(docs)
    expected = ["long2", "long1", "long3", "halic", "hali", "halı2", "kilim", "zurna"]
    assert order(backend, "title", lang="tr") == expected
    assert order(backend, "-title", lang="tr") == expected[::-1]


def test_recorded_and_duration_sorts_put_the_unknown_last(sortable):
    assert order(sortable, "recorded") == ["cam", "isiq", "cay", "ekin", "ish", "eks"]
    assert order(sortable, "-recorded")[:5] == ["ish", "ekin", "cay", "isiq", "cam"]
    assert order(sortable, "-duration")[:2] == ["eks", "isiq"]
    # An asset of no known length comes last both ways (SQL's NULLS LAST), not first ascending.
    assert order(sortable, "duration") == ["cay", "ekin", "cam", "isiq", "eks", "ish"]
    assert order(sortable, "-duration") == ["eks", "isiq", "cam", "ekin", "cay", "ish"]
    assert order(sortable, "created") == ["cay", "cam", "eks", "ekin", "isiq", "ish"]


def test_recording_date_range(sortable):
    def found(**kw):
        return set(order(sortable, "relevance", **kw))
    assert found(recorded_from="1975", recorded_to="1975") == {"cay", "isiq"}
    assert found(recorded_from="1975-02") == {"cay", "ekin", "ish"}
    assert found(recorded_to="1975-01") == {"cam", "isiq"}
    with pytest.raises(QueryError):
        sortable.search(SearchQuery(recorded_from="1990", recorded_to="1980"))
    with pytest.raises(QueryError):
        sortable.search(SearchQuery(recorded_from="75-01"))


def test_new_facets_are_counted(sortable):
    facets = sortable.search(SearchQuery(per_page=1)).facets
    assert facets["decade"] == {"1960": 1, "1970": 2, "1980": 1, "1990": 1}
    assert facets["duration"] == {"0-1": 1, "5-20": 1, "20-60": 1, "1-5": 1, "60+": 1}
    assert facets["organisation"] == {"AzTV": 5, "TRT": 1}
    assert facets["meta_language"] == {"az": 6} and facets["transcript"] == {"no": 6}
    assert set(order(sortable, "relevance", filters={"duration": ["0-1", "60+"]})) == {"cay", "eks"}


def test_assets_not_ready_are_found_by_their_organisation_only(sortable):
    assert "new" not in order(sortable, "relevance", viewer_organisation="org-a")
    mine = sortable.search(SearchQuery(viewer_organisation="org-b"))
    assert mine.hits[0].id == "new" and mine.facets["status"] == {"ready": 6, "processing": 1}
    assert [h.id for h in sortable.search(SearchQuery(text="yeni", viewer_organisation="org-b")).hits] == ["new"]
    assert sortable.search(SearchQuery(text="yeni", viewer_organisation="org-a")).total == 0
    assert "new" in order(sortable, "relevance", sees_everything=True)


def test_a_segment_hit_returns_its_timecodes_and_highlights(sortable):
    hit = sortable.search(SearchQuery(text="gəlin", viewer_organisation="org-b")).hits[0]
    assert hit.id == "new"
    assert [(s["in"], s["out"], s["in_seconds"], s["source"]) for s in hit.segments] == [
        ("00:00:10:00", "00:00:12:00", 10.0, "transcript")]
    assert hit.segments[0]["highlight"] == "<mark>Gəlin</mark> köçür, toy başlayır"
    titled = sortable.search(SearchQuery(text="ışıq", lang="az")).hits
    assert {h.highlights.get("title") for h in titled} >= {"<mark>İşıq</mark> toyu"}


@pytest.mark.parametrize("sort", ["nonsense", "-relevance", "title;drop"])
def test_unknown_sort_is_a_query_error(sortable, sort):
    with pytest.raises(QueryError):
        sortable.search(SearchQuery(sort=sort))


# ---- segments: the timecoded cues and markers a hit lists (issue 11) ------------------------------
# Each backend indexes them on their own (tantivy's segment index, Elasticsearch's nested documents)
# and lists a hit's best fields.MAX_SEGMENT_HITS matching ones in time order, with the same clauses.

def segments_of(backend, text, **kw):
    return {h.id: [s["in_seconds"] for s in h.segments] for h in find(backend, text, per_page=20, **kw).hits}


def test_a_hit_lists_its_best_segments_in_time_order(backend):
    from search.fields import MAX_SEGMENT_HITS

    # The word once in each cue, the cues ever shorter: the later the cue, the better it scores.
    cues = [cue(i, "kemençe " + " ".join(["söz"] * (14 - 2 * i))) for i in range(7)] + [cue(30, "zurna")]
    backend.index([doc("long", title_tr="Karadeniz gecesi", segments=cues)])
    hit = find(backend, "kemençe").hits[0]
    assert MAX_SEGMENT_HITS == 5
    assert [s["in_seconds"] for s in hit.segments] == [2.0, 3.0, 4.0, 5.0, 6.0]  # the best five, in time order
    assert hit.segments[-1] == {"in": "00:00:06:00", "out": "00:00:07:00", "in_seconds": 6.0, "out_seconds": 7.0,
                                "text": "kemençe söz söz", "lang": "tr", "source": "transcript",
                                "highlight": "<mark>kemençe</mark> söz söz"}


def test_markers_and_cues_are_listed_in_time_order_together(backend):
    # The indexer hands a marker at 5 s before a transcript cue at 1 s (markers, then cues):
    # the hit lists them by their in-point, not by where they sit in the document.
    backend.index([doc("bridge", title_tr="Boğaz", segments=[
        cue(5, "Köprü görünür", source="marker"), cue(1, "Boğaz köprüsü gün batımında"), cue(3, "köprü yakından")])])
    assert segments_of(backend, "köprü") == {"bridge": [1.0, 3.0, 5.0]}


def test_segments_match_in_every_form_of_the_word(backend):
    backend.index([doc("horses", title_az="Atlar", segments=[
        cue(1, "Qarabağ atları"), cue(2, "Şuşa'da toy", source="marker", lang="az"), cue(3, "Karabağ'ın düzləri"),
        cue(4, "başqa söz")])])
    assert segments_of(backend, "Karabağ") == {"horses": [1.0, 3.0]}  # cross-Turkic spelling and suffix
    assert segments_of(backend, "ŞUŞA") == {"horses": [2.0]}
    hit = find(backend, "şuşa").hits[0]
    assert hit.segments[0]["source"] == "marker" and hit.segments[0]["highlight"] == "<mark>Şuşa</mark>&#x27;da toy"
    assert segments_of(backend, '"qarabağ atları"') == {"horses": [1.0]}  # a phrase: the cue with the words in a row
    assert segments_of(backend, "atlar söz") == {"horses": [1.0, 4.0]}  # any query word lists a cue


@pytest.mark.parametrize("text, marked", [("kale", "kalesi"), ("türkü", "türküsü"), ("şehir", "şehrinin"),
                                          ("kaleler", "kalesi"), ("şehirde", "şehrinin"), ("burun", "burnunu")])
def test_a_bare_word_lists_the_cues_with_its_inflections(backend, text, marked):
    """The Turkish stem applies on both sides: a cue's `kalesi` (Snowball: `kales`), `türküsü`
    (`turkus`), `şehrinin` (`sehri`, the vowel dropped) is found and listed by the bare word, and
    by the word otherwise inflected, as its title or description would be (search.analysis.inflected_stems)."""
    backend.index([doc("susa", title_tr="Şuşa", description_tr="Kale ve türkü; şehir.", segments=[
        cue(1, "Şuşa şehrinin kalesi görünüyor."), cue(2, "Bir türküsü var."), cue(3, "Burnunu kaldırdı."),
        cue(4, "başka söz")]),
        doc("desc", title_tr="Başka", description_tr="Şuşa şehrinin kalesi, bir türküsü; burnunu kaldırdı.")])
    found = {h.id: h for h in find(backend, text, per_page=20).hits}
    assert set(found) == {"susa", "desc"}, text  # the description's inflected word is found too
    listed = [s for s in found["susa"].segments]
    assert listed and all(f"<mark>{marked}</mark>" in s["highlight"].lower() for s in listed), (text, listed)
    assert [s["in_seconds"] for s in listed] == [next(c for c, t in ((1.0, "şehrinin kalesi"), (2.0, "türküsü"),
                                                                     (3.0, "burnunu")) if marked in t)]


@pytest.mark.parametrize("text, marked", [("alay", "alayı"), ("alay", "alaya"), ("saray", "sarayı"),
                                          ("qala", "qalası"), ("nənə", "nənəni"), ("kənd", "kəndi")])
def test_a_bare_azerbaijani_word_finds_its_possessive_and_case_forms(backend, text, marked):
    """An Azerbaijani marker's `alayı` (Snowball reads the root's `y` as the joining consonant of
    `-yI`: `ala`, shorter than a truncation) is found and marked by the bare `alay`, as `sarayı`
    by `saray`, `qalası` by `qala`, `nənəni` by `nənə` (search.analysis.inflected_stems)."""
    backend.index([doc("parad", title_az="Parad", segments=[
        cue(1, f"Hərbi {marked} keçdi.", source="marker", lang="az"), cue(2, "başqa söz")])])
    found = {h.id: h for h in find(backend, text, per_page=20).hits}
    assert set(found) == {"parad"}, (text, marked)
    assert [s["in_seconds"] for s in found["parad"].segments] == [1.0]
    assert f"<mark>{marked}</mark>" in found["parad"].segments[0]["highlight"].lower()


@pytest.mark.parametrize("text, other", [("kalem", "kalesi"), ("kat", "kadını"), ("kazan", "kazası"),
                                         ("bilim", "bilmiyorum")])
def test_a_word_is_not_inflected_into_another_word(backend, text, other):
    """Softening and vowel dropping are rules of some words, and a word the stemmer only cut is
    not inflected again: `kalem` (pen) does not find `kalesi` (its castle), `kat` not `kadını`,
    `kazan` not `kazası`, `bilim` not `bilmiyorum` (search.analysis._inflections)."""
    backend.index([doc("other", title_tr="Başka", description_tr=f"Bir {other} var.")])
    assert find(backend, text, per_page=20).hits == [], (text, other)


@pytest.mark.parametrize("text, other, own", [
    ("deniz", "Dede Korkut hikâyeleri", "Denizde balıkçılar"),
    ("dede", "Karadeniz kıyısı, denizde bir gün", "Dedesinin sazı"),
    ("oda", "O gün yağmur yağdı", "Köy odası sohbeti"),
    ("oyun", "Oy sandığı başında", "Seçim oyunları"),
    ("düğün", "Dük ve düşes", "Kars düğününde halay")])
def test_a_word_snowball_cuts_short_does_not_find_the_word_whose_stem_it_took(backend, text, other, own):
    """Snowball stems `deniz` and `dede` both to `de`, `oda` to `o`, `oyun` to `oy`, `düğün` to
    `duk`; search/data/stems.txt gives them and their inflections their own stems, so each finds
    its own inflected forms and not the other word."""
    backend.index([doc("other", title_tr=other), doc("own", title_tr=own)])
    assert ids(find(backend, text, per_page=20)) == {"own"}, (text, other)


@pytest.mark.parametrize("least, typo_found", [(3, True), (2, False)])
def test_a_word_many_assets_have_is_taken_as_spelt_as_meant(backend, monkeypatch, least, typo_found):
    """search.query.frequent_threshold: a word as many assets have as the threshold (1 % of
    them, at least TYPO_FREQUENT_MIN) gets no typo clause, so `halay` (two assets) no longer
    finds `Halat` (a rope) when two assets make it frequent; below, the typo is found, ranked
    below the word itself."""
    monkeypatch.setattr(query_plan, "TYPO_FREQUENT_MIN", least)
    backend.index([doc("halay-1", title_tr="Halay"), doc("halay-2", title_tr="Kars halayı", description_tr="Bir halay"),
                   doc("rope", title_tr="Halat çekme")])
    found = [h.id for h in find(backend, "halay", per_page=20).hits]
    assert set(found[:2]) == {"halay-1", "halay-2"}
    assert ("rope" in found) is typo_found
    # Still a typo of a word the archive has too rarely: `halet` (no asset has it) finds `Halat`.
    assert "rope" in ids(find(backend, "halet", per_page=20))


def test_an_english_transcript_is_english_stemmed(backend):
    """An English subtitle's cues get the English stem as an English title or description does:
    `inspected` finds and lists the cue `inspect the pipelines`, `rigs` the cue `the drilling rig`
    (they were analysed as Turkish, so an English word form found neither)."""
    backend.index([doc("rigs", title_tr="Hazar", segments=[
        cue(1, "The drilling rig stands in the storm", lang="en"), cue(3, "Engineers inspect the pipelines", lang="en"),
        cue(5, "Başka bir söz")])])
    assert segments_of(backend, "inspected") == {"rigs": [3.0]}
    assert segments_of(backend, "rigs") == {"rigs": [1.0]}
    assert segments_of(backend, "engineer") == {"rigs": [3.0]}


def test_each_hit_keeps_its_own_segments(backend):
    many = [cue(i, f"kemençe {i}") for i in range(12)]
    few = [cue(1, "zurna"), cue(7, "Kemençeler çalıyor"), cue(9, "davul"), cue(20, "bir kemençe daha")]
    backend.index([doc("many", title_tr="Karadeniz kemençe", segments=many),
                   doc("few", title_tr="Kemençe düğünü", segments=few), doc("none", title_tr="Kemençe")])
    found = segments_of(backend, "kemençe")
    assert set(found) == {"many", "few", "none"}
    assert len(found["many"]) == 5 and found["many"] == sorted(found["many"])
    assert found["few"] == [7.0, 20.0] and found["none"] == []
    assert segments_of(backend, "kemençe daha") == {"few": [7.0, 20.0]}
    # Found by its title alone: no cue has the word, none is listed; browsing lists none.
    assert segments_of(backend, "düğünü") == {"few": []}
    assert all(h.segments == [] for h in find(backend, "").hits)


def test_segments_are_replaced_and_deleted_with_their_asset(backend):
    backend.index([doc("a", title_tr="Karadeniz", segments=[cue(1, "kemençe"), cue(2, "zurna")])])
    assert backend.count() == 1  # assets are counted, not their segments
    backend.index([doc("a", title_tr="Karadeniz", segments=[cue(5, "davul zurna")])])
    assert find(backend, "kemençe").total == 0
    assert segments_of(backend, "zurna") == {"a": [5.0]}
    backend.index([doc("a", title_tr="Karadeniz zurna")])
    assert segments_of(backend, "zurna") == {"a": []} and backend.count() == 1
    backend.delete("a")
    assert find(backend, "zurna").total == 0 and backend.count() == 0


def test_did_you_mean_reads_a_spelling_off_the_segments(backend):
    backend.index([doc("a", title_tr="Karadeniz", segments=[cue(1, "zurna"), cue(4, "Çağırış başlıyor")])])
    result = find(backend, "cagirriss")
    assert result.total == 0 and result.did_you_mean == "çağırış"


# ---- "did you mean" and what the viewer may find (issue 12) ---------------------------------------

def test_did_you_mean_never_reads_a_word_off_an_asset_the_viewer_cannot_find(backend):
    """A spelling is read off the assets the viewer finds only. `vexolitzin` is two edits from
    the word of org-b's asset being processed (`vexolitran`, in its title and in a cue) and
    three from the ready asset's `vexolotran`; the hidden word, one edit from the ready one,
    would find the ready asset by a typo match, so checking the suggestion finds something was
    not enough: org-a was offered a word only the hidden asset has. Likewise with a cue of a
    failed asset (`qorbalıtzan`, `qorbalıtrax`, `qorbalıtrox`)."""
    backend.index([_mapped("hidden", "Vexolitran", status="processing", owner="org-b"),
                   _mapped("cued", "Arxiv", status="failed", owner="org-b", days=1,
                           segments=[{"in": "00:00:01:00", "out": "00:00:02:00", "in_seconds": 1.0, "out_seconds": 2.0,
                                      "text": "Qorbalıtrax danışır", "lang": "az", "source": "transcript"}]),
                   _mapped("seen", "Vexolotran", owner="org-a", days=2),
                   _mapped("seen2", "Qorbalıtrox", owner="org-a", days=3)])
    for text, hidden_word in (("vexolitzin", "vexolitran"), ("qorbalıtzan", "qorbalıtrax")):
        result = find(backend, text, viewer_organisation="org-a")
        assert result.total == 0 and result.did_you_mean is None, (text, result.did_you_mean)
        # Its own organisation and an admin are offered it.
        for who in ({"viewer_organisation": "org-b"}, {"sees_everything": True}):
            assert find(backend, text, **who).did_you_mean == hidden_word, (text, who)


def test_a_word_only_an_unseen_asset_has_is_not_known_to_the_viewer(backend):
    """A word in some form in an asset the viewer cannot find is not `known` to them: they are
    offered the spelling of what they find, as for any word the archive lacks (a typed word
    kept as typed told them the hidden asset has it)."""
    backend.index([_mapped("hidden", "Zorbalitrax", status="rejected", owner="org-b"),
                   _mapped("seen", "Zorbalitrom", owner="org-a", days=1)])
    result = find(backend, "zorbalitrax", viewer_organisation="org-a")
    assert result.total == 0 and result.did_you_mean == "zorbalitrom"
    assert find(backend, "zorbalitrax", viewer_organisation="org-b").total == 1


@pytest.mark.parametrize("status", ["uploading", "processing", "ready", "rejected", "failed"])
def test_search_hides_the_statuses_the_asset_routes_hide(backend, status):
    """One rule (search.fields.PUBLIC_STATUSES, which archive.assets.services.visible_to uses):
    for every asset status the archive has, another organisation finds the asset exactly when
    the asset routes show it to them; its own organisation and admins always."""
    from archive.assets.models import STATUSES
    from archive.assets.services import PUBLIC_STATUSES
    from search.fields import HIDDEN_STATUSES

    assert set(HIDDEN_STATUSES) == set(STATUSES) - set(PUBLIC_STATUSES) and status in STATUSES
    backend.index([_mapped("a", "Vəziyyət", status=status, owner="org-b")])
    public = status in PUBLIC_STATUSES
    assert find(backend, "vəziyyət", viewer_organisation="org-a").total == int(public)
    assert find(backend, "", viewer_organisation="org-a").total == int(public)
    assert find(backend, "vəziyyət", viewer_organisation="org-b").total == 1
    assert find(backend, "vəziyyət", sees_everything=True).total == 1
