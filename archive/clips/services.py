"""Clip export: `POST /api/v1/assets/{id}/clips` asks the gate, then makes the clip's asset.

    clip = request_clip(session, source, body, user, args)   # 202 with clip.id; the worker cuts it

The export is a master-quality read of the segment (action `clip`): the rights decide
(`archive.access.gate.check_read`), the usage record names the segment in seconds, and a
refusal is 403 with the reasons and no clip asset. An allowed export makes a new asset in
`processing` with its `lineage` and sends INGEST: the pipeline cuts it first
(`archive.clips.cutting`), then probes it and makes its renditions like any upload.

A clip belongs to its source's organisation (the rights holder: the source's rights travel
with it, `archive.clips.cutting.inherit_rights`) and names the user who exported it as its
uploader. Services flush; the caller commits.
"""
from __future__ import annotations

import uuid
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access.declarations import read_declaration, require_complete
from archive.access.gate import Decision, check_read
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import visible_to
from archive.clips.schemas import ClipRequest, clean_clip
from archive.db import utcnow
from archive.errors import Conflict
from archive.events import services as events
from archive.markers.timeline import Timeline
from archive.task_handles import INGEST

CLIP_KINDS = ("video",)
CONTAINER = ".mov"  # QuickTime holds every codec a clip is cut to (H.264/HEVC/ProRes, PCM audio)
MAX_CLIPS_LISTED = 200


def clip_timeline(source: Asset) -> Timeline:
    """The source's timeline; 409 `source_not_ready` (with `status`) unless the source is a
    ready asset, 409 `not_clippable` for anything but video."""
    if source.status != "ready":
        raise Conflict(f"The asset is {source.status}: only a ready asset can be clipped.", code="source_not_ready",
                       details={"status": source.status})
    timeline = Timeline.of(source.technical, source.kind)
    if source.kind not in CLIP_KINDS or timeline is None or timeline.frames is None:
        raise Conflict("Only video with a known length can be clipped.", code="not_clippable",
                       details={"kind": source.kind})
    return timeline


def segment_of(timeline: Timeline, clip: ClipRequest) -> dict:
    """The segment as the usage record names it: seconds from the master's first frame."""
    return {"in": round(timeline.seconds(clip.in_frame), 6), "out": round(timeline.seconds(clip.out_frame), 6)}


def request_clip(session: Session, source: Asset, body: Any, user: User, args: Mapping[str, str]) -> Asset:
    """Check the request, pass the gate, make the clip asset and send it to be cut.

    Raises 409 (see `clip_timeline`), 422 `invalid_clip` (`archive.clips.schemas`), 422
    `invalid_declaration` (a declaration that is malformed, incomplete or with past air days,
    `archive.access.declarations`), 403 `declaration_required` / `rights_denied` with
    `details.reasons` (the refusal's usage record is kept; no asset is made).
    """
    timeline = clip_timeline(source)
    clip = clean_clip(body, timeline)
    declaration = read_declaration(args, body)
    if declaration is not None:
        require_complete(declaration)
    segment = segment_of(timeline, clip)
    decision = check_read(session, Reader.for_user(user),
                          ReadRequest(asset=source, what="clip", quality=MASTER, action="clip", segment=segment,
                                      declaration=declaration))
    decision.raise_if_denied()
    return _make_clip(session, source, timeline, clip, segment, declaration, decision, user)


def _clip_filename(source: Asset, timeline: Timeline, clip: ClipRequest) -> str:
    stem = source.filename.rsplit(".", 1)[0] if "." in source.filename else source.filename
    span = f"{timeline.label(clip.in_frame)}-{timeline.label(clip.out_frame)}".replace(":", ".").replace(";", ".")
    return f"{stem[:200]} {span}{CONTAINER}"


def _make_clip(session: Session, source: Asset, timeline: Timeline, clip: ClipRequest, segment: dict,
               declaration: dict | None, decision: Decision, user: User) -> Asset:
    now = utcnow()
    lineage = {
        "source_id": source.id, "mode": clip.mode,
        "in": timeline.label(clip.in_frame), "out": timeline.label(clip.out_frame),
        "in_seconds": segment["in"], "out_seconds": segment["out"],
        "in_frame": clip.in_frame, "out_frame": clip.out_frame, "rate": timeline.rate_text,
        "actual_in": None, "actual_out": None, "actual_in_seconds": None, "actual_out_seconds": None,
        "requested": clip.requested,
        "by": user.id, "at": now.isoformat(timespec="seconds"),
        "declaration": declaration,
        "decision": {"outcome": decision.outcome, "reasons": decision.reasons, "conditions": decision.conditions,
                     "blocks": decision.blocks, "usage_record_id": decision.usage_record_id},
    }
    asset = Asset(status="processing", filename=_clip_filename(source, timeline, clip), size=0,
                  # No bytes yet: a placeholder no SHA-256 hex can equal; the cut sets the real one.
                  sha256=f"pending:{new_clip_token()}", original_key="", content_type="video/quicktime",
                  meta=dict(source.meta or {}), lineage=lineage, source_id=source.id,
                  organisation_id=source.organisation_id, country=source.country, uploader_id=user.id)
    session.add(asset)
    session.flush()
    events.record(session, actor_id=user.id, action="asset.clip_requested", subject_type="asset", subject_id=asset.id,
                  after={"source_id": source.id, "in": lineage["in"], "out": lineage["out"], "mode": clip.mode,
                         "usage_record_id": decision.usage_record_id})
    INGEST.send(session, asset.id)
    return asset


def new_clip_token() -> str:
    return uuid.uuid4().hex


def is_clip(asset: Asset) -> bool:
    return asset.source_id is not None or bool((asset.lineage or {}).get("source_id"))


def clips_of(session: Session, source: Asset, limit: int = MAX_CLIPS_LISTED, *,
             viewer: User | None = None) -> list[Asset]:
    """The clips cut from `source`, newest first (at most `limit`); with `viewer`, those they may
    see (`archive.assets.services.visible_to`: a clip being cut belongs to its source's
    organisation and the person who asked for it until it is ready)."""
    q = select(Asset).where(Asset.source_id == source.id)
    seen = visible_to(viewer)
    if seen is not None:
        q = q.where(seen)
    return list(session.scalars(q.order_by(Asset.created_at.desc(), Asset.id).limit(limit)))


def clip_json(clip: Asset, lang: str | None = None) -> dict:
    """{"id", "title", "status", "in", "out", "actual_in", "actual_out", "mode", "created"}."""
    lineage = clip.lineage or {}
    return {"id": clip.id, "title": clip.title(lang), "status": clip.status, "mode": lineage.get("mode"),
            "in": lineage.get("in"), "out": lineage.get("out"), "actual_in": lineage.get("actual_in"),
            "actual_out": lineage.get("actual_out"),
            "created": clip.created_at.isoformat() if clip.created_at else None}
