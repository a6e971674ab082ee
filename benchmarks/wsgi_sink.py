"""A WSGI tus endpoint that reads every body through `wsgi.input` and keeps nothing.

Served by gunicorn with the flags `ortak serve` uses, it is the ceiling of the WSGI server's
own body reading: what any Flask upload path under that server can reach at best.
"""
from __future__ import annotations

import itertools

READ = 1024 * 1024  # archive.ingest.staging.CHUNK, the size the upload path reads
_ids = itertools.count()
_offsets: dict[str, int] = {}


def app(environ, start_response):
    body = environ["wsgi.input"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    while length > 0:
        data = body.read(min(READ, length))
        if not data:
            break
        length -= len(data)
    method = environ["REQUEST_METHOD"]
    upload = environ["PATH_INFO"].rsplit("/", 1)[-1]
    headers = [("Tus-Resumable", "1.0.0")]
    if method == "POST":
        upload = f"u{next(_ids)}"
        _offsets[upload] = 0
        start_response("201 Created", headers + [("Location", f"/files/{upload}"), ("Content-Length", "0")])
    elif method == "PATCH":
        _offsets[upload] = _offsets.get(upload, 0) + int(environ.get("CONTENT_LENGTH") or 0)
        start_response("204 No Content", headers + [("Upload-Offset", str(_offsets[upload]))])
    else:
        start_response("204 No Content", headers)
    return [b""]
