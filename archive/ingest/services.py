"""Ingest: resumable (tus) uploads, and registering a finished original as an Asset.

A tus upload makes its asset at creation (`create_upload`), in status `uploading` with no
original, indexed at once so its own organisation finds it by title while the bytes arrive.
`register_original` is the one completion path: tus uploads (which pass that asset as the
`placeholder` it fills) and `ortak import` (which makes the row there) both call it with a
staged file and its SHA-256, so deduplication, the content-addressed storage key, the Event
and the after-commit ingest task are the same for both. A placeholder whose bytes the archive
held already, or whose upload is terminated or expires, is removed (`remove_placeholder`).
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset, AssetHolding
from archive.assets.schemas import LANGS, FieldError, merge_metadata, metadata_errors, raise_field_errors
from archive.backends import storage
from archive.db import checkpoint, utcnow
from archive.errors import ApiError, Conflict, Forbidden, NotFound
from archive.events import services as events
from archive.ingest import staging
from archive.ingest.carry_over import CarryOver, carry_over
from archive.ingest.models import Upload
from archive.ingest.staged_writer import StagedWriter
from archive.ingest.tus import TusError, sanitise_filename
from archive.storage.interfaces import StorageError
from archive.index_now import index_now
from archive.task_handles import INDEX_ASSET, INGEST

log = logging.getLogger(__name__)

# Offsets reach the database at least this often during one long PATCH, so a server
# killed mid-request loses at most this much of what it had received.
COMMIT_EVERY = 64 * 1024 * 1024
# Keys tus clients (Uppy, tus-js-client) add on their own; read where useful, never refused.
CLIENT_KEYS = ("filename", "name", "filetype", "type", "relativePath", "language")
# The language of a plain `title` / `description` without `language` (Upload-Metadata, and the
# `ortak import` metadata file: archive.ingest.bulk).
DEFAULT_LANGUAGE = "en"
ADMIN_ONLY = ("organisation", "country")
# A client's type hint is echoed in download headers later: only a plain type/subtype passes.
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$")


@dataclass
class AppendResult:
    upload: Upload
    disconnected: bool = False


# ---- registering an original (shared with bulk import) ------------------------------------

def original_key(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256}"


def guess_content_type(filename: str, hint: str | None = None) -> str:
    guessed = mimetypes.guess_type(filename)[0]
    if guessed:
        return guessed
    if hint and _MEDIA_TYPE.match(hint):
        return hint.lower()
    return "application/octet-stream"


def find_by_sha256(session: Session, sha256: str) -> Asset | None:
    return session.scalar(select(Asset).where(Asset.sha256 == sha256))


HOLDING_ADDED = "added"
ALREADY_HELD = "already_held"
OWN_ASSET = "own_asset"


@dataclass(frozen=True)
class Registration:
    """What `register_original` did: a new `asset` (`created`), or for bytes the archive held
    already the existing asset and `holding`: HOLDING_ADDED (the uploader's organisation is
    now recorded as also holding a copy), ALREADY_HELD (it was already), or OWN_ASSET (the
    asset is its own organisation's; nothing is recorded but the Event). `carried_over`: see
    `archive.ingest.carry_over`."""

    asset: Asset
    created: bool
    holding: str | None = None
    # For a duplicate: what was typed for the upload and carried to `asset` or to the holding,
    # and what was not (`archive.ingest.carry_over.CarryOver.as_json`); None otherwise.
    carried_over: dict | None = None


def register_original(session: Session, *, staged: Path, sha256: str, size: int, filename: str,
                      meta: dict, uploader: User, content_type: str | None = None,
                      placeholder: Asset | None = None, upload_id: str | None = None) -> Registration:
    """Store a staged file under its content key and make its Asset `processing`.

    With `placeholder` (the `uploading` asset a tus upload made at creation) that row becomes
    the asset: it takes the SHA-256, the original's key and `processing`, and keeps its
    filename and metadata (edits made while the bytes arrived included); `filename` and `meta`
    are then ignored. Without one (`ortak import`) a new row is made from them.

    The staged file is consumed either way. Identical bytes are stored once: an exact
    duplicate (same SHA-256) stores nothing and is recorded against the existing asset
    (`record_copy`, with the placeholder's filename and metadata); what was typed for it (the
    metadata, and the placeholder's transcripts, markers and rights blocks) is carried to that
    asset or to the uploader's organisation's holding where it may go, the rest reported and
    kept in the Event (`archive.ingest.carry_over`, `Registration.carried_over`), and the
    placeholder is removed (`remove_placeholder`, reason `duplicate`). The caller commits (and must have
    nothing else pending: a lost race is resolved by a rollback); the ingest task goes after
    the commit.
    """
    if placeholder is not None:
        filename, meta = placeholder.filename, dict(placeholder.meta or {})
    existing = find_by_sha256(session, sha256)
    if existing is not None:
        staged.unlink(missing_ok=True)
        return _copy_of(session, existing, uploader, filename=filename, meta=meta, placeholder=placeholder,
                        upload_id=upload_id)
    key = original_key(sha256)
    store = storage()
    if store.exists(key):
        # Left by an earlier attempt whose commit failed: same bytes by construction.
        staged.unlink(missing_ok=True)
    else:
        store.put_file(key, str(staged), content_type=content_type, sha256=sha256, move=True)
    if placeholder is not None:
        asset = placeholder
        asset.status, asset.sha256, asset.original_key, asset.size = "processing", sha256, key, size
        asset.content_type = content_type or asset.content_type or guess_content_type(filename)
    else:
        org = uploader.organisation
        country = meta.get("country") or org.country
        asset = Asset(status="processing", filename=filename, size=size, sha256=sha256, original_key=key,
                      content_type=content_type or guess_content_type(filename), meta=meta,
                      organisation_id=org.id, country=country, uploader_id=uploader.id)
        session.add(asset)
    try:
        session.flush()
    except IntegrityError:
        # Another request registered the same bytes a moment ago. Rolling back the whole
        # transaction is safe: callers hold nothing uncommitted at this point (a placeholder
        # goes back to what was committed: `uploading`, no original).
        session.rollback()
        existing = find_by_sha256(session, sha256)
        if existing is None:
            raise
        return _copy_of(session, existing, uploader, filename=filename, meta=meta, placeholder=placeholder,
                        upload_id=upload_id)
    events.record(session, actor_id=uploader.id, action="asset.created", subject_type="asset",
                  subject_id=asset.id, after={"filename": filename, "size": size, "sha256": sha256,
                                              "meta": meta})
    INGEST.send(session, asset.id)
    INDEX_ASSET.send(session, asset.id)  # findable at once: its organisation sees it while it is processed
    return Registration(asset, True)


def _copy_of(session: Session, existing: Asset, uploader: User, *, filename: str, meta: dict,
             placeholder: Asset | None, upload_id: str | None = None) -> Registration:
    """`record_copy`, then what was typed for the upload is carried over (`carry_over`), then
    the upload's placeholder (if any) is removed in favour of `existing` (after: record_copy may
    roll back a lost race, which would undo an earlier move or removal)."""
    registered = record_copy(session, existing, uploader, filename=filename, meta=meta)
    report = carry_over(session, existing, uploader, meta=meta, placeholder=placeholder,
                        new_holding=registered.holding == HOLDING_ADDED, upload_id=upload_id)
    if placeholder is not None and placeholder.id != existing.id:
        remove_placeholder(session, placeholder, reason=DUPLICATE, actor_id=uploader.id, duplicate_of=existing.id,
                           carried_over=report)
    return replace(registered, carried_over=report.as_json())


# Why an `uploading` asset was removed (the Event `asset.upload_removed`'s `reason`).
DUPLICATE, TERMINATED, EXPIRED = "duplicate", "terminated", "expired"


def make_placeholder(session: Session, upload: Upload, uploader: User, *, filename: str, meta: dict,
                     content_type: str | None) -> Asset:
    """The asset of a tus upload, made at its creation: status `uploading`, `size` the
    Upload-Length in bytes, no `sha256` or `original_key` (NULL) until the last byte is stored,
    the uploader's organisation and its country (or the `country` an admin set in the
    metadata). Linked from the upload (`asset_id`, `placeholder_id`); the Event
    `asset.upload_started` and its search document go with it (`archive.index_now`: written by
    the request right after its commit, then by the index task), so its own organisation finds
    it by title at once, as soon as the 201 is sent (`archive.assets.services.visible_to`). Flushes."""
    org = uploader.organisation
    asset = Asset(status="uploading", filename=filename, size=upload.length, sha256=None, original_key=None,
                  content_type=content_type or guess_content_type(filename), meta=meta,
                  organisation_id=org.id, country=meta.get("country") or org.country, uploader_id=uploader.id)
    session.add(asset)
    session.flush()
    upload.asset_id = upload.placeholder_id = asset.id
    events.record(session, actor_id=uploader.id, action="asset.upload_started", subject_type="asset",
                  subject_id=asset.id, after={"filename": filename, "size": upload.length, "meta": meta,
                                              "upload_id": upload.id})
    index_now(session, asset.id)
    session.flush()
    return asset


def remove_placeholder(session: Session, asset: Asset, *, reason: str, actor_id: int | None,
                       duplicate_of: str | None = None, carried_over: CarryOver | None = None) -> None:
    """Remove an `uploading` asset whose upload will never fill it: its bytes duplicated
    `duplicate_of` (reason DUPLICATE: its upload then links that asset), or the upload was
    terminated (TERMINATED) or expired (EXPIRED: its upload links nothing). What is still
    attached to it (markers, transcripts, rights blocks: for a duplicate, what `carry_over`
    could not move) goes with it (ON DELETE CASCADE); for a duplicate that carried or left
    anything, the Event `asset.upload_removed` keeps it (`carried_over`: the report; `kept`:
    the cues of the transcripts not moved). The Event stays in its history and the index task (after the
    commit) drops it from search. Its id keeps answering through `uploads.placeholder_id`
    (`archive.assets.services.removed_upload_error`). Flushes; refuses (ValueError) an asset
    that is not `uploading`."""
    if asset.status != "uploading":
        raise ValueError(f"asset {asset.id} is {asset.status}, not uploading")
    session.execute(update(Upload).where(Upload.asset_id == asset.id).values(asset_id=duplicate_of)
                    .execution_options(synchronize_session="fetch"))
    events.record(session, actor_id=actor_id, action="asset.upload_removed", subject_type="asset",
                  subject_id=asset.id, before={"status": "uploading"},
                  after={"reason": reason, **({"duplicate_of": duplicate_of} if duplicate_of else {}),
                         **({"carried_over": carried_over.as_json(), "kept": carried_over.kept}
                            if carried_over else {})})
    session.delete(asset)
    session.flush()
    INDEX_ASSET.send(session, asset.id)


def record_copy(session: Session, asset: Asset, uploader: User, *, filename: str, meta: dict) -> Registration:
    """Bytes `asset` already holds were uploaded again by `uploader`.

    Another organisation's first copy adds an AssetHolding with the filename and metadata it
    sent (its contribution; the asset's own metadata is not touched) and the Event
    `asset.holding_added`. Any other repeat (the asset's own organisation, or an organisation
    that holds a copy already) changes nothing but the Event `asset.duplicate_upload`.
    """
    org = uploader.organisation
    if asset.organisation_id == org.id:
        outcome = OWN_ASSET
    elif session.scalar(select(AssetHolding.id).where(AssetHolding.asset_id == asset.id,
                                                      AssetHolding.organisation_id == org.id)) is not None:
        outcome = ALREADY_HELD
    else:
        session.add(AssetHolding(asset_id=asset.id, organisation_id=org.id, uploader_id=uploader.id,
                                 filename=filename, meta=meta))
        try:
            session.flush()
        except IntegrityError:
            # The same organisation's other upload of these bytes won a moment ago; as above,
            # the caller holds nothing uncommitted.
            session.rollback()
            return record_copy(session, asset, uploader, filename=filename, meta=meta)
        events.record(session, actor_id=uploader.id, action="asset.holding_added", subject_type="asset",
                      subject_id=asset.id, after={"organisation": org.name, "filename": filename, "meta": meta})
        return Registration(asset, False, HOLDING_ADDED)
    events.record(session, actor_id=uploader.id, action="asset.duplicate_upload", subject_type="asset",
                  subject_id=asset.id, after={"organisation": org.name, "filename": filename, "holding": outcome})
    return Registration(asset, False, outcome)


def clean_upload_metadata(raw: dict[str, str], user: User) -> dict:
    """Upload-Metadata (decoded) → {"filename", "content_type", "meta"}.

    422 `invalid_metadata` listing every field mistake (archive.assets.schemas); 403 when a
    non-admin sets organisation or country.
    """
    filename = sanitise_filename(raw.get("filename") or raw.get("name"))
    language = raw.get("language") or DEFAULT_LANGUAGE
    errors: list[FieldError] = []
    if language not in LANGS:
        errors.append(FieldError("language", "invalid_choice", f"language must be one of {', '.join(LANGS)}.",
                                 {"choices": list(LANGS)}))
        language = DEFAULT_LANGUAGE
    fields: dict = {}
    for key, value in raw.items():
        if key in CLIENT_KEYS:
            continue
        if key in ("title", "description"):
            fields[key] = {language: value}
        else:
            fields[key] = value  # unknown keys are reported by the validator with the rest
    if user.role != "admin" and any(k in fields for k in ADMIN_ONLY):
        raise Forbidden("Only admins set organisation or country; they come from your organisation.",
                        code="admin_only_field")
    config = current_app.config
    cleaned, field_errors = metadata_errors(fields, max_title=int(config["MAX_TITLE_LENGTH"]),
                                            max_text=int(config["MAX_TEXT_LENGTH"]), current={})
    raise_field_errors(errors + field_errors)
    return {"filename": filename,
            "content_type": guess_content_type(filename, raw.get("filetype") or raw.get("type")),
            "meta": merge_metadata({}, cleaned)}


# ---- tus uploads --------------------------------------------------------------------------

def create_upload(session: Session, user: User, *, length: int, raw_metadata: dict[str, str],
                  raw_header: str = "") -> Upload:
    limit = int(current_app.config["MAX_UPLOAD_SIZE"])
    if length > limit:
        raise ApiError(f"This file is {length} bytes; the limit is {limit} bytes.", code="upload_too_large",
                       status=413, details={"length": length, "limit": limit})
    if length == 0:
        raise TusError("An empty file is not a recording; Upload-Length must be at least 1.",
                       code="empty_upload")
    cleaned = clean_upload_metadata(raw_metadata, user)
    now = utcnow()
    upload = Upload(user_id=user.id, length=length, offset=0, status="open",
                    upload_metadata={**cleaned, "header": raw_header},
                    created_at=now, updated_at=now,
                    expires_at=now + timedelta(seconds=int(current_app.config["UPLOAD_EXPIRE_SECONDS"])))
    session.add(upload)
    session.flush()
    make_placeholder(session, upload, user, filename=cleaned["filename"], meta=cleaned["meta"],
                     content_type=cleaned["content_type"])
    staging.create_staged(upload.id)
    return upload


def get_upload(session: Session, user: User, upload_id: str) -> Upload:
    """`user`'s upload `upload_id` (an admin's: any). Another organisation's upload answers as no
    upload, as its assets do until ready (archive.assets.services.visible_to): NotFound
    `upload_not_found` (so does an aborted one); a colleague's, whose asset the organisation
    sees already, is Forbidden `not_your_upload`; an open one past its time is 410
    `upload_expired`."""
    upload = session.get(Upload, upload_id) if len(upload_id) <= 36 else None
    if upload is None or upload.status == "aborted":
        raise NotFound("No such upload.", code="upload_not_found")
    if upload.user_id != user.id and user.role != "admin":
        if session.get(User, upload.user_id).organisation_id != user.organisation_id:
            raise NotFound("No such upload.", code="upload_not_found")
        raise Forbidden("This upload belongs to someone else.", code="not_your_upload")
    if upload.status == "open" and upload.expires_at < utcnow():
        raise ApiError("This upload has expired; start a new one.", code="upload_expired", status=410)
    return upload


def append(session: Session, user: User, upload_id: str, *, offset: int, stream: BinaryIO,
           content_length: int | None, checksum: tuple[str, bytes] | None) -> AppendResult:
    """Write one PATCH body at `offset`; complete the upload when it reaches its length.

    A long operation inside the request's unit of work: it checkpoints (`archive.db.checkpoint`)
    before the body streams (no transaction stays open meanwhile), at every recorded offset
    (after the staged bytes are fdatasynced), and when the upload completes.
    """
    upload = get_upload(session, user, upload_id)
    if upload.status != "open":
        if offset == upload.length and not content_length:
            return AppendResult(upload)  # a retried final PATCH: the upload is already done
        raise Conflict("This upload is finished.", code="upload_finished",
                       details={"status": upload.status, "asset_id": upload.asset_id})
    _check_offset(upload, offset)
    remaining = upload.length - offset
    if content_length is not None and content_length > remaining:
        raise ApiError(f"The body ({content_length} bytes) goes past Upload-Length ({remaining} bytes left).",
                       code="exceeds_upload_length", status=413,
                       details={"remaining": remaining, "content_length": content_length})
    checkpoint(session)  # no transaction stays open while bytes stream in
    path = staging.staged_path(upload.id)
    with staging.locked_for_append(path) as fh:
        session.refresh(upload)  # another writer may have moved it on while we waited
        if upload.status != "open":
            raise Conflict("This upload is finished.", code="upload_finished")
        _reconcile_staged(session, upload, fh, path)
        _check_offset(upload, offset)
        digest = staging.hash_cache().take(upload.id, offset) or staging.hash_prefix(path, offset)
        result = _receive(session, upload, path, digest, stream,
                          content_length if content_length is not None else remaining, checksum,
                          exact=content_length is not None)
        if upload.offset == upload.length:
            _complete(session, upload, user, staging.hash_cache().take(upload.id, upload.length), path)
    return result


def _reconcile_staged(session: Session, upload: Upload, fh, path: Path) -> None:
    """Make the staged file and the recorded offset agree before appending.

    Longer: a server stopped mid-PATCH wrote bytes it never acknowledged; they go. Shorter
    (the staged file lost acknowledged bytes, e.g. a disk that did not keep an fdatasync
    promise): the offset falls back to what is really there, so the client's next HEAD
    resumes from it; padding the gap would silently corrupt the original.
    """
    size = path.stat().st_size
    if size > upload.offset:
        fh.truncate(upload.offset)
    elif size < upload.offset:
        log.warning("upload %s: staged file has %d bytes, its offset was %d; resuming from %d",
                    upload.id, size, upload.offset, size)
        staging.hash_cache().drop(upload.id)
        upload.offset = size
        checkpoint(session)


def _check_offset(upload: Upload, offset: int) -> None:
    if offset != upload.offset:
        raise Conflict(f"Upload-Offset {offset} does not match the upload's offset {upload.offset}.",
                       code="offset_mismatch", details={"expected": upload.offset, "got": offset})


def _receive(session, upload, path, digest, stream, limit, checksum, *, exact: bool) -> AppendResult:
    """Stream the body into the staged file and the running hash; durable before the offset moves.

    Each recorded offset (every COMMIT_EVERY bytes, and at the end) follows an fdatasync of
    the staged bytes before it, so an acknowledged Upload-Offset survives a server crash and
    a power cut alike. With Upload-Checksum nothing is recorded until the body is verified.
    """
    start = committed = upload.offset
    before = digest.copy() if checksum else None
    piece = hashlib.sha256() if checksum else None
    written = 0
    disconnected = False
    direct = bool(current_app.config["UPLOAD_DIRECT_IO"])
    with StagedWriter(path, start, digest, piece, direct=direct) as out:
        try:
            while written < limit:
                try:
                    data = stream.read(min(staging.CHUNK, limit - written))
                except Exception:  # the client went away or sent a broken body; keep what arrived
                    log.info("upload %s: body ended early after %d bytes", upload.id, written, exc_info=True)
                    data, disconnected = b"", True
                if not data:
                    disconnected = disconnected or exact
                    break
                out.write(data)
                written += len(data)
                if piece is None and written - (committed - start) >= COMMIT_EVERY:
                    out.sync()
                    committed = upload.offset = start + written
                    checkpoint(session)
            if not exact and written == limit and not disconnected and stream.read(1):
                out.truncate(start)
                staging.hash_cache().drop(upload.id)
                raise ApiError("The body goes past Upload-Length.", code="exceeds_upload_length", status=413)
            out.sync()
        except OSError as exc:
            _discard_after(out, committed)
            staging.hash_cache().drop(upload.id)
            raise ApiError(f"The server could not store the bytes: {exc.strerror or exc}.", code="storage_failed",
                           status=507) from exc
    if piece is not None and (disconnected or piece.digest() != checksum[1]):
        os.truncate(path, start)
        staging.hash_cache().put(upload.id, start, before)
        if disconnected:
            raise TusError("The body ended before it was complete; its checksum cannot be verified.",
                           code="incomplete_body")
        raise ApiError("The body does not match Upload-Checksum; the bytes were discarded.",
                       code="checksum_mismatch", status=460,
                       details={"offset": start})
    upload.offset = start + written
    staging.hash_cache().put(upload.id, upload.offset, digest)
    checkpoint(session)
    return AppendResult(upload, disconnected=disconnected)


def _discard_after(out, length: int) -> None:
    try:
        out.truncate(length)
    except OSError:  # the disk is failing: the recorded offset still decides what counts
        log.warning("could not truncate %s back to %d bytes", out.path, length, exc_info=True)


def _complete(session: Session, upload: Upload, user: User, digest, path: Path) -> None:
    if digest is None:
        digest = staging.hash_prefix(path, upload.length)
    sha256 = digest.hexdigest()
    info = upload.upload_metadata or {}
    uploader = session.get(User, upload.user_id)
    # Uploads created before assets were made at creation have none: a new row is made.
    placeholder = _placeholder(session, upload)
    try:
        registered = register_original(session, staged=path, sha256=sha256, size=upload.length,
                                       filename=info.get("filename") or "upload", meta=info.get("meta") or {},
                                       uploader=uploader, content_type=info.get("content_type"),
                                       placeholder=placeholder, upload_id=upload.id)
    except StorageError as exc:
        session.rollback()
        # The bytes stay staged; a retried PATCH at the final offset completes again.
        staging.hash_cache().put(upload.id, upload.length, digest)
        raise ApiError("The upload arrived but could not be stored; retry the last request.",
                       code="storage_failed", status=503, details={"reason": str(exc)}) from exc
    upload.status = "complete" if registered.created else "duplicate"
    upload.holding = registered.holding
    upload.sha256 = sha256
    upload.asset_id = registered.asset.id
    if registered.carried_over is not None:
        upload.upload_metadata = {**info, "carried_over": registered.carried_over}  # a new dict: JSON change seen
    checkpoint(session)
    staging.hash_cache().drop(upload.id)
    log.info("upload %s %s: asset %s sha256 %s", upload.id, upload.status, registered.asset.id, sha256)


def terminate(session: Session, user: User, upload_id: str) -> None:
    """Abort an open upload and free its staged bytes; checkpoints before waiting for the
    staged file's lock (no transaction is held meanwhile) and once it is aborted."""
    upload = get_upload(session, user, upload_id)
    if upload.status != "open":
        raise Conflict("A finished upload cannot be terminated; its asset exists.", code="upload_finished",
                       details={"asset_id": upload.asset_id})
    checkpoint(session)
    path = staging.staged_path(upload.id)
    with staging.locked_for_append(path):
        session.refresh(upload)
        if upload.status != "open":  # it completed while we waited for the lock
            raise Conflict("A finished upload cannot be terminated; its asset exists.", code="upload_finished",
                           details={"asset_id": upload.asset_id})
        upload.status = "aborted"
        _remove_upload_placeholder(session, upload, TERMINATED, user.id)
        staging.remove_staged(upload.id)
        checkpoint(session)


def _placeholder(session: Session, upload: Upload) -> Asset | None:
    """The `uploading` asset `upload` made at its creation, while it still is one; None for an
    upload made before assets were made at creation, or once its asset was filled or removed."""
    asset = session.get(Asset, upload.placeholder_id) if upload.placeholder_id else None
    return asset if asset is not None and asset.status == "uploading" else None


def _remove_upload_placeholder(session: Session, upload: Upload, reason: str, actor_id: int | None) -> None:
    asset = _placeholder(session, upload)
    if asset is not None:
        remove_placeholder(session, asset, reason=reason, actor_id=actor_id)
    upload.asset_id = None


def describe(upload: Upload) -> dict:
    """GET /api/v1/uploads/{id}: {"id", "offset", "length" (bytes), "status", "asset_id" (the
    asset the upload links: its own `uploading` asset from creation on, the asset that already
    held the bytes for a duplicate, null once terminated), "holding", "carried_over" (a
    duplicate's: {"applied", "not_applied"}, what was typed for it and went to that asset or
    the holding, and what did not, `archive.ingest.carry_over`; null otherwise), "filename",
    "expires_at"}."""
    return {"id": upload.id, "offset": upload.offset, "length": upload.length, "status": upload.status,
            "asset_id": upload.asset_id, "holding": upload.holding,
            "carried_over": (upload.upload_metadata or {}).get("carried_over"),
            "filename": (upload.upload_metadata or {}).get("filename"),
            "expires_at": upload.expires_at.isoformat()}


def purge_expired(session: Session) -> int:
    """Abort open uploads past their expiry, remove their `uploading` assets (from the
    database, and from the index after the commit) and free their staged bytes; returns how many.

    Flushes; the caller commits (a rollback leaves them open, and the next purge frees
    nothing twice: removing a staged file that is gone is a no-op).
    """
    n = 0
    expired = session.scalars(select(Upload).where(Upload.status == "open", Upload.expires_at < utcnow())).all()
    for upload in expired:
        upload.status = "aborted"
        _remove_upload_placeholder(session, upload, EXPIRED, None)
        staging.remove_staged(upload.id)
        n += 1
    session.flush()
    return n

