"""Rendition profiles: what each derived file is, as data.

A profile never runs anything; `archive.media.commands` turns (probe, profile) into an
ffmpeg command line. New outputs (HLS ladder, storyboard, waveform) are new profile
classes and entries in RENDITIONS, not new code paths in the pipeline.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoProxyProfile:
    """A browser-playable H.264/AAC MP4 at most `max_height` lines, aspect kept."""

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


@dataclass(frozen=True)
class AudioProxyProfile:
    """An AAC .m4a for audio-only masters."""

    name: str = "proxy"
    ext: str = "m4a"
    content_type: str = "audio/mp4"
    audio_codec: str = "aac"
    audio_bitrate: str = "160k"
    audio_channels: int = 2
    audio_rate: int = 48000
    faststart: bool = True


@dataclass(frozen=True)
class PosterProfile:
    """One JPEG frame, grabbed at `at_fraction` of the duration (or `fallback_seconds`)."""

    name: str = "poster"
    ext: str = "jpg"
    content_type: str = "image/jpeg"
    max_width: int = 1280
    max_height: int = 720
    at_fraction: float = 0.10
    fallback_seconds: float = 1.0
    jpeg_qscale: int = 3  # ffmpeg's mjpeg scale: 2 best .. 31 worst
    jpeg_quality: int = 85  # Pillow's scale, for still images


VIDEO_PROXY = VideoProxyProfile()
AUDIO_PROXY = AudioProxyProfile()
POSTER = PosterProfile()

Profile = VideoProxyProfile | AudioProxyProfile | PosterProfile

# kind → the renditions an asset of that kind gets, in the order they are made.
RENDITIONS: dict[str, tuple[Profile, ...]] = {
    "video": (POSTER, VIDEO_PROXY),
    "audio": (AUDIO_PROXY,),
    "image": (POSTER,),
}


def renditions_for(kind: str) -> tuple[Profile, ...]:
    return RENDITIONS.get(kind, ())


def profile_for(kind: str, name: str) -> Profile:
    for profile in renditions_for(kind):
        if profile.name == name:
            return profile
    raise KeyError(f"no rendition {name!r} for {kind} assets")
