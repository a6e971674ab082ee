"""HLS playlists (RFC 8216) rewritten per request, for storage that hands out presigned URLs.

A rendition's playlists name their files by URIs relative to the playlist (`seg_001.m4s`,
`init.mp4`, `720p/index.m3u8`). Served from S3, a segment must be fetched from the store by
a presigned URL, which expires: so each request for a playlist gets a copy whose media URIs
(segments, `EXT-X-MAP` init sections, keys) are fresh presigned URLs, while URIs of other
playlists stay relative and come back through the access gate, to be rewritten in turn.

URIs are the lines that are not tags or comments, and the `URI="..."` attribute of tags
(`EXT-X-MAP`, `EXT-X-MEDIA`, `EXT-X-I-FRAME-STREAM-INF`, `EXT-X-KEY`...). A URI that is
absolute (a scheme or a leading `/`), that leaves the rendition (`..`), or that names no file
of the manifest is left as it is: the rewrite never invents a URL.
"""
from __future__ import annotations

import math
import posixpath
import re
from typing import Callable

from archive.renditions.files import is_valid_path

MAX_URL_LIFETIME = 7 * 24 * 3600  # seconds: the longest an S3 presigned URL may live (SigV4)
MAX_PLAYLIST_BYTES = 16 * 1024 * 1024  # a 24 h VOD playlist of 2 s segments is ~3 MB
_URI_ATTR = re.compile(r'(URI=")([^"]*)(")')
_EXTINF = re.compile(r"#EXTINF:\s*([0-9]+(?:\.[0-9]+)?)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_playlist(path: str) -> bool:
    return path.lower().endswith(".m3u8")


def resolve(playlist_path: str, uri: str) -> str | None:
    """The path inside the rendition that `uri`, written in the playlist at `playlist_path`,
    names; None when it is absolute, has a query or fragment, or leaves the rendition."""
    if not uri or _SCHEME.match(uri) or uri.startswith("/") or "?" in uri or "#" in uri:
        return None
    joined = posixpath.join(posixpath.dirname(playlist_path), uri)
    parts: list[str] = []
    for seg in joined.split("/"):
        if seg == "..":
            if not parts:
                return None
            parts.pop()
        elif seg not in ("", "."):
            parts.append(seg)
    path = "/".join(parts)
    return path if is_valid_path(path) else None


def duration(text: str) -> float:
    """The sum of the playlist's `#EXTINF` durations, seconds (0 for a master playlist)."""
    return sum(float(m.group(1)) for m in _EXTINF.finditer(text))


def rewrite(text: str, playlist_path: str, url_for: Callable[[str], str | None]) -> str:
    """`text` with every URI of a media file replaced by `url_for(path inside the rendition)`,
    when that gives one; playlists (`.m3u8`) and whatever `url_for` gives None for stay."""

    def new(uri: str) -> str:
        path = resolve(playlist_path, uri)
        if path is None or is_playlist(path):
            return uri
        return url_for(path) or uri

    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            if "URI=\"" in line:
                line = _URI_ATTR.sub(lambda m: m.group(1) + new(m.group(2)) + m.group(3), line)
        elif stripped:
            line = new(stripped)
        out.append(line)
    return "\n".join(out) + "\n"


def url_lifetime(text: str, presign_seconds: int, maximum: int) -> int:
    """How long the presigned URLs of a rewritten playlist live: the configured lifetime plus
    the playlist's own duration, so a viewer who plays it through never meets an expired URL
    (a VOD playlist is read once), capped at `maximum` (S3 allows 7 days)."""
    return int(min(maximum, presign_seconds + math.ceil(duration(text))))
