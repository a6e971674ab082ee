"""What a file is: ffprobe's JSON as a ProbeResult, or a rejection a person can understand.

`inspect_media(path)` is the whole check: empty file, not media, truncated or corrupt
(missing MP4 index, decode errors near the start or the end), no audio/video streams.
A Rejected is the file's fault; a MediaError (ffprobe crashed, timed out) is ours.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, fields, replace
from fractions import Fraction

from archive.media import commands
from archive.media.container_types import content_type_for
from archive.media.runner import MediaError, run
from archive.media.streams import (AudioStream, Stream, VideoStream, audio_tracks, main_video, parse_streams,
                                   stream_from_dict)
from archive.media.timecode import normalise_timecode, parse_rate, parse_seconds

# Formats ffprobe reports for a single still image; those go to Pillow instead.
STILL_IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "tiff_pipe", "bmp_pipe", "webp_pipe", "gif", "gif_pipe"}
# How much of the head and of the tail to decode when checking for corruption.
CHECK_SECONDS = 3.0


class Rejected(Exception):
    """The file cannot be archived as media; `reason` is for a person, `code` for a machine."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class ProbeResult:
    """What ffprobe says about a file: flat keys for the main video and the first audio
    track (what most readers need), and `streams`, every stream in container order."""

    container: str
    container_long: str | None
    duration: float | None
    bit_rate: int | None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    display_width: int | None = None  # after sample aspect ratio and rotation
    display_height: int | None = None
    rotation: int = 0
    frame_rate: str | None = None  # exact, as a fraction: '30000/1001'
    frame_rate_float: float | None = None
    pix_fmt: str | None = None
    interlaced: bool = False
    bit_depth: int | None = None
    color_primaries: str | None = None  # ffmpeg's (ITU-T H.273) names; see archive.media.streams
    color_transfer: str | None = None
    color_space: str | None = None
    color_range: str | None = None
    hdr: str | None = None  # 'pq' | 'hlg' | None
    audio_codec: str | None = None
    audio_channels: int | None = None
    audio_sample_rate: int | None = None
    audio_tracks: int = 0
    start_timecode: str | None = None
    # The main video's length in frames, from its own stream (`nb_frames`, else its duration ×
    # its rate), not the container's duration: what a timeline of the master counts
    # (`archive.markers.timeline.Timeline.of`). None when the stream does not say.
    video_frames: int | None = None
    major_brand: str | None = None  # ISO BMFF `ftyp` brand ('qt', 'isom', 'M4A'), else None
    # The MIME type the container shows (archive.media.container_types), None when not known.
    content_type: str | None = None
    decode_warnings: tuple[str, ...] = ()
    streams: tuple[Stream, ...] = ()

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def kind(self) -> str:
        return "video" if self.has_video else "audio"

    @property
    def display_aspect(self) -> float | None:
        """The picture's shape as shown (width / height, after sample aspect ratio and
        rotation: `display_width` / `display_height`, else the coded size); None without a
        picture size."""
        w, h = self.display_width or self.width, self.display_height or self.height
        return w / h if w and h else None

    @property
    def fps(self) -> Fraction | None:
        return parse_rate(self.frame_rate)

    @property
    def video_stream(self) -> VideoStream | None:
        return main_video(self.streams)

    @property
    def audio_streams(self) -> tuple[AudioStream, ...]:
        return audio_tracks(self.streams)

    def to_dict(self) -> dict:
        """The JSON stored as `assets.technical`: every field, `kind`, and `streams` as dicts."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["decode_warnings"] = list(self.decode_warnings)
        data["streams"] = [s.to_dict() for s in self.streams]
        data["kind"] = self.kind
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ProbeResult":
        """Rebuild from `to_dict`'s JSON (older records without `streams` included).

        Raises TypeError/ValueError when `data` is not such a record.
        """
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["decode_warnings"] = tuple(str(w) for w in values.get("decode_warnings") or ())
        rebuilt = (stream_from_dict(s) for s in values.get("streams") or ())
        values["streams"] = tuple(s for s in rebuilt if s is not None)
        return cls(**values)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_probe(data: dict) -> ProbeResult:
    """ffprobe `-show_format -show_streams` JSON → ProbeResult (no I/O: testable as data)."""
    fmt = data.get("format") or {}
    raw = data.get("streams") or []
    streams = parse_streams(raw)
    result: dict = dict(container=fmt.get("format_name") or "unknown", container_long=fmt.get("format_long_name"),
                        duration=parse_seconds(fmt.get("duration")), bit_rate=_int(fmt.get("bit_rate")),
                        streams=streams)
    raw_by_index = {s.get("index"): s for s in raw if isinstance(s, dict)}
    video = main_video(streams)
    if video is not None:
        result.update(video_codec=video.codec or "unknown", width=video.width, height=video.height,
                      display_width=video.display_width, display_height=video.display_height,
                      rotation=video.rotation, frame_rate=video.frame_rate, frame_rate_float=video.frame_rate_float,
                      pix_fmt=video.pix_fmt, interlaced=video.interlaced, bit_depth=video.bit_depth,
                      color_primaries=video.color_primaries, color_transfer=video.color_transfer,
                      color_space=video.color_space, color_range=video.color_range, hdr=video.hdr)
        if result["duration"] is None:
            result["duration"] = parse_seconds((raw_by_index.get(video.index) or {}).get("duration"))
        result["video_frames"] = video_frame_count(video)
    audio = audio_tracks(streams)
    if audio:
        first = audio[0]
        result.update(audio_codec=first.codec or "unknown", audio_channels=first.channels,
                      audio_sample_rate=first.sample_rate, audio_tracks=len(audio))
        if result["duration"] is None:
            result["duration"] = parse_seconds((raw_by_index.get(first.index) or {}).get("duration"))
    result["start_timecode"] = _timecode(fmt, raw)
    brand = (fmt.get("tags") or {}).get("major_brand")
    result["major_brand"] = brand.strip() or None if isinstance(brand, str) else None
    result["content_type"] = content_type_for(result["container"], result["major_brand"], result.get("video_codec"),
                                              tuple(t.codec for t in audio if t.codec))
    return ProbeResult(**result)


def video_frame_count(video: VideoStream) -> int | None:
    """The frames of a video stream: its `nb_frames`, else its own duration × its rate (rounded:
    a stream's duration is a whole number of frames, float error aside); None when neither is said."""
    if video.frames:
        return video.frames
    rate = parse_rate(video.frame_rate)
    if video.duration and rate:
        frames = round(Fraction(str(video.duration)) * rate)
        return frames if frames > 0 else None
    return None


def _timecode(fmt: dict, streams: list[dict]) -> str | None:
    # MOV/MXF keep it on a tmcd/data stream or the video stream; some muxers on the format.
    candidates = [(s.get("tags") or {}).get("timecode") for s in streams if isinstance(s, dict)]
    candidates.append((fmt.get("tags") or {}).get("timecode"))
    for value in candidates:
        tc = normalise_timecode(value)
        if tc:
            return tc
    return None


_TRUNCATION = re.compile(r"moov atom not found|partial file|truncat|end of file|unexpected eof", re.I)


ISO_BOX_TYPES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid", b"styp", b"moof"}


def looks_like_mp4(path: str) -> bool:
    """Does the file start with an MP4/MOV box? (ffmpeg picks its demuxer by extension too.)"""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return len(head) == 8 and head[4:8] in ISO_BOX_TYPES


def explain_ffprobe_failure(stderr: str, *, mp4_boxes: bool = True) -> Rejected:
    """Turn ffprobe's complaint into a reason a producer can act on."""
    text = stderr.lower()
    if "moov atom not found" in text and not mp4_boxes:
        return Rejected("not_media", "This is not an audio, video or image file Ortak can read "
                                     "(its name says MP4/MOV, its content does not).")
    if "moov atom not found" in text:
        return Rejected("index_missing", "The file is incomplete: its MP4/MOV index (the 'moov' atom) is missing, "
                                     "which usually means the upload or the recording was cut off. "
                                     "Upload the complete file again.")
    if _TRUNCATION.search(text):
        return Rejected("truncated", "The file is incomplete: it ends before the media data does. "
                                     "Upload the complete file again.")
    if "invalid data found" in text or "unknown format" in text or "could not find codec" in text:
        return Rejected("not_media", "This is not an audio, video or image file Ortak can read.")
    detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no details"
    return Rejected("unreadable", f"The file could not be read as media ({detail}).")


def ffprobe(path: str, *, timeout: float) -> dict:
    """Run ffprobe; a Rejected when the file is not readable media."""
    # A timeout or a crash to start raises CommandFailed: our problem, not the file's.
    result = run(commands.ffprobe_command(path), timeout=timeout, capture_stdout=True, check=False)
    if result.returncode != 0:
        raise explain_ffprobe_failure(result.stderr_tail, mp4_boxes=looks_like_mp4(path))
    try:
        data = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise MediaError(f"ffprobe printed unreadable JSON: {exc}") from exc
    return data


def decode_check(path: str, probe: ProbeResult, *, timeout: float) -> tuple[str, ...]:
    """Decode the first and last seconds; reject truncation and files nothing decodes from.

    Returns the decoder's complaints on a file that otherwise decodes (kept as warnings:
    many broadcast recordings start mid-GOP and log harmless errors).
    """
    windows = [None]
    if probe.duration and probe.duration > 2 * CHECK_SECONDS:
        windows.append(max(0.0, probe.duration - CHECK_SECONDS))
    complaints: list[str] = []
    for start in windows:
        result = run(commands.decode_check_command(path, start=start, seconds=CHECK_SECONDS, probe=probe),
                     timeout=timeout, check=False)
        lines = [line for line in result.stderr_tail.splitlines() if line.strip()]
        if _TRUNCATION.search(result.stderr_tail):
            raise Rejected("truncated", "The file is incomplete: the media data ends before the file says it "
                                        "should, so the upload or the recording was probably cut off. "
                                        "Upload the complete file again.")
        decoded = result.progress is not None and ((result.progress.frame or 0) > 0 or (result.progress.out_time or 0) > 0)
        if result.returncode != 0 or (lines and not decoded):
            first = lines[0] if lines else f"ffmpeg exited with status {result.returncode}"
            raise Rejected("corrupt", f"The file is damaged: its audio/video cannot be decoded ({_short(first)}).")
        complaints.extend(lines)
    return tuple(dict.fromkeys(_short(c) for c in complaints))[:10]


def _short(line: str, limit: int = 200) -> str:
    line = re.sub(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*", "", line.strip())  # drop ffmpeg's "[h264 @ 0x55...]" prefix
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _check_decoders(probe: ProbeResult) -> None:
    """The picture, or with none at least one audio track, must have a decoder here."""
    video = probe.video_stream
    if video is not None and not video.codec:
        raise Rejected("unsupported_codec", "The video is in a format Ortak cannot decode "
                                            f"(codec tag {_tag_of(video)}).")
    tracks = probe.audio_streams
    if video is None and tracks and not any(t.codec for t in tracks):
        raise Rejected("unsupported_codec", "The audio is in a format Ortak cannot decode "
                                            f"(codec tag {_tag_of(tracks[0])}).")


def _tag_of(stream) -> str:
    return f"'{stream.codec_tag}'" if stream.codec_tag else "unknown"


def inspect_media(path: str, *, timeout: float) -> ProbeResult:
    """Probe and check an audio/video file; raise Rejected with a reason when it is not usable."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise MediaError(f"cannot read the original: {exc}") from exc
    if size == 0:
        raise Rejected("empty", "The file is empty (0 bytes).")
    probe = parse_probe(ffprobe(path, timeout=timeout))
    if not probe.has_video and not probe.has_audio:
        if probe.container in ("tty", "unknown"):
            raise Rejected("not_media", "This is not an audio, video or image file Ortak can read.")
        raise Rejected("no_streams", "The file has neither a video nor an audio stream.")
    if set(probe.container.split(",")) & STILL_IMAGE_FORMATS:
        raise Rejected("unsupported_image", "This image format is not supported; use JPEG, PNG or TIFF.")
    _check_decoders(probe)
    warnings = decode_check(path, probe, timeout=timeout)
    return replace(probe, decode_warnings=warnings)
