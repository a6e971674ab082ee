"""Highlighted fragments: the words of a text that match the query, wrapped in <mark>.

Matching uses the forms the index uses (search.normalize: folded and stemmed), so `Istanbul`
marks `İSTANBUL'da`. The output is HTML: the text is escaped and only <mark> is added, so a
page may insert it as markup. A query prefix (the last word typed) marks the words it starts.
"""
from __future__ import annotations

from html import escape

from search import normalize

MAX_FRAGMENT = 240  # characters of text around the first match


def highlight(text: str | None, words: list[str], width: int = MAX_FRAGMENT) -> str | None:
    """`text` cut to about `width` characters around its first match, escaped, matches in
    <mark>; None when no word of it matches (or there is no query or text)."""
    if not text or not words:
        return None
    text = " ".join(text.split())
    if not normalize.may_match(text, words):
        return None
    spans = normalize.matching_spans(text, words)
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
