"""search.highlight: the words a hit matched, marked in whatever form they matched."""
from __future__ import annotations

import pytest

from search import analysis
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
