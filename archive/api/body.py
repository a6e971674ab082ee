"""Reading JSON request bodies: one reader for every JSON endpoint.

`parse_json` turns bytes into Python values and refuses, with 400 `malformed_json` and
`details.reason`, every body a JSON library would choke on or two parsers would read
differently:
- `encoding`: not UTF-8 (RFC 8259 §8.1; a UTF-8 byte order mark is ignored);
- `syntax`: not JSON;
- `too_deep`: arrays/objects nested more than MAX_DEPTH deep. Checked on the text before
  parsing, so 100,000 `[` cost one linear scan instead of a RecursionError;
- `not_finite`: `NaN`, `Infinity`, `-Infinity` (not JSON, though Python's parser accepts
  them) and numbers too large for a double (`1e999`);
- `number_too_long`: a number literal longer than MAX_NUMBER_LENGTH characters (Python
  refuses integers over 4,300 digits with an error json does not translate);
- `duplicate_key`: the same key twice in one object. RFC 8259 leaves the meaning open and
  parsers differ (first wins, last wins, error); a proxy or client library that checks one
  reading must not be bypassed by another;
- `invalid_unicode`: a lone surrogate escape (`"\\ud800"`), which no database stores as text.
Bodies over MAX_BODY_BYTES answer 413 `body_too_large` before they are read.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import request
from werkzeug.exceptions import ClientDisconnected

from archive.errors import ApiError
from archive.filenames import HeaderFilenameError, header_filename, safe_filename

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 16
MAX_NUMBER_LENGTH = 40
# A JSON string (with escapes) or one bracket; everything else is skipped by the depth scan.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedJson(ApiError):
    status = 400
    code = "malformed_json"

    def __init__(self, message: str, reason: str, **details):
        super().__init__(message, details={"reason": reason, **details})


def _check_depth(text: str) -> None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise MalformedJson(f"The body nests arrays and objects more than {MAX_DEPTH} deep.",
                                    "too_deep", limit=MAX_DEPTH)
        elif token in "]}":
            depth -= 1


def _number(text: str, convert):
    if len(text) > MAX_NUMBER_LENGTH:
        raise MalformedJson(f"A number in the body is longer than {MAX_NUMBER_LENGTH} characters.",
                            "number_too_long", limit=MAX_NUMBER_LENGTH)
    value = convert(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedJson(f"The number {text[:20]} is too large.", "not_finite")
    return value


def _constant(name: str):
    raise MalformedJson(f"{name} is not a JSON value; send a number or null.", "not_finite")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedJson(f"The key {key[:60]!r} appears twice in one object.", "duplicate_key",
                                key=key[:60])
        out[key] = value
    return out


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts: list[str] = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        if any(_SURROGATE.search(t) for t in texts):
            raise MalformedJson("The body holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is not text.",
                                "invalid_unicode")


def parse_json(data: bytes | str) -> Any:
    """Bytes (or text) → the JSON value, or MalformedJson (400) naming the reason."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MalformedJson("The body is not UTF-8 text.", "encoding") from None
    else:
        text = data
    _check_depth(text)
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_constant=_constant,
                           parse_int=lambda s: _number(s, int), parse_float=lambda s: _number(s, float))
    except json.JSONDecodeError as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
                            "syntax", line=exc.lineno, column=exc.colno) from None
    except RecursionError:  # the depth scan makes this unreachable; kept so it can never be a 500
        raise MalformedJson(f"The body nests arrays and objects more than {MAX_DEPTH} deep.", "too_deep",
                            limit=MAX_DEPTH) from None
    _check_strings(value)
    return value


def _read_at_most(limit: int) -> bytes:
    """Up to `limit` bytes of the body: a socket may hand them over in several short reads."""
    chunks, size = [], 0
    while size < limit:
        try:
            chunk = request.stream.read(limit - size)
        except (OSError, ValueError, ClientDisconnected):  # the client went away mid-body
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def json_body() -> dict[str, Any]:
    """The request's JSON object.

    415 `unsupported_media_type` without a JSON content type; 413 `body_too_large` over
    MAX_BODY_BYTES; 400 `malformed_json` (see `parse_json`, plus reason `not_an_object`
    when the value is not an object, and `incomplete` when fewer bytes arrived than the
    Content-Length announced).
    """
    if not request.is_json:
        raise ApiError("Send the body as JSON (Content-Type: application/json).",
                       code="unsupported_media_type", status=415)
    data = _bounded(MAX_BODY_BYTES)
    if request.content_length is not None and len(data) < request.content_length:
        # The client stopped before the length it announced: what arrived is not the body it meant.
        raise MalformedJson(f"The body ended after {len(data)} of the {request.content_length} bytes announced.",
                            "incomplete", received=len(data), announced=request.content_length)
    value = parse_json(data)
    if not isinstance(value, dict):
        raise MalformedJson("The body must be a JSON object.", "not_an_object")
    return value


def raw_body(limit: int) -> bytes:
    """The request's body as bytes, read at most `limit` + 1 of them. 413 `body_too_large`
    (details.limit) over `limit`, before reading when Content-Length says so; 400
    `incomplete_body` when fewer bytes arrived than Content-Length announced."""
    data = _bounded(limit)
    if request.content_length is not None and len(data) < request.content_length:
        raise ApiError(f"The body ended after {len(data)} of the {request.content_length} bytes announced.",
                       code="incomplete_body", status=400,
                       details={"received": len(data), "announced": request.content_length})
    return data


def _bounded(limit: int) -> bytes:
    """At most `limit` bytes of the body; 413 `body_too_large` (details.limit) over it, before
    reading when Content-Length says so."""
    too_large = ApiError(f"The body is larger than {limit} bytes.", code="body_too_large", status=413,
                         details={"limit": limit}, headers={"Connection": "close"})
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    data = _read_at_most(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def filename_header(name: str) -> str | None:
    """The file name the request's header `name` (`Ortak-Filename`, `X-Filename`) carries,
    decoded (`archive.filenames.header_filename`: RFC 8187 `UTF-8''...`, URL-encoded UTF-8, or
    raw UTF-8) and made safe (`safe_filename`), or None without one. 400 `invalid_filename`
    with details {"header", "reason": "not_utf8" | "forbidden_characters"} (and `characters`)."""
    try:
        text = header_filename(request.headers.get(name))
    except HeaderFilenameError as exc:
        if exc.reason == "not_utf8":
            message = (f"{name} is not UTF-8: send the name URL-encoded (s%C3%B6zle%C5%9Fme.pdf) or as "
                       "RFC 8187 UTF-8''s%C3%B6zle%C5%9Fme.pdf.")
            details = {"header": name, "reason": exc.reason}
        else:
            message = f"{name} contains control or invisible characters ({', '.join(exc.characters)}); remove them."
            details = {"header": name, "reason": exc.reason, "characters": exc.characters}
        raise ApiError(message, code="invalid_filename", status=400, details=details) from None
    return safe_filename(text) if text is not None else None
