"""The `file` part of a multipart body, for the provenance endpoints that take one
(`provenance/lookup`, `provenance/verify` and their pages): HTTP only.

Werkzeug answers RequestEntityTooLarge both for a body over `request.max_content_length` and
for a part that is not a file over `request.max_form_memory_size` (Flask's
MAX_FORM_MEMORY_SIZE, 500 kB by default), which includes the bytes before the first boundary
of a body that is not the multipart its `Content-Type` says. The second is no file too large:
a 7.8 MB clip sent with a wrong boundary was answered "larger than the 2048 MB a lookup
accepts" (413 `request_entity_too_large`) or "larger than 1073741824 bytes" (413
`file_too_large`). This module tells them apart by the declared `Content-Length`.
"""
from __future__ import annotations

from typing import Callable

from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from archive.errors import ApiError


def malformed(limit: int | None) -> ApiError:
    """400 `malformed_multipart` (`details`: `reason` `part_too_large`, `limit` in bytes)."""
    return ApiError("The multipart body could not be read: a form field other than the file, or what comes "
                    f"before the first boundary, is larger than {limit} bytes (is the boundary in the "
                    "Content-Type the body's?).", code="malformed_multipart", status=400,
                    details={"reason": "part_too_large", "limit": limit})


def file_part(name: str, too_large: Callable[[], Exception]) -> FileStorage | None:
    """`request.files[name]`, or None. A body over `request.max_content_length` (the caller
    sets it) raises `too_large()`; a body whose declared length is within it but one of whose
    other parts (or its preamble) is over `request.max_form_memory_size` raises
    `malformed(...)`: 400 `malformed_multipart`."""
    try:
        return request.files.get(name)
    except RequestEntityTooLarge:
        declared, allowed = request.content_length, request.max_content_length
        if declared is not None and (allowed is None or declared <= allowed):
            raise malformed(request.max_form_memory_size) from None
        raise too_large() from None
