"""Downloads: which blob, which bytes (Range, RFC 9110), which headers, through the access gate.

`prepare_download` decides everything and returns a `Download`; the view commits (the gate's
usage record is durable before any byte leaves) and turns it into a response. Bytes are
streamed from `storage().open_range` in chunks, never loaded.
"""
from __future__ import annotations

import json
import logging
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access.declarations import require_complete
from archive.access.gate import Decision, check_read
from archive.access.policies import MASTER, PREVIEW, Reader, ReadRequest
from archive.assets.models import Asset
from archive.assets.services import find_rendition, get_asset, rendition_file_url, require_original
from archive.backends import storage
from archive.config import settings
from archive.errors import ApiError, Conflict, NotFound
from archive.filenames import content_disposition, safe_filename
from archive.renditions.files import is_valid_path
from archive.renditions.models import Rendition, RenditionFile, RenditionLiveFile
from archive.renditions.playlists import MAX_PLAYLIST_BYTES, MAX_URL_LIFETIME, is_playlist, rewrite, url_lifetime
from archive.renditions.services import entry_file
from archive.provenance import credentials, fixity
from archive.storage.interfaces import BlobNotFound, InvalidKey

log = logging.getLogger(__name__)

ORIGINAL = "original"
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}")
_RANGE_SPEC = re.compile(r"\s*([0-9]*)\s*-\s*([0-9]*)\s*")  # ASCII digits only, as every integer a client sends
# Only media a browser plays or shows is ever served inline; anything else (HTML, SVG, PDF
# with scripts...) would run in our origin, so it is always an attachment.
_INLINE_PREFIXES = ("video/", "audio/", "image/")
_NOT_INLINE = ("image/svg+xml",)
# What players read besides media (HLS playlists, WebVTT tracks, waveform JSON): text no
# browser runs, safe inline beside nosniff and the sandbox CSP.
_INLINE_TYPES = ("application/vnd.apple.mpegurl", "text/vtt", "application/json")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    pass


@dataclass
class Download:
    """What the view sends: status, headers, the body iterator (or a redirect), and the
    gate's decision (403 when refused: the view commits the record, then raises)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Iterator[bytes] | None = None
    redirect: str | None = None
    decision: Decision | None = None
    # The file's size and the bytes (first, last; inclusive) this answer sends, or lets nginx
    # or a presigned URL send (a redirect: from the first byte asked, 0 without a Range, to the
    # file's end); None when it sends none.
    size: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Blob:
    key: str
    size: int
    sha256: str | None
    content_type: str
    filename: str
    credentials: str | None = None  # "signed" / "unsigned": a file that may carry C2PA


# ---- pure helpers (tested as data) -----------------------------------------------------------

def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range to send, or None to send the whole blob.

    Malformed headers, other units and multiple ranges give None: RFC 9110 lets a server
    ignore Range, and a whole 200 is always correct. A well-formed range that starts past
    the end raises Unsatisfiable (416).
    """
    if not header or len(header) > 200:
        return None
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in specs:
        return None
    m = _RANGE_SPEC.fullmatch(specs)
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else None
    if end is not None and end < start:
        return None  # invalid range-spec: the whole header is ignored
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, size - 1 if end is None or end >= size else end)


def _etags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def none_match(header: str | None, etag: str | None) -> bool:
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    if not header or not etag:
        return False
    tags = _etags(header)
    if "*" in tags:
        return True
    plain = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == plain for t in tags)


def has_encoded_separator(raw_uri: str | None) -> bool:
    """Whether the path of a raw request URI has a percent-encoded '/' or '\\' (which the
    server decodes before routing, so a route's path argument cannot show it)."""
    path = (raw_uri or "").split("?", 1)[0].lower()
    return "%2f" in path or "%5c" in path


def if_range_allows(header: str | None, etag: str | None) -> bool:
    """If-Range needs a strong match. We send no Last-Modified, so a date never matches."""
    if not header:
        return True
    header = header.strip()
    return etag is not None and not header.startswith("W/") and header == etag


def clean_content_type(value: str | None) -> str:
    if value:
        base = value.split(";", 1)[0].strip()
        if _CONTENT_TYPE.fullmatch(base):
            return base.lower()
    return "application/octet-stream"


def can_inline(content_type: str) -> bool:
    return (content_type.startswith(_INLINE_PREFIXES) and content_type not in _NOT_INLINE) \
        or content_type in _INLINE_TYPES


# ---- the service -------------------------------------------------------------------------------

def _rendition_filename(asset: Asset, name: str, path: str) -> str:
    """`<original's stem>.<rendition name><ext>` for a rendition's one file (`film.proxy.mp4`),
    `<stem>.<name>.<file name>` for a file of a larger one (`film.hls.seg_0_001.m4s`)."""
    stem = posixpath.splitext(safe_filename(asset.filename))[0] or "download"
    base = posixpath.basename(path)
    root, ext = posixpath.splitext(base)
    return f"{stem}.{name}{ext}" if root == name else f"{stem}.{name}.{base}"


def _rendition(asset: Asset, name: str) -> Rendition:
    """The asset's rendition `name` with a complete make: 404 rendition_not_found, 409
    rendition_not_ready (none has completed yet; one that is being re-made is served)."""
    r = find_rendition(asset, name)
    if not r.available:
        raise Conflict(f"The {name} rendition is not ready yet ({r.status}).", code="rendition_not_ready",
                       details={"rendition": name, "status": r.status, "progress": r.progress})
    return r


def _file_blob(asset: Asset, r: Rendition, f: RenditionFile) -> _Blob:
    ctype = clean_content_type(f.content_type)
    return _Blob(f.blob_key, f.size, f.sha256, ctype, _rendition_filename(asset, r.name, f.path))


def _blob(session: Session, asset: Asset, rendition: str) -> _Blob:
    if rendition == ORIGINAL:
        require_original(asset)  # an upload still arriving, or a clip whose cut has not finished
        return _Blob(asset.original_key, asset.size, asset.sha256, clean_content_type(asset.content_type),
                     asset.filename)
    r = _rendition(asset, rendition)
    count = r.file_count
    if count != 1:
        raise Conflict(f"The {rendition} rendition has {count} files: read them one by one.",
                       code="rendition_has_many_files",
                       details={"rendition": rendition, "files": count, "entry": r.entry,
                                "url": rendition_file_url(asset.id, rendition, r.entry)})
    f = entry_file(session, r)
    blob = _file_blob(asset, r, f)
    if rendition in credentials.SIGNED_RENDITIONS:
        # The copy signed with C2PA for the current signer, kept in storage: its own bytes,
        # SHA-256 (the ETag) and size (archive.provenance.credentials.served_copy, which the
        # asset's `renditions` JSON describes too).
        signed = credentials.served_copy(session, asset, r)
        if signed is not None:
            return _Blob(signed.blob_key, signed.size, signed.sha256, blob.content_type, blob.filename, "signed")
        return _Blob(blob.key, blob.size, blob.sha256, blob.content_type, blob.filename, "unsigned")
    return blob


def decision_headers(decision: Decision) -> dict[str, str]:
    """The gate's decision travels with the bytes: `Ortak-Access-Decision`, and the conditions
    the use must honour (a credit line...) as ASCII JSON in `Ortak-Access-Conditions`."""
    headers = {"Ortak-Access-Decision": decision.outcome}
    if decision.conditions:
        headers["Ortak-Access-Conditions"] = json.dumps(decision.conditions, ensure_ascii=True,
                                                        separators=(",", ":"), sort_keys=True)
    return headers


def fixity_headers(check) -> dict[str, str]:
    """The headers of a blob whose latest fixity check failed (`fixity.failed_check`):
    `Ortak-Fixity: failed`, `Ortak-Fixity-Checked` (when, ISO 8601 UTC) and no caching."""
    return {"Ortak-Fixity": "failed", "Ortak-Fixity-Checked": check.at.isoformat(),
            "Cache-Control": "private, no-store"}


def prepare_download(session: Session, reader: Reader, asset_id: str, rendition: str | None, *,
                     declaration: dict | None = None, range_header: str | None = None,
                     if_none_match: str | None = None, if_range: str | None = None, inline: bool = False,
                     head: bool = False) -> Download:
    """`GET /api/v1/assets/{id}/download`: the original (a master-quality read) or a rendition
    (a preview), through the access gate. The caller commits, then `raise_if_denied`.

    A declaration sent with a read of the original must be complete, its air dates not past
    (422 `invalid_declaration`, `archive.access.declarations.require_complete`)."""
    asset = get_asset(session, asset_id, viewer=reader.user)  # a not-ready asset of another organisation: 404
    rendition = rendition or ORIGINAL
    blob = _blob(session, asset, rendition)
    if rendition == ORIGINAL and declaration is not None:
        require_complete(declaration)  # 422 before the gate: a half declaration is a client's mistake
    request = ReadRequest(asset=asset, what=rendition, quality=MASTER if rendition == ORIGINAL else PREVIEW,
                          action="download", declaration=declaration)
    return deliver(session, reader, request, blob, range_header=range_header, if_none_match=if_none_match,
                   if_range=if_range, inline=inline, head=head)


def prepare_rendition_file(session: Session, reader: Reader, asset_id: str, name: str, path: str, *,
                           encoded_separator: bool = False, range_header: str | None = None,
                           if_none_match: str | None = None, if_range: str | None = None,
                           head: bool = False) -> Download:
    """`GET /api/v1/assets/{id}/renditions/{name}/{path}`: one file of a rendition's current
    make (a preview), through the access gate, served inline where the type allows.

    404 `asset_not_found`, `rendition_not_found`, `original_not_a_rendition` (the original is
    read from the download), `rendition_file_not_found` (a path that is
    not in the manifest: unknown, absolute, with '.', '..', a backslash, NUL, or an encoded
    '/' or '\\' as `encoded_separator` says: the view sees the raw URI); 409
    `rendition_not_ready`. The caller commits, then `raise_if_denied`.

    A rendition with no complete make whose running make publishes as it goes (an HLS
    ladder, `Rendition.live`) serves what that make has published, and only that: its master
    and EVENT media playlists (sent with `Cache-Control: no-cache`, as they grow) and the
    segments they name; every other path is 404 `rendition_file_not_found`. Such answers
    carry `Ortak-Rendition-Status: running`.
    """
    asset = get_asset(session, asset_id, viewer=reader.user)
    r = find_rendition(asset, name, original=False)
    files = RenditionLiveFile if r.live else RenditionFile
    if files is RenditionFile:
        r = _rendition(asset, name)
    f = None
    if not encoded_separator and is_valid_path(path):
        f = session.scalar(select(files).where(files.rendition_id == r.id, files.path == path))
    if f is None:
        raise NotFound(f"The {name} rendition has no file {path[:80]!r}.", code="rendition_file_not_found",
                       details={"rendition": name, "entry": r.entry or r.live_entry})
    request = ReadRequest(asset=asset, what=name, quality=PREVIEW, action="download")
    playlist = presigned_playlist(session, r, f, files)
    if playlist is not None:  # a fresh copy every time: no conditional or partial answers
        if_none_match = range_header = if_range = None
    extra = {}
    if files is RenditionLiveFile:
        extra["Ortak-Rendition-Status"] = "running"
        if is_playlist(f.path):
            extra["Cache-Control"] = "private, no-cache"  # it grows: revalidate (ETag) at every reload
    return deliver(session, reader, request, _file_blob(asset, r, f), range_header=range_header,
                   if_none_match=if_none_match, if_range=if_range, inline=True, head=head, playlist=playlist,
                   extra_headers=extra)


def presigned_playlist(session: Session, r: Rendition, f: RenditionFile | RenditionLiveFile,
                       files: type = RenditionFile) -> Callable[[], bytes] | None:
    """For an HLS playlist on storage that presigns (S3): a function giving the playlist with
    its media URIs replaced by presigned URLs (`archive.renditions.playlists`); None for any
    other file, and on storage that streams (local), where relative URIs come back here."""
    store = storage()
    if not is_playlist(f.path) or f.size > MAX_PLAYLIST_BYTES:
        return None
    if store.presigned_url(f.blob_key, expires=1) is None:
        return None

    def build() -> bytes:
        try:
            text = b"".join(store.open_range(f.blob_key)).decode("utf-8")
        except (BlobNotFound, InvalidKey):
            log.error("playlist %s of rendition %s is missing from storage", f.blob_key, r.id)
            raise NotFound("The stored file for this asset is missing; the administrators have been told.",
                           code="blob_missing") from None
        except UnicodeDecodeError:  # RFC 8216 §4: playlists are UTF-8; anything else is served as stored
            return b"".join(store.open_range(f.blob_key))
        # The manifest `f` belongs to (the complete make's, or what a running one published).
        keys = dict(session.execute(select(files.path, files.blob_key).where(files.rendition_id == r.id)).all())
        ttl = url_lifetime(text, settings().PRESIGN_SECONDS, MAX_URL_LIFETIME)
        return rewrite(text, f.path,
                       lambda path: store.presigned_url(keys[path], expires=ttl) if path in keys else None).encode()

    return build


def deliver(session: Session, reader: Reader, request: ReadRequest, blob: _Blob, *, range_header: str | None,
            if_none_match: str | None, if_range: str | None, inline: bool, head: bool,
            playlist: Callable[[], bytes] | None = None, extra_headers: dict[str, str] | None = None) -> Download:
    """Headers, conditional requests and the byte range of one stored blob, after the gate.

    The gate is asked before anything about the bytes is answered (a refused reader learns
    no more than that). A read that sends bytes is recorded per `archive.access.gate`; HEAD,
    304 and 416 send none. Then the bytes: `playlist()` (a playlist rewritten for this
    request) when given; else a 302 to a presigned URL where storage has them (S3); else an
    empty answer with `X-Accel-Redirect` for nginx when ACCEL_REDIRECT_PREFIX is set; else
    streamed from storage. `extra_headers` replace or add to the headers of every answer
    that sends the file (a running make's status, its playlists' caching).
    """
    etag = f'"{blob.sha256}"' if blob.sha256 else None
    # A blob whose latest fixity check found other bytes than those recorded: still served (it
    # may be the only copy, and whoever restores it needs it), but flagged, and with no
    # validator claiming the recorded digest (no ETag, so no 304 and no If-Range resume onto it)
    # and nothing cached (README "Fixity").
    damaged = fixity.failed_check(session, blob.key)
    if damaged is not None:
        etag = None
    inline = inline and can_inline(blob.content_type)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": blob.content_type,
        "Content-Disposition": content_disposition(blob.filename, inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        # Readers need a login, so no shared cache may keep a copy.
        "Cache-Control": "private, max-age=3600",
    }
    if etag:
        headers["ETag"] = etag
    headers.update(extra_headers or {})
    if damaged is not None:
        headers.update(fixity_headers(damaged))
    if blob.credentials:
        headers["Ortak-Content-Credentials"] = blob.credentials
    not_modified = none_match(if_none_match, etag)
    unsatisfiable = False
    try:
        byte_range = parse_range(range_header, blob.size) if if_range_allows(if_range, etag) else None
    except Unsatisfiable:
        byte_range, unsatisfiable = None, True

    decision = check_read(session, reader, request, sends_bytes=not (head or not_modified or unsatisfiable))
    if not decision.allowed:
        return Download(403, decision=decision)
    headers.update(decision_headers(decision))
    if (head or not_modified) and playlist is None and not _stored(blob.key):
        raise _missing(blob, request)  # HEAD answers what GET would; a 304 would vouch for bytes gone
    if not_modified:
        return Download(304, {k: v for k, v in headers.items() if k in ("ETag", "Cache-Control")}, decision=decision)
    if unsatisfiable:
        raise ApiError(f"The range {range_header[:60]!r} is outside the {blob.size} bytes of this file.",
                       code="range_not_satisfiable", status=416,
                       headers={"Content-Range": f"bytes */{blob.size}", "Accept-Ranges": "bytes"})

    if playlist is not None:
        # Its URLs expire: never cached, and no ETag (the bytes differ on every request).
        headers.pop("ETag", None)
        headers.pop("Accept-Ranges", None)
        headers["Cache-Control"] = "private, no-store"
        if head:
            return Download(200, headers, iter(()), decision=decision)
        data = playlist()
        headers["Content-Length"] = str(len(data))
        return Download(200, headers, iter((data,)), decision=decision)

    url = storage().presigned_url(blob.key, expires=settings().PRESIGN_SECONDS,
                                  filename=safe_filename(blob.filename), content_type=blob.content_type)
    if url:
        moved = {"Location": url, "Cache-Control": "no-store"}
        if damaged is not None:
            moved.update(fixity_headers(damaged))
        # The presigned URL serves the Range the client asks it with: this answer gives the
        # file from the first byte asked (to its end, the most the URL gives from there), so a
        # share link's ledger sees a resume as a resume (archive.shares.ledger).
        first = byte_range.start if byte_range is not None else 0
        return Download(302, moved, redirect=url, decision=decision, size=blob.size,
                        span=(first, blob.size - 1) if blob.size and not head else None)

    accel = settings().ACCEL_REDIRECT_PREFIX
    if accel and not head:
        # nginx sends the file (Range included) from its internal location over STORAGE_DIR;
        # the headers above travel with it (see the README's nginx section).
        headers["X-Accel-Redirect"] = accel + quote(blob.key, safe="/")
        span = (byte_range.start, byte_range.end) if byte_range is not None else (0, blob.size - 1)
        return Download(200, headers, iter(()), decision=decision, size=blob.size,
                        span=span if blob.size else None)

    if byte_range is None:
        status, start, end, length = 200, 0, None, blob.size
    else:
        status, start, end, length = 206, byte_range.start, byte_range.end, byte_range.length
        headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{blob.size}"
    headers["Content-Length"] = str(length)
    body: Iterator[bytes] | None = None
    if not head and length > 0:
        try:
            body = storage().open_range(blob.key, start, end)
        except (BlobNotFound, InvalidKey):
            raise _missing(blob, request) from None
    return Download(status, headers, body if body is not None else iter(()), decision=decision, size=blob.size,
                    span=(start, start + length - 1) if body is not None else None)


def _stored(key: str) -> bool:
    """Whether a blob served from local storage is there (a stat, for answers that send no
    bytes: HEAD, 304). True where storage presigns or is not local: those answers redirect, and
    the store answers for its own bytes."""
    try:
        storage().local_path(key)  # a local store's path, BlobNotFound once the file is gone; None elsewhere
    except (BlobNotFound, InvalidKey):
        return False
    return True


def _missing(blob: _Blob, request: ReadRequest) -> NotFound:
    """404 `blob_missing` for a blob recorded but gone from storage (logged: an operator's matter;
    `ortak fixity check` names it too)."""
    log.error("blob %s of asset %s (%s) is missing from storage", blob.key, request.asset.id, request.what)
    return NotFound("The stored file for this asset is missing; the administrators have been told.",
                    code="blob_missing")
