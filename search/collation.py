"""Alphabetical sort keys for titles, by the rules of the title's language (ICU collation).

Turkish orders `c < ç < d`, `g < ğ < h`, `ı < i`, `o < ö < p`, `s < ş < t`, `u < ü < v`;
Azerbaijani adds `e < ə < f`, `h < x < ı`, `k < q < l` (CLDR collation tailorings of `tr`
and `az`). An engine sorts on a number, so `sort_key` packs the first KEY_BYTES bytes of
ICU's sort key (primary and secondary weights, case ignored) into an unsigned 64-bit
integer: titles that agree in their first four to six letters tie (`Karabağ Halıları`,
`Karabağ Zurnası`). `sort_text` is the whole key (up to SORT_TEXT_BYTES bytes) as hexadecimal
text, whose byte order is the key's: engines sort by it as a text (tantivy's fast text field,
an Elasticsearch keyword), so titles order letter by letter to the end and `-title` is the
exact reverse of `title`.

A title in Azerbaijani Cyrillic sorts as it reads in the Latin alphabet (`Аршын мал алан` among
the A's, as `Arşın mal alan`): search finds the two spellings alike (search.normalize), and
ICU's collation would put every Cyrillic title after the last Latin one.
"""
from __future__ import annotations

import threading

import icu

from search.normalize import latin

KEY_BYTES = 8
SORT_TEXT_BYTES = 512   # a title that agrees with another in its first ~200 letters ties
NO_TITLE_TEXT = "z"     # after every hexadecimal key: no title sorts last
SORT_LANGS = ("tr", "az", "en")
_local = threading.local()


def _collator(lang: str) -> icu.Collator:
    cache = getattr(_local, "collators", None)
    if cache is None:
        cache = _local.collators = {}
    if lang not in cache:
        collator = icu.Collator.createInstance(icu.Locale(lang if lang in SORT_LANGS else "en"))
        collator.setStrength(icu.Collator.SECONDARY)
        cache[lang] = collator
    return cache[lang]


def sort_key(text: str | None, lang: str) -> int:
    """The title's sort key as an unsigned 64-bit integer; 2**64 - 1 (last) for no title."""
    if not text or not text.strip():
        return 2**64 - 1
    key = bytes(_collator(lang).getSortKey(latin(text.strip())))[:KEY_BYTES]
    return int.from_bytes(key.ljust(KEY_BYTES, b"\0"), "big")


def full_key(text: str, lang: str) -> bytes:
    """ICU's whole sort key of `text` in `lang` (bytes; compare them to order texts), for
    sorting a list in Python: names of places, territories."""
    return bytes(_collator(lang).getSortKey(text))


def sort_text(text: str | None, lang: str) -> str:
    """The title's whole sort key (at most SORT_TEXT_BYTES bytes) as lowercase hexadecimal,
    ordered as the title by `lang`'s collation when compared as text; NO_TITLE_TEXT for no
    title."""
    if not text or not text.strip():
        return NO_TITLE_TEXT
    return full_key(latin(text.strip()), lang)[:SORT_TEXT_BYTES].hex()


def compare(a: str, b: str, lang: str) -> int:
    """-1, 0 or 1: `a` before, equal to or after `b` in `lang`'s alphabetical order."""
    return _collator(lang).compare(a, b)
