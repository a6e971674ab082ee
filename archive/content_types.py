"""Whether a stored file's bytes are what its declared Content-Type says, by their magic
numbers (the `filetype` library: PDF, JPEG, PNG, DOCX and ODT are recognised by their first
bytes, the two office formats by the zip entries that name them).

Used where a client sends a document with its type in `Content-Type` (contract documents,
commission minutes): the archive serves it back with that type, so an MP4 declared as
`application/pdf` must not be kept as a PDF.
"""
from __future__ import annotations

import filetype

from archive.errors import ApiError

# filetype reads no more than this many leading bytes.
SNIFF_BYTES = 8192
PLAIN_TEXT = "text/plain"


def detected_type(body: bytes) -> str | None:
    """The MIME type `body`'s leading bytes show, or None when they match no known binary format."""
    kind = filetype.guess(bytes(body[:SNIFF_BYTES]))
    return kind.mime if kind is not None else None


def declared_type_holds(body: bytes, declared: str, detected: str | None) -> bool:
    """Whether `body`, whose leading bytes show the type `detected` (`detected_type`), is of the
    `declared` type: for `text/plain` no known binary format and no NUL byte in the first
    SNIFF_BYTES; for any other type the detected type is that one."""
    if declared == PLAIN_TEXT:
        return detected is None and b"\x00" not in body[:SNIFF_BYTES]
    return detected == declared


def refuse_other_content(body: bytes, content_type: str) -> None:
    """415 `content_type_mismatch` (details `declared`, `detected`: the type the bytes show,
    or null) when `body` is not of the declared `content_type` (`declared_type_holds`)."""
    found = detected_type(body)
    if not declared_type_holds(body, content_type, found):
        shown = f"the bytes are {found}" if found else "its bytes are of no type the archive recognises as such"
        raise ApiError(f"The body is not {content_type}: {shown}. Send the file with its own type.",
                       code="content_type_mismatch", status=415,
                       details={"declared": content_type, "detected": found})
