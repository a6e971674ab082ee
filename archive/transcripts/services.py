"""Transcripts: put (add or replace), list, read and remove an asset's subtitles per language,
each change an Event on the asset and a re-index (the cues are searched as timecoded
segments). Services flush; the caller commits.

Who may change them: those who may edit the asset's metadata (`archive.assets.services.can_edit`:
an admin, or a producer or rights manager of the asset's organisation). Anyone who may read
the asset reads them.
"""
from __future__ import annotations

import hashlib
import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.schemas import language_code
from archive.assets.services import can_edit, editors_only
from archive.errors import ApiError, Forbidden, NotFound
from archive.events import services as events
from archive.markers.timeline import Timeline
from archive.task_handles import INDEX_ASSET
from archive.transcripts.models import Transcript, TranscriptSegment
from archive.transcripts.parse import SubtitleError, parse

MAX_BYTES = 10 * 1024 * 1024  # a day of broadcast subtitles is about 2 MB
# Sidecar file name endings `ortak import` and the upload page recognise: `name.<lang>.srt`.
SIDECAR_SUFFIXES = (".srt", ".vtt")


class InvalidSubtitles(ApiError):
    status = 400
    code = "invalid_subtitles"


def check_lang(value: str) -> str:
    """An ISO 639 code (`tr`, `aze`, `en`) → its normal form; 400 `invalid_language` otherwise."""
    code = language_code(value)
    if code is None:
        raise ApiError(f"{value[:20]!r} is not an ISO 639 language code, such as tr, az or en.",
                       code="invalid_language", status=400, details={"lang": value[:20]})
    return code


def too_large() -> ApiError:
    return ApiError(f"A subtitle file may be at most {MAX_BYTES} bytes.", code="body_too_large", status=413,
                    details={"limit": MAX_BYTES}, headers={"Connection": "close"})


def may_change(user: User, asset: Asset) -> bool:
    return can_edit(user, asset)


def get_transcript(session: Session, asset: Asset, lang: str) -> Transcript:
    transcript = session.scalar(select(Transcript).where(Transcript.asset_id == asset.id, Transcript.lang == lang))
    if transcript is None:
        raise NotFound(f"This asset has no transcript in {lang!r}.", code="transcript_not_found",
                       details={"lang": lang})
    return transcript


def transcripts_of(session: Session, asset_id: str) -> list[Transcript]:
    return list(session.scalars(select(Transcript).where(Transcript.asset_id == asset_id).order_by(Transcript.lang)))


def put_transcript(session: Session, asset: Asset, lang: str, data: bytes, actor: User | None,
                   filename: str | None = None, known_length_ms: int | None = None) -> tuple[Transcript, bool]:
    """Store `data` (an SRT or WebVTT file, UTF-8) as the asset's transcript in `lang`,
    replacing one there; (transcript, created). 403 `forbidden` unless `actor` may edit the
    asset (None: the system, for `ortak import`); 400 `invalid_language`; 413 over MAX_BYTES;
    400 `invalid_subtitles` for a file the parser refuses: `details.line` (the fault's, or null for
    the whole file), `details.reason` (`archive.transcripts.parse.REASONS`) and what it names:
    `cue` (`cue_reversed`), `limit` (`too_many_cues`), `cue` and `characters` with `field` "text"
    (`forbidden_characters`, archive.validation.disguise_error), `cue` and `seconds` (the
    recording's length, `cue_past_end`: a cue starting at or after it, once the length is known:
    the asset's, else `known_length_ms`, the length a caller read from the file itself, as
    `ortak import` does before the asset is processed). A transcript put before the length was
    known is checked when it becomes known (`check_against_length`)."""
    if actor is not None and not may_change(actor, asset):
        raise Forbidden(editors_only("change its transcripts"), code="forbidden")
    lang = check_lang(lang)
    if len(data) > MAX_BYTES:
        raise too_large()
    try:
        known = length_ms(asset)
        fmt, cues = parse(data, length_ms=known if known is not None else known_length_ms)
    except SubtitleError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        field = {"field": "text"} if exc.code == "forbidden_characters" else {}
        raise InvalidSubtitles(f"The subtitle file cannot be read{where}: {exc.message}",
                               details={"line": exc.line, "reason": exc.code, **field, **exc.params}) from None
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Transcript).where(Transcript.asset_id == asset.id, Transcript.lang == lang))
    before = _snapshot(existing) if existing is not None else None
    if existing is not None:
        session.delete(existing)
        session.flush()
    transcript = Transcript(asset_id=asset.id, lang=lang, format=fmt, sha256=sha,
                            filename=(filename or "")[:255] or None,
                            author_id=actor.id if actor is not None else None)
    transcript.segments = [TranscriptSegment(position=i, start_ms=c.start_ms, end_ms=c.end_ms, text=c.text)
                           for i, c in enumerate(cues)]
    session.add(transcript)
    session.flush()
    events.record(session, actor_id=actor.id if actor is not None else None,
                  action="transcript.replaced" if existing is not None else "transcript.added",
                  subject_type="asset", subject_id=asset.id, before=before, after=_snapshot(transcript))
    INDEX_ASSET.send(session, asset.id)
    session.flush()
    return transcript, existing is None


def length_ms(asset: Asset) -> int | None:
    """The recording's length in milliseconds as its timeline counts it (whole frames, as the
    markers' `out_of_range` does); None while it is not known (not probed yet, or no timeline)."""
    return timeline_length_ms(asset.technical, asset.kind)


def timeline_length_ms(technical: dict | None, kind: str | None) -> int | None:
    """`length_ms` of a recording whose probe gave `technical` (`ProbeResult.to_dict()`) and
    `kind`; None without a timeline or a duration."""
    timeline = Timeline.of(technical, kind)
    if timeline is None or timeline.frames is None:
        return None
    return math.ceil(timeline.seconds(timeline.frames) * 1000)


# The Event of a transcript removed by `check_against_length`.
REJECTED = "transcript.rejected"
MAX_REJECTIONS = 20


def check_against_length(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """Once the recording's length is known (the probe step of ingest), check the transcripts
    put before it was (an upload's subtitles, `ortak import`'s sidecars) as `put_transcript`
    checks one put after: a transcript with a cue that starts at or after the end is removed,
    whole, as a PUT of the same file is refused (400 `invalid_subtitles`, reason
    `cue_past_end`: a file made for another cut). Each removal is the Event
    `transcript.rejected` (before: the transcript's snapshot; after: the same with `reason`
    "cue_past_end", `cue` (1-based, file order) and `seconds` (the length)), listed by
    `rejections`; the asset is re-indexed. Returns the `after`s. Flushes."""
    limit = length_ms(asset)
    if limit is None:
        return []
    removed = []
    for transcript in transcripts_of(session, asset.id):
        late = next((seg for seg in transcript.segments if seg.start_ms >= limit), None)
        if late is None:
            continue
        before = _snapshot(transcript)
        after = {**before, "reason": "cue_past_end", "cue": late.position + 1, "seconds": round(limit / 1000, 3)}
        events.record(session, actor_id=None, action=REJECTED, subject_type="asset", subject_id=asset.id,
                      before=before, after=after)
        session.delete(transcript)
        removed.append(after)
    if removed:
        INDEX_ASSET.send(session, asset.id)
        session.flush()
    return removed


def rejections(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """The transcripts `check_against_length` removed, newest first (at most MAX_REJECTIONS):
    [{"lang", "filename", "reason" ("cue_past_end"), "cue", "seconds", "at"}]."""
    out = []
    for event in events.history(session, "asset", asset.id):
        if event.action == REJECTED:
            after = event.after or {}
            out.append({"lang": after.get("lang"), "filename": after.get("filename"), "reason": after.get("reason"),
                        "cue": after.get("cue"), "seconds": after.get("seconds"), "at": event.at.isoformat()})
    return out[:MAX_REJECTIONS]


def remove_transcript(session: Session, asset: Asset, lang: str, actor: User) -> None:
    if not may_change(actor, asset):
        raise Forbidden(editors_only("change its transcripts"), code="forbidden")
    transcript = get_transcript(session, asset, check_lang(lang))
    events.record(session, actor_id=actor.id, action="transcript.removed", subject_type="asset",
                  subject_id=asset.id, before=_snapshot(transcript))
    session.delete(transcript)
    INDEX_ASSET.send(session, asset.id)
    session.flush()


def _snapshot(transcript: Transcript) -> dict:
    return {"lang": transcript.lang, "format": transcript.format, "sha256": transcript.sha256,
            "segments": len(transcript.segments), "filename": transcript.filename}


def transcript_json(transcript: Transcript, asset: Asset, with_segments: bool = True) -> dict[str, Any]:
    """{"lang", "format", "filename", "sha256", "created", "segment_count", "segments": [{"in",
    "out", "in_seconds", "out_seconds", "text"}]}: `in`/`out` as the master's timecode when it
    has a timeline (else null), seconds from the media's first frame."""
    timeline = Timeline.of(asset.technical, asset.kind)
    out: dict[str, Any] = {"lang": transcript.lang, "format": transcript.format, "filename": transcript.filename,
                           "sha256": transcript.sha256,
                           "created": transcript.created_at.isoformat() if transcript.created_at else None,
                           "segment_count": len(transcript.segments)}
    if with_segments:
        out["segments"] = [segment_json(s, timeline) for s in transcript.segments]
    return out


def segment_json(seg: TranscriptSegment, timeline: Timeline | None) -> dict[str, Any]:
    return {"in": _label(timeline, seg.start_ms), "out": _label(timeline, seg.end_ms),
            "in_seconds": seg.start_ms / 1000, "out_seconds": seg.end_ms / 1000, "text": seg.text}


def _label(timeline: Timeline | None, ms: int) -> str | None:
    if timeline is None or timeline.frames is None:
        return None
    frame = int(ms * timeline.rate / 1000)
    return timeline.label(frame)


def segments(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """Every transcript cue of the asset as a search segment: {"in", "out", "in_seconds",
    "out_seconds", "text", "lang", "source": "transcript"}."""
    timeline = Timeline.of(asset.technical, asset.kind)
    out = []
    for transcript in transcripts_of(session, asset.id):
        for seg in transcript.segments:
            if seg.text:
                out.append({**segment_json(seg, timeline), "lang": transcript.lang, "source": "transcript"})
    return out


def sidecar_tag(media_name: str, sidecar_name: str) -> str | None:
    """The tag between the stem and the suffix when `sidecar_name` is named as a sidecar of
    `media_name` (`film.mov` ← `film.tr.srt` → "tr", `film.xx.vtt` → "xx": whether it is a
    language is the caller's question, `language_code`), else None (`film.srt`, `other.tr.srt`,
    `film.a.b.srt`)."""
    stem = media_name.rsplit(".", 1)[0] if "." in media_name else media_name
    if not sidecar_name.lower().endswith(SIDECAR_SUFFIXES) or not sidecar_name.startswith(stem + "."):
        return None
    middle = sidecar_name[len(stem) + 1:-4]
    return middle if middle and "." not in middle else None


def sidecar_language(name: str) -> str | None:
    """The language a subtitle file's name gives it as a sidecar (`film.tr.srt` → "tr",
    `film.aze.vtt` → "az": `language_code`), or None when it names none (`notes.srt`,
    `film.final.srt`) or is no subtitle file."""
    if not name.lower().endswith(SIDECAR_SUFFIXES):
        return None
    stem, dot, tag = name[:-4].rpartition(".")
    return language_code(tag) if dot and stem and tag else None
