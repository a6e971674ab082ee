"""Every group of search/data/synonyms.txt, on a real index: each member, typed as a query,
finds the assets titled with every other member of its group."""
from __future__ import annotations

import pytest

from search import synonyms
from search.interfaces import SearchQuery
from search.tantivy_backend import TantivySearchBackend

GROUPS = synonyms.parse(synonyms.DATA.read_text(encoding="utf-8"))
RAW = [[m.strip() for m in line.split("#", 1)[0].split("|")]
       for line in synonyms.DATA.read_text(encoding="utf-8").splitlines() if line.split("#", 1)[0].strip()]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    backend = TantivySearchBackend(tmp_path_factory.mktemp("synonyms"))
    backend.index([{"id": f"g{g}m{m}", "created": "2024-01-01T00:00:00+00:00", "title_tr": text}
                   for g, members in enumerate(RAW) for m, text in enumerate(members)])
    return backend


@pytest.mark.parametrize("group", range(len(RAW)), ids=[members[0] for members in RAW])
def test_every_member_finds_the_others(index, group):
    wanted = {f"g{group}m{m}" for m in range(len(RAW[group]))}
    for text in RAW[group]:
        found = {h.id for h in index.search(SearchQuery(text=text, per_page=100)).hits}
        assert wanted <= found, f"{text!r} misses {sorted(wanted - found)}"


def test_the_file_parses_into_groups_of_different_members():
    assert len(GROUPS) == len(RAW) >= 50


@pytest.mark.parametrize("text, error", [("düğün | ", "a member without a word"),
                                         ("halı | Halı | HALI", "two different members"),
                                         ("a b c d e | x", "longer than")])
def test_bad_lines_are_refused_with_their_number(text, error):
    with pytest.raises(ValueError, match=f"line 2: .*{error}|line 2: {error}"):
        synonyms.parse("# comment\n" + text)


def test_spans_take_the_longest_member():
    table = synonyms.default()
    (span,) = table.spans(["qara", "dəniz"])
    assert span[:2] == (0, 2) and ["karadeniz"] in span[2]
    assert table.spans(["nothing", "here"]) == []


@pytest.mark.parametrize("words", [["dede"], ["dedeler"], ["dedesi"]])
def test_a_word_that_meets_a_member_only_by_an_overcut_stem_has_no_synonyms(words):
    """Snowball cuts `dede` (grandfather, as in Dede Korkut) to `de` as it cuts `deniz` (sea):
    `dede` looked up the sea's group, and a search for it listed the Caspian Sea's footage."""
    assert synonyms.default().spans(words) == []


@pytest.mark.parametrize("words, wanted", [
    (["denizde"], ["sea"]), (["dənizin"], ["sea"]), (["denizleri"], ["sea"]),
    (["halıları"], ["carpet"]), (["xalçaları"], ["carpet"]), (["şarkısı"], ["song"]), (["carpets"], ["halı"]),
    (["toyları"], ["düğün"]), (["düğünler"], ["toy"]), (["müsahibəsi"], ["interview"])])
def test_a_members_inflections_still_find_its_group(words, wanted):
    (span,) = synonyms.default().spans(words)
    assert wanted in span[2], span


NASREDDIN = synonyms.Synonyms(synonyms.parse("Nasreddin Hoca | Molla Nəsrəddin\nhaber | xəbər\nbahar | spring\n"
                                             "orman | meşə"))


@pytest.mark.parametrize("words, wanted", [
    (["molla", "nasreddin"], ["nasreddin", "hoca"]),    # the Azerbaijani member, its ə typed as Turkish a
    (["nəsrəddin", "hoca"], ["molla", "nəsrəddin"]),    # the Turkish member, its a typed as Azerbaijani ə
    (["xabar"], ["haber"]),                             # ə as a, one word
])
def test_a_member_is_found_with_schwa_written_as_a(words, wanted):
    assert wanted in NASREDDIN.alternatives(words)


@pytest.mark.parametrize("words", [["behar"],     # neither side has an ə: bahar stays bahar
                                   ["masa"]])     # `mes`, as meşə reads: too short to tell apart
def test_schwa_is_read_as_a_only_beside_an_azerbaijani_schwa_in_a_long_enough_word(words):
    assert NASREDDIN.alternatives(words) == []


def test_molla_nasreddin_finds_nasreddin_hoca(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index([{"id": "tr", "created": "2024-01-01T00:00:00+00:00", "title_tr": "Nasreddin Hoca fıkraları"},
                   {"id": "az", "created": "2024-01-01T00:00:00+00:00", "title_az": "Molla Nəsrəddin jurnalı"}])
    assert {h.id for h in backend.search(SearchQuery(text="Molla Nasreddin")).hits} == {"tr", "az"}
