"""search.analysis: the word forms every backend indexes and queries."""
from __future__ import annotations

import pytest

from search import analysis


@pytest.mark.parametrize("text, words", [
    ("Şuşa'da bir TOY", ["şuşa", "bir", "toy"]),
    ("İstanbul’un vapurları", ["istanbul", "vapurları"]),
    ("Karabağʼdan `Bakı´ya", ["karabağ", "bakı"]),
    ("Шуша гарлары", ["şuşa", "qarları"]),
    ("rock'n'roll 1975'te", ["rock", "1975"]),
    ("", []),
])
def test_words_drop_apostrophe_suffixes(text, words):
    assert analysis.words(text) == words


@pytest.mark.parametrize("az, tr", [("qarabağ", "karabağ"), ("naxçıvan", "nahçıvan"), ("qorqud", "korkut"),
                                    ("dədə", "dede"), ("xan", "han"), ("aşıq", "aşık"), ("gəncə", "gence"),
                                    ("kənd", "kent")])
def test_cross_turkic_form_joins_azerbaijani_and_turkish_spellings(az, tr):
    assert analysis.cross(az) == analysis.cross(tr)


@pytest.mark.parametrize("az, tr", [("aşıqları", "aşıklar"), ("xalçaları", "halçalar"), ("qalaları", "kalalar")])
def test_cross_turkic_stem_joins_inflected_forms(az, tr):
    assert analysis.cross_stem(az) == analysis.cross_stem(tr)


def test_cross_turkic_keeps_words_apart_that_differ():
    assert analysis.cross("kale") != analysis.cross("qala")  # a different vowel: a synonym's job
    assert analysis.cross("dag") != analysis.cross("tag")


@pytest.mark.parametrize("a, b", [("rigs", "rig"), ("dancing", "dances"), ("earthquakes", "earthquake"),
                                  ("winemakers", "winemaker")])
def test_english_stem(a, b):
    assert analysis.english(analysis.fold(a)) == analysis.english(analysis.fold(b))


def test_turkish_stem_ignores_the_circumflex():
    assert analysis.stem("hikâyeleri") == analysis.stem("hikayeleri") == "hikaye"


@pytest.mark.parametrize("query, document", [("türküsü", "türküleri"), ("halısı", "halıları"),
                                             ("destanları", "destanı"), ("ninnisi", "ninnileri")])
def test_a_query_word_beginning_meets_the_stem_snowball_gives_the_document(query, document):
    assert analysis.stem(query) != analysis.stem(document)  # why truncations exist
    assert analysis.stem(document) in analysis.truncations(query)[0]


def test_truncations_are_never_shorter_than_four_letters():
    for word in ("kaleleri", "ata", "türküsü", "ev"):
        assert all(len(cut) >= min(analysis.MIN_TRUNCATION, len(analysis.fold(word)))
                   for cut in analysis.truncations(word)[0])


def test_text_forms_align_word_for_word():
    forms = analysis.text_forms("Qarabağ xalçaları", english_text=True)
    assert set(forms) == set(analysis.FORMS)
    assert all(len(v) == 2 for v in forms.values())
    assert forms["n"] == ["qarabağ", "xalçaları"] and forms["x"][0] == "karabak"
    assert "e" not in analysis.text_forms("Qarabağ")


def test_forms_are_cached():
    analysis.forms.cache_clear()
    analysis.forms("karadeniz")
    analysis.forms("karadeniz")
    assert analysis.forms.cache_info().hits == 1


# Texts where doing a document's texts together could differ from one by one: Cyrillic (its
# transliteration looks at neighbours), combining marks at a text's start or end (NFC across
# the break), Greek final sigma and Turkish dotted I (context-sensitive lowercasing), NUL and
# newlines, apostrophe suffixes, over-long words, texts without a word.
TEXTS = ["Şuşa'da bir TOY", "Шуша гарлары ЕЛЕНА Ёлка", "e", "\u0301abc", "ΟΔΟΣ ΣΑΣ", "I\u0307stanbul IĞDIR",
         "a\x00b", "satır\nsonu", "rock'n'roll 1975'te", "🎉 ***", "x" * 70 + " kısa", "hikâyeleri",
         "ǅemal ß Æsir", "Qarabağ xalçaları", "İstanbul’un vapurları", "Karabağʼdan `Bakı´ya", "ﬁre", "한국어",
         "", "   ", "e\u0301\u0327 n\u0303"]


def test_texts_analysed_together_as_one_by_one():
    english = [i % 3 == 0 for i in range(len(TEXTS))]
    assert analysis.indexed_forms_many(TEXTS, english) == [
        analysis.indexed_forms(text, english_text=e) for text, e in zip(TEXTS, english)]
    assert analysis.indexed_forms_many(TEXTS[3:5]) == [analysis.indexed_forms(t) for t in TEXTS[3:5]]
    assert analysis.indexed_forms_many([]) == []


def test_normalise_many_is_normalise_of_each():
    from search import normalize

    assert normalize.normalise_many(TEXTS) == [normalize.normalise(t) for t in TEXTS]
    latin = [t for t in TEXTS if not normalize._CYRILLIC.search(t)]  # the one-call path
    assert normalize.normalise_many(latin) == [normalize.normalise(t) for t in latin]


def test_fold_by_table_is_fold_by_definition():
    import unicodedata

    def by_definition(word):
        return analysis.strip_marks(unicodedata.normalize("NFD", word.translate(analysis._FOLD)))

    chars = [chr(c) for c in range(0x20, 0x2000) if not 0xD800 <= c <= 0xDFFF] + list("ǅﬁ한ﬂ")
    for char in chars:
        assert analysis.fold(char) == by_definition(char), char
    for word in ("şəkiçöğü", "e\u0301\u0327", "ǅemal", "ıstanbul", "hikâye", "ñandú", "ʻokina"):
        assert analysis.fold(word) == by_definition(word)
        assert analysis.cross_prefix(word) == by_definition(word).translate(analysis.TO_TURKISH)


def test_the_cross_turkic_form_is_a_function_of_the_folded_form():
    # search.query.counted leaves out a word's folded clause beside its cross-Turkic one: every
    # document word folded alike must have the same cross form, letter by letter and whole
    # (`ẋ` folds to `x`, and its cross form is `h` as `x`'s is).
    chars = [chr(c) for c in range(0x20, 0x2000) if not 0xD800 <= c <= 0xDFFF] + list("ǅﬁ한ﬂ")
    for char in chars:
        assert analysis.cross_prefix(char) == analysis.fold(char).translate(analysis.TO_TURKISH), char
    for word in ("ẋan", "ŵeb", "qarabağ", "kitab", "ẍəbəd", "ǿq", "şəkiçöğü", "e\u0301\u0327x"):
        assert analysis.cross(word) == analysis.cross_of_folded(analysis.fold(word)), word
    assert analysis.cross("ẋan") == analysis.cross("xan") == "han"


# Turkish, Azerbaijani Latin and Cyrillic, English; apostrophes of every kind, circumflexes,
# combining marks, dotted and dotless i in both cases, digits, a word over MAX_WORD letters.
_VARIED = [
    "İSTANBUL'da ıslak Işık ılık KÂĞIT hikâyeleri türküleri oyunları düğünü şarkısı halıları",
    "Qarabağ xalçaları Dədə Qorqud Naxçıvan'dan aşıqları Şəki'nin gəlinləri Gəncə kəndləri muğamı",
    "Карабах Шуша гарлары Ҝәнҹә Дәдә Горгуд ашыг һалай Бакы'да",
    "The dancing rigs of Karabakh: weddings, carpets and songs; it's the musicians' festival",
    "Şuşa’da Istanbul‘un Bakı`ya Karabağʼdan İzmir´e rock'n'roll 1975'te",
    "Cafe\u0301 ṅ cañón Zoë naïve œuvre straße Łódź Ørsted Đakovo ß",
    "kayit_12.mp4 ŞƏKİ-XAN 2024 " + "x" * 70 + " TÜRKÜ türkü TüRkÜ",
    "",
]


def _reference(text: str, english_text: bool) -> dict[str, str]:
    """The forms of `text` made word by word from the uncached functions (no lru_cache, no
    batching): what the index held before any cache or batching was added."""
    letters = analysis.FORMS if english_text else analysis.FORMS[:-1]
    made = [(w, w.translate(analysis._FOLDS), analysis._stem(w), analysis._cross(w), analysis._cross_stem(w),
             analysis._english(w.translate(analysis._FOLDS))) for w in analysis.words(text)]
    if not made:
        return {}
    return {letter: " ".join(column) for letter, column in zip(letters, zip(*made))}


def test_indexed_forms_are_the_word_by_word_forms_cold_and_warm():
    """The cached, batched analysis (indexed_forms_many: one normalisation, the per-word
    `forms` cache) gives the tokens of the word-by-word analysis, with its caches empty and
    full, for each text alone and for all of them in one call."""
    english = [i % 2 == 1 for i in range(len(_VARIED))]
    expected = [_reference(t, e) for t, e in zip(_VARIED, english)]
    assert all(expected[:-1]) and expected[-1] == {}  # every text but the empty one has words
    for cache in (analysis.forms, analysis.stem, analysis.cross, analysis.cross_stem, analysis.english):
        cache.cache_clear()
    cold = analysis.indexed_forms_many(_VARIED, english)
    warm = analysis.indexed_forms_many(_VARIED, english)
    assert cold == warm == expected
    assert [analysis.indexed_forms(t, english_text=e) for t, e in zip(_VARIED, english)] == expected
    assert analysis.forms.cache_info().hits > 0


@pytest.mark.parametrize("word, reading", [("hasan", ("n", "həsən")), ("ali", ("n", "əli")),
                                           ("haber", ("n", "xəbər")), ("nasreddin", ("n", "nəsrəddin")),
                                           ("kadim", ("n", "qədim")), ("həsən", ("x", "hasan")),
                                           ("əli", ("x", "ali")), ("nəsrəddin", ("x", "nasreddin"))])
def test_schwa_readings_read_azerbaijani_schwa_as_turkish_a(word, reading):
    assert reading in analysis.schwa_readings(word)


def test_schwa_readings_leave_what_the_cross_turkic_form_joins_and_short_words():
    assert analysis.schwa_readings("dede") == ()          # Dədə/Dede: the cross-Turkic form has it
    assert ("x", analysis.cross("dədə")) not in analysis.schwa_readings("dədə")
    assert analysis.schwa_readings("at") == analysis.schwa_readings("əl") == ()
    assert all("ə" in value for _, value in analysis.schwa_readings("hasan"))


def test_schwa_readings_of_a_prefix_keep_the_last_letter():
    assert ("n", "nəsrəd") in analysis.schwa_readings("nasred", prefix=True)
    assert ("n", "nəsrəb") not in analysis.schwa_readings("nasrep", prefix=True)


# The newcomer's words of issue 11 and more of each class: Turkish front vowels (ü, ö) typed as
# back ones, Azerbaijani/Turkish ı typed as i, a ğ typed as g, each with a suffix the stemmer
# takes only when the vowels agree.
@pytest.mark.parametrize("typed, written", [
    ("dugunler", "düğünler"), ("dugunde", "düğünde"), ("toylari", "toyları"), ("turkuler", "türküler"),
    ("xalcalari", "xalçaları"), ("ustalari", "ustaları"), ("gozleri", "gözleri"), ("kopruler", "köprüler"),
    ("mugamlari", "muğamları"), ("kizlari", "kızları"), ("ucuslar", "uçuşlar"), ("oyunlari", "oyunları"),
])
def test_a_word_typed_without_its_turkish_letters_meets_the_written_word_stem(typed, written):
    stems = {analysis.stem(written)} | set(analysis.truncations(written)[0])
    found = {analysis.stem(typed), *analysis.restored_stems(typed)[0], *analysis.truncations(typed)[0]}
    assert stems & found, (typed, written, analysis.restored_stems(typed))


@pytest.mark.parametrize("word, spellings", [
    ("dugunler", ("dügünler", "düğünler")), ("toylari", ("toyları",)), ("kopruler", ("köprüler",)),
    ("ev", ()), ("saray", ()), ("tv", ()),
])
def test_harmonised_reads_the_folded_vowels_by_the_vowel_that_tells(word, spellings):
    assert analysis.harmonised(word) == spellings


def test_restored_stems_add_nothing_to_a_word_written_with_its_letters_and_stay_few():
    for word in ("düğünler", "toyları", "türküler", "xalçaları", "saray", "istanbul"):
        assert analysis.restored_stems(word) == ((), ())
    # At most two readings, so at most two stems of each kind per query word.
    assert all(len(s) <= 2 for s in analysis.restored_stems("gugugugugugiler"))


@pytest.mark.parametrize("word, stem", [("alay", "ala")])
def test_a_root_whose_last_y_the_stemmer_takes_for_a_suffix_looks_up_that_stem(word, stem):
    """`alayı` stems to `ala` (the root's `y` read as the `-yI` joining consonant): the bare word
    looks that stem up although it is shorter than MIN_TRUNCATION (search.analysis.BUFFER_CUT)."""
    assert analysis.stem(word + "ı") == stem
    assert stem in analysis.inflected_stems(word)[0] and stem in analysis.inflected_stems(word)[1]


@pytest.mark.parametrize("word", ["köy", "toy", "çay", "kalem"])
def test_no_stem_under_buffer_cut_letters_is_looked_up(word):
    assert all(len(s) >= analysis.BUFFER_CUT for group in analysis.inflected_stems(word) for s in group)


def _osa(a: str, b: str) -> int:
    """Levenshtein distance with a transposition of two letters one edit (what a typo clause counts)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


# Folded letters and the normalised letters that fold to them (a document word is any of them).
_SPELLINGS = {"a": "a", "b": "b", "c": "cç", "d": "d", "e": "eə", "g": "gğ", "h": "h", "i": "iı", "k": "k", "l": "l",
              "n": "n", "o": "oö", "p": "p", "q": "q", "r": "r", "s": "sş", "t": "t", "u": "uü", "v": "v", "w": "w",
              "x": "x", "y": "y", "z": "z"}


def _one_edit_away(folded: str) -> set[str]:
    letters = "".join(_SPELLINGS)
    out = {folded[:i] + folded[i + 1:] for i in range(len(folded))}
    out |= {folded[:i] + c + folded[i:] for i in range(len(folded) + 1) for c in letters}
    out |= {folded[:i] + c + folded[i + 1:] for i in range(len(folded)) for c in letters}
    out |= {folded[:i] + folded[i + 1] + folded[i] + folded[i + 2:] for i in range(len(folded) - 1)}
    return out


def test_cross_turkic_typos_cover_the_folded_ones_unless_a_voiced_letter_ends_the_word():
    # A typo clause on the `x` forms finds what one on the `f` forms finds (the tantivy backend
    # walks one dictionary instead of two) exactly when cross_covers_typos says so: every
    # document word one edit from the folded query word is one edit at most from its cross form.
    import random
    rng = random.Random(5)
    letters = "".join(v for v in _SPELLINGS.values())
    checked = {True: 0, False: 0}
    for _ in range(400):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(5, 8)))
        folded, crossed = analysis.fold(word), analysis.cross(word)
        covers = analysis.cross_covers_typos(folded)
        missed = []
        for neighbour in _one_edit_away(folded):
            if len(neighbour) < 2:
                continue
            spelled = "".join(rng.choice(_SPELLINGS[c]) for c in neighbour)  # a document's spelling of it
            assert analysis.fold(spelled) == neighbour
            if _osa(analysis.cross(spelled), crossed) > 1:
                missed.append(spelled)
        assert not (covers and missed), (word, missed[:5])
        checked[covers] += 1
    assert checked[True] > 200 and checked[False] > 30
    assert not analysis.cross_covers_typos("kitab") and not analysis.cross_covers_typos("kitabi")
    assert analysis.cross_covers_typos("kitap") and analysis.cross_covers_typos("qarabay")
    # Why the rule: `kitab`'s neighbour `kitabı` is two edits from `kitap`, its cross form.
    assert _osa(analysis.cross("kitabı"), analysis.cross("kitab")) == 2


# ---- search/data/stems.txt: words Snowball cuts to another word's stem ----------------------

STEM_ENTRIES = analysis.parse_stems(analysis.STEMS.read_text(encoding="utf-8"))


def _snowball(word: str) -> str:
    return analysis._stemmer("turkish").stemWord(word.translate(analysis._CIRCUMFLEX)).translate(analysis._FOLDS)


@pytest.mark.parametrize("word, others", STEM_ENTRIES, ids=[w for w, _ in STEM_ENTRIES])
def test_each_stem_override_is_needed_and_parts_the_words_it_names(word, others):
    spellings = [word, *analysis._inflections(word)]
    # Needed: Snowball alone cuts the word or an inflection of it shorter than the word.
    assert any(len(_snowball(s)) < len(analysis.fold(word)) for s in spellings), word
    # The word and its inflections, as written and typed without Turkish letters, stem to it.
    for spelling in spellings:
        for typed in (spelling, analysis.fold(spelling)):
            assert analysis._stem(typed) == analysis.fold(word), typed
            assert analysis._cross_stem(typed) == analysis._cross_stem(word), typed
    # The words it names shared a stem with it before and do not now.
    snowball_stems = {_snowball(s) for s in spellings}
    for other in others:
        assert _snowball(other) in snowball_stems, (word, other)
        assert analysis.stem(other) != analysis.stem(word) and analysis.cross_stem(other) != analysis.cross_stem(word)


def test_a_stem_override_starts_a_word_truncations_at_its_stem():
    """`kalem`'s stem is known (`kalem`), not Snowball's guess: a query for it does not look up
    `kale` (a castle) as a possibly shorter stem."""
    assert analysis.truncations("kalem") == (("kalem",), ("kalem",))
    # A word the table does not have: from one letter shorter than Snowball's stem, as before.
    assert analysis.stem("türküsü") == "turkus" and "turku" in analysis.truncations("türküsü")[0]


@pytest.mark.parametrize("text, error", [
    ("deniz dede != de", "one word before"),
    ("deniz != deniz", "a word named twice"),
    ("deniz != de, de", "a word named twice"),
])
def test_a_malformed_stems_line_is_refused_with_its_number(text, error):
    with pytest.raises(ValueError, match=f"stems line 2: {error}"):
        analysis.parse_stems("# comment\n" + text)


def test_two_words_claiming_one_spelling_are_refused():
    # `kaleyi` is an inflection of `kale`, and claimed again for `kalem` here.
    with pytest.raises(ValueError, match="'kaleyi' is an inflection of 'kale' and of 'kaley'"):
        analysis.stem_overrides([("kale", ()), ("kaley", ())])


def test_the_possessive_after_the_plural_follows_the_plural_vowel():
    assert "oyunları" in analysis._inflections("oyun") and "oyunlaru" not in analysis._inflections("oyun")
    assert "düğünleri" in analysis._inflections("düğün")
