"""Downloads: which blob, which bytes (Range, RFC 9110), which headers, and the usage record.

`prepare_download` decides everything and returns a `Download`; the view only turns it
into a response. Bytes are streamed from `storage().open_range` in chunks, never loaded.
"""
from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import quote

from flask import current_app
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.assets.services import get_asset
from archive.errors import ApiError, Conflict, NotFound
from archive.services import storage
from archive.storage.interfaces import BlobNotFound, InvalidKey
from archive.usage.services import record_usage

log = logging.getLogger(__name__)

ORIGINAL = "original"
_RENDITION_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}")
_RANGE_SPEC = re.compile(r"\s*([0-9]*)\s*-\s*([0-9]*)\s*")  # ASCII digits only, as every integer a client sends
# Only media a browser plays or shows is ever served inline; anything else (HTML, SVG, PDF
# with scripts...) would run in our origin, so it is always an attachment.
_INLINE_PREFIXES = ("video/", "audio/", "image/")
_NOT_INLINE = ("image/svg+xml",)
# RFC 5987 attr-char, the characters `filename*=` may carry unescaped.
_ATTR_CHARS = "!#$&+-.^_`|~"
# Letters NFKD does not reduce to ASCII but which have an obvious ASCII reading.
_ASCII_READING = str.maketrans({"ı": "i", "ə": "e", "Ə": "E", "ß": "ss", "ø": "o", "Ø": "O",
                                "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"})


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    pass


@dataclass
class Download:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Iterator[bytes] | None = None
    redirect: str | None = None


@dataclass(frozen=True)
class _Blob:
    key: str
    size: int
    sha256: str | None
    content_type: str
    filename: str


# ---- pure helpers (tested as data) -----------------------------------------------------------

def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range to send, or None to send the whole blob.

    Malformed headers, other units and multiple ranges give None: RFC 9110 lets a server
    ignore Range, and a whole 200 is always correct. A well-formed range that starts past
    the end raises Unsatisfiable (416).
    """
    if not header or len(header) > 200:
        return None
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in specs:
        return None
    m = _RANGE_SPEC.fullmatch(specs)
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else None
    if end is not None and end < start:
        return None  # invalid range-spec: the whole header is ignored
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, size - 1 if end is None or end >= size else end)


def _etags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def none_match(header: str | None, etag: str | None) -> bool:
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    if not header or not etag:
        return False
    tags = _etags(header)
    if "*" in tags:
        return True
    plain = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == plain for t in tags)


def if_range_allows(header: str | None, etag: str | None) -> bool:
    """If-Range needs a strong match. We send no Last-Modified, so a date never matches."""
    if not header:
        return True
    header = header.strip()
    return etag is not None and not header.startswith("W/") and header == etag


def ascii_filename(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.translate(_ASCII_READING))
    text = "".join(c for c in text if not unicodedata.combining(c))
    stem, ext = posixpath.splitext(re.sub(r"[^A-Za-z0-9._ ()-]+", "_", text))
    stem = stem.strip(" ._")
    if not re.search(r"[A-Za-z0-9]", stem):  # nothing readable survived (Cyrillic, say)
        stem = "download"
    return stem[:140] + ext[:10]


def safe_filename(name: str | None) -> str:
    """A plain file name: no directories, control characters or NUL, whatever was uploaded."""
    name = (name or "").replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".")
    return name[:255] or "download"


def content_disposition(filename: str, inline: bool = False) -> str:
    name = safe_filename(filename)
    fallback = ascii_filename(name)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


def clean_content_type(value: str | None) -> str:
    if value:
        base = value.split(";", 1)[0].strip()
        if _CONTENT_TYPE.fullmatch(base):
            return base.lower()
    return "application/octet-stream"


def can_inline(content_type: str) -> bool:
    return content_type.startswith(_INLINE_PREFIXES) and content_type not in _NOT_INLINE


# ---- the service -------------------------------------------------------------------------------

def _rendition_filename(asset: Asset, name: str, key: str, content_type: str) -> str:
    stem = posixpath.splitext(safe_filename(asset.filename))[0] or "download"
    ext = posixpath.splitext(key)[1] or mimetypes.guess_extension(content_type) or ""
    return f"{stem}.{name}{ext}"


def _blob(asset: Asset, rendition: str) -> _Blob:
    if rendition == ORIGINAL:
        return _Blob(asset.original_key, asset.size, asset.sha256, clean_content_type(asset.content_type),
                     asset.filename)
    not_found = NotFound(f"This asset has no rendition {rendition[:40]!r}.", code="rendition_not_found",
                         details={"rendition": rendition[:40],
                                  "available": [ORIGINAL, *(r.name for r in asset.renditions)]})
    if not _RENDITION_NAME.fullmatch(rendition):
        raise not_found
    r = next((r for r in asset.renditions if r.name == rendition), None)
    if r is None:
        raise not_found
    if r.status != "ready" or not r.blob_key:
        raise Conflict(f"The {rendition} rendition is not ready yet ({r.status}).", code="rendition_not_ready",
                       details={"rendition": rendition, "status": r.status, "progress": r.progress})
    ctype = clean_content_type(r.content_type)
    size = r.size if r.size is not None else storage().stat(r.blob_key).size
    return _Blob(r.blob_key, size, r.sha256, ctype, _rendition_filename(asset, rendition, r.blob_key, ctype))


def prepare_download(session: Session, user, asset_id: str, rendition: str | None, *,
                     range_header: str | None = None, if_none_match: str | None = None,
                     if_range: str | None = None, inline: bool = False, head: bool = False) -> Download:
    asset = get_asset(session, asset_id)
    rendition = rendition or ORIGINAL
    blob = _blob(asset, rendition)
    etag = f'"{blob.sha256}"' if blob.sha256 else None
    inline = inline and can_inline(blob.content_type)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": blob.content_type,
        "Content-Disposition": content_disposition(blob.filename, inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        # Readers need a login, so no shared cache may keep a copy.
        "Cache-Control": "private, max-age=3600",
    }
    if etag:
        headers["ETag"] = etag

    if none_match(if_none_match, etag):
        return Download(304, {k: v for k, v in headers.items() if k in ("ETag", "Cache-Control")})

    try:
        byte_range = parse_range(range_header, blob.size) if if_range_allows(if_range, etag) else None
    except Unsatisfiable:
        raise ApiError(f"The range {range_header[:60]!r} is outside the {blob.size} bytes of this file.",
                       code="range_not_satisfiable", status=416,
                       headers={"Content-Range": f"bytes */{blob.size}", "Accept-Ranges": "bytes"}) from None

    # One usage record per read of an original, not per request: a player seeking through a
    # file sends many Range requests, and only the one from byte 0 (or a request with no
    # Range at all) starts a read. Recording every seek would flood the log with noise, and
    # recording none of the ranged requests would let a client read a whole master in ranged
    # pieces unrecorded; a read from 0 is what every client does first. HEAD and 304 send no
    # bytes and are not reads.
    if rendition == ORIGINAL and not head and (byte_range is None or byte_range.start == 0):
        record_usage(session, user, asset, "download", ORIGINAL)
        # The record is durable before the first byte (or the redirect) leaves.
        session.commit()

    url = storage().presigned_url(blob.key, expires=int(current_app.config["PRESIGN_SECONDS"]),
                                  filename=safe_filename(blob.filename))
    if url:
        return Download(302, {"Location": url, "Cache-Control": "no-store"}, redirect=url)

    if byte_range is None:
        status, start, end, length = 200, 0, None, blob.size
    else:
        status, start, end, length = 206, byte_range.start, byte_range.end, byte_range.length
        headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{blob.size}"
    headers["Content-Length"] = str(length)
    body: Iterator[bytes] | None = None
    if not head and length > 0:
        try:
            body = storage().open_range(blob.key, start, end)
        except (BlobNotFound, InvalidKey):
            log.error("blob %s of asset %s (%s) is missing from storage", blob.key, asset.id, rendition)
            raise NotFound("The stored file for this asset is missing; the administrators have been told.",
                           code="blob_missing") from None
    return Download(status, headers, body if body is not None else iter(()))
