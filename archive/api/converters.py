"""URL converters: a path segment that cannot name a resource still reaches its view.

Werkzeug's own converters refuse a segment that does not fit (`abc` for `<int:id>`, a path with
an empty segment for `<path:p>`), and the request then falls through to the bare 404
`not_found`. The API promises each resource's own code instead (`marker_not_found`,
`rendition_file_not_found`, ...: docs/api.md, "Errors"), so these converters take any segment
and leave the verdict to the view, which answers for ids and paths that name nothing.
"""
from __future__ import annotations

from werkzeug.routing import BaseConverter, PathConverter

# The largest id a row can have (a 32-bit signed integer column on PostgreSQL and SQLite).
MAX_ID = 2**31 - 1
NO_ID = 0  # ids start at 1: 0 names no row, so the view's lookup answers its own 404


# How much of an unreadable id a message repeats (as asset ids: archive.assets.services.get_asset).
SHOWN_CHARACTERS = 80


class UnreadableId(int):
    """NO_ID that remembers the segment sent: it compares, hashes and serialises as NO_ID (so
    every lookup finds nothing), but formats as that segment, at most SHOWN_CHARACTERS
    characters, so a view's message names what was asked for ("No marker abc on this asset.",
    not "No marker 0")."""

    sent: str

    def __new__(cls, sent: str) -> "UnreadableId":
        obj = super().__new__(cls, NO_ID)
        obj.sent = sent[:SHOWN_CHARACTERS]
        return obj

    def __str__(self) -> str:
        return self.sent

    def __format__(self, spec: str) -> str:
        return format(self.sent, spec)

    def __repr__(self) -> str:
        return repr(self.sent)


class ResourceIdConverter(BaseConverter):
    """`<int:...>` for row ids: a positive integer of ASCII digits up to MAX_ID is that int;
    any other segment (`abc`, `-1`, `0`, `1e3`, `٣`, an id past MAX_ID) is an UnreadableId
    (NO_ID, shown as what was sent)."""

    regex = r"[^/]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
            return int(value)
        return UnreadableId(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


class AnyPathConverter(PathConverter):
    """`<path:...>` that also takes empty segments (`hls//master.m3u8`): the view checks each
    segment and answers its own 404 for a path that names no file."""

    regex = r".+?"
    part_isolating = False  # it spans segments (Werkzeug would infer True: no "/" in the regex)


class TextIdConverter(BaseConverter):
    """`<name>` (the default converter) for text ids and tokens: any segment, with a NUL
    character, which a PostgreSQL text value cannot hold (the driver raises `DataError`),
    replaced by U+FFFD, so the view's lookup finds nothing and answers its own 404."""

    part_isolating = True

    def to_python(self, value: str) -> str:
        return value.replace("\x00", "\ufffd")
