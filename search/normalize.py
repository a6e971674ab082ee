"""The one text normalisation shared by indexing and querying, for every backend.

Three forms of each word go into the index, and the same three are made from the query:

- `normalise`: Azerbaijani Cyrillic → Latin, NFC, lowercased by Turkish rules (`İ`→`i`,
  `I`→`ı`); keeps ı ə ş ç ğ ö ü. An exact spelling ranks highest.
- `fold`: `normalise` then ı→i, ə→e, ş→s, ç→c, ğ→g, ö→o, ü→u and every other diacritic
  removed, so `Istanbul` typed on an English keyboard (which Turkish rules lowercase to
  `ıstanbul`) still meets `İstanbul` (→ `istanbul`).
- `stem`: the folded Turkish Snowball stem, so `türküleri` meets `türkü`.

Python's `str.lower()` is wrong here (`'İ'.lower()` adds a combining dot, `'I'.lower()` gives
`i`), and so is tantivy's `lowercase` filter: backends receive text already normalised.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

import icu
import snowballstemmer

_LOCALE = icu.Locale("tr")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# A word: letters and digits, with any combining marks that survived NFC. Punctuation,
# apostrophes (`İstanbul'da`) and underscores (file names) separate words.
_WORD = re.compile(r"[^\W_][\u0300-\u036F]*(?:[^\W_][\u0300-\u036F]*)*")
_FOLD = str.maketrans({"ı": "i", "ə": "e", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u",
                       "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
# Longer "words" are noise (hashes, base64) and engines cap term length anyway.
MAX_WORD = 64

# ICU transliterators and Snowball stemmers keep state between calls: one per thread.
_local = threading.local()


def _transliterator() -> icu.Transliterator:
    t = getattr(_local, "cyrl", None)
    if t is None:
        # The 1991 Azerbaijani Cyrillic → Latin table (Ҝ→G, Г→Q, Ә→Ə, Ҹ→C, Ч→Ç, Ј→Y).
        t = _local.cyrl = icu.Transliterator.createInstance("az_Cyrl-az/BGN")
    return t


def _stemmer():
    s = getattr(_local, "stemmer", None)
    if s is None:
        s = _local.stemmer = snowballstemmer.stemmer("turkish")
    return s


def latin(text: str) -> str:
    """The text with its Azerbaijani Cyrillic written in the Latin alphabet (the 1991 table,
    ICU's az_Cyrl-az/BGN), case and everything else kept: `'Аршын мал алан'` → `'Arşın mal alan'`."""
    if not _CYRILLIC.search(text):
        return text
    return _transliterator().transliterate(text)


def normalise(text: str) -> str:
    """Cyrillic → Latin, NFC, Turkish lowercase. `'ŞƏKİ'` → `'şəki'`, `'IŞIK'` → `'ışık'`."""
    if not text:
        return ""
    text = latin(unicodedata.normalize("NFC", text.replace("\x00", "")))
    return unicodedata.normalize("NFC", str(icu.UnicodeString(text).toLower(_LOCALE)))


# Between the texts `normalise_many` normalises in one pass: a control character, no letter,
# mark or case-ignorable character, so NFC, transliteration and Turkish lowercasing see a text
# boundary there.
TEXT_BREAK = "\x00"


def normalise_many(texts: list[str]) -> list[str]:
    """`normalise` of each text, in one ICU call for them all (indexing normalises a
    transcript's hundreds of cues; a call costs more than its text). Texts with Cyrillic go
    one by one: the transliterator's rules look at a letter's neighbours."""
    joined = TEXT_BREAK.join(text.replace(TEXT_BREAK, "") for text in texts)
    if _CYRILLIC.search(joined):
        return [normalise(text) for text in texts]
    joined = unicodedata.normalize("NFC", joined)
    return unicodedata.normalize("NFC", str(icu.UnicodeString(joined).toLower(_LOCALE))).split(TEXT_BREAK)


def fold(text: str) -> str:
    """`normalise` without the letters a foreign keyboard lacks: `'İSTANBUL'`, `'Istanbul'` → `'istanbul'`.

    A text of Latin letters only (U+0000-U+024F and `ə`/`Ə`, no combining marks: nearly every
    title and description) is folded character by character from a table of `_fold_slow` of
    each character, one `str.translate` instead of ICU's case mapping, NFD and a mark strip:
    none of these characters composes with its neighbour under NFC, and Turkish lowercasing
    looks at a neighbour only for a combining dot (not in the table), so the result is the
    same (tests/unit/search/test_normalize.py checks each character and mixed texts)."""
    if _LATIN.fullmatch(text):
        return text.translate(_latin_folds())
    return _fold_slow(text)


def _fold_slow(text: str) -> str:
    return strip_marks(unicodedata.normalize("NFD", normalise(text).translate(_FOLD)))


# The characters `fold` folds from a table: Basic Latin to Latin Extended-B, and ə (U+0259).
LATIN_TABLE_CHARS = "".join(map(chr, range(0x250))) + "\u0259"
_LATIN = re.compile(f"[{re.escape(LATIN_TABLE_CHARS)}]*")


@functools.lru_cache(maxsize=1)
def _latin_folds() -> dict[int, str]:
    return {ord(c): _fold_slow(c) for c in LATIN_TABLE_CHARS}


def _aligned_chars() -> str:
    """The table's characters that fold to one character, a word character (as `_WORD` has
    them) exactly when they are one: a text of them folded has the same words at the same offsets."""
    def is_word(c: str) -> bool:
        return re.fullmatch(r"[^\W_]", c) is not None
    return "".join(c for c in LATIN_TABLE_CHARS
                   if len(_fold_slow(c)) == 1 and is_word(c) == is_word(_fold_slow(c)))


@functools.lru_cache(maxsize=1)
def _aligned() -> re.Pattern:
    return re.compile(f"[{re.escape(_aligned_chars())}]*")


def strip_marks(text: str) -> str:
    """`text` without its combining characters (`unicodedata.combining` not 0), as after NFD
    the accents of `é` or `ň`. One `str.translate` over the distinct characters' marks: highlights
    and snippets fold whole descriptions, where a test per character cost more than the search."""
    marks = {ord(c): None for c in set(text) if unicodedata.combining(c)}
    return text.translate(marks) if marks else text


def words(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    return [w for w in _WORD.findall(normalise(text)) if len(w) <= MAX_WORD]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The folded Turkish stem of one normalised word: `'türküleri'` → `'turku'`.

    Cached: the pure-Python Snowball stemmer takes about a millisecond a word, and a
    vocabulary repeats far more than it grows.
    """
    return fold(_stemmer().stemWord(word))


def variants(text: str) -> tuple[list[str], list[str], list[str]]:
    """(normalised, folded, stemmed) word lists of a text, as they go into the index."""
    norm = words(text)
    return norm, [fold(w) for w in norm], [stem(w) for w in norm]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each word of the original text, for highlighting.

    Offsets index the NFC form of `text` (what the metadata schema stores); each word is
    normalised on its own, so Cyrillic or Turkish casing does not shift positions.
    """
    return list(_word_spans(unicodedata.normalize("NFC", text)))


@functools.lru_cache(maxsize=4096)
def _word_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    # A hit's description is read by its snippet and by its highlight in one search.
    return tuple((m.start(), m.end(), fold_word(m.group())) for m in _WORD.finditer(text))


@functools.lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """`fold` of one word, cached: highlighting and snippets fold every word of every hit's
    texts, and ICU's case mapping costs tens of microseconds a call."""
    return fold(word)


def query_words(text: str) -> list[str]:
    """The distinct normalised words of a query; punctuation and operators are just separators."""
    seen: list[str] = []
    for w in words(text or ""):
        if w not in seen:
            seen.append(w)
    return seen[:32]  # a pasted page is not a query; the first words say enough


def snippet(texts: list[str], query: list[str], width: int = 200) -> str:
    """Plain text around the first word of `texts` that matches a query word, folded or stemmed.

    Matching uses the same forms as the index, so `Istanbul` highlights `İSTANBUL`. With no
    match (or no query), the start of the first text.
    """
    for text in texts:
        # One line: newlines and runs of spaces do not belong in a snippet.
        text = " ".join(unicodedata.normalize("NFC", text).split())
        if not may_match(text, query):
            continue
        spans = _matching_spans(unicodedata.normalize("NFC", text), tuple(query))
        if spans:
            return _window(text, spans[0][0], spans[0][1], width)
    return _window(" ".join(texts[0].split()), 0, 0, width) if texts else ""


PREFIX_MARK = "*"  # search.query.PREFIX_MARK: a query word that is a prefix (`qarab*`)


@functools.lru_cache(maxsize=4096)
def _query_forms(query: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(folded whole words, beginnings) of the query words: a word matches a text word that
    is it folded or begins with its stem; a prefix (`qarab*`) one that begins with it folded."""
    whole = [w for w in query if not w.endswith(PREFIX_MARK)]
    prefixes = {fold(w[:-1]) for w in query if w.endswith(PREFIX_MARK) and len(w) > 1}
    return (frozenset(fold(w) for w in whole),
            tuple({stem(w) for w in whole if len(stem(w)) >= 3} | {p for p in prefixes if p}))


def may_match(text: str, query: list[str]) -> bool:
    """False when no word of `text` can `matches` a query word: the whole text folded once
    holds none of the query's folded words or stems. A cheap test before word_spans (which
    folds word by word) in snippets and highlights, where most texts of a hit do not match.
    Cyrillic text is transliterated word by word, so it is always True for it."""
    if _CYRILLIC.search(text):
        return True
    exact, stems = _query_forms(tuple(query))
    folded = _fold_text(text)
    return any(w in folded for w in exact) or any(s in folded for s in stems)


@functools.lru_cache(maxsize=4096)
def _fold_text(text: str) -> str:
    # A hit's description is tested by the snippet and the highlights of one search.
    return fold(text)


def matches(folded: str, query: list[str]) -> bool:
    """Whether a text's folded word matches a query word: the same folded word, or a word that
    starts with a query word's stem (Turkish and Azerbaijani inflect by suffixes, so the stem
    is the inflected word's beginning: `türküleri` starts with `turku`). No stemming of the
    text's words: a snippet or highlight looks at every word of every hit."""
    exact, stems = _query_forms(tuple(query))
    return folded in exact or folded.startswith(stems)


def matching_spans(text: str, query: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` that `matches` a query word (offsets as word_spans)."""
    return _matching_spans(unicodedata.normalize("NFC", text), tuple(query))


def _matching_spans(text: str, query: tuple[str, ...]) -> list[tuple[int, int]]:
    """matching_spans of an NFC text. A text whose every character folds to one character of
    the same kind (a word character or not; `_aligned_chars`) is folded whole, offsets unchanged,
    and each folded query word and stem is looked for in it with `str.find`: a stem at a word's
    start matches that word, a folded query word one that is all of it. Any other text is folded
    word by word."""
    exact, stems = _query_forms(query)
    if not _aligned().fullmatch(text):
        return [(start, end) for start, end, folded in _word_spans(text)
                if folded in exact or folded.startswith(stems)]
    folded = _fold_text(text)
    spans = set()
    for needle, whole in [*((w, True) for w in exact if w), *((s, False) for s in stems)]:
        at = folded.find(needle)
        while at >= 0:
            if at == 0 or not folded[at - 1].isalnum():  # `[^\W_]`, a word character
                end = at + len(needle)
                if not whole:
                    end = _WORD_REST.match(folded, end).end()
                    spans.add((at, end))
                elif end == len(folded) or not folded[end].isalnum():
                    spans.add((at, end))
            at = folded.find(needle, at + 1)
    return sorted(spans)


_WORD_REST = re.compile(r"[^\W_]*")


def _window(text: str, start: int, end: int, width: int) -> str:
    if len(text) <= width:
        return text
    left = max(0, min(start - width // 3, len(text) - width))
    right = min(len(text), left + width)
    # Cut at spaces so no word is halved.
    if left > 0:
        space = text.find(" ", left)
        left = space + 1 if 0 <= space < start else left
    if right < len(text):
        space = text.rfind(" ", left, right)
        right = space if space > max(left, end) else right
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")
