"""Rendition profiles: what each derived file is, as data.

A profile never runs anything. Two class attributes tie it to code:

- `renderer` names the renderer that makes it (`archive.media.render.RENDERERS`): every
  profile of one renderer that an asset needs is made in one run of it, so all the
  ffmpeg profiles of an asset come from one decode of the source;
- `version` is the version of the code that turns this kind of profile into files (the
  command builder in `archive.media.commands`, the Pillow code in `archive.media.images`).
  Bump it when that code changes what it writes, so that renditions made before are re-made.

`spec_hash(profile)` is a stable hash of the profile's type, its `version` and every field:
a rendition remembers the hash of the profile it was made with, and is re-made when the
profile's hash changes, never otherwise (Wagtail's renditions keep their filter spec the same
way). New outputs (HLS ladder, storyboard, waveform) are new profile classes with an output
builder in `archive.media.commands` and entries in RENDITIONS, not new code paths in the
pipeline.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult


@dataclass(frozen=True)
class VideoProxyProfile:
    """A browser-playable H.264/AAC MP4 at most `max_height` lines, aspect kept.

    With `from_ladder`, when the same run makes an HLS ladder with a rung of the proxy's
    size and the same encoding (codec, preset, CRF, H.264 profile, pixel format, keyframe
    interval, watermark), the proxy's picture IS that rung's encoded stream (capped at the
    rung's peak rate) and its audio the ladder's audio renditions', muxed into the MP4 by the
    same command (`archive.media.commands.shared_ladder_part`): nothing is encoded twice.
    Otherwise it is its own encode with these fields.
    """

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 2  # 2: the ladder's rung when one matches (`from_ladder`)

    name: str = "proxy"
    ext: str = "mp4"
    content_type: str = "video/mp4"
    max_width: int = 1280
    max_height: int = 720
    video_codec: str = "libx264"
    preset: str = "veryfast"
    crf: int = 23
    pix_fmt: str = "yuv420p"  # the only chroma layout every browser decodes
    h264_profile: str = "high"
    keyframe_seconds: float = 2.0  # seekable in the player and cuttable on a 2 s grid
    audio_codec: str = "aac"
    audio_bitrate: str = "128k"
    audio_channels: int = 2
    audio_rate: int = 48000
    faststart: bool = True  # moov before mdat: playback starts before the download ends
    watermark: str | None = None  # burned-in text (commands.watermark_filter); None: none
    from_ladder: bool = True  # share the HLS rung of the same size and encoding, if any

    @property
    def entry(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass(frozen=True)
class AudioProxyProfile:
    """An AAC .m4a for audio-only masters."""

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 1

    name: str = "proxy"
    ext: str = "m4a"
    content_type: str = "audio/mp4"
    audio_codec: str = "aac"
    audio_bitrate: str = "160k"
    audio_channels: int = 2
    audio_rate: int = 48000
    faststart: bool = True

    @property
    def entry(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass(frozen=True)
class PosterProfile:
    """One JPEG frame of a video, grabbed at `at_fraction` of the duration (or `fallback_seconds`)."""

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 1

    name: str = "poster"
    ext: str = "jpg"
    content_type: str = "image/jpeg"
    max_width: int = 1280
    max_height: int = 720
    at_fraction: float = 0.10
    fallback_seconds: float = 1.0
    jpeg_qscale: int = 3  # ffmpeg's mjpeg scale: 2 best .. 31 worst
    watermark: str | None = None

    @property
    def entry(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass(frozen=True)
class ImagePreviewProfile:
    """A JPEG of a still image, upright per EXIF, at most `max_width` × `max_height` (Pillow)."""

    renderer: ClassVar[str] = "still"
    version: ClassVar[int] = 1

    name: str = "poster"
    ext: str = "jpg"
    content_type: str = "image/jpeg"
    max_width: int = 1280
    max_height: int = 720
    jpeg_quality: int = 85  # Pillow's scale

    @property
    def entry(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass(frozen=True)
class HlsProfile:
    """An HLS ladder (RFC 8216): H.264 rungs in fMP4 segments of `segment_seconds`, cut on
    keyframes forced at the same instants in every rung, and every audio track of the master
    as an alternate audio rendition (`EXT-X-MEDIA TYPE=AUDIO`, GROUP-ID "audio").

    `rungs` are (lines, peak kbit/s): a rung is made when the source has at least that many
    lines (never upscaled); a source below the smallest gets one rung at its own size. Each
    rung is CRF-encoded and capped at its peak rate (VBV), so the BANDWIDTH written is
    measured, not guessed. Layout: `master.m3u8`, `{lines}p/index.m3u8` + `init.mp4` +
    `seg_NNNNN.m4s`, `audio_{n}/...` for the n-th audio track (0-based, container order).
    Keyframes are forced every `keyframe_seconds` (which divides `segment_seconds`), so a
    player seeks to within 2 s and the MP4 proxy can be the 720p rung's stream.
    """

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 2  # 2: keyframes every `keyframe_seconds`, not once a segment

    name: str = "hls"
    ext: str = "m3u8"
    content_type: str = "application/vnd.apple.mpegurl"
    rungs: tuple[tuple[int, int], ...] = ((1080, 6000), (720, 3000), (480, 1500), (360, 800))
    segment_seconds: int = 6  # Apple's HLS authoring spec (2024): 6 s target duration
    keyframe_seconds: int = 2  # the same spec: "Key frames SHOULD be present every two seconds"
    video_codec: str = "libx264"
    preset: str = "veryfast"
    crf: int = 23
    pix_fmt: str = "yuv420p"
    h264_profile: str = "high"
    audio_codec: str = "aac"
    audio_bitrate: str = "128k"
    audio_channels: int = 2
    audio_rate: int = 48000
    watermark: str | None = None  # burned-in text (archive.media.watermark); None: none

    @property
    def entry(self) -> str:
        return "master.m3u8"


@dataclass(frozen=True)
class StoryboardProfile:
    """Thumbnails for scrubbing: one frame every `interval_for(duration)` seconds, `tile_width`
    pixels wide, laid out `columns` × `rows` per JPEG sheet (`sprite_{k}.jpg`), and a WebVTT
    track (`storyboard.vtt`) whose cues point at `sprite_{k}.jpg#xywh=x,y,w,h` (the W3C
    media-fragments spatial form, as JW Player, Video.js and Vidstack read it)."""

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 1

    name: str = "storyboard"
    ext: str = "vtt"
    content_type: str = "text/vtt"
    tile_width: int = 160
    columns: int = 10
    rows: int = 10
    max_tiles: int = 600  # the interval grows with the duration to stay within this
    intervals: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 300)  # seconds
    jpeg_qscale: int = 5  # ffmpeg's mjpeg scale for each thumbnail
    jpeg_quality: int = 80  # Pillow's scale for the sheets
    watermark: str | None = None

    @property
    def entry(self) -> str:
        return "storyboard.vtt"

    def interval_for(self, duration: float | None) -> int:
        """The smallest of `intervals` (seconds) giving at most `max_tiles` tiles."""
        seconds = max(0.0, duration or 0.0)
        for step in self.intervals:
            if seconds / step <= self.max_tiles:
                return step
        return self.intervals[-1]


@dataclass(frozen=True)
class WaveformProfile:
    """Peaks per audio track in the BBC audiowaveform JSON data format, version 2
    (https://github.com/bbc/audiowaveform/blob/master/doc/DataFormat.md): {"version": 2,
    "channels": 1, "sample_rate", "samples_per_pixel", "bits", "length", "data": [min, max, ...]}.

    Each track is mixed to mono and decoded in the same ffmpeg pass as the other renditions;
    `samples_per_pixel` is at least `min_samples_per_pixel` (audiowaveform's default, 256) and
    grows with the duration so that no track has more than `max_points` (min, max) pairs.
    `waveform.json` is the first track, `waveform_{n}.json` the n-th (n ≥ 1)."""

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 1
    needs_audio: ClassVar[bool] = True

    name: str = "waveform"
    ext: str = "json"
    content_type: str = "application/json"
    bits: int = 8
    min_samples_per_pixel: int = 256
    max_points: int = 30000
    default_rate: int = 48000  # when the track does not say its own

    @property
    def entry(self) -> str:
        return "waveform.json"

    def samples_per_pixel(self, duration: float | None, rate: int) -> int:
        total = max(0.0, duration or 0.0) * rate
        return max(self.min_samples_per_pixel, -(-int(total) // self.max_points))


@dataclass(frozen=True)
class FingerprintProfile:
    """Perceptual hashes of the picture for reverse clip search (`archive.provenance`): one
    64-bit pHash (`imagehash.phash`: DCT of a 32 × 32 grey frame, the 8 × 8 lowest
    frequencies against their median) per 1/`rate` seconds of the source, taken from the
    same decode as the other renditions (a `fps`, `scale`, full-range YCbCr branch of the one
    command writing raw frames that Python hashes, `archive.media.fingerprints`).

    The entry `phash.bin` holds the hashes as big-endian unsigned 64-bit integers in
    `planes` planes of one hash a sample each: the whole frame, then each centre crop of
    `crops` (a query cropped and blown up again matches those), then the centre cut of the
    picture to each shape of `cuts` (display width / height: a 16:9 master shown as 4:3 or
    as a vertical video; all 0 for the shape the master has), each with its four corners
    (`corners` of the width and height) left out, where logos sit; in each plane hash k is
    for the frame at k/`rate` seconds; 0 marks a flat frame (black, a uniform card) that has
    no hash worth matching. Beside it, `colour.bin` holds each hashed region's mean Y, Cb
    and Cr (3 bytes a sample and plane, plane after plane: `fingerprints.colours`), and
    `phash.json` the layout of both (`fingerprints.layout`). Recipe and its measurement:
    ARCHITECTURE.md "Known traps"."""

    renderer: ClassVar[str] = "ffmpeg"
    # 2: 64 × 64 frames, centre crops hashed too; 3: corners masked; 4: cuts to other shapes;
    # 5: each hashed region's colour beside the hashes (`colour.bin`; the hashes as in 4)
    version: ClassVar[int] = 5

    name: str = "fingerprints"
    ext: str = "bin"
    content_type: str = "application/octet-stream"
    rate: int = 1  # hashes per second of source
    frame_size: int = 64  # the grey square decoded (pHash resizes to its 32 × 32; crops need the margin)
    crops: tuple[float, ...] = (0.9, 0.8)  # centre crops hashed too (`fingerprints.CROPS`)
    corners: tuple[float, float] = (0.25, 0.2)  # left out of every hash (`fingerprints.CORNERS`: logos)
    cuts: tuple[float, ...] = (16 / 9, 4 / 3, 9 / 16)  # shapes cut to (`fingerprints.CUT_ASPECTS`)

    @property
    def planes(self) -> int:
        """Hashes a sample: the whole frame, each crop and each cut."""
        return 1 + len(self.crops) + len(self.cuts)

    @property
    def entry(self) -> str:
        return "phash.bin"


VIDEO_PROXY = VideoProxyProfile()
AUDIO_PROXY = AudioProxyProfile()
POSTER = PosterProfile()
IMAGE_POSTER = ImagePreviewProfile()
HLS = HlsProfile()
STORYBOARD = StoryboardProfile()
WAVEFORM = WaveformProfile()
FINGERPRINTS = FingerprintProfile()

Profile = (VideoProxyProfile | AudioProxyProfile | PosterProfile | ImagePreviewProfile | HlsProfile
           | StoryboardProfile | WaveformProfile | FingerprintProfile)

# kind → the renditions an asset of that kind gets. Profiles sharing a renderer are made
# together (one decode); the order is the order of the outputs on the command.
RENDITIONS: dict[str, tuple[Profile, ...]] = {
    "video": (POSTER, VIDEO_PROXY, HLS, STORYBOARD, WAVEFORM, FINGERPRINTS),
    "audio": (AUDIO_PROXY, WAVEFORM),
    "image": (IMAGE_POSTER,),
}


def renditions_for(kind: str, probe: "ProbeResult | None" = None, *,
                   watermark: str | None = None) -> tuple[Profile, ...]:
    """The renditions an asset of `kind` gets; with its `probe`, those its streams allow
    (no waveform without an audio track a decoder exists for); with `watermark`, every
    picture preview carries that text burned in (a profile with a `watermark` field)."""
    profiles = RENDITIONS.get(kind, ())
    if watermark:
        profiles = tuple(dataclasses.replace(p, watermark=watermark) if "watermark" in
                         {f.name for f in dataclasses.fields(p)} else p for p in profiles)
    if probe is None:
        return profiles
    has_audio = bool(probe.audio_streams and any(t.codec and t.index >= 0 for t in probe.audio_streams)) \
        or (probe.has_audio and not probe.streams)
    return tuple(p for p in profiles if has_audio or not getattr(p, "needs_audio", False))


def profile_for(kind: str, name: str) -> Profile:
    for profile in renditions_for(kind):
        if profile.name == name:
            return profile
    raise KeyError(f"no rendition {name!r} for {kind} assets")


def spec_hash(profile: Profile) -> str:
    """SHA-256 (64 hex digits) of the profile's type, `version` and fields, as canonical JSON.

    Equal for equal profiles in any process (sorted keys; Python writes a float as its
    shortest round-tripping repr), different when any field, the type or the version differs.
    """
    fields = dataclasses.asdict(profile)
    if fields.get("watermark", "") is None:
        del fields["watermark"]  # no watermark: the hash of the profile before there were any
    doc = {"type": type(profile).__name__, "version": type(profile).version, "fields": fields}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
