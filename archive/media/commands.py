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

from archive.media.colour import ColourPlan, jpeg_plan
from archive.media.colour import plan as colour_plan
from archive.media.languages import iso639_2t
from archive.media.profiles import AudioProxyProfile, PosterProfile, VideoProxyProfile

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult
    from archive.media.streams import AudioStream

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


def video_map(probe: "ProbeResult") -> str:
    """The moving picture: its container index, so cover art listed first is never taken."""
    video = probe.video_stream
    return f"0:{video.index}" if video is not None and video.index >= 0 else "0:v:0"


def audio_inputs(probe: "ProbeResult") -> list[tuple[str, "AudioStream | None"]]:
    """(map specifier, track) for every audio track a decoder exists for, in container order.

    A record made before every stream was kept has no `streams`: its first track then.
    """
    tracks = [t for t in probe.audio_streams if t.codec and t.index >= 0]
    if tracks:
        return [(f"0:{t.index}", t) for t in tracks]
    if probe.has_audio and not probe.streams:
        return [("0:a:0", None)]
    return []


def decode_check_command(src: str, *, start: float | None, seconds: float, probe: "ProbeResult") -> list[str]:
    """Decode `seconds` of the picture and every audio track from `start` to nowhere."""
    cmd = list(BASE)
    if start:
        cmd += ["-ss", _ts(start)]
    cmd += ["-i", file_url(src), "-t", _ts(seconds)]
    if probe.has_video:
        cmd += ["-map", video_map(probe)]
    for spec, _track in audio_inputs(probe):
        cmd += ["-map", spec]
    return cmd + ["-f", "null"] + PROGRESS + ["-"]


def proxy_size(probe: "ProbeResult", profile: VideoProxyProfile) -> tuple[int, int]:
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    return fit_within(width, height, profile.max_width, profile.max_height)


def video_filter(probe: "ProbeResult", size: tuple[int, int], colour: ColourPlan) -> str:
    """Deinterlace, scale to `size`, square pixels, then the colour plan (tone map, pix_fmt)."""
    # ffmpeg applies the rotation itself (autorotate) before this chain, so `size` is the
    # display size. setsar=1 makes anamorphic sources square-pixel for browsers. Scaling
    # comes before the colour work: zimg's float pipeline costs per output pixel.
    chain = []
    if probe.interlaced:
        chain.append("yadif=mode=send_frame:deint=interlaced")
    chain.append(f"scale={size[0]}:{size[1]}:flags=bicubic{colour.scale_options}")
    chain.append("setsar=1")
    chain.extend(colour.filters)
    if colour.pix_fmt:
        chain.append(f"format={colour.pix_fmt}")
    return ",".join(chain)


def video_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: VideoProxyProfile) -> list[str]:
    size = proxy_size(probe, profile)
    fps = float(probe.fps) if probe.fps else 25.0
    gop = max(1, int(round(fps * profile.keyframe_seconds)))
    audio = audio_inputs(probe)
    cmd = list(BASE) + PROGRESS + ["-i", file_url(src), "-map", video_map(probe)]
    for spec, _track in audio:
        cmd += ["-map", spec]
    colour = colour_plan(probe, pix_fmt=profile.pix_fmt)
    cmd += ["-vf", video_filter(probe, size, colour),
            "-c:v", profile.video_codec, "-preset", profile.preset, "-crf", str(profile.crf),
            "-profile:v", profile.h264_profile, "-pix_fmt", profile.pix_fmt,
            "-g", str(gop), "-keyint_min", str(gop)]
    cmd += colour.output.args()
    cmd += _audio_args(profile, [track for _spec, track in audio]) if audio else ["-an"]
    # No tmcd track: the source timecode is kept in `technical`, and players ignore it.
    # Subtitles and data stay out: a browser's <video> shows neither from an MP4.
    cmd += ["-sn", "-dn", "-map_chapters", "-1", "-write_tmcd", "0"]
    if profile.faststart:
        cmd += ["-movflags", "+faststart"]
    return cmd + ["-f", "mp4", file_url(dst)]


def audio_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: AudioProxyProfile) -> list[str]:
    audio = audio_inputs(probe)
    if not audio:
        raise ValueError("the file has no audio track a decoder exists for")
    cmd = list(BASE) + PROGRESS + ["-i", file_url(src)]
    for spec, _track in audio:
        cmd += ["-map", spec]
    cmd += ["-vn", "-sn", "-dn"]
    cmd += _audio_args(profile, [track for _spec, track in audio])
    if profile.faststart:
        cmd += ["-movflags", "+faststart"]
    return cmd + ["-f", "mp4", file_url(dst)]


def _audio_args(profile: VideoProxyProfile | AudioProxyProfile, tracks: list["AudioStream | None"]) -> list[str]:
    """Every track to AAC; each keeps its language (as ISO 639-2/T, which MP4 requires) and
    title; the first is the default one. A track keeps fewer channels than the profile's
    when it has fewer (mono stays mono)."""
    args = ["-c:a", profile.audio_codec, "-b:a", profile.audio_bitrate, "-ar", str(profile.audio_rate)]
    for n, track in enumerate(tracks):
        channels = profile.audio_channels
        if track is not None and track.channels:
            channels = min(track.channels, profile.audio_channels)
        args += [f"-ac:a:{n}", str(channels)]
        if track is not None:
            args += [f"-metadata:s:a:{n}", f"language={iso639_2t(track.language) or 'und'}"]
            title = _metadata_text(track.title)
            if title:
                # MP4 readers take a track's name from 'udta/name' (title) or from the
                # handler box (ffprobe's handler_name): write both.
                args += [f"-metadata:s:a:{n}", f"title={title}", f"-metadata:s:a:{n}", f"handler_name={title}"]
        args += [f"-disposition:a:{n}", "default" if n == 0 else "0"]
    return args


def _metadata_text(value: str | None, limit: int = 200) -> str:
    # A title from a file is text for a label, not a place for control characters.
    text = "".join(ch if ch.isprintable() else " " for ch in (value or "")).strip()
    return text[:limit]


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
    return list(BASE) + ["-ss", _ts(at), "-i", file_url(src), "-map", video_map(probe), "-frames:v", "1",
                         "-vf", video_filter(probe, size, jpeg_plan(probe)), "-c:v", "mjpeg",
                         "-q:v", str(profile.jpeg_qscale), "-an", "-sn", "-dn", "-f", "image2", "-update", "1",
                         file_url(dst)]


def _ts(seconds: float) -> str:
    return f"{seconds:.3f}"
