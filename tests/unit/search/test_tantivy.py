"""tantivy specifics: the one-writer lock across processes, commits seen by other processes, config."""
import multiprocessing

import pytest
import tantivy

from search.interfaces import SearchConfigError, SearchError, SearchQuery
from search.tantivy_backend import SCHEMA_VERSION, TantivySearchBackend


def _writer_process(path, prefix, n):
    backend = TantivySearchBackend(path)
    for i in range(n):
        backend.index([{"id": f"{prefix}-{i}", "title_tr": f"Belgesel {prefix} {i}", "created": None}])


def test_two_processes_write_the_same_index(tmp_path):
    # The web process and a worker both index: the writer lock is taken in turns, nothing is lost.
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(str(tmp_path), p, 8)) for p in ("web", "worker")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert TantivySearchBackend(tmp_path).search(SearchQuery(text="belgesel", per_page=50)).total == 16


def test_a_commit_in_one_process_is_seen_by_an_open_searcher(tmp_path):
    reader = TantivySearchBackend(tmp_path)
    assert reader.count() == 0
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_writer_process, args=(str(tmp_path), "w", 1))
    p.start()
    p.join(60)
    assert reader.count() == 1 and reader.search(SearchQuery(text="BELGESEL")).total == 1


def test_a_held_lock_times_out_with_our_error(tmp_path):
    backend = TantivySearchBackend(tmp_path, lock_timeout=0.3)
    other = TantivySearchBackend(tmp_path)
    writer = other._open().writer(heap_size=15_000_000, num_threads=1)  # another writer holds the lock
    try:
        with pytest.raises(SearchError, match="locked"):
            backend.index([{"id": "x", "title_en": "x"}])
    finally:
        writer.rollback()
        del writer
    backend.index([{"id": "x", "title_en": "x"}])
    assert backend.count() == 1


def _writers_free(path) -> bool:
    """Whether another handle on the index at `path` (as another process's would be) can take
    both its writers now."""
    other = TantivySearchBackend(path)
    try:
        for index in (other._open(), other._segments):
            writer = index.writer(heap_size=15_000_000, num_threads=1)
            writer.rollback()
            del writer
    except ValueError as exc:
        assert "LockBusy" in str(exc)
        return False
    return True


@pytest.mark.parametrize("failure", ["the index", "a document"])
def test_a_failed_write_kept_by_its_caller_holds_no_writer(tmp_path, monkeypatch, failure):
    """A write fails while both writers are open (tantivy refuses a document; a document has no
    id). The caller keeps the error, as a task runner keeps a failure or a log record its
    exc_info: its traceback must not keep the writers, and tantivy's lock with them."""
    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "a", "title_en": "first"}])
    docs = [{"id": "b", "title_en": "second"}, {"title_en": "no id"}]
    with monkeypatch.context() as m, pytest.raises(SearchError) as kept:
        if failure == "the index":
            m.setattr(backend, "_documents", lambda prepared: (_ for _ in ()).throw(ValueError("refused")))
        backend.index(docs)
    assert kept.value is not None and _writers_free(tmp_path)
    assert backend.index([{"id": "c", "title_en": "third"}]) == 1 and backend.count() == 2


def test_letting_go_of_an_error_whose_error_attribute_is_a_message():
    """`_let_go` follows `_Unwritten.error`; another exception's `error` (Elasticsearch's
    ApiError carries a message there) is no exception to follow."""
    from search.tantivy_backend import _let_go

    class Refused(Exception):
        error = "resource_already_exists_exception"
    try:
        raise SearchError("wrapped") from Refused()
    except SearchError as exc:
        _let_go(exc)


def test_a_failed_delete_kept_by_its_caller_holds_no_writer(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "a", "title_en": "first"}])

    def refuse(writer):
        raise ValueError("refused")
    with pytest.raises(SearchError) as kept:
        backend._write(refuse)
    assert kept.value is not None and _writers_free(tmp_path)


def test_from_config_names_the_setting_when_the_directory_is_unusable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SearchConfigError, match="SEARCH_DIR"):
        TantivySearchBackend.from_config({"SEARCH_DIR": str(blocker)})


def test_the_app_reports_a_search_setting_as_a_config_error(app_config, tmp_path):
    from archive import create_app
    from archive.config import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="SEARCH_DIR"):
        create_app({**app_config, "SEARCH_DIR": str(blocker)})


def test_index_lives_in_a_versioned_directory(tmp_path):
    TantivySearchBackend.from_config({"SEARCH_DIR": str(tmp_path)})
    assert (tmp_path / SCHEMA_VERSION / "meta.json").exists()


def test_a_document_without_id_is_refused(tmp_path):
    with pytest.raises(SearchError):
        TantivySearchBackend(tmp_path).index([{"title_en": "no id"}])


def _cue(second: int, text: str) -> dict:
    return {"in": f"00:00:{second:02d}.000", "out": None, "in_seconds": float(second), "out_seconds": None,
            "text": text, "lang": "tr", "source": "transcript"}


def test_segments_live_in_their_own_index_replaced_and_deleted_with_the_asset(tmp_path):
    import json

    backend = TantivySearchBackend(tmp_path)
    cues = [_cue(i, f"söz {i}") for i in range(40)] + [_cue(50, "Kemençe çalınıyor"), _cue(55, "kemençeler")]
    backend.index([{"id": "a", "title_tr": "Karadeniz", "created": None, "segments": cues}])
    searcher = backend._searcher()
    address = searcher.search(tantivy.Query.all_query(), limit=1).hits[0][1]
    stored = json.loads(searcher.doc(address)["source"][0])
    assert "segments" not in stored and stored["segment_count"] == 42  # the hit card's source carries no cue
    hit = backend.search(SearchQuery(text="kemençe")).hits[0]
    assert [s["in_seconds"] for s in hit.segments] == [50.0, 55.0]  # time order
    assert "<mark>Kemençe</mark>" in hit.segments[0]["highlight"]
    assert backend.count() == 1
    backend.index([{"id": "a", "title_tr": "Karadeniz", "created": None, "segments": [_cue(3, "zurna")]}])
    assert backend.search(SearchQuery(text="kemençe")).total == 0
    assert [s["text"] for s in backend.search(SearchQuery(text="zurna")).hits[0].segments] == ["zurna"]
    backend.delete("a")
    assert backend._segment_searcher().num_docs == 0


def test_an_asset_found_by_its_title_lists_no_segment_without_the_word(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "a", "title_tr": "Kemençe", "created": None, "segments": [_cue(1, "zurna"), _cue(2, "davul")]}])
    hit = backend.search(SearchQuery(text="kemençe")).hits[0]
    assert hit.id == "a" and hit.segments == []


def _two_transcribed_assets(backend):
    many = [_cue(i, f"kemençe {i}") for i in range(12)]  # more matching cues than a hit lists
    few = [_cue(1, "zurna"), _cue(7, "Kemençeler çalıyor"), _cue(9, "davul"), _cue(20, "bir kemençe daha")]
    backend.index([{"id": "many", "title_tr": "Karadeniz kemençe", "created": None, "segments": many},
                   {"id": "few", "title_tr": "Kemençe düğünü", "created": None, "segments": few},
                   {"id": "none", "title_tr": "Kemençe", "created": None}])


def test_one_page_query_lists_each_assets_own_best_segments(tmp_path):
    # The page's segments come from one query over all its assets: an asset whose every cue
    # matches does not crowd out another's, each keeps at most MAX_SEGMENT_HITS in time order.
    from search.fields import MAX_SEGMENT_HITS

    backend = TantivySearchBackend(tmp_path)
    _two_transcribed_assets(backend)
    hits = {h.id: h for h in backend.search(SearchQuery(text="kemençe", per_page=10)).hits}
    assert set(hits) == {"many", "few", "none"}
    many = [s["in_seconds"] for s in hits["many"].segments]
    assert len(many) == MAX_SEGMENT_HITS and many == sorted(many)
    assert [s["in_seconds"] for s in hits["few"].segments] == [7.0, 20.0]
    assert "<mark>Kemençeler</mark>" in hits["few"].segments[0]["highlight"]
    assert hits["none"].segments == []
    # A word of both texts: each lists only its cues with the word.
    hits = {h.id: h for h in backend.search(SearchQuery(text="kemençe daha", per_page=10)).hits}
    assert set(hits) == {"few"} and [s["in_seconds"] for s in hits["few"].segments] == [7.0, 20.0]


def test_page_segments_are_the_same_when_two_assets_share_a_key(tmp_path, monkeypatch):
    # asset_key is a 64-bit digest: were two assets of a page ever to share one, each is asked on its own.
    from search import tantivy_backend

    first = TantivySearchBackend(tmp_path / "a")
    _two_transcribed_assets(first)
    expected = {h.id: h.segments for h in first.search(SearchQuery(text="kemençe", per_page=10)).hits}
    monkeypatch.setattr(tantivy_backend, "asset_key", lambda doc_id: 7)
    second = TantivySearchBackend(tmp_path / "b")
    _two_transcribed_assets(second)
    assert {h.id: h.segments for h in second.search(SearchQuery(text="kemençe", per_page=10)).hits} == expected


def test_did_you_mean_reads_a_spelling_off_the_segments(tmp_path):
    # A word only a cue has: its spelling is found by a typo query on the segment index (built
    # on that index's own schema: its fields are numbered apart from the asset index's).
    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "a", "title_tr": "Karadeniz", "created": None,
                    "segments": [_cue(1, "zurna"), _cue(4, "Çağırış başlıyor")]}])
    result = backend.search(SearchQuery(text="cagirriss"))
    assert result.total == 0 and result.did_you_mean == "çağırış"


class _CountingSearcher:
    """A tantivy searcher that records each aggregation's names and each search's count flag (tantivy's
    own class cannot be patched)."""

    def __init__(self, searcher, calls):
        self._searcher, self._calls = searcher, calls

    def aggregate(self, query, aggs):
        self._calls.append(sorted(aggs))
        return self._searcher.aggregate(query, aggs)

    def search(self, query, **kw):
        self._calls.append(f"search count={kw.get('count', True)}")
        return self._searcher.search(query, **kw)

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def test_every_count_is_one_aggregation_and_the_scored_search_counts_nothing(tmp_path, monkeypatch):
    """Multi-select facet counts, the total and the platform counts in one aggregation pass
    over the matches (a `filter` bucket of every facet filter, one of the other filters per
    filtered facet, one per platform); the page's scored search counts only when no
    aggregation runs, and a query's top tier (search.query.Plan) to tell whether it fills the
    page. The two run at once (the aggregation in another thread), so the calls
    are compared in any order."""
    from search.cleared import ClearedFor

    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "a", "title_tr": "Halay", "country": "TR", "genre": "folklore", "created": None},
                   {"id": "b", "title_tr": "Muğam", "country": "AZ", "genre": "music", "created": None}])
    calls: list = []
    opened = backend._searcher
    monkeypatch.setattr(backend, "_searcher", lambda: _CountingSearcher(opened(), calls))

    def made() -> list[str]:
        out = sorted(map(repr, calls))
        calls.clear()
        return out

    def any_order(*expected) -> list[str]:
        return sorted(map(repr, expected))

    backend.search(SearchQuery())
    assert made() == any_order(["all"], "search count=False")
    result = backend.search(SearchQuery(filters={"country": ["TR"]}, text="halay"))
    # A word with synonyms has score tiers: the page is its top tier's, whose count says
    # whether it fills the page (search.query.Plan); one match does not: the whole query's page.
    assert made() == any_order(["all", "without:country"], "search count=True", "search count=False")
    assert result.total == 1 and result.facets["country"] == {"TR": 1}
    result = backend.search(SearchQuery(filters={"country": ["TR"], "genre": ["music", "folklore"]}))
    assert made() == any_order(["all", "pairs"], "search count=False")  # two single-valued facets: value pairs
    assert result.facets["country"] == {"TR": 1, "AZ": 1} and result.facets["genre"] == {"folklore": 1}
    result = backend.search(SearchQuery(filters={"country": ["TR"], "language": ["tr"]}))
    assert made() == any_order(["all", "without:country", "without:language"], "search count=False")
    result = backend.search(SearchQuery(filters={"country": ["TR"]}, count_facets=False))
    assert made() == any_order("search count=True") and result.total == 1
    result = backend.search(SearchQuery(cleared=ClearedFor("7", "TR", "TR", "vod", platforms=("linear_tv", "vod", "social")),
                                        count_facets=False))
    assert made() == any_order(["all"], "search count=False")  # nothing cleared for 7 on vod
    assert result.total == 0 and result.hits == [] and result.facets["cleared"] == {}
    result = backend.search(SearchQuery(text="halay", page=2, per_page=1))
    # past the last hit: past the top tier, so the whole query's page (not counted)
    assert made() == any_order(["all"], "search count=True", "search count=False") and result.total == 1
    assert result.hits == []
    result = backend.search(SearchQuery(text="muğam", sort="-recorded"))
    assert made() == any_order(["all"], "search count=False") and result.total == 1  # sorted: no tiers


# A corpus with every facet, multi-valued languages, hidden statuses, rights tokens and values a
# query string must quote (spaces, quotes, a backslash, a colon).
_ORGS = ("TRT", "Show TV", 'Kanal "7"', "a\\b", "x:y", "İTV")
_WORDS = ("halay", "muğam", "türkü", "kemençe", "yallı", "bayram", "düğün", "saz")


def _varied_corpus(n: int) -> list[dict]:
    import random

    from search.cleared import document_tokens
    from search.mapping import document

    rng = random.Random(5)
    docs = []
    for i in range(n):
        year = rng.randint(1950, 1999)
        open_today = {rng.choice(("all", "org:7", "country:TR", "country:AZ")):
                      {rng.choice(("linear_tv", "vod", "social")):
                       rng.sample(("AZ", "DE", "GE", "TR"), rng.randint(1, 4))}
                      for _ in range(rng.randint(0, 2))}
        docs.append(document(
            doc_id=f"d{i:03d}", created=None, filename=f"f{i}.mp4", organisation=rng.choice(_ORGS),
            country=rng.choice(("TR", "AZ", "GE", None)), genre=rng.choice(("music", "folklore", "news", None)),
            recorded=rng.choice((str(year), f"{year}-0{rng.randint(1, 9)}", None)),
            languages=rng.sample(("tr", "az", "en", "ru"), rng.randint(0, 2)), kind=rng.choice(("video", "audio")),
            status=rng.choice(("ready",) * 5 + ("processing", "failed")),
            titles={"tr": " ".join(rng.sample(_WORDS, rng.randint(1, 3)))},
            descriptions={"az": " ".join(rng.sample(_WORDS, rng.randint(1, 4)))}, keywords=[], people=[], places=[],
            projects=rng.sample(("p1", "p2 p3"), rng.randint(0, 2)), owner=str(rng.randint(6, 9)),
            duration=rng.choice((None, rng.uniform(10, 5000))), has_transcript=rng.random() < 0.3,
            cleared=document_tokens(owner=str(rng.randint(6, 9)), open_today=open_today,
                                    named=rng.sample(("org:7", "country:TR"), rng.randint(0, 1)),
                                    universe=("AZ", "DE", "GE", "TR"))))
    return docs


def _all_ids(backend, kw) -> set[str]:
    from search.fields import MAX_PER_PAGE

    out, page = set(), 1
    while True:
        hits = backend.search(SearchQuery(**{**kw, "page": page, "per_page": MAX_PER_PAGE, "count_facets": False})).hits
        out |= {h.id for h in hits}
        if len(hits) < MAX_PER_PAGE:
            return out
        page += 1


def test_totals_and_facet_counts_are_those_of_a_search_per_value(tmp_path):
    """The aggregation's total, multi-select facet counts and platform counts equal plain
    counts: for each facet value, the total of the same search with that facet's filter set to
    that value alone (its own filter left out, the others kept) and no facets counted (the
    scored search's own count); for each platform, the hits that the same search with that
    platform filtered on finds too."""
    from search.cleared import ClearedFor
    from search.fields import facet_values
    from search.interfaces import FACETS

    backend = TantivySearchBackend(tmp_path)
    docs = _varied_corpus(160)
    backend.index(docs)
    values = {f: set() for f in FACETS}
    for d in docs:
        for facet, vs in facet_values(d).items():
            values[facet].update(vs)
    platforms = ("linear_tv", "vod", "social")
    cases = [
        {},
        {"text": "halay"},
        {"text": "muğam türkü", "filters": {"country": ["TR", "AZ"], "genre": ["music", "folklore"]}},
        {"text": "halay -saz", "filters": {"organisation": list(_ORGS[1:5]), "language": ["tr", "en"]},
         "recorded_from": "1960", "recorded_to": "1990"},
        {"filters": {"project": ["p2 p3"], "kind": ["audio"], "organisation": ['Kanal "7"', "nobody"]}},
        {"text": "bayram", "viewer_organisation": "7", "sees_everything": False,
         "filters": {"status": ["ready", "processing", "failed"]}},
        {"cleared": ClearedFor("7", "TR", "TR", None, platforms=platforms), "filters": {"year": ["1970", "1985"]}},
        {"text": "düğün", "cleared": ClearedFor("8", "AZ", "DE", "vod", platforms=platforms),
         "filters": {"genre": ["music", "news"]}},
    ]
    checked = 0
    for case in cases:
        kw = {"sees_everything": True, **case}
        result = backend.search(SearchQuery(per_page=5, **kw))
        filters = kw.get("filters", {})
        assert result.total == backend.search(SearchQuery(count_facets=False, **kw)).total
        for facet in FACETS:
            expected = {}
            for value in values[facet]:
                one = {**kw, "filters": {**filters, facet: [value]}}
                n = backend.search(SearchQuery(count_facets=False, **one)).total
                if n:
                    expected[value] = n
            assert result.facets[facet] == expected, (case, facet)
            checked += len(expected)
        if kw.get("cleared") is not None:  # each platform counted among the hits (with their platform filter)
            who = kw["cleared"]
            hits = _all_ids(backend, kw)
            expected = {}
            for platform in platforms:
                n = len(hits & _all_ids(backend, {**kw, "cleared": ClearedFor(
                    who.organisation, who.country, who.territory, platform)}))
                if n:
                    expected[platform] = n
            assert len(hits) == result.total
            assert result.facets["cleared"] == expected, case
            checked += len(expected)
    assert checked > 100  # the cases do count something


def test_two_single_valued_filters_count_as_the_filter_buckets_do(tmp_path, monkeypatch):
    """Two single-valued facets filtered on are counted from value pairs (one terms
    aggregation) with the counts and bucket order of a filter bucket per facet, also when a
    facet has more values than a terms aggregation returns (FACET_SIZE; then counted with the
    filter buckets in a second pass)."""
    from search import fields

    backend = TantivySearchBackend(tmp_path)
    backend.index(_varied_corpus(160))
    cases = [{"filters": {"country": ["TR", "AZ"], "genre": ["music", "folklore"]}},
             {"text": "muğam", "filters": {"genre": ["news"], "organisation": list(_ORGS[:4])}},
             {"text": "halay -saz", "filters": {"kind": ["audio"], "status": ["ready", "failed"]},
              "recorded_from": "1960", "recorded_to": "1990"},
             {"text": "bayram", "filters": {"country": ["GE"], "year": ["1970", "1985", "1999"]}}]

    def answers() -> list:
        out = []
        for case in cases:
            result = backend.search(SearchQuery(per_page=5, sees_everything=True, **case))
            out.append((result.total, [h.id for h in result.hits], {f: list(v.items()) for f, v in result.facets.items()}))
        return out
    for size in (fields.FACET_SIZE, 2):
        monkeypatch.setattr(fields, "FACET_SIZE", size)
        paired = answers()
        with monkeypatch.context() as m:
            m.setattr(fields, "SINGLE_VALUED_FACETS", frozenset())
            assert paired == answers(), size
    assert len(paired[0][2]["country"]) == 2  # at FACET_SIZE 2, three countries: the pairs were cut, counted apart


def test_paired_counts_keep_to_facet_size_when_the_pairs_hold_more_values(tmp_path, monkeypatch):
    """Each value of the first facet holds at most FACET_SIZE values of the second, but together
    they hold more: the second facet's counts are its FACET_SIZE most frequent values, as a
    terms aggregation in a filter bucket returns them, not every value the pairs hold."""
    from search import fields
    from search.mapping import document

    def asset(i: int, kind: str, status: str) -> dict:
        return document(doc_id=f"a{i}", created=None, filename=f"f{i}.mp4", organisation=None, country=None,
                        genre=None, recorded=None, languages=[], kind=kind, status=status, titles={"tr": "kayıt"},
                        descriptions={}, keywords=[], people=[], places=[])

    pairs = [("video", "ready")] * 3 + [("video", "failed")] * 2 + [("audio", "processing"), ("audio", "ready")]
    backend = TantivySearchBackend(tmp_path)
    backend.index([asset(i, kind, status) for i, (kind, status) in enumerate(pairs)])
    monkeypatch.setattr(fields, "FACET_SIZE", 2)
    query = SearchQuery(sees_everything=True, filters={"kind": ["video", "audio"], "status": ["ready"]})
    paired = backend.search(query).facets
    with monkeypatch.context() as m:
        m.setattr(fields, "SINGLE_VALUED_FACETS", frozenset())
        apart = backend.search(query).facets
    assert apart["status"] == {"ready": 4, "failed": 2}
    assert paired == apart


def test_single_valued_facets_have_one_value_in_a_mapped_document():
    """fields.SINGLE_VALUED_FACETS are the facets search.mapping.document gives a single value
    (or None), never a list: the tantivy backend adds their value pairs up."""
    from search import fields
    from search.mapping import FACET_FIELDS

    for doc in _varied_corpus(30):
        for facet in fields.SINGLE_VALUED_FACETS:
            assert not isinstance(doc.get(FACET_FIELDS[facet]), (list, tuple, set)), facet
    assert all(isinstance(_varied_corpus(1)[0][FACET_FIELDS[f]], list) for f in set(FACET_FIELDS) - fields.SINGLE_VALUED_FACETS)


def test_facet_filter_values_that_mean_something_in_a_query_string_are_plain_values(tmp_path):
    """Quotes, backslashes, colons, brackets and query words in a filter value match that
    value alone, never a query error (the aggregation's filters are query strings)."""
    backend = TantivySearchBackend(tmp_path)
    backend.index(_varied_corpus(40))
    for value in ('Kanal "7"', "a\\b", "x:y", '"', "\\", '\\"', "*", "OR", "(", ")", "[", "-", "a AND b", "' \"",
                  "title_tr:halay", "İTV"):
        result = backend.search(SearchQuery(filters={"organisation": [value]}, sees_everything=True))
        plain = backend.search(SearchQuery(filters={"organisation": [value]}, sees_everything=True,
                                           count_facets=False))
        assert result.total == plain.total, value
        assert sum(result.facets["kind"].values()) == result.total, value  # one kind each


def test_one_typo_walk_per_field_group_finds_what_the_two_found(tmp_path, monkeypatch):
    """A word's typo clauses on `{group}_f` and `{group}_x` are one on `{group}_x` (boosts
    added) when the cross-Turkic typos cover the folded ones (analysis.cross_covers_typos): every
    total, facet count and hit is that of the two clauses, and so is every score but those of
    documents only the cross-Turkic typo finds. Documents: words one edit from the query words
    in folded form, in titles and descriptions, spelled with and without their Turkish letters."""
    import random

    from search import analysis, query as query_plan
    from search import tantivy_backend
    from search.mapping import document

    rng = random.Random(7)
    asked = ["muğamat", "kamança", "karabağlı", "qorqudun", "televiziya", "kitab", "kitabı", "nağıllar"]
    spellings = {"c": "cç", "e": "eə", "g": "gğ", "i": "iı", "o": "oö", "s": "sş", "u": "uü"}
    words = []
    for word in asked:
        folded = analysis.fold(word)
        for i in range(len(folded)):
            for edit in (folded[:i] + folded[i + 1:], folded[:i] + rng.choice("abdgkqxhe") + folded[i + 1:],
                         folded[:i] + rng.choice("abdgkqxhe") + folded[i:], folded[:i] + folded[i + 1:i + 2]
                         + folded[i] + folded[i + 2:], folded + rng.choice("abdgıi")):
                words.append("".join(rng.choice(spellings.get(c, c)) for c in edit))
    docs = [document(doc_id=f"d{i:03d}", created=None, filename=f"f{i}.mp4", organisation="TRT", country="TR",
                     genre=rng.choice(("music", "news")), recorded=None, languages=[], kind="video",
                     status="ready", titles={"tr": " ".join(rng.sample(words, 2))},
                     descriptions={"az": " ".join(rng.sample(words, 3))}, keywords=[], people=[], places=[],
                     projects=[], owner="7", duration=None, has_transcript=False, cleared=[])
            for i in range(300)]
    merged = [m for m in query_plan.word_clause("muğamat").clauses if m.kind == "fuzzy"]
    assert [m.field for m in tantivy_backend._one_typo_walk(tuple(merged))] == ["title_x", "body_x"]
    assert len([m for m in tantivy_backend._one_typo_walk(query_plan.word_clause("kitab").clauses)
                if m.kind == "fuzzy"]) == 4  # a voiced letter at the end: both walks kept

    def answers(backend) -> list:
        out = []
        for text in asked + ["muğamat kamança", "kitabı nağıllar"]:
            result = backend.search(SearchQuery(text=text, per_page=100, filters={"genre": ["music"]}))
            out.append((result.total, result.facets, {h.id: round(h.score, 4) for h in result.hits}))
        return out
    one = answers(TantivySearchBackend(tmp_path / "one"))  # nothing indexed: all empty
    assert all(total == 0 for total, _, _ in one)
    backend = TantivySearchBackend(tmp_path / "idx")
    backend.index(docs)
    one = answers(backend)
    monkeypatch.setattr(tantivy_backend, "_one_typo_walk", lambda clauses: clauses)
    two = answers(TantivySearchBackend(tmp_path / "idx"))
    assert sum(total for total, _, _ in two) > 100
    for (total1, facets1, hits1), (total2, facets2, hits2) in zip(one, two):
        assert (total1, facets1, set(hits1)) == (total2, facets2, set(hits2))
        changed = {d for d in hits1 if hits1[d] != hits2[d]}
        assert all(hits1[d] > hits2[d] for d in changed)  # found only by the cross-Turkic typo: its sum
        assert len(changed) <= len(hits1) // 4


def test_counting_without_the_covered_clauses_counts_what_every_clause_finds(tmp_path, monkeypatch):
    """The counting pass and the exclusions match with search.query.counted (a word's exact and
    folded terms left out beside the cross-Turkic term, typo or prefix that covers them): every
    total, facet count, hit and score is that of the whole plan. Documents: the query words and
    their neighbours spelled with and without their Turkish letters, in Azerbaijani spellings,
    with a voiced last letter, with a letter that folds to x or q (`ẋ`), cut short and extended."""
    import random

    from search import query as query_plan
    from search.mapping import document

    rng = random.Random(11)
    asked = ["qarabağ", "karabağ", "xalça", "halı", "kitab", "kitap", "ẋan", "xan", "istanbul", "İstanb",
             "naxçıvan", "qorqud", "düğün", "toy", "muğamat", "şəki", "dədə", "abad", "sevgi", "kəndləri"]
    spellings = {"c": "cç", "e": "eə", "g": "gğ", "i": "iı", "o": "oö", "s": "sş", "u": "uü", "k": "kq", "h": "hx",
                 "x": "xẋh", "b": "bp", "d": "dt", "p": "pb", "t": "td"}
    words = []
    for word in asked:
        for _ in range(8):
            base = "".join(rng.choice(spellings.get(c, c)) for c in word.lower())
            words += [base, base[:-1], base + rng.choice(("lar", "ları", "də", "ın", "i", "a"))]
    docs = [document(doc_id=f"d{i:03d}", created=None, filename=f"f{i}.mp4", organisation=rng.choice(_ORGS),
                     country=rng.choice(("TR", "AZ")), genre=rng.choice(("music", "news")), recorded=None,
                     languages=[], kind="video", status="ready",
                     titles={rng.choice(("tr", "az", "en")): " ".join(rng.sample(words, 2))},
                     descriptions={"az": " ".join(rng.sample(words, 3))}, keywords=rng.sample(words, 1), people=[],
                     places=[], projects=[], owner="7", duration=None, has_transcript=False, cleared=[])
            for i in range(400)]
    queries = [(w, False) for w in asked] + [
        ("qarabağ xalça", False), ("kitab -kitap", False), ("toy -düğün", False), ("ist*", False),
        ("xalç", True), ("qarabağ kit", True), ("naxç", True), ("kitab", True), ("abad", True), ('"dədə qorqud"', False),
        ("halı -qarabağ", False), ("ẋa*", False), ("şəki -xan", False)]
    assert query_plan.counted(query_plan.word_clause("qarabağ")) != query_plan.word_clause("qarabağ")

    def answers(backend) -> list:
        out = []
        for text, typing in queries:
            result = backend.search(SearchQuery(text=text, per_page=100, as_you_type=typing,
                                                filters={"genre": ["music"]}))
            out.append((text, result.total, result.facets, {h.id: h.score for h in result.hits}))
        return out
    backend = TantivySearchBackend(tmp_path / "idx")
    backend.index(docs)
    pruned = answers(backend)
    monkeypatch.setattr(query_plan, "counted", lambda clause: clause)
    whole = answers(TantivySearchBackend(tmp_path / "idx"))
    assert sum(total for _, total, _, _ in whole) > 300
    assert pruned == whole


def test_a_page_of_the_top_tier_is_the_page_of_the_whole_query(tmp_path, monkeypatch):
    """With score tiers (a word with typo matches or synonyms), the page is read off the top tier
    alone (every word in its own forms: search.query.Plan) while it lasts: each page's hits and
    scores are those of the whole query (the scores to float32 rounding: tantivy adds them in
    another order), and past the top tier the whole query gives the page. Queries: one and two
    words, typos, synonyms (one and two words), a prefix, an exclusion, a stop word, a phrase,
    pages 1-4 of 7 and the last."""
    import random

    from search import tantivy_backend
    from search.mapping import document

    rng = random.Random(3)
    words = ["halay", "halaylar", "halaı", "yallı", "muğam", "muğamat", "muğamlar", "düğün", "düğünde", "toy", "toyda",
             "xalça", "xalçalar", "halı", "halıları", "kilim", "şarkı", "mahnı", "mahnıları", "Qarabağ", "Karabağ",
             "Karabakh", "kemençe", "kamança", "Dədə", "Qorqud", "Dede", "Korkut", "the", "of", "epic", "saz"]
    docs = [document(doc_id=f"d{i:03d}", created=None, filename=f"f{i}.mp4", organisation=rng.choice(_ORGS),
                     country=rng.choice(("TR", "AZ")), genre=rng.choice(("music", "news")), recorded=None,
                     languages=[], kind="video", status="ready",
                     titles={rng.choice(("tr", "az", "en")): " ".join(rng.sample(words, rng.randint(1, 3)))},
                     descriptions={"az": " ".join(rng.sample(words, rng.randint(2, 6)))}, keywords=[], people=[],
                     places=[], projects=[], owner="7", duration=None, has_transcript=False, cleared=[])
            for i in range(500)]
    backend = TantivySearchBackend(tmp_path / "idx")
    backend.index(docs)
    queries = ["halay", "muğamat", "muğamt", "düğün", "halı", "qarabağ", "halay muğam", "karabakh xalça", "düğün -toy",
               "epic of dede korkut", '"dədə qorqud" saz', "kemençe", "mahnı şarkı", "xalça kil", "halayy muğamm"]
    used = []
    real_top = tantivy_backend.TantivySearchBackend._top_tier_page

    def top(*args):
        page = real_top(*args)
        used.append(page is not None)
        return page
    monkeypatch.setattr(tantivy_backend.TantivySearchBackend, "_top_tier_page", staticmethod(top))

    def pages(backend) -> list:
        out = []
        for text in queries:
            typing = text.endswith(" kil")
            for page in (1, 2, 3, 4, 50):
                result = backend.search(SearchQuery(text=text, per_page=7, page=page, as_you_type=typing))
                out.append((text, page, result.total, [h.id for h in result.hits], [h.score for h in result.hits]))
        return out
    tiered = pages(backend)
    assert used.count(True) > 40 and used.count(False) > 5  # the top tier's pages and pages past it
    monkeypatch.setattr(tantivy_backend.TantivySearchBackend, "_top_tier_page", staticmethod(lambda *a: None))
    whole = pages(TantivySearchBackend(tmp_path / "idx"))
    assert sum(len(ids) for _, _, _, ids, _ in whole) > 300
    for (text, page, total, ids, scores), (_, _, total2, ids2, scores2) in zip(tiered, whole):
        assert total == total2 and scores == pytest.approx(scores2, rel=1e-6), (text, page)
        # Near ties (float32) may change places: the same documents over the query's pages.
    for text in queries:
        assert ({i for t, _, _, ids, _ in tiered if t == text for i in ids}
                == {i for t, _, _, ids, _ in whole if t == text for i in ids}), text
