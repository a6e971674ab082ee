"""File names people see and HTTP headers carry: one safe name, one ASCII fallback, one
Content-Disposition, for local downloads and S3 presigned downloads alike.

The ASCII fallback is ICU's transliteration (the library the search normalisation uses):
Azerbaijani Cyrillic by the 1991 Azerbaijani Cyrillic→Latin table (`az_Cyrl-az/BGN`), any
other script by `Any-Latin`, then `Latin-ASCII`; `ə`/`Ə`, which Latin-ASCII leaves alone,
read as `e`/`E` as Azerbaijani readers expect.
"""
from __future__ import annotations

import posixpath
import re
import threading
import unicodedata
from urllib.parse import quote

import icu

_RULES = ":: az_Cyrl-az/BGN ; :: Any-Latin ; ə > e ; Ə > E ; :: Latin-ASCII ;"
# RFC 5987 attr-char, the characters `filename*=` may carry unescaped.
_ATTR_CHARS = "!#$&+-.^_`|~"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()-]+")
_local = threading.local()  # ICU transliterators are not safe to share between threads


def _ascii() -> icu.Transliterator:
    t = getattr(_local, "ascii", None)
    if t is None:
        t = _local.ascii = icu.Transliterator.createFromRules("ortak-ascii", _RULES, icu.UTransDirection.FORWARD)
    return t


def safe_filename(name: str | None) -> str:
    """A plain file name: no directories, control characters or NUL, whatever was uploaded;
    "download" when nothing is left. At most 255 characters."""
    name = (name or "").replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".")
    return name[:255] or "download"


def ascii_filename(name: str) -> str:
    """The ASCII reading of `name` for the plain `filename=` parameter: letters transliterated,
    anything else outside [A-Za-z0-9._ ()-] as `_`; "download" when no letter or digit survives."""
    text = unicodedata.normalize("NFKD", _ascii().transliterate(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    stem, ext = posixpath.splitext(_UNSAFE_ASCII.sub("_", text))
    stem = stem.strip(" ._")
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "download"
    return stem[:140] + ext[:10]


def content_disposition(filename: str | None, inline: bool = False) -> str:
    """`attachment` (or `inline`) with the ASCII fallback and, when it differs, the exact name
    as RFC 6266/5987 `filename*=UTF-8''...`."""
    name = safe_filename(filename)
    fallback = ascii_filename(name)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value
