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
from typing import ClassVar


@dataclass(frozen=True)
class VideoProxyProfile:
    """A browser-playable H.264/AAC MP4 at most `max_height` lines, aspect kept."""

    renderer: ClassVar[str] = "ffmpeg"
    version: ClassVar[int] = 1

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


VIDEO_PROXY = VideoProxyProfile()
AUDIO_PROXY = AudioProxyProfile()
POSTER = PosterProfile()
IMAGE_POSTER = ImagePreviewProfile()

Profile = VideoProxyProfile | AudioProxyProfile | PosterProfile | ImagePreviewProfile

# kind → the renditions an asset of that kind gets. Profiles sharing a renderer are made
# together (one decode); the order is the order of the outputs on the command.
RENDITIONS: dict[str, tuple[Profile, ...]] = {
    "video": (POSTER, VIDEO_PROXY),
    "audio": (AUDIO_PROXY,),
    "image": (IMAGE_POSTER,),
}


def renditions_for(kind: str) -> tuple[Profile, ...]:
    return RENDITIONS.get(kind, ())


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
    doc = {"type": type(profile).__name__, "version": type(profile).version,
           "fields": dataclasses.asdict(profile)}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
