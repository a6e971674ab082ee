"""A clip's rights follow its master's: the copies of the master's blocks a clip carries.

When a clip is cut (`archive.clips.cutting`), every block of its source that covers any of
the clip's frames is copied onto it (`inherit`), shifted to the clip's timeline, and the Event
`rights.block_inherited` {"block", "from_asset", "from_block", "segment"} on the clip records
which block it copies. That Event is the link (the data model as it is: no new column, no
migration); a copy stays linked while the block it copies exists.

From then on the copies follow their source (`follow_created`, `follow_changed`,
`follow_deleted`, called by `archive.rights.services` for every create, PATCH and DELETE):
- a block added to the master is copied onto every clip already cut whose span it covers;
- a PATCH of the master's block rewrites its copies (a copy whose new segment no longer
  covers the clip is deleted; a clip the new segment now covers gets a copy);
- a DELETE of the master's block deletes its copies.
Each change of a copy is an Event on the clip, as its own change would be (`rights.block_
inherited`, `rights.block_changed` with before/after, `rights.block_deleted` with before),
with `inherited_from` {"asset", "block"} and the actor who changed the master's block, so the
clip's history says why; the copy's `updated_at` moves, so uses recorded against it show in
`usage/outside-rights` like the master's. Clips of clips follow in turn. A copy itself is
not edited on the clip: PATCH or DELETE of it is 409 `inherited_block` (`refuse_edit`); a
block the rights manager adds on the clip directly is the clip's own and never touched here.

Mapping (`mapped`): a whole-asset block is copied as it is; a segment block is cut to the
clip's span (the clip's actual in/out, frames of the master) and shifted to seconds from the
clip's first frame, its labels the master's timecode there (which the clip carries as its own
start timecode). A block covering none of the clip's frames has no copy.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.errors import Conflict
from archive.events import services as events
from archive.events.models import Event
from archive.markers.timeline import Timeline
from archive.rights.models import RightsBlock
from archive.task_handles import INDEX_ASSET

COPIED = ("kind", "licensee_organisations", "licensee_countries", "all_members", "territories",
          "exclude_territories", "platforms", "start_date", "end_date", "exclusive", "holdbacks", "conditions",
          "contract_id", "created_by")
INHERITED = "rights.block_inherited"
MAX_DEPTH = 16  # clips of clips of clips...: a bound, not a limit anyone meets


def _span(source: Asset, clip: Asset) -> tuple[Timeline, int, int] | None:
    """(the source's timeline, the clip's actual first frame, the frame after its last), or
    None for a clip not cut yet (the cut copies what the source has then)."""
    lineage = clip.lineage or {}
    first, end = lineage.get("actual_in_frame"), lineage.get("actual_out_frame")
    timeline = Timeline.of(source.technical, source.kind)
    if first is None or end is None or timeline is None:
        return None
    return timeline, int(first), int(end)


def mapped(block: RightsBlock, timeline: Timeline, actual_in: int, actual_out: int) -> dict[str, Any] | None:
    """The column values of `block`'s copy on a clip of frames `actual_in`..`actual_out` of the
    source (on its `timeline`), or None when the block covers none of them (module docstring)."""
    start, end = Fraction(actual_in) / timeline.rate, Fraction(actual_out) / timeline.rate
    values: dict[str, Any] = {name: getattr(block, name) for name in COPIED}
    values.update(segment=None, segment_in=None, segment_out=None)
    if block.segment_in is not None and block.segment_out is not None:
        lo = max(Fraction(str(block.segment_in)) - start, Fraction(0))
        hi = min(Fraction(str(block.segment_out)) - start, end - start)
        if hi <= lo:
            return None

        def label(seconds: Fraction) -> str:
            return timeline.label(actual_in + round(seconds * timeline.rate))

        values.update(segment_in=float(lo), segment_out=float(hi), segment={"in": label(lo), "out": label(hi)})
    return values


def _copy(session: Session, source: Asset, clip: Asset, block: RightsBlock, values: dict, actor_id: int | None
          ) -> RightsBlock:
    row = RightsBlock(asset_id=clip.id, **values)
    session.add(row)
    session.flush()
    events.record(session, actor_id=actor_id, action=INHERITED, subject_type="asset", subject_id=clip.id,
                  after={"block": row.id, "from_asset": source.id, "from_block": block.id,
                         "segment": values.get("segment")})
    return row


def inherit(session: Session, source: Asset, clip: Asset, timeline: Timeline, actual_in: int,
            actual_out: int) -> list[RightsBlock]:
    """Copy every block of `source` covering any of the frames `actual_in`..`actual_out` onto
    `clip` (the cut's step); each copy records `rights.block_inherited`. Flushes."""
    made = []
    for block in session.scalars(select(RightsBlock).where(RightsBlock.asset_id == source.id)
                                 .order_by(RightsBlock.id)):
        values = mapped(block, timeline, actual_in, actual_out)
        if values is not None:
            made.append(_copy(session, source, clip, block, values, None))
    return made


def _clips_of(session: Session, source_id: str) -> list[Asset]:
    return list(session.scalars(select(Asset).where(Asset.source_id == source_id).order_by(Asset.id)))


def _links(session: Session, clip_ids: list[str]) -> dict[int, tuple[str, int]]:
    """{copy block id: (from asset, from block)} of the inheritance Events of `clip_ids`."""
    if not clip_ids:
        return {}
    found: dict[int, tuple[str, int]] = {}
    for start in range(0, len(clip_ids), 500):
        for ev in session.scalars(select(Event).where(Event.subject_type == "asset", Event.action == INHERITED,
                                                      Event.subject_id.in_(clip_ids[start:start + 500]))):
            after = ev.after or {}
            if isinstance(after.get("block"), int) and isinstance(after.get("from_block"), int):
                found[after["block"]] = (str(after.get("from_asset")), after["from_block"])
    return found


def copies_of(session: Session, source: Asset, block_id: int,
              clips: list[Asset] | None = None) -> dict[str, RightsBlock]:
    """{clip id: the copy of the block `block_id` of `source` on that clip} (existing copies);
    `clips`: `source`'s clips when the caller has them already."""
    clips = {c.id for c in (_clips_of(session, source.id) if clips is None else clips)}
    ids = [copy for copy, (asset, block) in _links(session, sorted(clips)).items()
           if asset == source.id and block == block_id]
    rows = session.scalars(select(RightsBlock).where(RightsBlock.id.in_(ids))) if ids else []
    return {r.asset_id: r for r in rows if r.asset_id in clips}


def source_of(session: Session, block: RightsBlock) -> tuple[str, int] | None:
    """(asset id, block id) of the block `block` copies, while that block exists; else None."""
    link = _links(session, [block.asset_id]).get(block.id)
    if link is None or session.get(RightsBlock, link[1]) is None:
        return None
    return link


def sources(session: Session, asset_id: str) -> dict[int, dict[str, Any]]:
    """{copy block id: {"asset", "block"}} for the blocks of `asset_id` that copy a master's
    block still there (`source_of` of each, in two queries): what `GET .../rights` lists as
    `inherited_from` and the rights page shows beside a copy."""
    links = _links(session, [asset_id])
    if not links:
        return {}
    alive = set(session.scalars(select(RightsBlock.id).where(RightsBlock.id.in_({b for _, b in links.values()}))))
    return {copy: {"asset": asset, "block": block} for copy, (asset, block) in links.items() if block in alive}


def refuse_edit(session: Session, block: RightsBlock) -> None:
    """409 `inherited_block` {"from_asset", "from_block"} for a copy of a master's block: it
    follows its source, so it is changed there (or narrowed by a restriction of the clip's own)."""
    link = source_of(session, block)
    if link is not None:
        raise Conflict(f"Rights block {block.id} is the copy of block {link[1]} of the master {link[0]} this clip "
                       "was cut from, and follows it: change that block, or add a restriction to the clip.",
                       code="inherited_block", details={"from_asset": link[0], "from_block": link[1]})


def _json(session: Session, row: RightsBlock) -> dict:
    from archive.rights.services import blocks_json  # the API's shape of a block

    return blocks_json(session, [row])[0]


def _follow(session: Session, source: Asset, block: RightsBlock | None, block_id: int, actor_id: int | None,
            depth: int) -> None:
    """Bring the copies of `source`'s block `block_id` on `source`'s clips in line with `block`
    (None: it was deleted), then their clips' copies of them."""
    if depth > MAX_DEPTH:
        return
    clips = _clips_of(session, source.id)
    copies = copies_of(session, source, block_id, clips)
    origin = {"asset": source.id, "block": block_id}
    for clip in clips:
        span = _span(source, clip)
        copy = copies.get(clip.id)
        values = mapped(block, *span) if block is not None and span is not None else None
        if copy is None and values is not None:
            made = _copy(session, source, clip, block, values, actor_id)
            _follow(session, clip, made, made.id, actor_id, depth + 1)
        elif copy is not None and values is None:
            before = _json(session, copy)
            copy_id = copy.id
            _follow(session, clip, None, copy_id, actor_id, depth + 1)
            session.delete(copy)
            session.flush()
            events.record(session, actor_id=actor_id, action="rights.block_deleted", subject_type="asset",
                          subject_id=clip.id, before=before, after={"inherited_from": origin})
        elif copy is not None:
            before = _json(session, copy)
            for name, value in values.items():
                setattr(copy, name, value)
            session.flush()
            after = _json(session, copy)
            if after != before:
                events.record(session, actor_id=actor_id, action="rights.block_changed", subject_type="asset",
                              subject_id=clip.id, before=before, after={**after, "inherited_from": origin})
            _follow(session, clip, copy, copy.id, actor_id, depth + 1)
        else:
            continue
        INDEX_ASSET.send(session, clip.id)


def follow_created(session: Session, source: Asset, block: RightsBlock, actor_id: int | None) -> None:
    """A block added to `source`: copied onto its clips (and theirs) it covers. Flushes."""
    _follow(session, source, block, block.id, actor_id, 0)


def follow_changed(session: Session, source: Asset, block: RightsBlock, actor_id: int | None) -> None:
    """`source`'s block changed: its copies rewritten, dropped or made. Flushes."""
    _follow(session, source, block, block.id, actor_id, 0)


def follow_deleted(session: Session, source: Asset, block_id: int, actor_id: int | None) -> None:
    """`source`'s block `block_id` is being deleted: its copies are deleted (call before the
    block itself goes). Flushes."""
    _follow(session, source, None, block_id, actor_id, 0)
