"""How large a request's head may be: the same numbers for the HTTP server and the app.

`ortak serve` (gunicorn) is configured with these numbers and refuses a larger head
before the app sees it; `check_request_head` enforces them again inside the app, so that any
server in front (Werkzeug's in development and tests, another WSGI server) gives the same
answers in the same JSON shape:
- the request line (`METHOD target HTTP/1.1`) at most REQUEST_LINE_MAX bytes → else 414
  `uri_too_long`. 8190 is the largest `limit_request_line` gunicorn accepts;
- each header field (`Name: value` and its line end, as gunicorn counts
  `limit_request_field_size`) at most MAX_HEADER_BYTES bytes (setting
  `ORTAK_MAX_HEADER_BYTES`, default 65536) → else 431 `header_too_large`;
- at most HEADER_FIELDS_MAX header fields (gunicorn's `limit_request_fields`; also the
  limit of Python's http.client, which Werkzeug's server uses) → else 431 `too_many_headers`.
tus `Upload-Metadata` is one header field, so its value can be at most
`metadata_limit(MAX_HEADER_BYTES)` bytes; the tus OPTIONS answer and the OpenAPI document
state that number.
"""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Mapping

from flask import Flask, current_app, request
from werkzeug.serving import WSGIRequestHandler

from archive.errors import ApiError, error_body

REQUEST_LINE_MAX = 8190
HEADER_FIELDS_MAX = 100
METADATA_HEADER = "Upload-Metadata"


def header_bytes_limit(config: Mapping[str, Any]) -> int:
    return int(config["MAX_HEADER_BYTES"])


def field_size(name: str, value: str) -> int:
    """Bytes of one header field on the wire: `Name: value` and CRLF (WSGI values are latin-1)."""
    return len(name) + 2 + len(value) + 2


def metadata_limit(max_header_bytes: int) -> int:
    """The longest Upload-Metadata value a header field of `max_header_bytes` bytes can carry."""
    return max_header_bytes - field_size(METADATA_HEADER, "")


def _request_line() -> str:
    env = request.environ
    target = env.get("RAW_URI") or env.get("REQUEST_URI")
    if target is None:  # a server that keeps no raw target: rebuild it (never shorter than it was)
        target = env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", "")
        if env.get("QUERY_STRING"):
            target += "?" + env["QUERY_STRING"]
    return f"{request.method} {target} {env.get('SERVER_PROTOCOL', 'HTTP/1.1')}"


def check_request_head() -> None:
    """before_request: refuse a request line or header over the limits (see the module doc)."""
    line = len(_request_line())
    if line > REQUEST_LINE_MAX:
        raise ApiError(f"The request line is {line} bytes; the limit is {REQUEST_LINE_MAX}. Shorten the URL.",
                       code="uri_too_long", status=414, details={"limit": REQUEST_LINE_MAX, "length": line},
                       headers={"Connection": "close"})
    headers = list(request.headers.items())
    if len(headers) > HEADER_FIELDS_MAX:
        raise ApiError(f"The request has {len(headers)} header fields; the limit is {HEADER_FIELDS_MAX}.",
                       code="too_many_headers", status=431,
                       details={"limit": HEADER_FIELDS_MAX, "count": len(headers)}, headers={"Connection": "close"})
    limit = header_bytes_limit(current_app.config)
    for name, value in headers:
        size = field_size(name, value)
        if size > limit:
            raise ApiError(f"The header {name} is {size} bytes; a header field may have at most {limit}.",
                           code="header_too_large", status=431,
                           details={"header": name, "limit": limit, "length": size},
                           headers={"Connection": "close"})


def install(app: Flask) -> None:
    """Run `check_request_head` before every other before_request function of the app."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request_head)


class JsonErrorRequestHandler(WSGIRequestHandler):
    """Werkzeug's development request handler, answering its own refusals as JSON.

    Python's HTTP server refuses, before any app runs, a request line over 65536 bytes (414),
    a header line over 65536 bytes or more than 100 header fields (431), and malformed
    requests (400), with an HTML page. This handler gives those answers the error shape the
    app and `ortak serve` use, so a client sees one shape whichever server answers.
    """

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        name = {HTTPStatus.REQUEST_URI_TOO_LONG: "uri_too_long",
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: ("too_many_headers" if "many" in (message or "").lower()
                                                             else "header_too_large")}.get(
            status, status.phrase.lower().replace(" ", "_").replace("-", "_"))
        text = " ".join(part for part in (message or status.phrase, explain) if part)
        body = json.dumps(error_body(name, text)).encode()
        self.log_error("code %d, message %s", code, message)
        self.send_response(code, status.phrase)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
