"""Markers: add, list, edit and remove timecoded notes on an asset, each change an Event.

Anyone who may read the asset may add a marker; only its author or an administrator may
edit or remove it. A change re-indexes the asset (markers are searchable as timecoded
segments, `segments` in the search document). Services flush; the caller commits.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import person_json
from archive.errors import Conflict, Forbidden, NotFound
from archive.events import services as events
from archive.markers.models import Marker
from archive.markers.schemas import clean_marker
from archive.markers.timeline import Timeline
from archive.task_handles import INDEX_ASSET

MAX_MARKERS = 2000  # per asset: a page lists them all


def timeline_of(asset: Asset) -> Timeline:
    """The asset's timeline; 409 `no_timeline` for an image or a file that is not media, and
    for media not probed yet (no duration known)."""
    timeline = Timeline.of(asset.technical, asset.kind)
    if timeline is None or timeline.frames is None:
        raise Conflict("This asset has no timeline to mark (it is not audio or video, or is still being "
                       "processed).", code="no_timeline", details={"kind": asset.kind})
    return timeline


def marker_json(marker: Marker, timeline: Timeline, viewer: User | None = None) -> dict[str, Any]:
    """{"id", "in", "out", "in_seconds", "out_seconds", "text", "author", "created", "updated",
    "editable"}: `in`/`out` as the master's timecode, seconds from its first frame."""
    return {
        "id": marker.id,
        "in": timeline.label(marker.in_frame),
        "out": timeline.label(marker.out_frame) if marker.out_frame is not None else None,
        "in_seconds": round(timeline.seconds(marker.in_frame), 6),
        "out_seconds": round(timeline.seconds(marker.out_frame), 6) if marker.out_frame is not None else None,
        "text": marker.text,
        "author": person_json(marker.author, viewer),
        "created": marker.created_at.isoformat() if marker.created_at else None,
        "updated": marker.updated_at.isoformat() if marker.updated_at else None,
        "editable": viewer is not None and may_change(viewer, marker),
    }


def markers_of(session: Session, asset_id: str) -> list[Marker]:
    return list(session.scalars(select(Marker).where(Marker.asset_id == asset_id)
                                .order_by(Marker.in_frame, Marker.id)))


def list_markers(session: Session, asset: Asset, viewer: User | None) -> dict[str, Any]:
    """{"timeline": Timeline.as_json() | null, "markers": [marker_json]} in timeline order."""
    timeline = Timeline.of(asset.technical, asset.kind)
    if timeline is None:
        return {"timeline": None, "markers": []}
    return {"timeline": timeline.as_json(),
            "markers": [marker_json(m, _timeline_for(m, timeline), viewer) for m in markers_of(session, asset.id)]}


def _timeline_for(marker: Marker, timeline: Timeline) -> Timeline:
    # Frames count at the rate they were stored at; a re-probe that changed the rate keeps them right.
    if marker.rate == timeline.rate_text:
        return timeline
    rate = Fraction(marker.rate)
    return Timeline(rate, int(timeline.start * rate / timeline.rate), False, None)


def may_change(user: User, marker: Marker) -> bool:
    return user.role == "admin" or marker.author_id == user.id


def _snapshot(marker: Marker, timeline: Timeline) -> dict:
    return {"marker": marker.id, "in": timeline.label(marker.in_frame),
            "out": timeline.label(marker.out_frame) if marker.out_frame is not None else None, "text": marker.text}


def add_marker(session: Session, asset: Asset, body: Any, actor: User) -> Marker:
    """Check `body` (archive.markers.schemas), store the marker and its Event, re-index."""
    timeline = timeline_of(asset)
    clean = clean_marker(body, timeline)
    count = session.scalar(select(func.count()).select_from(Marker).where(Marker.asset_id == asset.id)) or 0
    if count >= MAX_MARKERS:
        raise Conflict(f"This asset has {MAX_MARKERS} markers, the most it may have.", code="too_many_markers",
                       details={"limit": MAX_MARKERS})
    marker = Marker(asset_id=asset.id, in_frame=clean["in_frame"], out_frame=clean["out_frame"],
                    rate=timeline.rate_text, text=clean["text"], author_id=actor.id, author=actor)
    session.add(marker)
    session.flush()
    events.record(session, actor_id=actor.id, action="marker.added", subject_type="asset", subject_id=asset.id,
                  after=_snapshot(marker, timeline))
    INDEX_ASSET.send(session, asset.id)
    session.flush()
    return marker


MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def get_marker(session: Session, asset: Asset, marker_id: int) -> Marker:
    """The marker `marker_id` of `asset`; 404 `marker_not_found` for any other number."""
    marker = session.get(Marker, marker_id) if 0 < marker_id <= MAX_ID else None
    if marker is None or marker.asset_id != asset.id:
        raise NotFound(f"No marker {marker_id} on this asset.", code="marker_not_found")
    return marker


def _check_may_change(actor: User, marker: Marker) -> None:
    if not may_change(actor, marker):
        raise Forbidden("Only the marker's author or an administrator may change it.", code="not_marker_author")


def edit_marker(session: Session, asset: Asset, marker: Marker, body: Any, actor: User) -> Marker:
    """Change in, out or text (what the body names); the author or an admin only."""
    _check_may_change(actor, marker)
    timeline = timeline_of(asset)
    before = _snapshot(marker, timeline)
    clean = clean_marker(body, timeline, {"in_frame": marker.in_frame, "out_frame": marker.out_frame,
                                          "text": marker.text})
    marker.in_frame, marker.out_frame, marker.text = clean["in_frame"], clean["out_frame"], clean["text"]
    after = _snapshot(marker, timeline)
    if after != before:
        session.flush()
        events.record(session, actor_id=actor.id, action="marker.changed", subject_type="asset",
                      subject_id=asset.id, before=before, after=after)
        INDEX_ASSET.send(session, asset.id)
        session.flush()
    return marker


def remove_marker(session: Session, asset: Asset, marker: Marker, actor: User) -> None:
    _check_may_change(actor, marker)
    timeline = Timeline.of(asset.technical, asset.kind) or Timeline(Fraction(marker.rate), 0, False, None)
    events.record(session, actor_id=actor.id, action="marker.removed", subject_type="asset", subject_id=asset.id,
                  before=_snapshot(marker, _timeline_for(marker, timeline)))
    session.delete(marker)
    INDEX_ASSET.send(session, asset.id)
    session.flush()


def segments(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """The asset's markers as search segments: [{"in", "out", "in_seconds", "out_seconds",
    "text", "source": "marker"}], in and out as the master's timecodes, as the markers API
    gives them (`out` null for a point), and as seconds from the first frame."""
    timeline = Timeline.of(asset.technical, asset.kind)
    if timeline is None:
        return []
    out = []
    for m in markers_of(session, asset.id):
        t = _timeline_for(m, timeline)
        out.append({"in": t.label(m.in_frame), "out": t.label(m.out_frame) if m.out_frame is not None else None,
                    "in_seconds": round(t.seconds(m.in_frame), 3),
                    "out_seconds": round(t.seconds(m.out_frame), 3) if m.out_frame is not None else None,
                    "text": m.text, "source": "marker"})
    return out
