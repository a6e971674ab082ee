"""Highlighted fragments: the words of a text that match the query, wrapped in <mark>.

Matching uses the forms the index uses (search.normalize: folded and stemmed), so `Istanbul`
marks `İSTANBUL'da`; the words a document matched through another form are marked too
(`other_form_spans`): the cross-Turkic spelling (`KARABAĞ` marks `Qarabağ`, `Гарабаг` too), a
synonym (`halı` marks `xalçaları`) and one typo in a word of five letters or more (`Istanbl`
marks `İstanbul`), as search.query finds them. The output is HTML: the text is escaped and only <mark> is added, so a
page may insert it as markup. A query prefix (the last word typed) marks the words it starts.
"""
from __future__ import annotations

import functools
import re
from html import escape

from search import analysis, normalize, synonyms

MAX_FRAGMENT = 240  # characters of text around the first match


def highlight(text: str | None, words: list[str], width: int = MAX_FRAGMENT) -> str | None:
    """`text` cut to about `width` characters around its first match, escaped, matches in
    <mark>; None when no word of it matches (or there is no query or text)."""
    if not text or not words:
        return None
    text = " ".join(text.split())
    spans = normalize.matching_spans(text, words) if normalize.may_match(text, words) else []
    spans = sorted({*spans, *other_form_spans(text, tuple(words))})
    if not spans:
        return None
    left, right = _window(text, spans[0][0], width)
    out, at = [], left
    for start, end in spans:
        if start < left or end > right:
            continue
        out.append(escape(text[at:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:right]))
    return ("…" if left > 0 else "") + "".join(out).strip() + ("…" if right < len(text) else "")


def _window(text: str, start: int, width: int) -> tuple[int, int]:
    if len(text) <= width:
        return 0, len(text)
    left = max(0, min(start - width // 3, len(text) - width))
    if left > 0:
        space = text.find(" ", left)
        left = space + 1 if 0 <= space < start else left
    right = min(len(text), left + width)
    if right < len(text):
        space = text.rfind(" ", left, right)
        right = space if space > start else right
    return left, right


_TOKEN = re.compile(r"[^\W_]+")
MIN_FUZZY = 5  # search.query.MIN_FUZZY: letters a word needs before a typo in it is forgiven


MAX_REMEMBERED = 4096  # text words a query's matcher remembers (_OtherForms.matches): a few pages


class _OtherForms:
    """What marks a text word for one query (`other_form_spans`): the cross-Turkic words,
    cross-Turkic stems and folded words a typo away may be of the query words and of their
    synonyms (search.synonyms), and each text word's verdict once reached (a page's texts
    repeat their words: about 1,200 words a page of 20 hits, 740 of them distinct). Checking
    every word of every text against every form took 6.3-6.7 ms of CPU a search, about a
    quarter of it (200 text+filters+facets queries of benchmarks/search_latency.py, 15,000
    assets, caches warm); each distinct word once, the typo check only for a word whose length
    and first or last letter allow one edit: 4.8 ms, the same spans."""

    __slots__ = ("crossed", "stems", "cuts", "typos", "typo_sizes", "typo_ends", "_seen")

    def __init__(self, words: tuple[str, ...]):
        # A prefix (`qarab*`, search.query.ParsedQuery.words) marks the words whose
        # cross-Turkic form begins as its own does (`Karab*` marks `Qarabağ`); no other form.
        prefixes = [w[:-1] for w in words if w.endswith(normalize.PREFIX_MARK) and len(w) > 1]
        words = tuple(w for w in words if not w.endswith(normalize.PREFIX_MARK))
        every = list(words)
        for _start, _end, alternatives in synonyms.default().spans(list(words)):
            every += [w for alt in alternatives for w in alt]
        self.crossed = frozenset(analysis.cross(w) for w in every)
        self.stems = tuple({analysis.cross_stem(w) for w in every if len(analysis.cross_stem(w)) >= 3}
                           | {s for w in words for s in analysis.inflected_stems(w)[1]}
                           | {analysis.cross_prefix(p) for p in prefixes})
        # The query words' beginnings a document word or stem may be (analysis.truncations:
        # `köprüsü` meets `Köprü`), as search.query looks them up: the whole word, not a prefix.
        self.cuts = frozenset(c for w in words for c in analysis.truncations(w)[1])
        self.typos = tuple((t, len(t), t[0], t[-1]) for t in sorted(
            {analysis.fold(w) for w in words if len(analysis.fold(w)) >= MIN_FUZZY}))
        # What a word one edit from one of them has (see _matches): a length and a first or last letter.
        self.typo_sizes = frozenset(size + d for _t, size, _f, _l in self.typos for d in (-1, 0, 1))
        self.typo_ends = frozenset(end for t, _s, first, last in self.typos for end in ((0, first), (1, last)))
        self._seen: dict[str, bool] = {}

    def matches(self, token: str) -> bool:
        """Whether the text word `token` (as typed) matches in one of these forms."""
        hit = self._seen.get(token)
        if hit is None:
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen.clear()
            hit = self._seen[token] = self._matches(token)
        return hit

    def _matches(self, token: str) -> bool:
        forms = _token_forms(token)
        if forms is None:
            return False
        x, x_stem, folded = forms
        if x in self.crossed or x_stem in self.stems or x.startswith(self.stems) or x in self.cuts or x_stem in self.cuts:
            return True
        size = len(folded)
        if size < MIN_FUZZY - 1 or size not in self.typo_sizes or (
                (0, folded[0]) not in self.typo_ends and (1, folded[-1]) not in self.typo_ends):
            return False
        # One edit apart, both of 4 letters or more: the lengths differ by one at most, and the
        # edit leaves the first letter or the last alone (it touches one place, or two neighbours).
        return any(abs(size - t_size) <= 1 and (folded[0] == first or folded[-1] == last) and _one_edit(folded, t)
                   for t, t_size, first, last in self.typos)


@functools.lru_cache(maxsize=64)
def _other_forms(words: tuple[str, ...]) -> _OtherForms:
    """The matcher of `words` (one per query, kept for the next searches that repeat it)."""
    return _OtherForms(words)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` are at most one edit apart (an insertion, deletion, substitution or
    the swap of two neighbours: Damerau's distance 1, as the engines' fuzzy term queries)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def other_form_spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` that matches a query word (normalised, as
    search.query.ParsedQuery.words) in the forms `normalize.matching_spans` does not look at:
    the same cross-Turkic form (Cyrillic transliterated first), a cross-Turkic stem it starts
    with, a synonym's, a beginning of the query word it or its stem is (`analysis.truncations`),
    or one edit from the folded query word (words of MIN_FUZZY letters)."""
    if not words:
        return []
    matches = _other_forms(words).matches
    # The text's distinct words first (most texts have none of these matches): its spans only then.
    found = {token for token in set(_TOKEN.findall(text)) if matches(token)}
    if not found:
        return []
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text) if m.group() in found]


@functools.lru_cache(maxsize=100_000)
def _token_forms(token: str) -> tuple[str, str, str] | None:
    """(cross-Turkic form, cross-Turkic stem, folded form) of a text's word as typed, cached:
    every word of every hit's texts is looked at; None for a word too long to be indexed."""
    normal = analysis.words(token)
    if not normal:
        return None
    return analysis.cross(normal[0]), analysis.cross_stem(normal[0]), analysis.fold(normal[0])
