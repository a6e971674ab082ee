"""tus 1.0.0 protocol helpers: header parsing and the constant headers.

Pure functions over header strings, so they are tested as data; the upload logic is in
`archive.ingest.services` and the HTTP glue in `archive.ingest.views`.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from archive.errors import ApiError

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "termination", "checksum")
CHECKSUM_ALGORITHMS = ("sha256",)
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Ortak's extension header in the OPTIONS answer: the longest Upload-Metadata value accepted
# (the header-field limit of archive.api.limits less the field's name and punctuation).
METADATA_LIMIT_HEADER = "Ortak-Upload-Metadata-Max-Length"
MAX_FILENAME = 255
_KEY = re.compile(r"^[^\s,]+$")
# ASCII digits only; at most 40 of them are read (any such number is past every size limit).
_DIGITS = re.compile(r"^[0-9]{1,40}$")


class TusError(ApiError):
    """A tus protocol mistake by the client (400 unless stated)."""


def common_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION}


def options_headers(max_size: int, max_metadata: int | None = None) -> dict[str, str]:
    """The tus discovery headers; `max_metadata` (bytes of Upload-Metadata) adds Ortak's own."""
    headers = {
        "Tus-Resumable": TUS_VERSION,
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(int(max_size)),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }
    if max_metadata is not None:
        headers[METADATA_LIMIT_HEADER] = str(int(max_metadata))
    return headers


def check_resumable(value: str | None) -> None:
    if value != TUS_VERSION:
        raise TusError(f"This server speaks tus {TUS_VERSION}; send the header Tus-Resumable: {TUS_VERSION}.",
                       code="tus_version_unsupported", status=412,
                       headers={"Tus-Version": TUS_VERSION},
                       details={"supported": [TUS_VERSION], "got": value})


def parse_non_negative(value: str | None, header: str) -> int:
    """An integer header such as Upload-Length or Upload-Offset (ASCII digits only, no sign).

    A number too long for any file is still a number: the caller's limits answer it (413 for
    an Upload-Length past the maximum size, 409 for an offset that is not the upload's).
    """
    if value is None or value.strip() == "":
        raise TusError(f"The header {header} is required.", code="missing_header", details={"header": header})
    value = value.strip()
    if not _DIGITS.match(value):
        raise TusError(f"{header} must be a non-negative whole number, not {_as_sent(value)[:40]!r}.",
                       code="invalid_header", details={"header": header})
    return int(value)


def _as_sent(value: str) -> str:
    """A header value as the client wrote it: WSGI hands headers over as Latin-1, so UTF-8
    ("²", "٣") arrives as mojibake unless it is read back."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def parse_metadata(header: str | None, max_length: int | None = None) -> dict[str, str]:
    """Decode `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).

    A header longer than `max_length` bytes answers 431 `header_too_large`, as the request
    head limits do (archive.api.limits) for every header; 400 `invalid_metadata_header` when
    the pairs are malformed.
    """
    if not header:
        return {}
    if max_length is not None and len(header) > max_length:
        raise TusError(f"Upload-Metadata is {len(header)} bytes; the limit is {max_length}.",
                       code="header_too_large", status=431,
                       details={"header": "Upload-Metadata", "limit": max_length, "length": len(header)})
    out: dict[str, str] = {}
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        parts = pair.split(" ")
        if len(parts) > 2 or not _KEY.match(parts[0]):
            raise TusError("Upload-Metadata must be comma-separated 'key base64value' pairs.",
                           code="invalid_metadata_header")
        key = parts[0]
        if key in out:
            raise TusError(f"Upload-Metadata repeats the key {key!r}.", code="invalid_metadata_header")
        raw = parts[1] if len(parts) == 2 else ""
        try:
            value = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise TusError(f"Upload-Metadata value of {key!r} is not base64-encoded UTF-8.",
                           code="invalid_metadata_header", details={"key": key}) from exc
        out[key] = value
    return out


def encode_metadata(values: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode('utf-8')).decode('ascii')}" if v else k
                    for k, v in values.items())


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: sha256 <base64 digest>` → ("sha256", digest), or None when absent."""
    if header is None:
        return None
    parts = header.strip().split(" ")
    if len(parts) != 2:
        raise TusError("Upload-Checksum must be '<algorithm> <base64 digest>'.", code="invalid_checksum_header")
    algorithm, encoded = parts[0].lower(), parts[1]
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(f"Checksum algorithm {algorithm!r} is not supported; use sha256.",
                       code="checksum_algorithm_unsupported", details={"supported": list(CHECKSUM_ALGORITHMS)})
    try:
        digest = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TusError("Upload-Checksum digest is not base64.", code="invalid_checksum_header") from exc
    if len(digest) != 32:
        raise TusError("A sha256 Upload-Checksum digest is 32 bytes.", code="invalid_checksum_header")
    return algorithm, digest


def sanitise_filename(name: str | None, fallback: str = "upload") -> str:
    """The last path segment, without NUL or control characters, at most MAX_FILENAME characters.

    The name is only ever a label (storage keys are content hashes), but it is echoed in
    Content-Disposition and pages, so nothing that could act as a path or a control survives.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    name = re.split(r"[/\\]", name)[-1].strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name
