"""An asset as a BagIt bag (RFC 8493, BagIt 1.0) for deposit in a national archive, streamed
as one POSIX tar (pax headers): `POST /api/v1/assets/{id}/bag`.

    ortak-<asset id>/bagit.txt
    ortak-<asset id>/bag-info.txt              Source-Organization, External-Identifier, Payload-Oxum...
    ortak-<asset id>/manifest-sha256.txt       every payload file's SHA-256
    ortak-<asset id>/tagmanifest-sha256.txt    the three tag files' SHA-256
    ortak-<asset id>/data/metadata/premis.xml  PREMIS 3 (`archive.provenance.premis`)
    ortak-<asset id>/data/metadata/ebucore.xml EBUCore (`archive.provenance.ebucore`)
    ortak-<asset id>/data/original/<file name> the original, as stored

Why a stream and not `bagit.make_bag` in a scratch folder: an original is many GB; a bag made
on disk would copy it to scratch, hash it again, and copy it once more into a tar on storage.
Here every byte of the bag is known before the first leaves (the original's digest is the
SHA-256 recorded when it was stored, the metadata is rendered first), so the answer has an
exact Content-Length, streams the original from storage in 1 MiB chunks (constant memory,
local storage and S3 alike) and nothing is written anywhere. The manifest states the digest
recorded at store time: should the stored bytes have changed, the receiving archive's
validation (`bagit.Bag(path).validate()`, run on every bag in the tests) fails, as it must,
and the stream logs the mismatch. An original known to have changed (its latest fixity
check failed, or storage holds another length) is refused before the first byte, 409
`fixity_failed`: an archive deposits no bag it knows to be invalid. The tests validate the
bags this module makes with the `bagit` library.

It hands out master bytes: the read passes the access gate as a master-quality read of the
original with the reader's usage declaration (action "bag"), recorded in the usage log before
the first byte leaves (the view's unit of work commits first).
"""
from __future__ import annotations

import hashlib
import logging
import tarfile
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access.declarations import clean_declaration, require_complete
from archive.access.gate import Decision, check_read
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import get_asset, require_original
from archive.backends import storage
from archive.db import utcnow
from archive.errors import Conflict, NotFound
from archive.events import services as events
from archive.filenames import safe_filename
from archive import software
from archive.provenance import ebucore, fixity, premis
from archive.provenance.fixity import fixity_failed
from archive.provenance.models import FixityCheck
from archive.rights.services import blocks_json, list_blocks
from archive.storage.interfaces import BlobNotFound, BlobStorage, InvalidKey

log = logging.getLogger(__name__)

BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE
CHUNK = 1024 * 1024
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
SOFTWARE = software.AGENT  # name and version only (BagIt, RFC 8493 §2.2.2)


@dataclass(frozen=True)
class _Member:
    path: str  # inside the bag's top directory
    size: int
    data: bytes | None = None  # small files; None: the original, streamed from `key`
    key: str | None = None


@dataclass
class BagStream:
    """A bag ready to stream: `filename` ("ortak-<id>.tar"), `length` (exact bytes), `chunks`
    (the tar, lazily read), and the gate's `decision` (the view raises when refused)."""

    filename: str
    length: int
    chunks: Iterator[bytes]
    decision: Decision
    original_path: str


def manifest_path(path: str) -> str:
    """A path as a manifest line writes it (RFC 8493 §2.1.3: CR, LF and % percent-encoded)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _header(path: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(path)
    info.size, info.mtime, info.mode, info.type = size, mtime, 0o644, tarfile.REGTYPE
    info.uname = info.gname = "ortak"
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _padding(size: int) -> int:
    return (BLOCK - size % BLOCK) % BLOCK


def tar_length(headers: list[bytes], sizes: list[int]) -> int:
    """The bytes of a tar of these members: headers, data padded to 512, two zero blocks, the
    whole padded to tarfile's record size (what `tarfile` itself writes)."""
    n = sum(len(h) + s + _padding(s) for h, s in zip(headers, sizes)) + 2 * BLOCK
    return n + (RECORD - n % RECORD) % RECORD


def bag_metadata(session: Session, asset: Asset) -> tuple[bytes, bytes]:
    """(PREMIS XML, EBUCore XML) of `asset` as they are now."""
    evs = list(reversed(events.history(session, "asset", asset.id)))
    checks = list(session.scalars(select(FixityCheck).where(FixityCheck.asset_id == asset.id)
                                  .order_by(FixityCheck.at, FixityCheck.id)))
    ids = {e.actor_id for e in evs if e.actor_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids))).unique()} if ids else {}
    rights = blocks_json(session, list_blocks(session, asset))
    return premis.premis_xml(asset, evs, checks, users), ebucore.ebucore_xml(asset, rights)


def prepare_bag(session: Session, reader: Reader, asset_id: str, raw_declaration: Any = None) -> BagStream:
    """The bag of `asset_id` for `reader`, through the access gate (module docstring).

    404 `asset_not_found` (malformed or unknown id, or an asset the reader may not see:
    `archive.assets.services.may_see`); 409 `original_not_ready` (a clip not cut
    yet); 409 `fixity_failed` (the original's latest fixity check found it changed, or its size
    in storage is not the recorded one: `fixity_failed`), before the gate is asked, so no use is
    recorded; 404 `blob_missing` (the original is not in storage: fixity names it); 422
    `invalid_declaration`. A refusal is returned in `decision` (the caller commits, then
    `decision.raise_if_denied()`). Flushes the gate's usage record; the caller commits before
    streaming `chunks`."""
    asset = get_asset(session, asset_id, viewer=reader.user)
    require_original(asset)
    declaration = clean_declaration(raw_declaration)
    if declaration is not None:
        require_complete(declaration)
    fixity.require_sound(session, asset, fixity.BAG_INVALID)
    decision = check_read(session, reader, ReadRequest(asset=asset, what="original", quality=MASTER, action="bag",
                                                       declaration=declaration))
    top = f"ortak-{asset.id}"
    if not decision.allowed:
        return BagStream(f"{top}.tar", 0, iter(()), decision, "")
    store = storage()  # held: the body streams after the request's app context has ended
    try:
        size = store.stat(asset.original_key).size
    except (BlobNotFound, InvalidKey):
        log.error("bag of asset %s: its original %s is missing from storage", asset.id, asset.original_key)
        raise NotFound("The stored file for this asset is missing; the administrators have been told.",
                       code="blob_missing") from None
    if asset.size is not None and size != asset.size:  # a changed length is a changed file, checked or not
        log.error("bag of asset %s: its original %s has %d bytes, %d recorded", asset.id, asset.original_key,
                  size, asset.size)
        raise fixity_failed(asset, None, asset.sha256, None, size=size)
    premis_doc, ebucore_doc = bag_metadata(session, asset)
    original_path = f"data/original/{safe_filename(asset.filename) or 'original'}"
    payload = [_Member("data/metadata/premis.xml", len(premis_doc), premis_doc),
               _Member("data/metadata/ebucore.xml", len(ebucore_doc), ebucore_doc),
               _Member(original_path, size, key=asset.original_key)]
    digests = {"data/metadata/premis.xml": hashlib.sha256(premis_doc).hexdigest(),
               "data/metadata/ebucore.xml": hashlib.sha256(ebucore_doc).hexdigest(),
               original_path: asset.sha256}
    manifest = "".join(f"{digests[m.path]}  {manifest_path(m.path)}\n" for m in payload).encode()
    org = asset.organisation.name if asset.organisation is not None else ""
    info_lines = [("Source-Organization", org), ("External-Identifier", asset.id),
                  ("External-Description", asset.title()), ("Bagging-Date", utcnow().date().isoformat()),
                  ("Bag-Software-Agent", SOFTWARE),
                  ("Payload-Oxum", f"{sum(m.size for m in payload)}.{len(payload)}")]
    bag_info = "".join(f"{k}: {_one_line(v)}\n" for k, v in info_lines if v).encode()
    tags = [_Member("bagit.txt", len(BAGIT_TXT), BAGIT_TXT), _Member("bag-info.txt", len(bag_info), bag_info),
            _Member("manifest-sha256.txt", len(manifest), manifest)]
    tagmanifest = "".join(f"{hashlib.sha256(m.data).hexdigest()}  {m.path}\n" for m in tags).encode()
    members = [*tags, _Member("tagmanifest-sha256.txt", len(tagmanifest), tagmanifest), *payload]
    mtime = int(utcnow().timestamp())
    headers = [_header(f"{top}/{m.path}", m.size, mtime) for m in members]
    length = tar_length(headers, [m.size for m in members])
    return BagStream(f"{top}.tar", length, _stream(store, members, headers, length, asset.id, asset.sha256), decision,
                     original_path)


def _stream(store: BlobStorage, members: list[_Member], headers: list[bytes], length: int, asset_id: str,
            expected: str) -> Iterator[bytes]:
    sent = 0
    for member, header in zip(members, headers):
        yield header
        sent += len(header)
        if member.data is not None:
            yield member.data
            sent += member.size
        else:
            digest = hashlib.sha256()
            n = 0
            chunks = store.open_range(member.key, chunk_size=CHUNK)
            try:
                for chunk in chunks:
                    if n + len(chunk) > member.size:  # grew since stat: send what the header announced
                        chunk = chunk[:member.size - n]
                    digest.update(chunk)
                    n += len(chunk)
                    yield chunk
                    if n >= member.size:
                        break
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
            if n < member.size:  # shrank since stat: the tar stays well-formed, the manifest will not hold
                log.error("bag of asset %s: the original ended after %d of %d bytes", asset_id, n, member.size)
                yield bytes(member.size - n)
            if digest.hexdigest() != expected:
                log.error("bag of asset %s: the original's SHA-256 is %s, %s was recorded at store time "
                          "(run `ortak fixity check --asset %s`)", asset_id, digest.hexdigest(), expected, asset_id)
            sent += member.size
        pad = _padding(member.size)
        if pad:
            yield bytes(pad)
            sent += pad
    yield bytes(length - sent)  # the two end blocks and the record padding

