"""Assets: reading, the API's JSON shape, metadata edits (with Events) and history."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from archive.accounts.models import Organisation, User
from archive.assets.models import STATUSES, Asset, AssetHolding
from archive.assets.schemas import merge_metadata, validate_metadata
from archive.errors import Conflict, Forbidden, NotFound, ValidationError, roles_or
from archive.events import services as events
from archive.index_now import index_now
from archive.ingest.models import Upload
from archive.provenance import credentials
from archive.usage.models import UsageRecord
from archive.usage.services import may_read_usage
from search.fields import PUBLIC_STATUSES

# new_id() makes lowercase UUID4 text; anything else cannot be an asset, so it never reaches SQL.
_ASSET_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Who edits an asset's metadata: these roles of the asset's own organisation, and admins
# (issue 7, "who may do what": a TRT rights manager may not edit an İTV asset).
EDITOR_ROLES = ("producer", "rights_manager")
# These live on the asset row (they drive rights and facets), not in `meta`.
ROW_FIELDS = ("organisation", "country")


def valid_asset_id(asset_id: object) -> bool:
    return isinstance(asset_id, str) and _ASSET_ID.fullmatch(asset_id) is not None


# PUBLIC_STATUSES (search.fields, the one definition, imported here since `search` may not
# import the archive): the statuses every member sees; an asset in any other (uploading,
# processing, rejected, failed) is seen only by its own organisation, the people who uploaded it
# or a copy of it, and admins (search finds it for its organisation only: the index holds no
# uploader).


def visible_to(viewer: User | None):
    """The SQL condition on Asset for the assets `viewer` may see (`PUBLIC_STATUSES` for every
    member; every status for their own organisation's, their own uploads and copies, and for
    admins: None, no condition). No viewer (the archive's own work: the CLI, tasks): None."""
    if viewer is None or getattr(viewer, "role", None) == "admin":
        return None
    public = Asset.status.in_(PUBLIC_STATUSES)
    held = select(AssetHolding.asset_id).where(AssetHolding.uploader_id == viewer.id)
    return or_(public, Asset.organisation_id == viewer.organisation_id, Asset.uploader_id == viewer.id,
               Asset.id.in_(held))


def may_see(session: Session, viewer: User | None, asset: Asset) -> bool:
    """Whether `viewer` may see `asset`: the rule of `visible_to`, asked of this one asset."""
    seen = visible_to(viewer)
    if seen is None or asset.status in PUBLIC_STATUSES:
        return True
    return session.scalar(select(Asset.id).where(Asset.id == asset.id, seen)) is not None


def get_asset(session: Session, asset_id: object, *, viewer: User | None = None) -> Asset:
    """The asset `asset_id`. With `viewer`, one they may see (`may_see`): another organisation's
    asset that is not ready yet answers as no asset. Raises NotFound (`asset_not_found`; the id
    of an upload's removed asset: `removed_upload_error`)."""
    valid = valid_asset_id(asset_id)
    asset = session.get(Asset, asset_id) if valid else None
    if asset is not None and viewer is not None and not may_see(session, viewer, asset):
        asset = None
    if asset is None:
        removed = removed_upload_error(session, asset_id, viewer) if valid else None
        if removed is not None:
            raise removed
        shown = asset_id[:80] if isinstance(asset_id, str) else asset_id
        raise NotFound(f"No asset {shown!r}.", code="asset_not_found")
    return asset


def refuse_uploading(asset: Asset, what: str) -> None:
    """409 `asset_uploading` (details.status, details.upload: `upload_progress`) when `asset` is
    still being uploaded: it has no original yet, so nothing that reads or copies its bytes
    (`what`, a verb phrase: "add it to a basket") can take it. Any other status passes."""
    if asset.status == "uploading":
        raise Conflict(f"This asset is still being uploaded; {what} once its upload is complete.",
                       code="asset_uploading",
                       details={"status": asset.status, "upload": upload_progress(object_session(asset), asset)})


def require_original(asset: Asset) -> None:
    """409 `original_not_ready` (details.status) when `asset` has no original yet: its upload is
    still arriving (`uploading`), or it is a clip whose cut has not finished."""
    if asset.original_key and asset.sha256 and len(asset.sha256) == 64:
        return
    message = ("This upload is still arriving; its file is not there yet." if asset.status == "uploading"
               else "This clip is still being cut; its file is not there yet.")
    raise Conflict(message, code="original_not_ready", details={"status": asset.status})


def removed_upload_error(session: Session, asset_id: str, viewer: User | None) -> NotFound | None:
    """Why the `uploading` asset `asset_id` a tus upload made is gone, for those who could see
    it (its organisation, its uploader, admins; None for anyone else, and for an id no upload
    made): its bytes duplicated an asset the archive held (404 `duplicate_upload`, with
    `details.asset_id` that asset when `viewer` may see it, `details.upload_id`, and
    `details.carried_over`: what was typed for it, applied to that asset or to the holding, and
    what was not, `archive.ingest.carry_over`), or its
    upload was terminated or expired (404 `asset_not_found` with `details.upload_id` and
    `details.upload_status` "aborted")."""
    upload = session.scalar(select(Upload).where(Upload.placeholder_id == asset_id))
    if upload is None:
        return None
    if viewer is not None and viewer.role != "admin" and viewer.id != upload.user_id:
        owner = session.get(User, upload.user_id)
        if owner is None or owner.organisation_id != viewer.organisation_id:
            return None
    if upload.status == "duplicate" and upload.asset_id:
        existing = session.get(Asset, upload.asset_id)
        details: dict[str, Any] = {"upload_id": upload.id}
        if existing is not None and (viewer is None or may_see(session, viewer, existing)):
            details["asset_id"] = existing.id
        carried = (upload.upload_metadata or {}).get("carried_over")
        if carried is not None:
            details["carried_over"] = carried  # what was typed for it: applied there, and what was not
        return NotFound("This upload's bytes were in the archive already: it was recorded against the asset "
                        "that holds them, and its own asset was removed.", code="duplicate_upload", details=details)
    if upload.status == "aborted":
        return NotFound("This upload was terminated or expired before it finished; its asset was removed.",
                        code="asset_not_found", details={"upload_id": upload.id, "upload_status": upload.status})
    return None


def upload_progress(session: Session | None, asset: Asset) -> dict[str, Any] | None:
    """How far the upload of an `uploading` asset is: {"id" (the tus upload), "offset" (bytes
    received and stored), "length" (bytes, Upload-Length), "progress" (offset / length, 0..1),
    "expires_at" (ISO-8601: an upload idle past it is removed)}; None for any other asset."""
    if asset.status != "uploading" or session is None:
        return None
    upload = session.scalar(select(Upload).where(Upload.placeholder_id == asset.id, Upload.status == "open"))
    if upload is None:
        return None
    return {"id": upload.id, "offset": upload.offset, "length": upload.length,
            "progress": round(upload.offset / upload.length, 4) if upload.length else 0.0,
            "expires_at": _iso(upload.expires_at)}


def list_assets(session: Session, page: int = 1, per_page: int = 20, status: str | None = None,
                viewer: User | None = None, uploader_id: int | None = None, lang: str | None = None) -> dict:
    """One page of assets, newest first: {"total", "page", "per_page", "items": [summary JSON]},
    each `title` in `lang` where the asset has one (`asset_to_json`).

    `status` keeps one status (ValidationError when it is not one of STATUSES); `uploader_id`
    keeps one user's uploads, in every status, with the assets they uploaded a copy of (the "my
    uploads" list); `viewer` decides which assets show (`visible_to`: another organisation's
    are listed once ready) and which e-mail addresses show (`person_json`).
    """
    if status is not None and status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}.", code="invalid_parameter",
                              details={"parameter": "status"})
    q = select(Asset)
    count = select(func.count()).select_from(Asset)
    seen = visible_to(viewer)
    if seen is not None:
        q = q.where(seen)
        count = count.where(seen)
    if status is not None:
        q = q.where(Asset.status == status)
        count = count.where(Asset.status == status)
    if uploader_id is not None:
        # Theirs: what they uploaded, and the copies they uploaded of what the archive held
        # already (recorded as a holding of the existing asset).
        held = select(AssetHolding.asset_id).where(AssetHolding.uploader_id == uploader_id)
        mine = or_(Asset.uploader_id == uploader_id, Asset.id.in_(held))
        q = q.where(mine)
        count = count.where(mine)
    total = session.scalar(count) or 0
    rows = session.scalars(q.order_by(Asset.created_at.desc(), Asset.id)
                           .offset((page - 1) * per_page).limit(per_page)).unique()
    return {"total": total, "page": page, "per_page": per_page,
            "items": [asset_to_json(a, lang, summary=True, viewer=viewer) for a in rows]}


def summaries(session: Session, asset_ids: list[str], lang: str | None = None) -> dict[str, dict[str, Any]]:
    """{asset id: summary JSON} for the ids that exist (unknown or malformed ids are left out),
    in one query: what a list of search hits needs to know (kind, status, renditions)."""
    ids = [i for i in asset_ids if valid_asset_id(i)]
    if not ids:
        return {}
    rows = session.scalars(select(Asset).where(Asset.id.in_(ids))).unique()
    return {a.id: asset_to_json(a, lang, summary=True) for a in rows}


# ---- the JSON shape (API.md) ---------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def download_url(asset: Asset, rendition: str) -> str:
    return url_for("assets.download", asset_id=asset.id, rendition=rendition)


def metadata_json(asset: Asset) -> dict[str, Any]:
    meta = dict(asset.meta or {})
    out: dict[str, Any] = {
        "title": dict(meta.get("title") or {}),
        "description": dict(meta.get("description") or {}),
        "genre": meta.get("genre"),
        "keywords": list(meta.get("keywords") or []),
        "people": list(meta.get("people") or []),
        "places": list(meta.get("places") or []),
        "recorded": meta.get("recorded"),
        "languages": list(meta.get("languages") or []),
        "organisation": asset.organisation.name if asset.organisation is not None else None,
        "country": asset.country,
    }
    return out


def rendition_file_url(asset_id: str, name: str, path: str) -> str:
    """The URL of one file of a rendition (`path` keeps its '/': it is the route's last part)."""
    return url_for("assets.rendition_file", asset_id=asset_id, name=name, path=path)


def rendition_json(asset: Asset, r) -> dict[str, Any]:
    """A rendition as the API shows it. `size` is all its files' bytes, `sha256` and
    `content_type` its entry file's; `entry` is the path of that file inside the rendition
    and `url` where to read it (the download URL; for a make of several files, the file
    route of the entry, beside which its other files are). The files of the current make
    are served while a re-make runs or after one failed. `file_count` is how many files
    the current make has (0 before one completed).

    `live` is true while a rendition with no complete make is being made and its make
    publishes as it goes (an HLS ladder: `archive.renditions.live`); `live_url` is then the
    file route of the published master playlist (its media playlists are EVENT playlists
    that grow until the make is complete), else null.

    `sha256` and `size` describe the bytes the download (`url` of a one-file rendition)
    serves: for a proxy or poster served as its C2PA-signed copy (`credentials` "signed",
    archive.provenance.credentials.served_copy) the signed copy's, and `unsigned_sha256` /
    `unsigned_size` are then the rendition file's (what the file route and the rendition's
    `files` give); `credentials` is "unsigned" for a proxy or poster served as made, and null
    for renditions that are never signed."""
    session = object_session(asset)
    signed = credentials.served_copy(session, asset, r) if session is not None and r.available else None
    url = None
    if r.available and r.file_count > 1:
        url = rendition_file_url(asset.id, r.name, r.entry)
    elif r.available or r.status == "ready":
        url = download_url(asset, r.name)
    out = {"name": r.name, "status": r.status, "progress": r.progress,
           "size": signed.size if signed is not None else r.size,
           "sha256": signed.sha256 if signed is not None else r.sha256,
           "content_type": r.content_type, "width": r.width, "height": r.height,
           "error": r.error, "entry": r.entry, "file_count": r.file_count, "url": url,
           "live": r.live, "live_url": rendition_file_url(asset.id, r.name, r.live_entry) if r.live else None,
           "credentials": None}
    if r.name in credentials.SIGNED_RENDITIONS and r.available and r.file_count == 1:
        out["credentials"] = "signed" if signed is not None else "unsigned"
    if signed is not None:
        out["unsigned_sha256"], out["unsigned_size"] = r.sha256, r.size
    return out


_RENDITION_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def find_rendition(asset: Asset, name: str, *, original: bool = True):
    """The asset's rendition `name`; NotFound `rendition_not_found` (with `details.available`,
    what may be asked for there: the original first when `original`) for any other name,
    however long or odd. Where the original is not served (`original` False: the routes
    under `/renditions/`, which serve renditions only), asking for it is NotFound
    `original_not_a_rendition` with `details.url`, the download address that serves it."""
    found = next((r for r in asset.renditions if r.name == name), None) if _RENDITION_NAME.fullmatch(name) else None
    if found is None:
        names = [r.name for r in asset.renditions]
        if name == "original" and not original:
            url = f"/api/v1/assets/{asset.id}/download?rendition=original"
            raise NotFound(f"The original is not a rendition and is not served here: read it from {url}.",
                           code="original_not_a_rendition",
                           details={"rendition": name, "url": url, "available": names})
        raise NotFound(f"This asset has no rendition {name[:40]!r}.", code="rendition_not_found",
                       details={"rendition": name[:40], "available": (["original"] if original else []) + names})
    return found


def rendition_manifest(session: Session, asset_id: str, name: str, *, viewer: User | None = None) -> dict[str, Any]:
    """`GET /api/v1/assets/{id}/renditions/{name}`: the rendition (`rendition_json`) with
    `files`, its current make's manifest: [{"path", "size", "sha256", "content_type", "url"}]
    in path order (empty before a make completed). 404 asset_not_found, rendition_not_found,
    original_not_a_rendition (an asset `viewer` may not see: asset_not_found, `get_asset`)."""
    asset = get_asset(session, asset_id, viewer=viewer)
    r = find_rendition(asset, name, original=False)
    files = [{"path": f.path, "size": f.size, "sha256": f.sha256, "content_type": f.content_type,
              "url": rendition_file_url(asset.id, r.name, f.path)} for f in r.files]
    return {**rendition_json(asset, r), "files": files}


def may_see_email(viewer: User | None, person: User) -> bool:
    """E-mail addresses are shown to the person's own organisation and to admins only."""
    return viewer is not None and (viewer.role == "admin" or viewer.organisation_id == person.organisation_id)


def organisation_json(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name, "country": org.country} if org is not None else None


def person_json(person: User | None, viewer: User | None) -> dict[str, Any] | None:
    """A user as others see them: {"id", "name", "organisation": {"id", "name", "country"}, "email"}.

    `name` is null when the user has none (show "a user of <organisation>"); `email` is null
    unless `viewer` may see it (`may_see_email`)."""
    if person is None:
        return None
    return {"id": person.id, "name": person.name, "organisation": organisation_json(person.organisation),
            "email": person.email if may_see_email(viewer, person) else None}


def holdings_json(asset: Asset, viewer: User | None) -> list[dict[str, Any]]:
    """Other organisations that uploaded the same bytes, oldest first: {"organisation",
    "created", "filename", "metadata" (what they sent, in the metadata shape), "uploader"}."""
    return [{"organisation": organisation_json(h.organisation), "created": _iso(h.created_at),
             "filename": h.filename, "metadata": dict(h.meta or {}), "uploader": person_json(h.uploader, viewer)}
            for h in asset.holdings]


def lineage_json(asset: Asset, viewer: User | None) -> dict[str, Any] | None:
    """A clip's `lineage` as `viewer` may see it: whole for who may read the usage record of its
    export (`archive.usage.services.may_read_usage`: the exporter's organisation, the master's
    organisation's rights managers, admins); for anyone else `declaration` and `decision` are
    null (the programme, air dates and decision of another organisation's use are its usage
    record's, not every member's). None for an asset that is not a clip."""
    lineage = asset.lineage
    if not lineage:
        return lineage
    decision = lineage.get("decision") or {}
    session = object_session(asset)
    record_org = None
    if session is not None:
        record = session.get(UsageRecord, decision["usage_record_id"]) if decision.get("usage_record_id") else None
        by = session.get(User, lineage["by"]) if record is None and lineage.get("by") is not None else None
        record_org = record.organisation_id if record is not None else by.organisation_id if by is not None else None
    if may_read_usage(viewer, asset.organisation_id, record_org):
        return lineage
    return {**lineage, "declaration": None, "decision": None}


def asset_to_json(asset: Asset, lang: str | None = None, *, summary: bool = False,
                  viewer: User | None = None) -> dict[str, Any]:
    """The asset as API.md shows it. `title` is the display title: the caller's language,
    then en/tr/az, then the filename, so that an untitled upload is still named.
    `uploader` (and each holding's) is `person_json` as `viewer` may see it; without a
    viewer no e-mail address is shown."""
    doc: dict[str, Any] = {
        "id": asset.id,
        "title": asset.title(lang),
        "status": asset.status,
        "error": asset.error,
        "error_code": asset.error_code,
        "filename": asset.filename,
        "size": asset.size,
        "sha256": asset.sha256 if asset.original_key else None,  # a clip not cut yet has none
        "kind": asset.kind,
        "content_type": asset.content_type,
        "created": _iso(asset.created_at),
        "updated": _iso(asset.updated_at),
        "metadata": metadata_json(asset),
        "uploader": person_json(asset.uploader, viewer),
        "download_url": download_url(asset, "original"),
        # An upload still arriving: how far it is (`upload_progress`); null for any other asset.
        "upload": upload_progress(object_session(asset), asset),
    }
    if summary:
        doc["renditions"] = [{"name": r.name, "status": r.status, "progress": r.progress}
                             for r in asset.renditions]
        duration = (asset.technical or {}).get("duration")
        doc["duration"] = duration if isinstance(duration, (int, float)) and duration > 0 else None
        return doc
    doc["technical"] = asset.technical
    doc["lineage"] = lineage_json(asset, viewer)
    doc["renditions"] = [rendition_json(asset, r) for r in asset.renditions]
    doc["holdings"] = holdings_json(asset, viewer)
    session = object_session(asset)
    # The C2PA manifest the original carried, and exports that went out unsigned (null before
    # the credentials step read it); archive.provenance.credentials.credentials_json.
    doc["content_credentials"] = credentials.credentials_json(session, asset) if session is not None else None
    return doc


# ---- editing -------------------------------------------------------------------------------

def can_edit(user: User, asset: Asset) -> bool:
    """Admins edit every asset; producers and rights managers the assets of their own organisation."""
    return user.role == "admin" or (user.role in EDITOR_ROLES and asset.organisation_id == user.organisation_id)


def editors_only(what: str) -> str:
    """The English refusal of someone `can_edit` refuses, naming who may do `what` (a verb
    phrase: "edit this asset") from EDITOR_ROLES, so the sentence follows the rule:
    "Only the producers and rights managers of the asset's organisation, or an administrator,
    may edit this asset." """
    return f"Only the {roles_or(EDITOR_ROLES)} of the asset's organisation, or an administrator, may {what}."


def _row_values(asset: Asset) -> dict[str, Any]:
    return {"organisation": asset.organisation.name if asset.organisation is not None else None,
            "country": asset.country}


def _apply_row_fields(session: Session, asset: Asset, changes: dict, actor: User) -> None:
    """Organisation and country: admins only, and only when the value would really change
    (a form that posts every field back unchanged is not an attempt to move the asset)."""
    wanted = {k: changes[k] for k in ROW_FIELDS if k in changes}
    current = _row_values(asset)
    really = {k: v for k, v in wanted.items() if v != current[k]}
    if not really:
        return
    if actor.role != "admin":
        raise Forbidden("Only an administrator may change the organisation or country of an asset.",
                        code="admin_only", details={"fields": sorted(really)})
    if "organisation" in really:
        org = session.scalar(select(Organisation).where(Organisation.name == really["organisation"]))
        if org is None:
            raise ValidationError(f"No organisation named {really['organisation']!r}.",
                                  code="organisation_not_found", details={"field": "organisation"})
        asset.organisation_id = org.id
        asset.organisation = org
        # The country follows the new organisation unless the admin set it explicitly.
        if "country" not in wanted:
            asset.country = org.country
    if "country" in really:
        asset.country = really["country"]


def update_metadata(session: Session, asset: Asset, changes: Any, actor: User) -> Asset:
    """Validate, merge and save a metadata PATCH; one Event with the changed fields only.

    Flushes: the edit, its Event and its search document (`archive.index_now`: in a request
    written right after the commit, before the answer; then by the index task) go together in
    the caller's unit of work, or not at all.
    """
    if not can_edit(actor, asset):
        raise Forbidden(editors_only("edit this asset"), code="not_allowed_to_edit")
    cfg = current_app.config
    clean = validate_metadata(changes, max_title=int(cfg["MAX_TITLE_LENGTH"]),
                              max_text=int(cfg["MAX_TEXT_LENGTH"]), current=asset.meta, strict=True)
    before_meta = metadata_json(asset)

    _apply_row_fields(session, asset, clean, actor)
    meta_changes = {k: v for k, v in clean.items() if k not in ROW_FIELDS}
    current = {k: v for k, v in (asset.meta or {}).items() if k not in ROW_FIELDS}
    merged = merge_metadata(current, meta_changes)
    if merged != (asset.meta or {}):
        asset.meta = merged  # a new dict, so the JSON column is seen as changed

    after_meta = metadata_json(asset)
    changed = sorted(k for k in after_meta if after_meta[k] != before_meta[k])
    if not changed:
        return asset
    before = {k: _none_if_empty(before_meta[k]) for k in changed}
    after = {k: _none_if_empty(after_meta[k]) for k in changed}
    events.record(session, actor_id=actor.id, action="asset.metadata_changed", subject_type="asset",
                  subject_id=asset.id, before=before, after=after)
    index_now(session, asset.id)  # search finds the edit when the answer arrives
    session.flush()
    return asset


def _none_if_empty(value):
    return None if value in ({}, [], "") else value


def history(session: Session, asset: Asset, viewer: User | None = None) -> list[dict[str, Any]]:
    """The asset's Events, oldest first; each `actor` is `person_json` as `viewer` may see it."""
    rows = events.history(session, "asset", asset.id)
    actors = {}
    ids = {e.actor_id for e in rows if e.actor_id is not None}
    if ids:
        actors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids))).unique()}
    return [{"id": e.id, "at": _iso(e.at), "action": e.action,
             "actor": person_json(actors.get(e.actor_id), viewer) if e.actor_id is not None else None,
             "before": e.before, "after": e.after} for e in rows]
