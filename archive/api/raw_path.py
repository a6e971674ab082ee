"""An encoded slash (`%2F`) stays inside its path segment, so a hostile id still reaches its view.

WSGI servers (gunicorn, Werkzeug's) decode the whole path into PATH_INFO, `%2F` included:
`/api/v1/assets/..%2f` arrives as `/api/v1/assets/../`, which no route matches (the id's
segment is followed by an empty one), and the client got the bare 404 `not_found` instead of
the resource's own `asset_not_found` that docs/api.md promises for an id that names nothing.

`KeepEncodedSlashes` rebuilds PATH_INFO from the request target as the client sent it (the
`RAW_URI` both servers and Werkzeug's test client set): every escape is decoded as before
except `%2F`, which is left as it was written. The segment `..%2f` then reaches the converter
of its placeholder like any other text (archive.api.converters): a row id's converter makes it
the id of no row, a string id names no row, and a `<path:>` segment names no file. A request
without `RAW_URI`, or whose raw path does not decode to the path the server gave, is left alone.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable
from urllib.parse import unquote_to_bytes, urlsplit

ENCODED_SLASH = re.compile(r"%2[fF]")


def wsgi_path(raw_path: str, *, keep_encoded_slashes: bool) -> str:
    """PATH_INFO for a raw request path (`/a/b%20c`): percent-decoded bytes as latin-1 text
    (PEP 3333), `%2F`/`%2f` kept as written when `keep_encoded_slashes`."""
    if not keep_encoded_slashes:
        return unquote_to_bytes(raw_path).decode("latin-1")
    pieces = ENCODED_SLASH.split(raw_path)
    slashes = ENCODED_SLASH.findall(raw_path)
    out = unquote_to_bytes(pieces[0]).decode("latin-1")
    for slash, piece in zip(slashes, pieces[1:]):
        out += slash + unquote_to_bytes(piece).decode("latin-1")
    return out


def raw_request_path(environ: dict[str, Any]) -> str | None:
    """The path of the request target as the client sent it, or None when the server did not
    pass it on (`RAW_URI`, or `REQUEST_URI`; an absolute-form target's path)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not isinstance(raw, str) or not raw:
        return None
    if raw.startswith("/"):
        return raw.split("?", 1)[0]
    try:
        return urlsplit(raw).path or None
    except ValueError:
        return None


class KeepEncodedSlashes:
    """WSGI middleware: see the module docstring."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        raw = raw_request_path(environ)
        if raw is not None and ENCODED_SLASH.search(raw):
            script = environ.get("SCRIPT_NAME", "")
            if wsgi_path(raw, keep_encoded_slashes=False) == script + environ.get("PATH_INFO", ""):
                kept = wsgi_path(raw, keep_encoded_slashes=True)
                if kept.startswith(script):
                    environ["PATH_INFO"] = kept[len(script):]
        return self.app(environ, start_response)
