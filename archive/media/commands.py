"""ffmpeg/ffprobe command lines as data: pure functions of (paths, probe, profile).

Nothing here runs a process; `archive.media.runner.run` does. Every path is passed as
`file:<path>` so that a name starting with '-' or looking like a protocol ('http:',
'concat:') can never be read as an option or fetch something else.

The lists are written out by hand rather than through ffmpeg-python: the option order
(input options before `-i`, output options after) is the whole point of these functions,
and a literal list is what the tests compare against.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from archive.media.profiles import AudioProxyProfile, PosterProfile, VideoProxyProfile

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

# Options every ffmpeg run shares: no stdin, errors only on stderr, progress on stdout.
BASE = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
PROGRESS = ["-progress", "pipe:1", "-nostats"]


def file_url(path: str) -> str:
    return "file:" + str(path)


def even(n: float) -> int:
    """Round to the nearest even integer ≥ 2 (x264 with 4:2:0 needs even dimensions)."""
    return max(2, int(n / 2.0 + 0.5) * 2)  # half up, not banker's rounding


def fit_within(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Scale (width, height) down to fit the box, keeping the aspect; never up; both even."""
    if width <= 0 or height <= 0:
        raise ValueError(f"bad frame size {width}x{height}")
    scale = min(1.0, max_width / width, max_height / height)
    return even(width * scale), even(height * scale)


def ffprobe_command(src: str) -> list[str]:
    return [FFPROBE, "-hide_banner", "-loglevel", "error", "-print_format", "json",
            "-show_format", "-show_streams", file_url(src)]


def decode_check_command(src: str, *, start: float | None, seconds: float, probe: "ProbeResult") -> list[str]:
    """Decode `seconds` of the first video and audio streams from `start` to nowhere."""
    cmd = list(BASE)
    if start:
        cmd += ["-ss", _ts(start)]
    cmd += ["-i", file_url(src), "-t", _ts(seconds)]
    if probe.has_video:
        cmd += ["-map", "0:v:0"]
    if probe.has_audio:
        cmd += ["-map", "0:a:0"]
    return cmd + ["-f", "null"] + PROGRESS + ["-"]


def proxy_size(probe: "ProbeResult", profile: VideoProxyProfile) -> tuple[int, int]:
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    return fit_within(width, height, profile.max_width, profile.max_height)


def video_filter(probe: "ProbeResult", size: tuple[int, int], pix_fmt: str | None) -> str:
    # ffmpeg applies the rotation itself (autorotate) before this chain, so `size` is the
    # display size. setsar=1 makes anamorphic sources square-pixel for browsers.
    chain = []
    if probe.interlaced:
        chain.append("yadif=mode=send_frame:deint=interlaced")
    chain.append(f"scale={size[0]}:{size[1]}:flags=bicubic")
    chain.append("setsar=1")
    if pix_fmt:
        chain.append(f"format={pix_fmt}")
    return ",".join(chain)


def video_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: VideoProxyProfile) -> list[str]:
    size = proxy_size(probe, profile)
    fps = float(probe.fps) if probe.fps else 25.0
    gop = max(1, int(round(fps * profile.keyframe_seconds)))
    cmd = list(BASE) + PROGRESS + ["-i", file_url(src), "-map", "0:v:0"]
    if probe.has_audio:
        cmd += ["-map", "0:a:0"]
    cmd += ["-vf", video_filter(probe, size, profile.pix_fmt),
            "-c:v", profile.video_codec, "-preset", profile.preset, "-crf", str(profile.crf),
            "-profile:v", profile.h264_profile, "-pix_fmt", profile.pix_fmt,
            "-g", str(gop), "-keyint_min", str(gop)]
    if probe.has_audio:
        cmd += _audio_args(profile)
    else:
        cmd += ["-an"]
    # No tmcd track: the source timecode is kept in `technical`, and players ignore it.
    cmd += ["-sn", "-dn", "-map_chapters", "-1", "-write_tmcd", "0"]
    if profile.faststart:
        cmd += ["-movflags", "+faststart"]
    return cmd + ["-f", "mp4", file_url(dst)]


def audio_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: AudioProxyProfile) -> list[str]:
    cmd = list(BASE) + PROGRESS + ["-i", file_url(src), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    cmd += _audio_args(profile)
    if profile.faststart:
        cmd += ["-movflags", "+faststart"]
    return cmd + ["-f", "mp4", file_url(dst)]


def _audio_args(profile: VideoProxyProfile | AudioProxyProfile) -> list[str]:
    return ["-c:a", profile.audio_codec, "-b:a", profile.audio_bitrate,
            "-ac", str(profile.audio_channels), "-ar", str(profile.audio_rate)]


def poster_time(duration: float | None, profile: PosterProfile) -> float:
    """Where to grab the poster: `at_fraction` of the duration, else 1 s, never past the end."""
    if duration is None or duration <= 0:
        return profile.fallback_seconds if duration is None else 0.0
    at = duration * profile.at_fraction
    # A frame exactly at the end may not exist; stay a little inside.
    return round(max(0.0, min(at, duration - 0.1)), 3)


def poster_command(src: str, dst: str, probe: "ProbeResult", profile: PosterProfile) -> list[str]:
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    size = fit_within(width, height, profile.max_width, profile.max_height)
    at = poster_time(probe.duration, profile)
    # -ss before -i seeks by index (fast); the decoder then lands on the exact frame.
    return list(BASE) + ["-ss", _ts(at), "-i", file_url(src), "-map", "0:v:0", "-frames:v", "1",
                         "-vf", video_filter(probe, size, None), "-c:v", "mjpeg", "-q:v", str(profile.jpeg_qscale),
                         "-an", "-sn", "-dn", "-f", "image2", "-update", "1", file_url(dst)]


def _ts(seconds: float) -> str:
    return f"{seconds:.3f}"
