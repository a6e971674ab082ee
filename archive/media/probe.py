"""What a file is: ffprobe's JSON as a ProbeResult, or a rejection a person can understand.

`inspect_media(path)` is the whole check: empty file, not media, truncated or corrupt
(missing MP4 index, decode errors near the start or the end), no audio/video streams.
A Rejected is the file's fault; a MediaError (ffprobe crashed, timed out) is ours.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from fractions import Fraction

from archive.media import commands
from archive.media.runner import MediaError, run
from archive.media.timecode import normalise_timecode, parse_rate, parse_ratio, parse_seconds

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
    audio_codec: str | None = None
    audio_channels: int | None = None
    audio_sample_rate: int | None = None
    start_timecode: str | None = None
    decode_warnings: tuple[str, ...] = ()

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
    def fps(self) -> Fraction | None:
        return parse_rate(self.frame_rate)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["decode_warnings"] = list(self.decode_warnings)
        data["kind"] = self.kind
        return data


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]))) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if tag and tag.lstrip("-").isdigit() else 0


def parse_probe(data: dict) -> ProbeResult:
    """ffprobe `-show_format -show_streams` JSON → ProbeResult (no I/O: testable as data)."""
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    result: dict = dict(container=fmt.get("format_name") or "unknown", container_long=fmt.get("format_long_name"),
                        duration=parse_seconds(fmt.get("duration")), bit_rate=_int(fmt.get("bit_rate")))
    if video is not None:
        width, height = _int(video.get("width")), _int(video.get("height"))
        rate = parse_rate(video.get("avg_frame_rate")) or parse_rate(video.get("r_frame_rate"))
        rotation = _rotation(video)
        dw, dh = width, height
        sar = parse_ratio(video.get("sample_aspect_ratio"))
        if width and height and sar and sar != 1:
            dw = int(round(width * sar))
        if rotation in (90, 270):
            dw, dh = dh, dw
        result.update(video_codec=video.get("codec_name") or "unknown", width=width, height=height,
                      display_width=dw, display_height=dh, rotation=rotation,
                      frame_rate=f"{rate.numerator}/{rate.denominator}" if rate else None,
                      frame_rate_float=round(float(rate), 3) if rate else None, pix_fmt=video.get("pix_fmt"),
                      interlaced=video.get("field_order") in ("tt", "bb", "tb", "bt"))
        if result["duration"] is None:
            result["duration"] = parse_seconds(video.get("duration"))
    if audio is not None:
        result.update(audio_codec=audio.get("codec_name") or "unknown", audio_channels=_int(audio.get("channels")),
                      audio_sample_rate=_int(audio.get("sample_rate")))
        if result["duration"] is None:
            result["duration"] = parse_seconds(audio.get("duration"))
    result["start_timecode"] = _timecode(fmt, streams)
    return ProbeResult(**result)


def _timecode(fmt: dict, streams: list[dict]) -> str | None:
    # MOV/MXF keep it on a tmcd/data stream or the video stream; some muxers on the format.
    candidates = [(s.get("tags") or {}).get("timecode") for s in streams]
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
        return Rejected("truncated", "The file is incomplete: its MP4/MOV index (the 'moov' atom) is missing, "
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
    warnings = decode_check(path, probe, timeout=timeout)
    return ProbeResult(**{**asdict(probe), "decode_warnings": warnings})
