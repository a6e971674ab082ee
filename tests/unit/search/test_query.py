"""search.query: parsing what people type, and the plan both backends compile."""
from __future__ import annotations

import pytest

from search import query
from search.interfaces import QueryError
from search.query import All, Any_, Const, Match, Phrase


def terms(text, **kw):
    return [(t.words, t.phrase, t.prefix, t.negated) for t in query.parse(text, **kw).terms]


def test_words_phrases_exclusions_prefixes():
    assert terms('Şuşa\'da "Dede Korkut" -istanbul ist* -"son vapur"') == [
        (("şuşa",), False, False, False),
        (("dede", "korkut"), True, False, False),
        (("istanbul",), False, False, True),
        (("ist",), False, True, False),
        (("son", "vapur"), True, False, True)]


def test_typographic_quotes_make_phrases():
    assert terms("“sarı gelin” «xan sarayı»") == [(("sarı", "gelin"), True, False, False),
                                                  (("xan", "sarayı"), True, False, False)]


def test_as_you_type_makes_the_last_word_a_prefix_until_a_space():
    assert terms("Karabağ hal", as_you_type=True)[-1] == (("hal",), False, True, False)
    assert terms("Karabağ hal ", as_you_type=True)[-1] == (("hal",), False, False, False)
    assert terms("Karabağ hal")[-1] == (("hal",), False, False, False)
    assert terms('"sarı gel', as_you_type=True)[-1] == (("gel",), False, True, False)


def test_as_you_type_leaves_out_a_last_word_of_one_letter_just_begun():
    """`dede k` while typing: the `k` is the start of a word, too short for a prefix; as a word
    of its own it had to match, so the suggestions vanished at each new word's first letter."""
    assert terms("dede k", as_you_type=True) == [(("dede",), False, False, False)]
    assert terms("Dədə Q", as_you_type=True) == terms("Dədə", as_you_type=False)
    assert terms("dede -k", as_you_type=True) == [(("dede",), False, False, False)]
    assert terms("dede ko", as_you_type=True)[-1] == (("ko",), False, True, False)
    # Typed whole (a space after it, or not as you type), or alone, it is a word as before.
    assert terms("dede k ", as_you_type=True)[-1] == (("k",), False, False, False)
    assert terms("dede k")[-1] == (("k",), False, False, False)
    assert terms("k", as_you_type=True) == [(("k",), False, False, False)]


def test_a_one_letter_prefix_is_a_word():
    assert terms("i*") == [(("i",), False, False, False)]


def test_operators_are_dropped_beside_words_and_searched_alone():
    assert terms("halı AND xalça OR carpet") == terms("halı xalça carpet")
    assert terms("karadeniz NOT türkü") == [(("karadeniz",), False, False, False), (("türkü",), False, False, True)]
    assert terms("AND OR") == [(("and",), False, False, False), (("or",), False, False, False)]
    assert terms("and or") == terms("AND OR")


def test_unbalanced_quotes_and_brackets_are_plain_words():
    assert terms('"karabağ halı') == [(("karabağ",), False, False, False), (("halı",), False, False, False)]
    assert terms("((karabağ]") == [(("karabağ",), False, False, False)]


@pytest.mark.parametrize("text", ["🎉", "***", "*", "-", "~", '""', "' '", "-*", "(((", "\\", "!?",
                                  "\x00", "\x00\x00", "\x1f", "\x1c\x1d", "\x01", "\x85", " \x00 "])
def test_no_searchable_text_is_a_query_error(text):
    with pytest.raises(QueryError) as raised:
        query.parse(text)
    assert raised.value.code == query.NO_SEARCHABLE_TEXT


@pytest.mark.parametrize("text", ["", "   ", "\t\r\n", "\u00a0\u2003", None])
def test_empty_is_browse(text):
    assert query.parse(text).terms == ()


def test_long_queries_are_bounded():
    assert len(query.parse(" ".join(f"w{i}" for i in range(500))).terms) == query.MAX_TERMS
    assert len(query.parse("a" * 10_000).terms) == 1  # one overlong word, matching nothing
    assert query.parse("x " * 5000).terms == query.parse("x").terms
    assert len(query.parse('"' + " ".join(f"w{i}" for i in range(50)) + '"').terms[0].words) == query.MAX_PHRASE


def test_repeated_words_are_one_term():
    assert terms("istanbul İSTANBUL Istanbul'da") == [(("istanbul",), False, False, False),
                                                       (("ıstanbul",), False, False, False)]


def _matches(clause):
    if isinstance(clause, Const):
        return _matches(clause.clause)
    if isinstance(clause, (Any_, All)):
        return [m for c in clause.clauses for m in _matches(c)]
    return [clause]


def test_word_clause_ranks_exact_over_folded_over_cross_turkic_over_fuzzy():
    clause = query.word_clause("qarabağ")
    boost = {(m.field, m.value, m.kind): m.boost for m in _matches(clause)}
    assert boost[("title_n", "qarabağ", "term")] > boost[("title_f", "qarabag", "term")] \
        > boost[("title_x", "karabak", "term")] > boost[("title_f", "qarabag", "fuzzy")]
    assert boost[("title_n", "qarabağ", "term")] > boost[("body_n", "qarabağ", "term")]


def test_fuzzy_only_for_words_of_five_letters():
    assert not [m for m in _matches(query.word_clause("halı")) if m.kind == "fuzzy"]
    assert [m for m in _matches(query.word_clause("halıl")) if m.kind == "fuzzy"]


def test_prefix_clauses():
    kinds = {(m.field, m.value) for m in _matches(query.word_clause("qarab", prefix=True)) if m.kind == "prefix"}
    assert ("title_f", "qarab") in kinds and ("title_x", "karab") in kinds


def test_plan_offers_synonyms_below_the_typed_word():
    plan = query.plan(query.parse("halı"))
    (group,) = plan.must
    typed, *alternatives = group.clauses
    top = max(m.boost for m in _matches(typed))
    assert {m.value for alt in alternatives for m in _matches(alt) if m.field == "title_n"} >= {"xalça", "carpet"}
    assert all(m.boost < top for alt in alternatives for m in _matches(alt))
    # Tiers beside relevance: the word's own forms (no typo) two steps, a synonym one, a step
    # more than the whole query's relevance can be.
    either, own_tier = plan.should
    assert isinstance(own_tier, Const) and isinstance(either, Const)
    assert own_tier.score == either.score > query.most_score(group)
    assert {m.value for m in _matches(own_tier)} >= {"halı"} and not {m.kind for m in _matches(own_tier)} - {"term"}
    assert not {m.value for m in _matches(own_tier)} & {"xalça", "carpet"}
    assert {m.value for m in _matches(either)} >= {"halı", "xalça", "carpet"}


def test_a_word_of_five_letters_ranks_its_own_forms_above_its_typos():
    plan = query.plan(query.parse("vapurlar"))
    (own_tier,) = plan.should
    assert own_tier.score > query.most_score(plan.must[0])
    assert not [m for m in _matches(own_tier) if m.kind == "fuzzy"]


def test_a_short_word_without_synonyms_has_no_tiers():
    assert query.plan(query.parse("ev")).should == ()


def test_plan_multi_word_synonym_is_all_of_its_words():
    plan = query.plan(query.parse("Qara dəniz"))
    (group,) = plan.must
    assert isinstance(group.clauses[0], All)  # the typed words, both required
    assert any(m.value == "karadeniz" for alt in group.clauses[1:] for m in _matches(alt))


def test_stop_words_are_optional_beside_other_words():
    plan = query.plan(query.parse("the palace of the khans"))
    assert len(plan.must) == 2 and len([c for c in plan.should if not isinstance(c, Const)]) == 2
    assert len(query.plan(query.parse("of")).must) == 1


def test_phrases_and_exclusions():
    plan = query.plan(query.parse('"xan sarayı" -vapur -halı'))
    assert all(isinstance(c, Phrase) for c in plan.must[0].clauses)
    assert {c.field for c in plan.must[0].clauses} >= {"title_n", "title_f", "title_x", "body_n"}
    exclusion, _hali = plan.must_not
    assert {(m.field, m.value) for m in _matches(exclusion)} >= {("title_n", "vapur"), ("body_f", "vapur")}
    assert not [m for m in _matches(exclusion) if m.kind != "term"]  # no typos
    assert not [m for m in _matches(_hali) if m.value in ("xalca", "carpet")]  # no synonyms


def test_suggestion_replaces_words_it_can():
    parsed = query.parse('istnbul "sarı gelin" -vapur kara*')
    fixed = query.suggestion(parsed, lambda w: {"istnbul": "istanbul"}.get(w))
    assert fixed == 'istanbul "sarı gelin" -vapur kara*'
    assert query.suggestion(parsed, lambda w: None) is None


def test_candidates_from_texts():
    assert query.candidates_from(["İstanbul'un son vapurları"], "vapurlrı") == "vapurları"
    assert query.candidates_from(["İSTANBUL"], "istanbl") == "istanbul"
    assert query.candidates_from(["nothing alike"], "vapurlrı") is None


def test_suggestion_keeps_a_word_the_index_knows():
    closest = {"halı": "halk", "xolçalrı": "xalçaları"}.get
    known = {"halı", "qarabağ"}.__contains__
    assert query.suggestion(query.parse("halı -Qarabağ"), closest, known) is None
    assert query.suggestion(query.parse("halı xolçalrı"), closest, known) == "halı xalçaları"
    assert query.suggestion(query.parse("halı -Qarabağ"), closest) == "halk -qarabağ"  # without `known`


@pytest.mark.parametrize("text", ["of", "epic of Dede Korkut", "düğün", "halı toy", '"dede korkut" of',
                                  "-saray of", "istanbul*", "a the", "kamança -toy"])
def test_a_plan_with_optional_clauses_has_required_ones(text):
    # The tantivy backend counts matches without the `should` clauses (they only score), which
    # holds only while a plan never has them alone (tantivy would then require one of them).
    p = query.plan(query.parse(text))
    assert p.must or not p.should


def _kinds(plan):
    return {m.kind for c in (*plan.must, *plan.should, *plan.top_must, *plan.top_should) for m in _matches(c)}


def test_a_frequent_word_has_no_typo_clause_and_the_others_keep_theirs():
    parsed = query.parse("zurna davul")
    assert query.typo_words(parsed) == ["zurna", "davul"]
    assert "fuzzy" in _kinds(query.plan(parsed))
    plan = query.plan(parsed, frequent=frozenset({"zurna"}))
    fuzzy = {m.value for c in plan.must for m in _matches(c) if m.kind == "fuzzy"}
    assert fuzzy and all(v.startswith("davu") for v in fuzzy)
    assert "fuzzy" not in _kinds(query.plan(parsed, frequent=frozenset({"zurna", "davul"})))


@pytest.mark.parametrize("text, words", [
    ("halı zurna", ["zurna"]),                 # four letters: no typo anyway
    ('"kara zurna" davul', ["davul"]),         # a phrase's words: no typo
    ("zurn* davul -kemençe", ["davul"]),       # a prefix, an exclusion
    ("zurna zurna Zurna", ["zurna"]),
])
def test_typo_words_are_the_words_a_typo_is_forgiven_in(text, words):
    assert query.typo_words(query.parse(text)) == words


def test_the_frequent_threshold_is_one_percent_of_the_assets_at_least_the_minimum():
    assert query.frequent_threshold(0) == query.frequent_threshold(100_000) == query.TYPO_FREQUENT_MIN == 1000
    assert query.frequent_threshold(1_000_000) == 10_000 and query.frequent_threshold(1_000_001) == 10_001
