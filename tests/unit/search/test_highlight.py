"""search.highlight: the words a hit matched, marked in whatever form they matched."""
from __future__ import annotations

import pytest

from search import analysis, synonyms
from search.highlight import _one_edit, highlight


def marked(text, query):
    return highlight(text, analysis.words(query))


@pytest.mark.parametrize("text, query, expected", [
    ("Qarabağ xalçaları", "KARABAĞ HALILARI", "<mark>Qarabağ</mark> <mark>xalçaları</mark>"),  # cross-Turkic, synonym
    ("Qarabağ xalçaları", "Гарабаг", "<mark>Qarabağ</mark> xalçaları"),                         # Cyrillic
    ("Nahçıvan yolunda", "Naxçıvan", "<mark>Nahçıvan</mark> yolunda"),                          # cross-Turkic
    ("İstanbul hatırası", "Istanbl", "<mark>İstanbul</mark> hatırası"),                         # one typo
    ("Şuşada toy mahnıları", "düğün", "Şuşada <mark>toy</mark> mahnıları"),                     # synonym
    ("A wedding in Baku", "düğünleri", "A <mark>wedding</mark> in Baku"),                       # synonym of a stem
    ("İSTANBUL'da bir gün", "istanbul", "<mark>İSTANBUL</mark>&#x27;da bir gün"),               # as before
    ("Köprü görünür", "köprüsü", "<mark>Köprü</mark> görünür"),                                 # a beginning
    ("Sivas türküleri", "türküsü", "Sivas <mark>türküleri</mark>"),                             # of the word
])
def test_words_matched_through_any_form_are_marked(text, query, expected):
    assert marked(text, query) == expected


@pytest.mark.parametrize("text, query", [("Gecə yolunda bir toy", "istanbul"), ("Kars kalesi", "Karabağ"),
                                          ("Sivas türküleri", "xalça"), ("Bakı gecəsi", "Gəncə")])
def test_words_that_did_not_match_are_not_marked(text, query):
    assert "<mark>" not in (marked(text, query) or "")


@pytest.mark.parametrize("a, b, near", [("istanbul", "istanbl", True), ("istanbul", "itsanbul", True),
                                        ("istanbul", "istanbol", True), ("istanbul", "istanbuul", True),
                                        ("istanbul", "isbanbol", False), ("istanbul", "istan", False),
                                        ("kars", "kars", True)])
def test_one_edit(a, b, near):
    assert _one_edit(a, b) is near and _one_edit(b, a) is near


def test_other_form_spans_are_those_of_every_word_checked_in_turn():
    # other_form_spans remembers each text word's verdict per query and skips the typo check of
    # a word whose length or ends cannot be one edit away: the spans must be those of checking
    # every word of the text against every form (the rule of its docstring, written plainly).
    import random

    from search import highlight as hl

    def plainly(text, words):
        every = list(words)
        for _s, _e, alternatives in synonyms.default().spans(list(words)):
            every += [w for alt in alternatives for w in alt]
        crossed = {analysis.cross(w) for w in every}
        stems = tuple({analysis.cross_stem(w) for w in every if len(analysis.cross_stem(w)) >= 3}
                      | {s for w in words for s in analysis.inflected_stems(w)[1]})
        typos = {analysis.fold(w) for w in words if len(analysis.fold(w)) >= hl.MIN_FUZZY}
        out = []
        for m in hl._TOKEN.finditer(text):
            normal = analysis.words(m.group())
            if not normal:
                continue
            x, x_stem, folded = analysis.cross(normal[0]), analysis.cross_stem(normal[0]), analysis.fold(normal[0])
            if x in crossed or x_stem in stems or x.startswith(stems) or (
                    len(folded) >= hl.MIN_FUZZY - 1 and any(_one_edit(folded, t) for t in typos)):
                out.append((m.start(), m.end()))
        return out

    rng = random.Random(7)
    letters = "abdkrlmnsşuüıiəçğo"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(60)]
    vocabulary += ["Qarabağ", "xalçaları", "düğün", "toy", "İstanbul", "Гарабаг", "Nahçıvan", "şehir", "şehrinin",
                   "kale", "kalesi", "burun", "burnunu"]
    for _ in range(400):
        query = tuple(analysis.words(" ".join(rng.sample(vocabulary, rng.randint(1, 2)))))
        near = [w[:i] + rng.choice(letters) + w[i + rng.randint(0, 1):] for w in query for i in range(len(w))]
        text = " ".join(rng.choice(vocabulary + near) for _ in range(rng.randint(1, 25)))
        assert hl.other_form_spans(text, query) == plainly(text, query), (text, query)
        assert hl.other_form_spans(text, query) == plainly(text, query), (text, query)  # remembered


def test_snippet_and_highlight_show_the_same_description():
    """One rule (search.mapping.shown_descriptions) picks the description a hit shows: the
    searcher's own alone when the asset has one, for the snippet and the highlight alike."""
    from search.fields import highlights
    from search.mapping import snippet_sources

    doc = {"title_tr": "Karabağ halıları", "description_tr": "Karabağ'da dokunan halılar.",
           "description_az": "Şuşada toxunan xalçalar."}
    words = analysis.words("Karabağ")
    assert snippet_sources(doc, "az") == ["Şuşada toxunan xalçalar."]
    assert "description" not in highlights(doc, words, "az")  # the az text does not match: no tr stands in
    # Without an English description the English searcher's texts are the others, in order.
    assert snippet_sources(doc, "en")[:2] == ["Karabağ'da dokunan halılar.", "Şuşada toxunan xalçalar."]
    assert highlights(doc, words, "en")["description"].startswith("<mark>Karabağ")
