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
from urllib.parse import quote, unquote

import icu

from archive.validation import disguising_characters

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


class HeaderFilenameError(ValueError):
    """A file-name header that cannot be read; `reason` is `not_utf8` or `forbidden_characters`
    (then `characters` lists them as "U+202E" strings)."""

    def __init__(self, reason: str, characters: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.characters = characters or []


_RFC8187 = re.compile(r"(?i)utf-8'[A-Za-z0-9-]*'(.*)", re.DOTALL)


def header_filename(raw: str | None) -> str | None:
    """The file name a request header carries (`Ortak-Filename`, `X-Filename`), as sent, or
    None when the header is absent or empty. Three spellings, so that any client can send a
    Turkish or Azerbaijani name:
    - RFC 8187 `UTF-8''s%C3%B6zle%C5%9Fme.pdf` (the `filename*=` form; any language tag);
    - URL-encoded UTF-8 `s%C3%B6zle%C5%9Fme.pdf` (percent-decoded; a `%` not followed by two
      hex digits stays as it is);
    - raw UTF-8 bytes `sözleşme.pdf` (a WSGI server hands header bytes over as latin-1
      characters; they are read back as UTF-8).
    HeaderFilenameError `not_utf8` when the bytes or the percent-escapes are not UTF-8,
    `forbidden_characters` when the decoded name holds a control character (C0, DEL, C1, tab
    and line breaks too) or an invisible format character such as U+202E, which turns
    "gpj.exe" into what reads "exe.jpg" (`archive.validation.disguising_characters`, the rule
    of free text). The caller passes the result through `safe_filename` (no directories, at
    most 255 characters)."""
    if raw is None or raw == "":
        return None
    try:
        text = raw.encode("latin-1").decode("utf-8")  # the bytes the client sent
    except UnicodeEncodeError:
        text = raw  # characters already (a test client, or a server that decoded them)
    except UnicodeDecodeError:
        raise HeaderFilenameError("not_utf8") from None
    extended = _RFC8187.fullmatch(text)
    if extended:
        text = extended.group(1)
    try:
        text = unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HeaderFilenameError("not_utf8") from None
    characters = disguising_characters(text, multiline=False)
    if characters:
        raise HeaderFilenameError("forbidden_characters", characters)
    return text
