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


@functools.lru_cache(maxsize=1024)
def _other_forms(words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """(cross-Turkic words, cross-Turkic stems, folded words a typo away may be) of the query
    words and of their synonyms (search.synonyms)."""
    every = list(words)
    for _start, _end, alternatives in synonyms.default().spans(list(words)):
        every += [w for alt in alternatives for w in alt]
    crossed = frozenset(analysis.cross(w) for w in every)
    stems = tuple({analysis.cross_stem(w) for w in every if len(analysis.cross_stem(w)) >= 3}
                  | {s for w in words for s in analysis.inflected_stems(w)[1]})
    typos = frozenset(analysis.fold(w) for w in words if len(analysis.fold(w)) >= MIN_FUZZY)
    return crossed, stems, typos


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
    with, a synonym's, or one edit from the folded query word (words of MIN_FUZZY letters)."""
    if not words:
        return []
    crossed, stems, typos = _other_forms(words)
    out = []
    for m in _TOKEN.finditer(text):
        forms = _token_forms(m.group())
        if forms is None:
            continue
        x, x_stem, folded = forms
        if x in crossed or x_stem in stems or x.startswith(stems) or (
                typos and len(folded) >= MIN_FUZZY - 1 and any(_one_edit(folded, t) for t in typos)):
            out.append((m.start(), m.end()))
    return out


@functools.lru_cache(maxsize=100_000)
def _token_forms(token: str) -> tuple[str, str, str] | None:
    """(cross-Turkic form, cross-Turkic stem, folded form) of a text's word as typed, cached:
    every word of every hit's texts is looked at; None for a word too long to be indexed."""
    normal = analysis.words(token)
    if not normal:
        return None
    return analysis.cross(normal[0]), analysis.cross_stem(normal[0]), analysis.fold(normal[0])
