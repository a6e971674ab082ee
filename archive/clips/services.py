"""Clip export: `POST /api/v1/assets/{id}/clips` asks the gate, then makes the clip's asset.

    clip = request_clip(session, source, body, user, args)   # 202 with clip.id; the worker cuts it

The export is a master-quality read of the segment (action `clip`): the rights decide
(`archive.access.gate.check_read`) on the span the clip DELIVERS, the usage record names it
in seconds, and a refusal is 403 with the reasons and no clip asset. For `accurate` that is
the requested in..out; for `fast` (a stream copy) it starts on the keyframe at or before
`in` (`archive.media.clips.fast_span`; the cut never ends past `out`), so the decision holds
for every byte handed out, whatever `max_clip_seconds`, segment-limited grant or segment
restriction the master has. A fast clip the rights clear only without its lead-in (the span
from the keyframe is refused, the requested one would be allowed) is 409
`fast_cut_not_cleared`, telling the client to ask for `accurate`: a rights manager's
condition is never stretched by a keyframe, nor is the client's mode silently changed to a
re-encode. The span decided is kept in the lineage (`cleared`); the worker fails a cut that
would go outside it. A master whose latest fixity check found it changed is not cut: 409
`fixity_failed` (`archive.provenance.fixity.require_sound`), as a BagIt export refuses it. An allowed export makes a new asset in
`processing` with its `lineage` and sends INGEST: the pipeline cuts it first
(`archive.clips.cutting`), then probes it and makes its renditions like any upload.

A clip belongs to its source's organisation (the rights holder: the source's rights travel
with it, `archive.clips.cutting.inherit_rights`) and names the user who exported it as its
uploader. Services flush; the caller commits.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access.declarations import read_declaration, require_complete
from archive.access.gate import Decision, check_read, would_allow
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import visible_to
from archive.clips.schemas import ClipRequest, clean_clip
from archive.backends import storage
from archive.db import keep_work, utcnow
from archive.errors import Conflict, NotFound
from archive.events import services as events
from archive.markers.timeline import Timeline
from archive.media import clips as media_clips
from archive.media.runner import MediaError
from archive.provenance.fixity import require_sound
from archive.task_handles import INGEST

CLIP_KINDS = ("video",)
PROBE_TIMEOUT = 120.0  # seconds for reading the keyframes before `in` (at most a minute of packets)
URL_SECONDS = 600  # life of the storage URL ffprobe reads a master through
CONTAINER = ".mov"  # QuickTime holds every codec a clip is cut to (H.264/HEVC/ProRes, PCM audio)
MAX_CLIPS_LISTED = 200

log = logging.getLogger(__name__)


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
    return seconds_of(timeline, clip.in_frame, clip.out_frame)


def seconds_of(timeline: Timeline, in_frame: int, out_frame: int) -> dict:
    """{"in", "out"}: frames of the master as seconds from its first frame."""
    return {"in": round(timeline.seconds(in_frame), 6), "out": round(timeline.seconds(out_frame), 6)}


def keyframe_span(original_key: str, in_frame: int, out_frame: int, rate, *, timeout: float,
                  url_seconds: int = URL_SECONDS) -> tuple[int, int] | None:
    """(first frame, the frame after the last) a fast cut (a stream copy) of the stored file
    `original_key` delivers for in..out (`archive.media.clips.fast_span`: from the keyframe at
    or before `in_frame`; `rate` the timeline's), read from storage's local file or a URL of it
    (alive `url_seconds`), never a download of the whole master; None when the store offers
    neither. Raises what fast_span raises (ClipError, MediaError), within `timeout` seconds."""
    store = storage()
    where = store.local_path(original_key) or store.internal_url(original_key, expires=url_seconds)
    if where is None:
        return None
    return media_clips.fast_span(where, in_frame, out_frame, rate, timeout=timeout)


def delivered_frames(source: Asset, timeline: Timeline, clip: ClipRequest) -> tuple[int, int]:
    """(first frame, the frame after the last) of the master the clip may deliver: in..out for
    `accurate`; for `fast`, from the keyframe at or before `in` (`keyframe_span`). 404
    `blob_missing` when storage has no such file; 409 `not_clippable` {"reason"} when its
    packets cannot be read."""
    if clip.mode != "fast":
        return clip.in_frame, clip.out_frame
    missing = NotFound("The stored file for this asset is missing; the administrators have been told.",
                       code="blob_missing")
    if not storage().exists(source.original_key):
        raise missing
    try:
        span = keyframe_span(source.original_key, clip.in_frame, clip.out_frame, timeline.rate, timeout=PROBE_TIMEOUT)
    except (media_clips.ClipError, MediaError) as exc:
        # ffprobe's own words are for the operator (the log), not the caller.
        log.warning("clip of asset %s: the master's keyframes cannot be read: %s", source.id, exc)
        raise Conflict("The master's keyframes cannot be read: ask for an accurate clip.", code="not_clippable",
                       details={"kind": source.kind, "reason": "keyframes_unreadable"}) from None
    if span is None:
        raise missing
    return span


def request_clip(session: Session, source: Asset, body: Any, user: User, args: Mapping[str, str]) -> Asset:
    """Check the request, pass the gate, make the clip asset and send it to be cut.

    Raises 409 (see `clip_timeline`), 422 `invalid_clip` (`archive.clips.schemas`), 422
    `invalid_declaration` (a declaration that is malformed, incomplete or with past air days,
    `archive.access.declarations`), 409 `fixity_failed` (the master's latest fixity check found
    it changed; no use is recorded), 404 `blob_missing` / 409 `not_clippable` (see
    `delivered_frames`), 403 `declaration_required` / `rights_denied` with `details.reasons`,
    409 `fast_cut_not_cleared` with `details` {"mode", "requested", "delivered" ({"in", "out",
    "in_seconds", "out_seconds"}, timecodes and seconds of the master), "reasons"} (both
    refusals' usage records are kept; no asset is made).
    """
    timeline = clip_timeline(source)
    clip = clean_clip(body, timeline)
    declaration = read_declaration(args, body)
    if declaration is not None:
        require_complete(declaration)
    require_sound(session, source)
    first, end = delivered_frames(source, timeline, clip)
    requested, delivered = segment_of(timeline, clip), seconds_of(timeline, first, end)
    reader = Reader.for_user(user)

    def read(segment: dict) -> ReadRequest:
        return ReadRequest(asset=source, what="clip", quality=MASTER, action="clip", segment=segment,
                           declaration=declaration)

    wide_ok = delivered == requested or would_allow(session, reader, read(delivered))
    if wide_ok or not would_allow(session, reader, read(requested)):
        # What is delivered is what is decided; a fast cut refused for its in..out too gets the
        # plain refusal (its reasons are about the span the client named).
        decision = check_read(session, reader, read(delivered if wide_ok else requested))
        decision.raise_if_denied()
    else:
        refused = check_read(session, reader, read(delivered))  # the refused attempt is a use record
        keep_work()
        span = {"in": timeline.label(first), "out": timeline.label(end),
                "in_seconds": delivered["in"], "out_seconds": delivered["out"]}
        raise Conflict(f"A fast clip starts on the keyframe at {span['in']}, before the in point asked for, and "
                       "the rights do not clear that span: ask for an accurate clip (frame-exact).",
                       code="fast_cut_not_cleared",
                       details={"mode": "fast", "delivered": span, "reasons": refused.reasons,
                                "requested": {"in": timeline.label(clip.in_frame), "out": timeline.label(clip.out_frame),
                                              "in_seconds": requested["in"], "out_seconds": requested["out"]}})
    return _make_clip(session, source, timeline, clip, requested, declaration, decision, user,
                      cleared=(first, end, delivered))


def _clip_filename(source: Asset, timeline: Timeline, clip: ClipRequest) -> str:
    stem = source.filename.rsplit(".", 1)[0] if "." in source.filename else source.filename
    span = f"{timeline.label(clip.in_frame)}-{timeline.label(clip.out_frame)}".replace(":", ".").replace(";", ".")
    return f"{stem[:200]} {span}{CONTAINER}"


def _make_clip(session: Session, source: Asset, timeline: Timeline, clip: ClipRequest, segment: dict,
               declaration: dict | None, decision: Decision, user: User, *, cleared: tuple) -> Asset:
    now = utcnow()
    first, end, seconds = cleared
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
        # The span the rights decided on (what the cut may deliver, the usage record's segment).
        "cleared": {"in": timeline.label(first), "out": timeline.label(end), "in_seconds": seconds["in"],
                    "out_seconds": seconds["out"], "in_frame": first, "out_frame": end},
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
