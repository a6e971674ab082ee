"""The worker's side of a clip: the `cut` step, run by the ingest pipeline before the probe.

A clip asset (`archive.clips.services`) starts without bytes. The pipeline's first step for
it cuts the segment from its source (`archive.media.clips.cut`), stores the result under its
SHA-256 like any original, fills in the actual in/out in its `lineage`, and copies the
source's rights blocks that cover the segment onto the clip (shifted to the clip's own
timeline, `inherit_rights`; they follow the source's blocks from then on,
`archive.rights.inherited`). Then the clip is probed and rendered like any upload; a cut that
fails leaves the clip `failed` (never `ready`), as any other failed step does. So does a
source whose latest fixity check failed since the request, and a cut that would hold frames
outside the span the rights decided on (`lineage.cleared`, `archive.clips.services`).

The cut is signed with C2PA before it is stored (`archive.provenance.credentials.sign_export`:
Ortak, the organisation, the source as the `parentOf` ingredient, the in/out, `c2pa.trimmed`
and, for an accurate cut, `c2pa.transcoded`), so the clip's SHA-256 is that of the signed
file; with no signer, or a refusal, the plain cut is stored and the reason noted on the source.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.services import original_key
from archive.ingest.steps import Step, StepContext
from archive.markers.timeline import Timeline
from archive.media import clips as media_clips
from archive.provenance import credentials, fixity
from archive.renditions import services as renditions
from archive.rights import inherited
from archive.rights.models import RightsBlock


def needs_cut(asset: Asset) -> bool:
    """A clip whose bytes are not made yet."""
    return bool((asset.lineage or {}).get("source_id")) and not asset.original_key


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def inherit_rights(session: Session, source: Asset, clip: Asset, timeline: Timeline, actual_in: int,
                   actual_out: int) -> list[RightsBlock]:
    """Copy `source`'s rights blocks that cover any of the frames `actual_in`..`actual_out` of
    the source (on its `timeline`) onto `clip`, shifted to its timeline
    (`archive.rights.inherited.inherit`: each copy records the Event `rights.block_inherited`
    on the clip, which links it to its source block, so it follows that block's later changes)."""
    return inherited.inherit(session, source, clip, timeline, actual_in, actual_out)


class CutStep(Step):
    """Cut the clip from its source (only clips have it; `needs_cut`)."""

    name = "cut"

    def inputs(self, ctx: StepContext) -> dict[str, Any]:
        lineage = ctx.asset.lineage or {}
        return {k: lineage.get(k) for k in ("source_id", "in_frame", "out_frame", "rate", "mode")}

    def is_current(self, ctx: StepContext) -> bool:
        return bool(ctx.asset.original_key)

    def run(self, ctx: StepContext) -> None:
        cut_clip(ctx.session, ctx.asset)


CUT = CutStep()


def _signed(session: Session, source: Asset, clip: Asset, src: str, dst: str, lineage: dict, timeline: Timeline,
            result: media_clips.Cut) -> str:
    """The cut at `dst` signed (a new file beside it), or `dst` itself when it went unsigned."""
    signed = dst[:-4] + ".signed.mov"
    actions = [{"action": "c2pa.trimmed"}]
    if lineage.get("mode") != "fast":
        actions.append({"action": "c2pa.transcoded"})
    details = {"asset_id": clip.id, "mode": lineage.get("mode"),
               "in": timeline.label(result.actual_in), "out": timeline.label(result.actual_out),
               "in_seconds": round(float(timeline.seconds(result.actual_in)), 6),
               "out_seconds": round(float(timeline.seconds(result.actual_out)), 6)}
    if credentials.sign_export(session, source, dst, signed, name="clip.mov", export=f"clip:{clip.id}",
                               actions=actions, details=details, master_path=src, actor_id=clip.uploader_id):
        os.unlink(dst)
        return signed
    return dst


def cut_clip(session: Session, clip: Asset) -> None:
    """Make the clip's bytes and record what it got (see the module docstring). Raises
    ClipError when the source is gone or cannot be cut; the runner's errors for ffmpeg."""
    lineage = dict(clip.lineage or {})
    source = session.get(Asset, lineage.get("source_id"))
    if source is None or not source.original_key:
        raise media_clips.ClipError("the clip's source asset is gone")
    timeline = Timeline.of(source.technical, source.kind)
    if timeline is None or timeline.rate_text != lineage.get("rate"):
        raise media_clips.ClipError("the source's frame rate changed since the clip was asked for")
    rate = timeline.rate
    if fixity.failed_check(session, source.original_key) is not None:
        raise media_clips.ClipError("the source's latest fixity check found its bytes changed: it is not cut")
    cleared = lineage.get("cleared") or {"in_frame": lineage["in_frame"], "out_frame": lineage["out_frame"]}
    scratch = tempfile.mkdtemp(prefix="ortak-clip-", dir=renditions.work_dir())
    try:
        dst = os.path.join(scratch, "clip.mov")
        with renditions.source_file(source) as src:
            result = media_clips.cut(src, dst, mode=lineage["mode"], in_frame=int(lineage["in_frame"]),
                                     out_frame=int(lineage["out_frame"]), rate=rate, timecode_at=timeline.label,
                                     technical=source.technical or {}, comment=f"Ortak clip {clip.id} of {source.id}",
                                     timeout=float(current_app.config["FFMPEG_TIMEOUT"]))
            if result.actual_in < int(cleared["in_frame"]) or result.actual_out > int(cleared["out_frame"]):
                raise media_clips.ClipError(
                    f"the cut holds frames {result.actual_in}..{result.actual_out}, outside the "
                    f"{cleared['in_frame']}..{cleared['out_frame']} the rights were asked about")
            dst = _signed(session, source, clip, src, dst, lineage, timeline, result)
        sha256, size = _sha256(dst), os.path.getsize(dst)
        key = original_key(sha256)
        store = storage()
        if not store.exists(key):
            store.put_file(key, dst, content_type="video/quicktime", sha256=sha256, move=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    lineage.update(actual_in=timeline.label(result.actual_in), actual_out=timeline.label(result.actual_out),
                   actual_in_seconds=round(timeline.seconds(result.actual_in), 6),
                   actual_out_seconds=round(timeline.seconds(result.actual_out), 6),
                   actual_in_frame=result.actual_in, actual_out_frame=result.actual_out)
    clip.lineage = lineage
    clip.sha256, clip.size, clip.original_key = sha256, size, key
    inherit_rights(session, source, clip, timeline, result.actual_in, result.actual_out)
    session.flush()
