"""A basket's ready zip as an HTTP answer, the same for its members (`/api/v1/baskets/{id}/zip`)
and a share link's visitors (`/s/<token>/zip`): whole (200) or one `Range` (206), If-Range
against its ETag (the zip's SHA-256), 416 past its end, and HEAD (the headers alone).

A zip is the largest file Ortak hands out, so a download that broke off must resume as a
file's does (`archive.assets.download`: the same `parse_range` and `if_range_allows`, RFC 9110
sections 14.2 and 13.1.5). What a read of it is (whose use, whether it counts against a
link's downloads) is the caller's; a HEAD sends no bytes, so it is no use.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from flask import Response

from archive.assets.download import Unsatisfiable, if_range_allows, parse_range
from archive.backends import storage
from archive.errors import ApiError
from archive.filenames import content_disposition


CHUNK = 1024 * 1024  # bytes a read from storage yields at a time


@dataclass(frozen=True)
class ZipAnswer:
    """What a zip route sends: the ready zip's storage `key`, `size` (bytes), `sha256` (hex),
    file `name`, and the bytes (first, last; inclusive) of this answer; `partial`: a 206 of a
    Range."""

    key: str
    size: int
    sha256: str
    name: str
    span: tuple[int, int]
    partial: bool

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


def zip_answer(key: str, size: int, sha256: str, name: str, *, range_header: str | None,
               if_range: str | None) -> ZipAnswer:
    """The answer to a read of the zip (`key`, `size` bytes, `sha256`) with `range_header`
    (`bytes=a-b`, `bytes=a-`, `bytes=-n`; several ranges or another unit: the whole zip) and
    `if_range` (a Range applies only when it is the zip's ETag). 416 `range_not_satisfiable`
    (`Content-Range: bytes */SIZE`) for a range that starts past the end."""
    try:
        wanted = parse_range(range_header, size) if if_range_allows(if_range, f'"{sha256}"') else None
    except Unsatisfiable:
        raise ApiError(f"The range {(range_header or '')[:60]!r} is outside the {size} bytes of this zip.",
                       code="range_not_satisfiable", status=416,
                       headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}) from None
    span = (wanted.start, wanted.end) if wanted is not None else (0, size - 1)
    return ZipAnswer(key, size, sha256, name, span, wanted is not None)


def zip_response(z: ZipAnswer, *, head: bool, headers: dict[str, str] | None = None) -> Response:
    """The HTTP response of `z`: the bytes of its span streamed from storage (none for a HEAD,
    which has the headers a GET would), `Content-Range` on a 206; `headers` added."""
    first, last = z.span
    out = {"Content-Type": "application/zip", "Content-Length": str(last - first + 1), "ETag": z.etag,
           "Accept-Ranges": "bytes", "Content-Disposition": content_disposition(z.name, False),
           "X-Content-Type-Options": "nosniff", **(headers or {})}
    if z.partial:
        out["Content-Range"] = f"bytes {first}-{last}/{z.size}"
    body = iter(()) if head else open_zip(z.key, first, last)
    return Response(body, status=206 if z.partial else 200, headers=out)


def open_zip(key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The ready zip's bytes `start`..`end` (inclusive; None: to its end), streamed from storage."""
    return storage().open_range(key, start, end, chunk_size=CHUNK)
