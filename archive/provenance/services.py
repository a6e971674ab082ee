"""Reverse clip search in the archive: the fingerprints of ingested videos, the index a
process keeps of them, and the lookup a member asks ("where does this clip come from?").

At ingest the renditions' one decode writes the `fingerprints` rendition (`phash.bin`,
`archive.media.profiles.FingerprintProfile`); the `fingerprints` step (`record_fingerprints`)
copies its hashes into `video_fingerprints`, one row per asset. Each process keeps an
in-memory index (`archive.provenance.index`, backend FINGERPRINT_INDEX) of every row and
refreshes it when the table changed (its row count or latest `updated_at` differ: one
cheap query per lookup).

A lookup (`lookup`) copies the upload to scratch (at most LOOKUP_MAX_BYTES, hashing it with
SHA-256 on the way), probes it (no full decode), hashes it at 2 frames a second normal and
mirrored (sampled when longer than LOOKUP_WHOLE_SECONDS), votes, and answers the candidate
masters the caller may see (ready assets: every member of the archive sees every ready
asset, as search does), with in/out in seconds and as the master's timecodes
(`archive.markers.timeline.Timeline`), a confidence and the differences seen.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from typing import IO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.assets.services import visible_to
from archive.backends import storage
from archive.errors import ApiError, ValidationError
from archive.markers.timeline import Timeline
from archive.media import fingerprints
from archive.media.probe import STILL_IMAGE_FORMATS, ProbeResult, Rejected, ffprobe, parse_probe
from archive.media.profiles import FINGERPRINTS, STORYBOARD
from archive.media.runner import CommandFailed, CommandTimeout, MediaError
from archive.provenance import lookup as search
from archive.provenance import remux
from archive.provenance.index import FingerprintIndex, make_index
from archive.provenance.matching import Candidate
from archive.provenance.fingerprint_models import VideoFingerprint
from archive.renditions.models import Rendition, RenditionFile
from archive.scratch import process_dir

log = logging.getLogger(__name__)

ALGORITHM = "phash64"
COPY_BLOCK = 1 << 20


# ---- fingerprints of ingested assets --------------------------------------------------------

def fingerprint_file(session: Session, asset_id: str) -> RenditionFile | None:
    """The entry file of the asset's ready `fingerprints` rendition, or None."""
    return session.scalar(select(RenditionFile).join(Rendition, RenditionFile.rendition_id == Rendition.id)
                          .where(Rendition.asset_id == asset_id, Rendition.name == FINGERPRINTS.name,
                                 Rendition.status == "ready", RenditionFile.path == FINGERPRINTS.entry))


def is_recorded(session: Session, asset_id: str) -> bool:
    """The asset's row holds the hashes of its current fingerprints rendition."""
    entry = fingerprint_file(session, asset_id)
    row = session.get(VideoFingerprint, asset_id)
    return entry is not None and row is not None and row.source_sha256 == entry.sha256


def record_fingerprints(session: Session, asset: Asset) -> VideoFingerprint | None:
    """Copy the hashes of the asset's fingerprints rendition into `video_fingerprints`
    (replacing its row); None, and any old row removed, when the asset has no such
    rendition (audio, an image). MediaError when the stored file is not whole hashes.
    Flushes."""
    entry = fingerprint_file(session, asset.id)
    row = session.get(VideoFingerprint, asset.id)
    if entry is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    data = b"".join(storage().open_range(entry.blob_key))
    try:
        hashes = fingerprints.from_bytes(data)
    except ValueError as exc:
        raise MediaError(f"the fingerprints of asset {asset.id} are damaged: {exc}") from exc
    layout = _layout(session, entry)
    planes = file_planes(len(hashes), layout)
    colours = _colours(session, entry, layout, planes, len(hashes) // planes)
    if row is None:
        row = VideoFingerprint(asset_id=asset.id)
        session.add(row)
    row.algorithm, row.rate, row.count = ALGORITHM, FINGERPRINTS.rate, len(hashes) // planes
    row.planes = planes
    row.hashes, row.source_sha256, row.colours = data, entry.sha256, colours
    session.flush()
    return row


def _beside(session: Session, entry: RenditionFile, path: str) -> RenditionFile | None:
    """The file `path` of the rendition `entry` belongs to, or None."""
    return session.scalar(select(RenditionFile).where(RenditionFile.rendition_id == entry.rendition_id,
                                                      RenditionFile.path == path))


def _layout(session: Session, entry: RenditionFile) -> dict | None:
    """The layout file beside the hashes (`fingerprints.LAYOUT_ENTRY`), or None (a rendition
    made before there was one). MediaError when it is there but not a layout."""
    doc = _beside(session, entry, fingerprints.LAYOUT_ENTRY)
    if doc is None:
        return None
    try:
        value = json.loads(b"".join(storage().open_range(doc.blob_key)))
        if not isinstance(value, dict) or not isinstance(value.get("planes"), list):
            raise ValueError("no list of planes")
        return value
    except ValueError as exc:
        raise MediaError(f"the fingerprints layout of asset {entry.rendition.asset_id} is damaged: {exc}") from exc


def _colours(session: Session, entry: RenditionFile, layout: dict | None, planes: int, count: int) -> bytes | None:
    """The regions' colours the layout lists beside the hashes (`fingerprints.COLOUR_ENTRY`:
    `planes` rows of `count` Y, Cb, Cr triples), or None when it lists none (fingerprints
    before version 5). MediaError when the file is missing or not that size."""
    listed = (layout or {}).get("colour")
    if not listed:
        return None
    doc = _beside(session, entry, fingerprints.COLOUR_ENTRY)
    asset_id = entry.rendition.asset_id
    if doc is None:
        raise MediaError(f"the fingerprints of asset {asset_id} list colours but have no {fingerprints.COLOUR_ENTRY}")
    data = b"".join(storage().open_range(doc.blob_key))
    if len(data) != planes * count * fingerprints.CHANNELS:
        raise MediaError(f"the fingerprint colours of asset {asset_id} are damaged: {len(data)} bytes for "
                         f"{planes} planes of {count} samples")
    return data


def master_colours(session: Session, asset_id: str):
    """The regions' colours of an asset's fingerprints ((planes, count, 3) uint8,
    `fingerprints.colours`), or None (no row, or one made before colours): what a lookup's
    verification compares beside the hashes (`lookup.find`'s `master_colours`)."""
    row = session.execute(select(VideoFingerprint.colours, VideoFingerprint.planes)
                          .where(VideoFingerprint.asset_id == asset_id)).first()
    if row is None or row.colours is None:
        return None
    try:
        return fingerprints.colours_from_bytes(row.colours, row.planes)
    except ValueError:
        log.warning("the fingerprint colours of asset %s are damaged; compared by their hashes alone", asset_id)
        return None


def file_planes(hashes: int, layout: dict | None) -> int:
    """How many planes a fingerprints file of `hashes` hashes holds: as many as its `layout`
    (`fingerprints.layout`) lists. A file without one was made by a profile before cuts
    (versions 2-3): 1 + len(FINGERPRINTS.crops) planes (whole frame, centre crops) or, when
    that does not divide it, one (version 1); such a row keeps working (`matching` aligns the
    planes it has) until `ortak steps run renditions --all` makes it again. MediaError when
    the layout's planes do not divide the hashes."""
    if layout is not None:
        planes = len(layout["planes"])
        if not planes or hashes % planes:
            raise MediaError(f"the fingerprints file's {hashes} hashes are not {planes} whole planes")
        return planes
    centre = 1 + len(FINGERPRINTS.crops)
    return centre if hashes % centre == 0 else 1


# ---- the process's index --------------------------------------------------------------------

@dataclass
class _Loaded:
    index: FingerprintIndex
    stamp: tuple


_lock = threading.Lock()


def current_index(session: Session) -> FingerprintIndex:
    """This app's index of every fingerprint row, reloaded when the table changed since it
    was loaded (its row count or latest `updated_at`). IndexUnavailable when the configured
    backend cannot load."""
    stamp = tuple(session.execute(select(func.count(), func.max(VideoFingerprint.updated_at))).one())
    loaded: _Loaded | None = current_app.extensions.get("ortak.fingerprint_index")
    if loaded is not None and loaded.stamp == stamp:
        return loaded.index
    with _lock:
        loaded = current_app.extensions.get("ortak.fingerprint_index")
        if loaded is not None and loaded.stamp == stamp:
            return loaded.index
        index = make_index(current_app.config["FINGERPRINT_INDEX"])
        for asset_id, data, count in session.execute(select(VideoFingerprint.asset_id, VideoFingerprint.hashes,
                                                            VideoFingerprint.count)):
            index.add(asset_id, fingerprints.to_planes(fingerprints.from_bytes(data), count))
        current_app.extensions["ortak.fingerprint_index"] = _Loaded(index, stamp)
        return index


# ---- lookups ----------------------------------------------------------------------------------

class LookupRefused(ApiError):
    status = 422
    code = "unusable_clip"


def settings() -> search.Settings:
    config = current_app.config
    return search.Settings(min_score=int(config["LOOKUP_MIN_CONFIDENCE_PERCENT"]) / 100,
                           whole_up_to=float(config["LOOKUP_WHOLE_SECONDS"]),
                           near_views=bool(config.get("LOOKUP_NEAR_VIEWS", False)),
                           colours=bool(config.get("LOOKUP_COLOURS", True)))


def remux_settings() -> remux.Settings:
    config = current_app.config
    return remux.Settings(seconds=float(config["LOOKUP_REMUX_SECONDS"]),
                          timeout=float(config["LOOKUP_REMUX_TIMEOUT"]),
                          ca_file=config.get("S3_CA_FILE") or None)


def receive(stream: IO[bytes], scratch: str, limit: int) -> tuple[str, str, int]:
    """Copy `stream` to `scratch/query`: (path, SHA-256 hex, bytes). ApiError 413
    `too_large` past `limit` bytes, 422 `empty_file` for none."""
    path = os.path.join(scratch, "query")
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as out:
        while block := stream.read(COPY_BLOCK):
            size += len(block)
            if size > limit:
                raise ApiError(f"The clip is larger than the {limit // (1024 * 1024)} MB a lookup accepts.",
                               code="too_large", status=413, details={"max_bytes": limit})
            digest.update(block)
            out.write(block)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty_file")
    return path, digest.hexdigest(), size


# What the probe says of a file that is media but damaged (`archive.media.probe.Rejected`):
# such a clip is `undecodable` (422), not "not a video".
DAMAGED = frozenset({"truncated", "index_missing", "corrupt"})


# Why a clip is `undecodable` (`details.reason`): DAMAGED, or ffmpeg stopped while decoding
# it (a stream-copied excerpt that starts with no keyframe, damage the probe did not see).
DECODE_FAILED = "decode_failed"
UNDECODABLE_REASONS = (*sorted(DAMAGED), DECODE_FAILED)
# The English of each (archive.web.messages.UNDECODABLE_REASONS has it in every language).
UNDECODABLE = {"truncated": "The clip could not be decoded: the file ends before its media data does.",
               "index_missing": "The clip could not be decoded: its MP4/MOV index (the 'moov' atom) is missing.",
               "corrupt": "The clip could not be decoded: its picture is damaged.",
               DECODE_FAILED: "The clip could not be decoded. An excerpt copied without re-encoding may start "
                              "without a keyframe: re-encode it and try again."}


def undecodable(reason: str, tool_output: str) -> ValidationError:
    """422 `undecodable` with `details.reason` (UNDECODABLE_REASONS) and a sentence saying it;
    the tool's own words (`tool_output`: ffprobe's or ffmpeg's, paths of our scratch files
    and all) go to the log, not to the caller (pages and the API translate by the reason:
    archive.web.messages.UNDECODABLE_REASONS)."""
    log.warning("lookup: the clip could not be decoded (%s): %s", reason, tool_output[:500])
    return ValidationError(UNDECODABLE[reason], code="undecodable",
                           details={"reason": reason})


def probe_query(path: str) -> ProbeResult:
    """What the clip is, without decoding it; 415 `not_video` when it is no media or has no
    moving picture (`details.reason` says which), 422 `undecodable` when it is a damaged file
    (DAMAGED: cut short, its MP4/MOV index missing, corrupt; the probe's reason in `details`), 422 `clip_too_short` under
    LOOKUP_MIN_SECONDS."""
    try:
        probe = parse_probe(ffprobe(path, timeout=float(current_app.config["PROBE_TIMEOUT"])))
    except Rejected as exc:
        if exc.code in DAMAGED:
            raise undecodable(exc.code, exc.reason) from exc
        raise ApiError("This is not a video file Ortak can read.", code="not_video", status=415,
                       details={"reason": exc.code}) from exc
    still = bool(set(probe.container.split(",")) & STILL_IMAGE_FORMATS)
    if not probe.has_video or probe.video_stream is None or still:
        raise ApiError("The file has no moving picture to look up (audio, a still image or something else).",
                       code="not_video", status=415,
                       details={"reason": "still_image" if still else "no_video_stream"})
    minimum = float(current_app.config["LOOKUP_MIN_SECONDS"])
    if not probe.duration or probe.duration < minimum:
        raise ValidationError(f"The clip is too short to look up: at least {minimum:g} seconds are needed.",
                              code="clip_too_short", details={"min_seconds": minimum,
                                                              "seconds": probe.duration})
    return probe


def families(session: Session, ids: set[str]) -> dict[str, str]:
    """{asset id: the master it derives from}: a clip's source, followed up through clips of
    clips (`Asset.source_id`) to an asset cut from nothing; an asset that is no clip is its
    own. What the lookup uses so a clip and its master are not each other's look-alikes."""
    parent: dict[str, str | None] = {}
    wanted = set(ids)
    for _depth in range(16):  # clips of clips, bounded (a cycle cannot be stored, but never loop)
        wanted -= parent.keys()
        if not wanted:
            break
        rows = session.execute(select(Asset.id, Asset.source_id).where(Asset.id.in_(wanted))).all()
        parent.update({row.id: row.source_id for row in rows})
        parent.update({i: None for i in wanted if i not in parent})
        wanted = {p for p in parent.values() if p is not None}

    def root(key: str) -> str:
        seen = {key}
        while parent.get(key) is not None and parent[key] not in seen:
            key = parent[key]
            seen.add(key)
        return key

    return {i: root(i) for i in ids}


def visible_ids(session: Session, user, ids: set[str]) -> set[str]:
    """The assets of `ids` the caller may see (`archive.assets.services.visible_to`, the rule of
    the asset routes and search: ready ones for every member; one being processed, rejected or
    failed for its own organisation, its uploaders and admins only). No caller: none."""
    if not ids or user is None:
        return set()
    q = select(Asset.id).where(Asset.id.in_(ids))
    seen = visible_to(user)
    if seen is not None:
        q = q.where(seen)
    return set(session.scalars(q))


def lookup(session: Session, user, stream: IO[bytes], *, filename: str | None = None,
           lang: str | None = None) -> dict:
    """Look the clip in `stream` up; the answer document (README "Reverse clip search").

    Each match's `title` is the asset's title in `lang` (the caller's language) when it has
    one, else its first title in en, tr, az, else its file name (`Asset.title`).

    Raises ApiError: 413 `too_large`, 415 `not_video`, 422 `empty_file`, `clip_too_short`,
    `no_picture` (every sampled frame flat: black or a uniform card), 422 `undecodable`
    when ffmpeg cannot decode it, 503 `lookup_timeout` past LOOKUP_TIMEOUT.
    """
    config = current_app.config
    scratch = tempfile.mkdtemp(prefix="lookup-", dir=process_dir(config["DATA_DIR"]))
    try:
        path, sha256, size = receive(stream, scratch, int(config["LOOKUP_MAX_BYTES"]))
        probe = probe_query(path)
        wanted = settings()
        try:
            query = search.hash_query(path, probe, scratch, wanted, timeout=float(config["LOOKUP_TIMEOUT"]))
        except CommandTimeout as exc:
            raise ApiError("The clip took too long to decode; try a shorter excerpt.", code="lookup_timeout",
                           status=503) from exc
        except CommandFailed as exc:
            raise undecodable(DECODE_FAILED, str(exc)) from exc
        if query.frames == 0:
            raise ValidationError("Every sampled frame is blank (black or one flat colour): there is nothing "
                                  "to recognise.", code="no_picture")
        found = search.find(current_index(session), query, wanted,
                            allowed=lambda ids: visible_ids(session, user, ids),
                            families=lambda ids: families(session, ids),
                            # Each master's colours read once a lookup (it verifies per part and voted second).
                            master_colours=functools.cache(lambda key: master_colours(session, key)))
        checker = remux.Checker(path, probe, remux_settings())
        return answer(session, found, query, probe, sha256=sha256, size=size, filename=filename, checker=checker,
                      lang=lang)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def answer(session: Session, found: list[Candidate], query: search.QueryHashes, probe: ProbeResult, *,
           sha256: str, size: int, filename: str | None, checker: remux.Checker | None = None,
           lang: str | None = None) -> dict:
    """The answer document: the matches (`match_json`), best first, and what was compared.
    `checker` checks the first `remux.CANDIDATES` matches for the master's own packets."""
    assets = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_({c.key for c in found})))}
    planes = dict(session.execute(select(VideoFingerprint.asset_id, VideoFingerprint.planes)
                                  .where(VideoFingerprint.asset_id.in_(assets))).all()) if assets else {}
    matches = []
    for c in found:
        if c.key not in assets:
            continue
        asset = assets[c.key]
        checked = None
        if checker is not None and len(matches) < remux.CANDIDATES and sha256 != asset.sha256:
            checked = checker.check(c, asset)
        matches.append(match_json(c, asset, probe, sha256, bars=query.bars, packets=checked, lang=lang,
                                  planes=planes.get(asset.id, 1)))
    # The file is a master itself (its SHA-256): that master is the answer, first and sure,
    # whatever its copies (a re-uploaded proxy, a re-encode) scored beside it; they stay listed.
    matches.sort(key=lambda m: m["edits"] != ["identical"])
    return {"matches": matches,
            "ambiguous": bool(matches) and matches[0]["edits"] != ["identical"] and any(m["tied"] for m in matches),
            "query": {"filename": filename, "bytes": size, "sha256": sha256, "duration": probe.duration,
                      "width": probe.display_width or probe.width, "height": probe.display_height or probe.height,
                      "decoded_seconds": round(query.decoded, 3), "sampled": query.decoded < (probe.duration or 0) - 0.5,
                      "frames": int(len(query.times)), "informative_frames": query.frames, "static": query.static}}


def match_json(c: Candidate, asset: Asset, probe: ProbeResult, sha256: str, *,
               bars: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
               packets: remux.Check | None = None, lang: str | None = None, planes: int = 1) -> dict:
    """One match as the answer shows it; `title` in `lang` where the asset has one (`Asset.title`);
    `planes` the planes of the master's fingerprints (`VideoFingerprint.planes`, for `edits`)."""
    timeline = Timeline.of(asset.technical, asset.kind)
    duration = (asset.technical or {}).get("duration")
    end = float(duration) if isinstance(duration, (int, float)) else c.master_out
    if sha256 == asset.sha256:
        # The master's own file: all of it, from its first frame to its end, sure and no tie
        # (the alignment, sampled at 10 frames a second, put it a frame off at either end).
        # Its end is its timeline's (its last picture, `Timeline.end_seconds`) where known.
        end = (timeline.end_seconds if timeline is not None else None) or end
        c = replace(c, query_in=0.0, query_out=probe.duration or end, score=1.0, tied=False)
        c.master_in, c.master_out = 0.0, end
    m_in, m_out = max(0.0, c.master_in), max(0.0, min(c.master_out, end))
    doc = {"asset_id": asset.id, "title": asset.title(lang), "in": round(m_in, 3), "out": round(m_out, 3),
           "query_in": round(c.query_in, 3),
           # The last frame's interval may reach past the clip's end: no further than its duration.
           "query_out": round(min(c.query_out, probe.duration) if probe.duration else c.query_out, 3),
           "confidence": round(min(1.0, c.score), 3), "frames_matched": c.matched,
           "distance": round(c.distance, 1), "mirrored": c.mirrored, "speed": round(c.speed, 3), "tied": c.tied,
           "static": c.static,
           "edits": edits(c, asset, probe, sha256, bars=bars, remuxed=packets is not None and packets.remuxed,
                          planes=planes),
           # The packet comparison behind `remuxed` / `re_encoded`, or None when none was made.
           "packets": packets.to_json() if packets is not None else None,
           # An asset exported from another (a clip): its master's id, as the lineage's `sources` names it.
           "clip_of": asset.source_id or (asset.lineage or {}).get("source_id")}
    if timeline is not None:
        doc["in_timecode"] = timeline.label(int(round(m_in * float(timeline.rate))))
        doc["out_timecode"] = timeline.label(int(round(m_out * float(timeline.rate))))
        doc["player"] = f"/assets/{asset.id}?in={doc['in_timecode']}&out={doc['out_timecode']}"
    doc["master_frame"] = master_frame(asset, m_in)
    return doc


def master_frame(asset: Asset, seconds: float) -> dict | None:
    """The master's storyboard tile at `seconds` (`{"url", "x", "y", "w", "h"}`: a region of
    a sprite sheet, as the storyboard's WebVTT cues name it), else its poster (`{"url"}`),
    else None: what a page shows beside the query's frame."""
    ready = {r.name: r for r in asset.renditions if r.status == "ready" or r.available}
    board = ready.get(STORYBOARD.name)
    duration = (asset.technical or {}).get("duration")
    if board is not None and board.width and board.height and isinstance(duration, (int, float)):
        step = STORYBOARD.interval_for(float(duration))
        tile = max(0, int(min(seconds, max(0.0, float(duration) - 0.001)) // step))
        sheet, cell = divmod(tile, STORYBOARD.columns * STORYBOARD.rows)
        row, col = divmod(cell, STORYBOARD.columns)
        return {"url": f"/api/v1/assets/{asset.id}/renditions/storyboard/sprite_{sheet}.jpg",
                "x": col * board.width, "y": row * board.height, "w": board.width, "h": board.height}
    if "poster" in ready:
        return {"url": f"/api/v1/assets/{asset.id}/download?rendition=poster"}
    return None


ASPECT_TOLERANCE = 0.03
SIZE_TOLERANCE = 0.95


def held_cut(master_aspect: float, query_aspect: float, planes: int) -> bool:
    """Whether the master's fingerprints (`planes` planes a sample) hold its centre cut to the
    query's shape (within ASPECT_TOLERANCE of one of `FINGERPRINTS.cuts` that the master does
    not have already, `fingerprints.cut_shape`): then a query cropped to that shape aligns on
    that cut, and one that aligned on the whole frame instead shows all of the picture."""
    if planes < FINGERPRINTS.planes:  # made before the cuts (profile version < 4)
        return False
    return any(abs(query_aspect / target - 1) <= ASPECT_TOLERANCE
               and fingerprints.cut_shape(master_aspect, target) is not None for target in FINGERPRINTS.cuts)


# The differences `edits` reports, by their public names, in the order it reports them: the API's
# enum (archive.api.spec.lookup) and the lookup page's labels (archive.provenance.lookup_pages)
# follow this list.
EDITS = ("identical", "mirrored", "speed_change", "letterboxed", "pillarboxed", "cropped", "squeezed", "resized",
         "re_encoded", "remuxed")


def edits(c: Candidate, asset: Asset, probe: ProbeResult, sha256: str, *,
          bars: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0), remuxed: bool = False,
          planes: int = 1) -> list[str]:
    """The differences seen between the query and the master, in this order: `mirrored`
    (the mirrored hashes matched), `speed_change` (the offset drifts: `Candidate.speed`),
    `letterboxed` / `pillarboxed` (the clip's picture sits between bars above and below / left
    and right, `bars` (top, bottom, left, right) shares of its frame, `fingerprints.bars`; both
    for bars all round), `cropped` (the picture inside any bars differs in aspect by more than
    3 %, or it aligned closest on a crop plane of the master or through an off-centre view of
    itself: `Candidate.plane`, `Candidate.view`), or `squeezed` instead (anamorphic: the aspect
    differs, yet the clip aligned on the master's whole frame, not on the cut of the master to
    the clip's shape that its fingerprints hold, `held_cut`: all the picture is there, squeezed
    or stretched to another shape; a 4:3 master shown 16:9 full width. Where the fingerprints
    hold no cut to that shape, an aspect change stays `cropped`: a crop of a few per cent also
    aligns on the whole frame, and nothing tells the two apart), `resized` (fewer lines of picture than the
    master's), then `remuxed` when `remuxed` (the clip's video packets are the master's own:
    cut or re-wrapped without re-encoding, `remux.Check`) else `re_encoded` (not the
    master's bytes). `identical` alone when the file is the master itself.

    A remuxed clip's pictures are the master's, so the picture edits before it cannot come
    from its bits; they are still reported when seen (a container may flip, stretch or
    retime a picture it does not touch: a display matrix, an aspect ratio, timestamps)."""
    if sha256 == asset.sha256:
        return ["identical"]
    technical = asset.technical or {}
    out = []
    if c.mirrored:
        out.append("mirrored")
    if abs(c.speed - 1.0) >= 0.04:
        out.append("speed_change")
    top, bottom, left, right = bars
    if top or bottom:
        out.append("letterboxed")
    if left or right:
        out.append("pillarboxed")
    qw, qh = probe.display_width or probe.width, probe.display_height or probe.height
    if qw and qh:
        qw, qh = qw * (1 - left - right), qh * (1 - top - bottom)
    mw = technical.get("display_width") or technical.get("width")
    mh = technical.get("display_height") or technical.get("height")
    sized = bool(qw and qh and isinstance(mw, int) and isinstance(mh, int) and mw and mh)
    reshaped = sized and abs((qw / qh) / (mw / mh) - 1) > ASPECT_TOLERANCE
    if c.plane or c.view:
        out.append("cropped")
    elif reshaped:
        out.append("squeezed" if held_cut(mw / mh, qw / qh, planes) else "cropped")
    if sized and qh < mh * SIZE_TOLERANCE:
        out.append("resized")
    out.append("remuxed" if remuxed else "re_encoded")
    return out
