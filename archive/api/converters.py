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


class ResourceIdConverter(BaseConverter):
    """`<int:...>` for row ids: a positive integer of ASCII digits up to MAX_ID is that int;
    any other segment (`abc`, `-1`, `1e3`, `٣`, an id past MAX_ID) is NO_ID."""

    regex = r"[^/]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
            return int(value)
        return NO_ID

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
