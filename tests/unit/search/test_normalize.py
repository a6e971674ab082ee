"""The shared normalisation, with real Turkish and Azerbaijani words."""
import pytest

from search import normalize
from search.normalize import fold, normalise, query_words, snippet, stem, variants, words


@pytest.mark.parametrize("raw,expected", [
    ("İSTANBUL", "istanbul"), ("Istanbul", "ıstanbul"), ("IŞIK", "ışık"), ("ŞƏKİ", "şəki"),
    ("Şəki", "şəki"), ("ÇAĞRI", "çağrı"), ("ÖĞÜT", "öğüt"), ("Ağdam", "ağdam"),
])
def test_normalise_lowercases_by_turkish_rules(raw, expected):
    assert normalise(raw) == expected


def test_normalise_never_leaves_a_combining_dot():
    assert "\u0307" not in normalise("İZMİR İĞDIR")
    assert "İSTANBUL".lower() != normalise("İSTANBUL")  # why ICU: str.lower adds U+0307


@pytest.mark.parametrize("raw,expected", [
    ("Ҝәнҹә", "gəncə"), ("Шәки", "şəki"), ("Бакы", "bakı"), ("Азәрбајҹан", "azərbaycan"),
    ("Мүғам", "muğam".replace("u", "ü")), ("Гусар", "qusar"),
])
def test_azerbaijani_cyrillic_becomes_latin(raw, expected):
    assert normalise(raw) == expected


def test_cyrillic_g_is_q_in_latin_azerbaijani():
    # The 1991 table: Г is Q, Ҝ is G. 'Гәнҹә' is a misspelling of Ҝәнҹә (Gəncə) and reads 'Qəncə'.
    assert normalise("Гәнҹә") == "qəncə"


@pytest.mark.parametrize("raw", ["İSTANBUL", "istanbul", "Istanbul", "ıstanbul", "İstanbul"])
def test_fold_makes_every_istanbul_one(raw):
    assert fold(raw) == "istanbul"


@pytest.mark.parametrize("raw,expected", [
    ("IŞIK", "isik"), ("Şəki", "seki"), ("ŞƏKİ", "seki"), ("Gəncə", "gence"), ("çağrı", "cagri"),
    ("Göyçay", "goycay"), ("Ürgüp", "urgup"), ("café", "cafe"), ("Ñandú", "nandu"),
])
def test_fold_strips_letters_a_foreign_keyboard_lacks(raw, expected):
    assert fold(raw) == expected


def test_normalise_keeps_turkish_and_azerbaijani_letters():
    assert normalise("ışıq şəhər çöl ağ ürək") == "ışıq şəhər çöl ağ ürək"


def test_nfc_and_nul():
    assert normalise("S\u0327eki\x00") == "şeki"  # decomposed ş composes; NUL dropped


@pytest.mark.parametrize("word,expected", [("türküleri", "turku"), ("türküler", "turku"), ("türkü", "turku"),
                                           ("kitaplar", "kitap"), ("köyleri", "koy")])
def test_turkish_stemming(word, expected):
    assert stem(normalise(word)) == expected


def test_words_split_on_punctuation_apostrophes_and_underscores():
    assert words("İstanbul'da, 1975_arşiv-kaydı.mp4!") == ["istanbul", "da", "1975", "arşiv", "kaydı", "mp4"]


def test_words_drop_overlong_tokens():
    assert words("a" * 65 + " kısa") == ["kısa"]


def test_variants():
    assert variants("Şəki türküleri") == (["şəki", "türküleri"], ["seki", "turkuleri"], ["seki", "turku"])


@pytest.mark.parametrize("hostile", ['title:(', '"', '*', 'AND OR', "'; DROP TABLE x; --", "\\", "\x00", ""])
def test_query_words_ignore_syntax(hostile):
    assert all(w.isalnum() for w in query_words(hostile))


def test_query_words_are_bounded_and_distinct():
    assert query_words("a a b") == ["a", "b"]
    assert len(query_words(" ".join(f"w{i}" for i in range(100)))) == 32


def test_snippet_centres_on_a_folded_match():
    text = "Giriş. " + "dolgu " * 60 + "Sonunda İSTANBUL görünür. " + "son " * 60
    out = snippet([text], ["ıstanbul"], width=80)
    assert "İSTANBUL" in out and out.startswith("…") and out.endswith("…") and len(out) <= 82


def test_snippet_without_match_is_the_start():
    assert snippet(["Bir türkü\nve kemençe"], []) == "Bir türkü ve kemençe"
    assert snippet([], ["x"]) == ""


@pytest.mark.parametrize("text, query, expected", [
    ("İSTANBUL'da bir gece", ["istanbul"], True),
    ("Karadeniz türküleri", ["türkü"], True),       # the stem starts an inflected word
    ("Bakı gecələri", ["istanbul"], False),
    ("Шәки", ["şəki"], True),                          # Cyrillic: always scanned word by word
])
def test_may_match_is_a_cheap_test_that_never_hides_a_match(text, query, expected):
    assert normalize.may_match(text, query) is expected
    if not expected:
        assert not any(normalize.matches(f, query) for _s, _e, f in normalize.word_spans(text))


def test_fold_from_the_latin_table_is_the_full_fold_for_every_character():
    from search.normalize import LATIN_TABLE_CHARS, _fold_slow
    assert [c for c in LATIN_TABLE_CHARS if fold(c) != _fold_slow(c)] == []


@pytest.mark.parametrize("seed", range(4))
def test_fold_from_the_latin_table_is_the_full_fold_for_mixed_texts(seed):
    # Neighbours that could interact: dotted and dotless I, digraphs, ß, ə, NUL, spaces, apostrophes.
    import random
    from search.normalize import LATIN_TABLE_CHARS, _fold_slow
    rng = random.Random(seed)
    tricky = "IİiıƏəǄǅǆßŞşÇçĞğÖöÜü'\x00 \t.-_"
    for _ in range(3000):
        text = "".join(rng.choice(tricky if rng.random() < 0.6 else LATIN_TABLE_CHARS) for _ in range(rng.randint(0, 16)))
        assert fold(text) == _fold_slow(text), repr(text)


@pytest.mark.parametrize("text", ["İ", "Şuşa\u0301", "Ι", "Карабах", "a\u0307", "Ӏ", "🎉"])
def test_fold_outside_the_latin_table_takes_the_full_fold(text):
    from search.normalize import _fold_slow
    assert fold(text) == _fold_slow(text)


@pytest.mark.parametrize("text", [
    "İSTANBUL'da Şuşa'dakı türküleri, Istanbul_2 x²y IŞIK ışıklar istanbullu",
    "Qarabağ xalçaları — KARABAĞ HALILARI; halı halılar xalça",
    "ǅemal straße Straße (tar) tarix TARİXİ", "Карабах Qarabağ", "mugam muğamları Muğam\u0301"])
@pytest.mark.parametrize("query", [["istanbul"], ["ışık"], ["şuşa"], ["qarabağ", "halı"], ["türkü"], ["tar"],
                                   ["straße"], ["dz"], ["muğam"], ["x"]])
def test_matching_spans_of_a_whole_folded_text_are_those_of_word_by_word_folding(text, query):
    exact, stems = normalize._query_forms(tuple(query))
    by_word = [(s, e) for s, e, folded in normalize.word_spans(text) if folded in exact or folded.startswith(stems)]
    assert normalize.matching_spans(text, query) == by_word
