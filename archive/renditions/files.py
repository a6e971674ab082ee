"""The files of a rendition: their media types, and which paths inside a rendition can exist.

Media types by extension, as players expect them:
- `.m3u8` application/vnd.apple.mpegurl (RFC 8216 §4, HLS playlists);
- `.ts` video/mp2t (MPEG-2 transport stream segments), `.m4s` video/iso.segment (fMP4
  media segments, the IANA registration), `.mp4` video/mp4 (fMP4 init segments and proxies),
  `.m4a` audio/mp4 (RFC 4337);
- `.vtt` text/vtt (WebVTT, storyboard thumbnail tracks), `.json` application/json
  (waveform peaks), `.jpg`/`.jpeg` image/jpeg, `.png` image/png, `.webp` image/webp.
Anything else is application/octet-stream (served as an attachment).
"""
from __future__ import annotations

import posixpath
import re

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
DEFAULT_TYPE = "application/octet-stream"
MAX_PATH = 255
# The characters of a blob key segment (archive.storage.keys): a path that passes is a key suffix.
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def content_type_for(path: str) -> str:
    """The media type of a rendition file, by its extension (case-insensitive)."""
    return CONTENT_TYPES.get(posixpath.splitext(path)[1].lower(), DEFAULT_TYPE)


def is_valid_path(path: object) -> bool:
    """True when `path` can name a file inside a rendition: '/'-separated segments of
    A-Z a-z 0-9 . _ -, none empty, '.' or '..', at most MAX_PATH characters. Anything else
    (absolute, a backslash, NUL, a traversal) names no file, whatever storage would make of it.
    """
    if not isinstance(path, str) or not path or len(path) > MAX_PATH:
        return False
    return all(seg not in (".", "..") and _SEGMENT.fullmatch(seg) for seg in path.split("/"))
