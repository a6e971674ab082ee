"""Content credentials (C2PA) in Ortak: read what a master carries, sign what Ortak hands out.

- **On ingest** (the `credentials` step, `archive.ingest.steps`): the original's manifest store
  is read (`archive.media.credentials.read_file`) and kept as the asset's `ContentCredential`
  (state absent / valid / trusted / invalid with the reason / unsupported, and the chain).
  An invalid manifest never stops the ingest.
- **On hand-out**, a file in a writable format (JPEG, MP4, MOV) gets a manifest that names
  Ortak (claim generator), the contributing organisation (CreativeWork author), the source
  master as its `parentOf` ingredient, the in/out (Ortak's `org.ortak.export` assertion) and
  the actions (`c2pa.opened` of the master, then `c2pa.transcoded`, `c2pa.trimmed`,
  `c2pa.published` as they apply):
  - a clip's bytes are signed as they are cut (`sign_export`, from `archive.clips.cutting`),
    so the stored clip, its SHA-256 and every later read of it carry the manifest;
  - a proxy or poster download serves a signed copy made ONCE per (asset, rendition, the
    rendition file's SHA-256, signer) by the same step and kept in storage
    (`SignedRendition`): downloads stream a stored blob with its own SHA-256 as ETag, Range
    works, nothing is signed per request and nothing is held in memory. A copy missing for
    the current signer (the key changed: `ortak steps run credentials --all` makes them)
    means the plain rendition is served, with `Ortak-Content-Credentials: unsigned`;
  - a basket item is signed in the zip builder's scratch file before it is zipped.
- Where C2PA cannot be written (MXF, HLS segments, a format the library refuses) or no key is
  configured, the export goes on unsigned, and the asset says why: for its renditions in its
  `ContentCredential.renditions` (HLS: never), for a clip or a basket item handed out in the
  asset's history (Event `credentials.not_signed` with `export`, `reason_code`, `reason`). A
  missing or unusable key is also a warning in `/healthz` and in the logs.
- **Verification** of any file (`verify_upload`): the chain of manifests it carries.

Signer: the operator's chain and key (`ORTAK_C2PA_SIGN_CERT`, `ORTAK_C2PA_SIGN_KEY`), trust
anchors `ORTAK_C2PA_TRUST_ANCHORS`; see the README's "Content credentials (C2PA)".
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import tempfile
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import software
from archive.assets.models import Asset
from archive.backends import storage
from archive.config import settings
from archive.db import utcnow
from archive.errors import ApiError
from archive.events import services as events
from archive.media import credentials as media
from archive.provenance.credential_models import ContentCredential, SignedRendition, SignerCertificate
from archive.renditions import services as renditions
from archive.renditions.models import Rendition, RenditionFile
from archive.storage.errors import BlobNotFound

log = logging.getLogger(__name__)

GENERATOR = software.NAME
GENERATOR_VERSION = software.VERSION
SIGNED_RENDITIONS = ("proxy", "poster")  # the single-file renditions a person downloads
NOT_SIGNED = "credentials.not_signed"
HASH_CHUNK = 1024 * 1024
# Reason codes of an export that went out unsigned (pages translate them).
NO_SIGNER, NOT_WRITABLE, SIGNING_FAILED, TOO_LARGE = "no_signer", "not_writable", "signing_failed", "too_large"
# The fixed details of an unsigned hand-out, by code (`detail` beside the English `reason`; the
# pages translate by the code, archive.provenance.credential_pages.UNSIGNED_DETAILS), and their
# English. A detail the library or a half-made signer configuration gives has no code.
HLS_SEGMENTS, OVER_LIMIT, FILE_MISSING = "hls_segments", "over_limit", "file_missing"
# No signer configured at all (the default install), a file type C2PA is not written into.
NOT_CONFIGURED, NOT_WRITABLE_TYPE = "not_configured", "not_writable_type"
NOT_CONFIGURED_REASON = "no C2PA signing certificate is configured (ORTAK_C2PA_SIGN_CERT, ORTAK_C2PA_SIGN_KEY)"
HLS_REASON = "HLS segments are not signed: C2PA is written into whole files (the proxy is signed)"
TOO_LARGE_REASON = "larger than ORTAK_C2PA_MAX_BYTES"
MISSING_REASON = "the rendition's file is missing from storage"
# `details.reason` of a 422 `unsupported_format` from `verify_upload` (a stable code, never the
# library's words).
FORMAT_NOT_SUPPORTED = "format_not_supported"


# ---- the signer ---------------------------------------------------------------------------------

def signer_status() -> tuple[media.SigningIdentity | None, str | None]:
    """(the configured signing identity, None) or (None, why there is none: not configured, a
    file missing or unusable). Read from the files each time (small; a rotated key is seen)."""
    config = settings()
    if not config.C2PA_SIGN_CERT and not config.C2PA_SIGN_KEY:
        return None, NOT_CONFIGURED_REASON
    if not config.C2PA_SIGN_CERT or not config.C2PA_SIGN_KEY:
        missing = "ORTAK_C2PA_SIGN_KEY" if config.C2PA_SIGN_CERT else "ORTAK_C2PA_SIGN_CERT"
        return None, f"{missing} is not set: both the chain and the key are needed"
    try:
        return media.load_identity(config.C2PA_SIGN_CERT, config.C2PA_SIGN_KEY), None
    except media.IdentityError as exc:
        return None, str(exc)


def signing_identity() -> media.SigningIdentity | None:
    """The signer, or None (logged as a warning: exports then go out unsigned)."""
    identity, why = signer_status()
    if identity is None:
        log.warning("C2PA: exports are not signed: %s", why)
    else:
        exposed = key_exposure(settings().C2PA_SIGN_KEY)
        if exposed and exposed not in _WARNED:  # once a process, not at every export
            _WARNED.add(exposed)
            log.warning("C2PA: %s", exposed)
    return identity


_WARNED: set[str] = set()


def trust_anchors() -> str | None:
    """The PEM trust anchors, or None when none are configured or the file cannot be read."""
    path = settings().C2PA_TRUST_ANCHORS
    if not path:
        return None
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read(4 * 1024 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("C2PA: cannot read the trust anchors %s: %s", path, exc)
        return None


def health() -> dict[str, Any]:
    """The `/healthz` entry: {"ok": True, "signer": subject, "not_after"} or {"ok": False,
    "warning": why exports go out unsigned}. Never raises."""
    identity, why = signer_status()
    if identity is None:
        return {"ok": False, "warning": f"C2PA exports go out unsigned: {why}"}
    out = {"ok": True, "signer": identity.subject, "fingerprint": identity.fingerprint,
           "not_after": identity.not_after}
    exposed = key_exposure(settings().C2PA_SIGN_KEY)
    if exposed:
        out["warning"] = exposed
    return out


def key_exposure(path: str) -> str | None:
    """Why the signing key at `path` is readable by more than its owner (group or others have
    any permission: the README asks for mode 0600, as `archive.usage.signing` does of the audit
    key, which it refuses), or None. Exports still go out signed: a warning in `/healthz` and,
    once a process, in the log (`signing_identity`), not a refusal."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"the C2PA signing key {path} has mode {stat.S_IMODE(mode):04o}: other users may read it; make it 0600"
    return None


def remember_signer(session: Session, identity: media.SigningIdentity) -> None:
    """Keep `identity`'s certificate among those this archive has signed with
    (SignerCertificate), if it is not there yet: after a key rotation, `declared_source` still
    links what it signed. A concurrent worker may add it first (then nothing is written).
    Flushes."""
    if session.get(SignerCertificate, identity.fingerprint) is not None:
        return
    names = media.signer_names(identity)
    try:
        with session.begin_nested():
            session.add(SignerCertificate(fingerprint=identity.fingerprint, common_name=names["common_name"][:255],
                                          serial_number=names["cert_serial_number"][:64],
                                          chain_pem=identity.chain.decode("ascii", "replace")))
    except IntegrityError:
        pass


def our_signers(session: Session) -> list[dict[str, str]]:
    """How manifests this archive signed name their signer ({"common_name",
    "cert_serial_number"}): the current signer's and each certificate it signed with before
    (SignerCertificate)."""
    out = [{"common_name": row.common_name, "cert_serial_number": row.serial_number}
           for row in session.scalars(select(SignerCertificate))]
    identity, _ = signer_status()
    if identity is not None:
        current = media.signer_names(identity)
        if current not in out:
            out.append(current)
    return out


def signer_key() -> str | None:
    """The current signer's fingerprint (what a signed copy is kept under), None without one."""
    identity, _ = signer_status()
    return identity.fingerprint if identity else None


# ---- reading a master -----------------------------------------------------------------------------

def read_master(session: Session, asset: Asset, path: str) -> ContentCredential:
    """Read the credentials the original at `path` carries and keep them on the asset (one
    row per asset, replaced). Never raises for the file's content. Flushes."""
    limit = settings().C2PA_MAX_BYTES
    report = media.read_file(path, name=asset.filename, content_type=asset.content_type, trust_anchors=trust_anchors(),
                             verify=os.path.getsize(path) <= limit)
    if report.state == "unverified":
        report.reason = f"larger than ORTAK_C2PA_MAX_BYTES ({limit} bytes): the manifests are shown, not checked"
    row = session.scalar(select(ContentCredential).where(ContentCredential.asset_id == asset.id))
    if row is None:
        row = ContentCredential(asset_id=asset.id)
        session.add(row)
    data = report.to_dict()
    row.sha256, row.state, row.reason = asset.sha256, report.state, report.reason
    row.failures, row.manifests, row.read_at = data["failures"], data["manifests"], utcnow()
    row.renditions = row.renditions or {}
    if report.state == "invalid":
        log.warning("asset %s carries an invalid C2PA manifest: %s", asset.id, report.reason)
    session.flush()
    return row


def credentials_json(session: Session, asset: Asset) -> dict[str, Any] | None:
    """The asset API's `content_credentials`: {"state", "reason", "manifests", "read_at",
    "renditions" (see `sign_renditions`), "unsigned_exports": [{"export", "reason_code",
    "detail" (a fixed detail's code, or None), "reason", "at"}] (clips and basket items that
    went out unsigned, the latest 20; a clip also lists its own cut, recorded on its master:
    a clip cut while no signer was configured said nothing of it on its own page)}; None
    before the step has read the original and no export went out unsigned."""
    row = session.scalar(select(ContentCredential).where(ContentCredential.asset_id == asset.id))

    def listed(subject_id: str, export: str | None = None) -> list[dict[str, Any]]:
        return [{"export": (e.after or {}).get("export"), "reason_code": (e.after or {}).get("reason_code"),
                 "detail": (e.after or {}).get("detail"), "reason": (e.after or {}).get("reason"),
                 "at": e.at.isoformat()}
                for e in events.history(session, "asset", subject_id)
                if e.action == NOT_SIGNED and (export is None or (e.after or {}).get("export") == export)]

    source_id = asset.source_id or (asset.lineage or {}).get("source_id")
    unsigned = (listed(source_id, f"clip:{asset.id}") if source_id else []) + listed(asset.id)
    unsigned = unsigned[:20]
    if row is None and not unsigned:
        return None
    return {"state": row.state if row else None, "reason": row.reason if row else None,
            "manifests": row.manifests if row else [], "read_at": row.read_at.isoformat() if row else None,
            "renditions": row.renditions if row else {}, "unsigned_exports": unsigned}


# What a declared source says of the export, from Ortak's assertion (`export_manifest` and the
# `details` of its callers: a rendition, a clip's cut, a basket item's segment).
DECLARED_KEYS = ("rendition", "in", "out", "in_seconds", "out_seconds", "actual_in", "actual_out",
                 "actual_in_seconds", "actual_out_seconds", "mode", "signed_at")


def declared_source(session: Session, asset: Asset) -> dict[str, Any] | None:
    """The asset of this archive that the original of `asset` declares as its source, when the
    file is one this archive handed out (a proxy, a clip, a basket item) and came back (another
    organisation uploaded it): {"id", "export": "rendition" | "clip" | "basket_item",
    "rendition", "in", "out", ... (DECLARED_KEYS, what the assertion says; absent keys None),
    "manifest" (its label), "signer" (common name)}; else None.

    Derived at read time from the manifest report the `credentials` step kept (ContentCredential)
    and nothing else; the claim counts only when all of these hold, so a rights manager can rely
    on it (anything less is no link; the manifest is still shown, with its state, in the
    `content_credentials` section):
    - the report is of the asset's current original (same SHA-256) and its state is `trusted`:
      every signature and hash checks, nothing was altered, and the signer chains to
      ORTAK_C2PA_TRUST_ANCHORS (`valid`, `invalid`, `unverified`: no link);
    - the active manifest (the newest: a file re-signed by someone else declares nothing here)
      carries Ortak's assertion (`org.ortak.export`) and was signed by one of this archive's
      signer certificates: the current one (common name and serial number of
      ORTAK_C2PA_SIGN_CERT's first certificate) or one it signed with before (`our_signers`:
      kept from the first signing with each, `remember_signer`);
    - the assertion's `source_id` is an asset here whose SHA-256 is the assertion's
      `source_sha256`.
    Visibility is the caller's to apply (`archive.provenance.lineage.sources`)."""
    row = session.scalar(select(ContentCredential).where(ContentCredential.asset_id == asset.id))
    if row is None or row.state != "trusted" or row.sha256 != asset.sha256 or not row.manifests:
        return None
    active = row.manifests[0] if isinstance(row.manifests[0], dict) else {}
    ortak = active.get("ortak")
    if active.get("state") != "trusted" or not isinstance(ortak, dict) or not isinstance(ortak.get("source_id"), str):
        return None
    signer = active.get("signer") or {}
    named = {k: str(signer.get(k) or "") for k in ("common_name", "cert_serial_number")}
    if named not in our_signers(session):
        return None
    source = session.get(Asset, ortak["source_id"])
    if source is None or source.id == asset.id or source.sha256 != ortak.get("source_sha256"):
        return None
    export = ("basket_item" if "basket_id" in ortak else "clip" if "asset_id" in ortak
              else "rendition" if "rendition" in ortak else None)
    return {"id": source.id, "export": export, **{k: ortak.get(k) for k in DECLARED_KEYS},
            "manifest": active.get("label"), "signer": signer.get("common_name")}


# ---- signing ------------------------------------------------------------------------------------------

def export_manifest(master: Asset, *, title: str, actions: list[dict[str, Any]],
                    details: dict[str, Any]) -> dict[str, Any]:
    """The manifest definition of a file handed out from `master` (see the module docstring);
    `details` go into Ortak's assertion with the master's id, SHA-256 and the signing time."""
    organisation = master.organisation.name if master.organisation is not None else None
    ortak = {"source_id": master.id, "source_sha256": master.sha256, "source_filename": master.filename,
             "organisation": organisation, "signed_at": utcnow().isoformat(timespec="seconds"), **details}
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, *actions]}},
        {"label": media.ORTAK_ASSERTION, "data": ortak}]
    if organisation:
        assertions.append({"label": "stds.schema-org.CreativeWork",
                           "data": {"@context": "https://schema.org", "@type": "CreativeWork",
                                    "author": [{"@type": "Organization", "name": organisation}]}})
    return {"claim_generator_info": [{"name": GENERATOR, "version": GENERATOR_VERSION}], "title": title,
            "assertions": assertions}


def note_unsigned(session: Session, asset: Asset, export: str, code: str, reason: str,
                  actor_id: int | None = None, detail: str | None = None) -> None:
    """Record on `asset` that `export` went out without credentials, and why: the reason's
    `code`, the English `reason`, and `detail`, the code of a fixed detail (OVER_LIMIT,
    NOT_CONFIGURED, NOT_WRITABLE_TYPE) when the reason is one. Flushes nothing."""
    after = {"export": export, "reason_code": code, "reason": reason[:500]}
    events.record(session, actor_id=actor_id, action=NOT_SIGNED, subject_type="asset", subject_id=asset.id,
                  after={**after, "detail": detail} if detail else after)


def sign_export(session: Session, master: Asset, src: str, dst: str, *, name: str, export: str,
                actions: list[dict[str, Any]], details: dict[str, Any], master_path: str | None,
                actor_id: int | None = None, identity: media.SigningIdentity | None = None,
                content_type: str | None = None) -> bool:
    """Sign `src` (a file named like `name`; of `content_type` when given: the type its bytes
    show, which a name can belie) into `dst` with `master` (its original at `master_path`,
    read as the master's `content_type`) as the parentOf ingredient: True when `dst` was
    written. False (and the reason recorded on `master`, `note_unsigned`) when there is no
    signer, the format cannot carry C2PA or the library refused: the caller hands out `src` as
    it is."""
    identity = identity or signing_identity()
    if identity is None:
        _, why = signer_status()
        note_unsigned(session, master, export, NO_SIGNER, why or "no signer", actor_id,
                      detail=NOT_CONFIGURED if why == NOT_CONFIGURED_REASON else None)
        return False
    if media.written_as(content_type, name) is None:
        note_unsigned(session, master, export, NOT_WRITABLE, media.not_writable_reason(content_type, name),
                      actor_id, detail=NOT_WRITABLE_TYPE)
        return False
    limit = settings().C2PA_MAX_BYTES
    if os.path.getsize(src) > limit:
        note_unsigned(session, master, export, TOO_LARGE, f"{TOO_LARGE_REASON} ({limit} bytes)", actor_id,
                      detail=OVER_LIMIT)
        return False
    manifest = export_manifest(master, title=os.path.basename(name), actions=actions, details=details)
    try:
        media.sign_file(src, dst, identity=identity, manifest=manifest, name=name, content_type=content_type,
                        parent=(master_path, master.filename) if master_path else None,
                        parent_type=master.content_type, trust_anchors=trust_anchors())
    except media.NotWritable as exc:
        note_unsigned(session, master, export, NOT_WRITABLE, exc.reason, actor_id)
        return False
    except media.CredentialsError as exc:
        log.warning("C2PA signing of %s of asset %s failed: %s", export, master.id, exc)
        note_unsigned(session, master, export, SIGNING_FAILED, str(exc), actor_id)
        return False
    remember_signer(session, identity)
    return True


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _rendition_file(session: Session, row: Rendition) -> RenditionFile | None:
    return renditions.entry_file(session, row) if row.available and row.file_count == 1 else None


def signed_copy(session: Session, asset: Asset, rendition: str, file: RenditionFile) -> SignedRendition | None:
    """The kept signed copy of the rendition file `file` for the current signer, or None."""
    signer = signer_key()
    if signer is None:
        return None
    return session.scalar(select(SignedRendition).where(
        SignedRendition.asset_id == asset.id, SignedRendition.rendition == rendition,
        SignedRendition.source_sha256 == file.sha256, SignedRendition.signer == signer))


def served_copy(session: Session, asset: Asset, row: Rendition) -> SignedRendition | None:
    """The signed copy a download of the rendition `row` serves (`signed_copy` of its one file
    for the current signer: `archive.assets.download`), or None when the plain file is served
    (no signer, not signed yet, not a SIGNED_RENDITIONS name, not one file)."""
    if row.name not in SIGNED_RENDITIONS:
        return None
    file = _rendition_file(session, row)
    return signed_copy(session, asset, row.name, file) if file is not None else None


def sign_renditions(session: Session, asset: Asset, master_path: str) -> dict[str, dict[str, str]]:
    """Make the signed copies of the asset's downloadable renditions (`SIGNED_RENDITIONS`) for
    the current signer that are not made yet, and say for each (and for an HLS ladder, which
    cannot carry C2PA) whether its hand-out is signed: {name: {"state": "signed" | "no_signer"
    | "not_writable" | "signing_failed" | "too_large", "reason"?, "detail"? (the code of a fixed
    reason: HLS_SEGMENTS, OVER_LIMIT, FILE_MISSING, NOT_CONFIGURED)}}, kept on the asset's ContentCredential.
    No Event: a missing signer is the platform's state (health), not the asset's. Flushes."""
    identity = signing_identity()
    why = None if identity is not None else (signer_status()[1] or "no signer")
    out: dict[str, dict[str, str]] = {}
    store = storage()
    for row in sorted(asset.renditions, key=lambda r: r.name):
        if row.name == "hls" and row.available:
            out["hls"] = {"state": NOT_WRITABLE, "detail": HLS_SEGMENTS, "reason": HLS_REASON}
            continue
        file = _rendition_file(session, row) if row.name in SIGNED_RENDITIONS else None
        if file is None:
            continue
        if identity is None:
            out[row.name] = {"state": NO_SIGNER, "reason": why}
            if why == NOT_CONFIGURED_REASON:
                out[row.name]["detail"] = NOT_CONFIGURED
            continue
        if file.size > settings().C2PA_MAX_BYTES:
            out[row.name] = {"state": TOO_LARGE, "detail": OVER_LIMIT, "reason": TOO_LARGE_REASON}
            continue
        existing = signed_copy(session, asset, row.name, file)
        if existing is None or not store.exists(existing.blob_key):
            try:
                existing = _sign_rendition(session, asset, row, file, master_path, identity, existing)
            except media.NotWritable as exc:
                out[row.name] = {"state": NOT_WRITABLE, "reason": exc.reason}
                continue
            except media.CredentialsError as exc:
                log.warning("C2PA signing of the %s of asset %s failed: %s", row.name, asset.id, exc)
                out[row.name] = {"state": SIGNING_FAILED, "reason": str(exc)[:500]}
                continue
            except BlobNotFound:
                # A rendition file gone from storage: fixity names it; the other renditions are signed.
                log.warning("C2PA signing of the %s of asset %s: its file %s is missing from storage",
                            row.name, asset.id, file.path)
                out[row.name] = {"state": SIGNING_FAILED, "detail": FILE_MISSING, "reason": MISSING_REASON}
                continue
        out[row.name] = {"state": "signed", "signer": identity.subject}
    row = session.scalar(select(ContentCredential).where(ContentCredential.asset_id == asset.id))
    if row is not None:
        row.renditions = out
    session.flush()
    return out


def _sign_rendition(session: Session, asset: Asset, row: Rendition, file: RenditionFile, master_path: str,
                    identity: media.SigningIdentity, existing: SignedRendition | None) -> SignedRendition:
    """Sign the rendition file into a new blob and keep it; NotWritable / CredentialsError."""
    store = storage()
    scratch = tempfile.mkdtemp(prefix="ortak-c2pa-", dir=renditions.work_dir())
    try:
        ext = os.path.splitext(file.path)[1].lower()
        src = store.local_path(file.blob_key)
        if src is None:
            src = os.path.join(scratch, "rendition" + ext)
            store.download_to(file.blob_key, src)
        dst = os.path.join(scratch, "signed" + ext)
        manifest = export_manifest(asset, title=os.path.basename(file.path), actions=[{"action": "c2pa.transcoded"}],
                                   details={"rendition": row.name, "rendition_sha256": file.sha256})
        media.sign_file(src, dst, identity=identity, manifest=manifest, name=file.path,
                        parent=(master_path, asset.filename), parent_type=asset.content_type,
                        trust_anchors=trust_anchors())
        sha256, size = _sha256(dst), os.path.getsize(dst)
        key = f"credentials/{sha256[:2]}/{sha256}{ext}"
        if not store.exists(key):
            store.put_file(key, dst, content_type=file.content_type, sha256=sha256, move=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    copy = existing or SignedRendition(asset_id=asset.id, rendition=row.name, source_sha256=file.sha256,
                                       signer=identity.fingerprint)
    copy.blob_key, copy.sha256, copy.size = key, sha256, size
    session.add(copy)
    remember_signer(session, identity)
    return copy


def step_inputs(session: Session, asset: Asset) -> dict[str, Any]:
    """What the credentials step's outcome depends on: the original and its content type (what
    it is read and named as), the trust anchors, the signer and the files of the renditions it
    signs."""
    anchors = trust_anchors()
    files = {}
    for row in asset.renditions:
        file = _rendition_file(session, row) if row.name in SIGNED_RENDITIONS else None
        if file is not None:
            files[row.name] = file.sha256
    return {"original": asset.sha256, "content_type": asset.content_type, "signer": signer_key(), "renditions": files,
            "trust": hashlib.sha256(anchors.encode()).hexdigest() if anchors else None}


def step_is_current(session: Session, asset: Asset) -> bool:
    """The original's credentials are read and every signed copy the signer needs is there."""
    row = session.scalar(select(ContentCredential).where(ContentCredential.asset_id == asset.id))
    if row is None or row.sha256 != asset.sha256:
        return False
    if signer_key() is None:
        return True
    store = storage()
    for r in asset.renditions:
        file = _rendition_file(session, r) if r.name in SIGNED_RENDITIONS else None
        if file is None:
            continue
        copy = signed_copy(session, asset, r.name, file)
        if copy is None or not store.exists(copy.blob_key):
            return False
    return True


# ---- verification -----------------------------------------------------------------------------------

def verify_upload(stream: IO[bytes], filename: str) -> dict[str, Any]:
    """The credentials of an uploaded file: {"filename", "size", "sha256", "state", "reason",
    "failures", "manifests"} (`archive.media.credentials.CredentialReport`). `stream` is
    seekable. 413 `file_too_large` past ORTAK_C2PA_VERIFY_MAX_BYTES; 422 `empty_file`; 422
    `unsupported_format` for a file the C2PA library cannot read (not JPEG, PNG, MP4, MOV,
    WAV, PDF... nor any format it knows), `details.reason` always FORMAT_NOT_SUPPORTED."""
    limit = settings().C2PA_VERIFY_MAX_BYTES
    digest, total = hashlib.sha256(), 0
    stream.seek(0)
    for block in iter(lambda: stream.read(HASH_CHUNK), b""):
        digest.update(block)
        total += len(block)
        if total > limit:
            raise too_large(limit)
    if total == 0:
        raise ApiError("The file is empty.", code="empty_file", status=422)
    stream.seek(0)
    checked = total <= settings().C2PA_MAX_BYTES
    fmt = media.format_of(filename)
    report = media.read_stream(stream, fmt, trust_anchors=trust_anchors(), verify=checked)
    if report.state == "invalid" and fmt:
        # A name can lie: bytes that are no such file at all ("invalid BMFF structure" for text
        # named .mp4) are a file the library cannot read, not a manifest that failed. Read by
        # the bytes alone, such a file is unsupported; a real one of that format reads the same.
        stream.seek(0)
        by_bytes = media.read_stream(stream, "", trust_anchors=trust_anchors(), verify=checked)
        if by_bytes.state == "unsupported":
            report = by_bytes
    if report.state == "unsupported":
        # The library's own words ("NotSupported: type is unsupported") go to the log; the
        # caller gets our code (pages say it in tr/az/en: archive.web.messages.ERROR_REASONS).
        log.info("C2PA verify: %s is not readable: %s", filename, report.reason)
        raise ApiError("Content credentials cannot be read from this kind of file.", code="unsupported_format",
                       status=422, details={"reason": FORMAT_NOT_SUPPORTED})
    return {"filename": filename, "size": total, "sha256": digest.hexdigest(), **report.to_dict()}


def too_large(limit: int) -> ApiError:
    return ApiError(f"The file is larger than {limit} bytes.", code="file_too_large", status=413,
                    details={"limit": limit})


def writable_content(content_type: str | None, ext: str) -> bool:
    """Whether a file of `content_type` (the type its bytes show; None: not known, then by its
    extension `ext`) can carry a manifest Ortak writes."""
    return media.written_as(content_type, "x" + ext) is not None


def writable(ext: str) -> bool:
    """Whether a file with the extension `ext` ('.mp4') can carry a manifest Ortak writes."""
    return media.mime_type("x" + ext) is not None
