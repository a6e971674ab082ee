"""ffmpeg/ffprobe command lines as data: pure functions of (paths, probe, profile).

Each ffmpeg profile has an output builder (`OUTPUT_BUILDERS`, by profile type) that says
what its output needs: picture chains, audio tracks, output options. `one_decode_command`
puts any number of such outputs on ONE command, so the source is read and decoded once
for all the renditions of an asset; `planned_parts` also encodes once what two renditions
would encode alike: the MP4 proxy is the HLS rung of its size, written with the audio
renditions by one `tee` output (`shared_ladder_part`).

Nothing here runs a process; `archive.media.runner.run` does. Every path is passed as
`file:<path>` so that a name starting with '-' or looking like a protocol ('http:',
'concat:') can never be read as an option or fetch something else.

The lists are written out by hand rather than through ffmpeg-python: the option order
(input options before `-i`, output options after) is the whole point of these functions,
and a literal list is what the tests compare against.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from archive.media.colour import ColourPlan, jpeg_plan
from archive.media.colour import plan as colour_plan
from archive.media.languages import iso639_2t
from archive.media.profiles import (AudioProxyProfile, FingerprintProfile, HlsProfile, PosterProfile, StoryboardProfile,
                                    VideoProxyProfile, WaveformProfile)

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult
    from archive.media.streams import AudioStream

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

# Options every ffmpeg run shares: no stdin, errors only on stderr, progress on stdout.
BASE = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
PROGRESS = ["-progress", "pipe:1", "-nostats"]
DEINTERLACE = "yadif=mode=send_frame:deint=interlaced"
# ffmpeg conceals a damaged frame and goes on, exiting 0 whatever the damage; a render fails
# (exit status 69) when more than this fraction of the frames could not be decoded, so a
# corrupt master never becomes a rendition that looks ready. A few glitched frames pass.
MAX_DECODE_ERROR_RATE = 0.05


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


def scale_chain(size: tuple[int, int], colour: ColourPlan, watermark: str | None = None) -> str:
    """Scale to `size`, square pixels, then the colour plan (tone map, pix_fmt), then the
    burned-in `watermark` text, if any (`watermark_filter`)."""
    # ffmpeg applies the rotation itself (autorotate) before any filter, so `size` is the
    # display size. setsar=1 makes anamorphic sources square-pixel for browsers. Scaling
    # comes before the colour work: zimg's float pipeline costs per output pixel.
    chain = [f"scale={size[0]}:{size[1]}:flags=bicubic{colour.scale_options}", "setsar=1", *colour.filters]
    if colour.pix_fmt:
        chain.append(f"format={colour.pix_fmt}")
    if watermark:
        chain.append(watermark_filter(watermark, size))
    return ",".join(chain)


# DejaVu Sans covers Turkish and Azerbaijani letters (ə, ğ, ı, ş); the Makefile installs it.
WATERMARK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MAX_WATERMARK = 120


def escape_filter_value(text: str) -> str:
    """`text` as a value inside a filter graph: escaped once for the filter's option parser
    (\\ ' :) and once for the graph parser (\\ ' [ ] , ;), as ffmpeg-filters(1) "Notes on
    filtergraph escaping" describes. Control characters become spaces."""
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    once = "".join("\\" + ch if ch in "\\':" else ch for ch in text)
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in once)


def watermark_filter(text: str, size: tuple[int, int]) -> str:
    """drawtext: `text` (at most MAX_WATERMARK characters, no %-expansion) in white at 60 %
    opacity on a translucent box, bottom right, its height 1/20 of the picture's (at least 8 px)."""
    fontsize = max(8, size[1] // 20)
    margin = max(2, fontsize // 2)
    return (f"drawtext=fontfile={WATERMARK_FONT}:expansion=none:text={escape_filter_value(text[:MAX_WATERMARK])}"
            f":fontsize={fontsize}:fontcolor=white@0.6:box=1:boxcolor=black@0.35:boxborderw={max(1, fontsize // 4)}"
            f":x=w-tw-{margin}:y=h-th-{margin}")


def deinterlace(probe: "ProbeResult") -> list[str]:
    """The filters every picture output shares, before the split: a deinterlacer when the
    source is interlaced (done once, whatever the number of outputs)."""
    return [DEINTERLACE] if probe.interlaced else []


def video_filter(probe: "ProbeResult", size: tuple[int, int], colour: ColourPlan) -> str:
    """Deinterlace, scale to `size`, square pixels, then the colour plan (tone map, pix_fmt)."""
    return ",".join([*deinterlace(probe), scale_chain(size, colour)])


# ---- outputs: each profile's part of a command ------------------------------------------------

@dataclass(frozen=True)
class OutputPart:
    """One output of an ffmpeg command, as the profile that wants it describes it.

    `target` is the file ffmpeg writes (for a multi-file output such as HLS, its entry;
    `args` then name the other files). Each chain of `video` takes one copy of the decoded
    picture (after `deinterlace`) and ends as one video stream of this output, in order;
    `maps` are streams taken from the input as they are (audio tracks); `args` are the
    output options (codecs, per-stream metadata, muxer), placed after the maps. `at` is set
    for a still: the one instant (seconds) of the source it needs. `size` is the output's
    picture size (width, height), None without a picture. `url` is the output's name on the
    command when it is not `file:<target>` (a `tee` of several files, `tee_url`); `also`
    the other files such an output writes (their folders are made before the run).
    """

    target: str
    video: tuple[str, ...] = ()
    maps: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    at: float | None = None
    size: tuple[int, int] | None = None
    fifo: bool = False  # `target` is a named pipe the renderer creates and reads (raw PCM)
    url: str | None = None
    also: tuple[str, ...] = ()

    @property
    def output(self) -> str:
        """The output's name on the command line."""
        return self.url if self.url is not None else file_url(self.target)


OutputBuilder = Callable[[Any, "ProbeResult", str], OutputPart]
OUTPUT_BUILDERS: dict[type, OutputBuilder] = {}


def builds(profile_type: type) -> Callable[[OutputBuilder], OutputBuilder]:
    """Register the decorated function as the output builder of `profile_type`."""
    def register(fn: OutputBuilder) -> OutputBuilder:
        OUTPUT_BUILDERS[profile_type] = fn
        return fn
    return register


PartsBuilder = Callable[[Any, "ProbeResult", str, str], list[OutputPart]]
PARTS_BUILDERS: dict[type, PartsBuilder] = {}


def builds_parts(profile_type: type) -> Callable[[PartsBuilder], PartsBuilder]:
    """Register the decorated function as the builder of a multi-output profile:
    fn(profile, probe, folder, scratch) → its outputs, `folder` the rendition's files,
    `scratch` a directory for intermediate files (pipes, thumbnails) that are not."""
    def register(fn: PartsBuilder) -> PartsBuilder:
        PARTS_BUILDERS[profile_type] = fn
        return fn
    return register


def output_parts(profile: Any, probe: "ProbeResult", folder: str, scratch: str) -> list[OutputPart]:
    """Every output of `profile` on the one command: one for a single-file profile (its
    entry in `folder`), several for HLS (a rung each, an audio track each), the waveform (a
    track each). ValueError as `output_part`."""
    builder = PARTS_BUILDERS.get(type(profile))
    if builder is not None:
        return builder(profile, probe, folder, scratch)
    return [output_part(profile, probe, _join(folder, profile.entry))]


def _join(folder: str, *names: str) -> str:
    return "/".join([folder.rstrip("/"), *names])


def output_part(profile: Any, probe: "ProbeResult", dst: str) -> OutputPart:
    """The `profile`'s output writing `dst`. ValueError when no ffmpeg output makes that
    profile, or the source lacks what it needs (a picture, an audio track)."""
    builder = OUTPUT_BUILDERS.get(type(profile))
    if builder is None:
        raise ValueError(f"ffmpeg makes no {type(profile).__name__} output")
    return builder(profile, probe, dst)


@builds(VideoProxyProfile)
def video_proxy_part(profile: VideoProxyProfile, probe: "ProbeResult", dst: str) -> OutputPart:
    size = proxy_size(probe, profile)
    fps = float(probe.fps) if probe.fps else 25.0
    gop = max(1, int(round(fps * profile.keyframe_seconds)))
    audio = audio_inputs(probe)
    colour = colour_plan(probe, pix_fmt=profile.pix_fmt)
    args = ["-c:v", profile.video_codec, "-preset", profile.preset, "-crf", str(profile.crf),
            "-profile:v", profile.h264_profile, "-pix_fmt", profile.pix_fmt,
            "-g", str(gop), "-keyint_min", str(gop)]
    args += colour.output.args()
    args += _audio_args(profile, [track for _spec, track in audio]) if audio else ["-an"]
    # No tmcd track: the source timecode is kept in `technical`, and players ignore it.
    # Subtitles and data stay out: a browser's <video> shows neither from an MP4.
    args += ["-sn", "-dn", "-map_chapters", "-1", "-write_tmcd", "0"]
    if profile.faststart:
        args += ["-movflags", "+faststart"]
    args += ["-f", "mp4"]
    return OutputPart(dst, video=(scale_chain(size, colour, profile.watermark),), maps=tuple(spec for spec, _t in audio),
                      args=tuple(args), size=size)


@builds(AudioProxyProfile)
def audio_proxy_part(profile: AudioProxyProfile, probe: "ProbeResult", dst: str) -> OutputPart:
    audio = audio_inputs(probe)
    if not audio:
        raise ValueError("the file has no audio track a decoder exists for")
    args = ["-vn", "-sn", "-dn", *_audio_args(profile, [track for _spec, track in audio])]
    if profile.faststart:
        args += ["-movflags", "+faststart"]
    args += ["-f", "mp4"]
    return OutputPart(dst, maps=tuple(spec for spec, _t in audio), args=tuple(args))


@builds(PosterProfile)
def poster_part(profile: PosterProfile, probe: "ProbeResult", dst: str) -> OutputPart:
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    size = fit_within(width, height, profile.max_width, profile.max_height)
    return OutputPart(dst, video=(scale_chain(size, jpeg_plan(probe), profile.watermark),),
                      args=("-frames:v", "1", "-c:v", "mjpeg", "-q:v", str(profile.jpeg_qscale),
                            "-an", "-sn", "-dn", "-f", "image2", "-update", "1"),
                      at=poster_time(probe.duration, profile), size=size)


# ---- the player's renditions: HLS ladder, storyboard, waveform ---------------------------------

@dataclass(frozen=True)
class Rung:
    """One video rendition of the ladder: its folder name (`{lines}p`), picture size and
    peak rate (kbit/s)."""

    lines: int
    width: int
    height: int
    max_kbps: int

    @property
    def folder(self) -> str:
        return f"{self.lines}p"


def ladder(probe: "ProbeResult", profile: HlsProfile) -> list[Rung]:
    """The rungs a source gets: each of `profile.rungs` whose line count the source reaches
    (a portrait picture is fitted to the rung's 16:9 box), largest first, never upscaled;
    a source below the smallest rung gets one rung at its own (even) size. ValueError
    without a frame size."""
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    rungs: list[Rung] = []
    for lines, kbps in sorted(profile.rungs, reverse=True):
        if lines > height:
            continue
        size = fit_within(width, height, even(lines * 16 / 9), lines)
        if all(r.height != size[1] for r in rungs):
            rungs.append(Rung(lines, size[0], size[1], kbps))
    if not rungs:
        lines, kbps = min(profile.rungs)
        size = fit_within(width, height, width, height)
        rungs.append(Rung(size[1], size[0], size[1], kbps))
    return rungs


def gop_frames(probe: "ProbeResult", seconds: float) -> int:
    fps = float(probe.fps) if probe.fps else 25.0
    return max(1, int(round(fps * seconds)))


def hls_muxer_options(profile: HlsProfile, folder: str) -> list[tuple[str, str]]:
    """fMP4 HLS, segments cut at the first keyframe `segment_seconds` after the last cut
    (the forced ones); the init segment and the segments beside the playlist, named relative
    to it. (option, value) pairs, `f` the muxer.

    The playlist type is EVENT: ffmpeg 5.1 then rewrites each media playlist (by a rename)
    after every completed segment, which is what progressive publishing reads
    (`archive.renditions.live`); with VOD it writes them only at the end. `finish` turns the
    ended playlists into VOD ones (`archive.media.player_files.close_media_playlist`)."""
    return [("f", "hls"), ("hls_time", str(profile.segment_seconds)), ("hls_playlist_type", "event"),
            ("hls_segment_type", "fmp4"), ("hls_fmp4_init_filename", "init.mp4"),
            ("hls_flags", "independent_segments"),
            ("hls_segment_filename", file_url(_join(folder, "seg_%05d.m4s")))]


def hls_muxer_args(profile: HlsProfile, folder: str) -> list[str]:
    """`hls_muxer_options` as output options."""
    return [arg for key, value in hls_muxer_options(profile, folder) for arg in ("-" + key, value)]


@builds_parts(HlsProfile)
def hls_parts(profile: HlsProfile, probe: "ProbeResult", folder: str, scratch: str) -> list[OutputPart]:
    """One output per rung (`{lines}p/index.m3u8`) and per audio track (`audio_{n}/index.m3u8`);
    the master playlist is written after the run (`archive.media.hls`), from what was made."""
    if not probe.has_video:
        raise ValueError("an HLS ladder needs a picture")
    parts = []
    for rung in ladder(probe, profile):
        sub = _join(folder, rung.folder)
        chain, args = rung_encoding(profile, probe, rung)
        parts.append(OutputPart(_join(sub, "index.m3u8"), video=(chain,),
                                args=(*args, "-an", "-sn", "-dn", "-map_chapters", "-1",
                                      *hls_muxer_args(profile, sub)), size=(rung.width, rung.height)))
    parts += hls_audio_parts(profile, probe, folder)
    return parts


def rung_encoding(profile: HlsProfile, probe: "ProbeResult", rung: Rung) -> tuple[str, list[str]]:
    """(picture chain, encoder options) of one rung: CRF capped at the rung's peak rate,
    keyframes forced every `keyframe_seconds` of output time (`segment_seconds` when that
    does not divide it) and nowhere else, so every rung cuts its segments at the same instants."""
    colour = colour_plan(probe, pix_fmt=profile.pix_fmt)
    every = hls_keyframe_seconds(profile)
    gop = gop_frames(probe, every)
    args = ["-c:v", profile.video_codec, "-preset", profile.preset, "-crf", str(profile.crf),
            "-maxrate:v", f"{rung.max_kbps}k", "-bufsize:v", f"{2 * rung.max_kbps}k",
            "-profile:v", profile.h264_profile, "-pix_fmt", profile.pix_fmt,
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-force_key_frames", f"expr:gte(t,n_forced*{every})", *colour.output.args()]
    return scale_chain((rung.width, rung.height), colour, profile.watermark), args


def hls_keyframe_seconds(profile: HlsProfile) -> int:
    """The rungs' keyframe interval (s): `keyframe_seconds` when it divides `segment_seconds`."""
    every = int(profile.keyframe_seconds or 0)
    return every if every > 0 and profile.segment_seconds % every == 0 else int(profile.segment_seconds)


def hls_audio_parts(profile: HlsProfile, probe: "ProbeResult", folder: str) -> list[OutputPart]:
    """One HLS output per audio track (`audio_{n}/index.m3u8`), AAC, its language kept."""
    parts = []
    for n, (spec, track) in enumerate(audio_inputs(probe)):
        sub = _join(folder, f"audio_{n}")
        channels = profile.audio_channels
        if track is not None and track.channels:
            channels = min(track.channels, profile.audio_channels)
        args = ["-c:a", profile.audio_codec, "-b:a", profile.audio_bitrate, "-ar", str(profile.audio_rate),
                "-ac", str(channels), "-vn", "-sn", "-dn", "-map_chapters", "-1",
                "-metadata:s:a:0", f"language={iso639_2t(track.language if track else None) or 'und'}",
                *hls_muxer_args(profile, sub)]
        parts.append(OutputPart(_join(sub, "index.m3u8"), maps=(spec,), args=tuple(args)))
    return parts


def thumbnail_size(probe: "ProbeResult", profile: StoryboardProfile) -> tuple[int, int]:
    width = probe.display_width or probe.width
    height = probe.display_height or probe.height
    if not width or not height:
        raise ValueError("the video stream has no frame size")
    return even(profile.tile_width), even(profile.tile_width * height / width)


@builds_parts(StoryboardProfile)
def storyboard_parts(profile: StoryboardProfile, probe: "ProbeResult", folder: str,
                     scratch: str) -> list[OutputPart]:
    """One thumbnail every `interval_for(duration)` seconds, as numbered JPEGs in `scratch`
    (`thumb_00000.jpg`, ...), laid out on sheets after the run (`archive.media.storyboard`)."""
    if not probe.has_video:
        raise ValueError("a storyboard needs a picture")
    return [thumbnail_part(profile, probe, scratch)]


def thumbnail_part(profile: StoryboardProfile, probe: "ProbeResult", scratch: str, offset: float = 0.0) -> OutputPart:
    """The thumbnails of a picture that starts `offset` seconds into the source (a chunk):
    the first frame of each `step`-second bucket of source time (a one-frame video gets its
    frame), numbered by bucket. The selection comes first, so only thumbnails are scaled."""
    size = thumbnail_size(probe, profile)
    step = profile.interval_for(probe.duration)
    first = "1" if not offset else f"eq(mod({_ts(offset)},{step}),0)"
    pick = (f"select='if(isnan(prev_t),{first},"
            f"gt(floor((t+{_ts(offset)})/{step}),floor((prev_t+{_ts(offset)})/{step})))'")
    chain = pick + "," + scale_chain(size, jpeg_plan(probe), profile.watermark)
    start = math.ceil(round(offset / step, 6))  # buckets begun before the offset
    return OutputPart(_join(scratch, "thumb_%05d.jpg"), video=(chain,),
                      args=("-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", str(profile.jpeg_qscale),
                            "-an", "-sn", "-dn", "-f", "image2", "-start_number", str(start)), size=size)


def waveform_rate(track: "AudioStream | None", profile: WaveformProfile) -> int:
    return (track.sample_rate if track is not None and track.sample_rate else None) or profile.default_rate


@builds_parts(WaveformProfile)
def waveform_parts(profile: WaveformProfile, probe: "ProbeResult", folder: str, scratch: str) -> list[OutputPart]:
    """Each audio track mixed to mono, as raw signed 16-bit PCM into a named pipe
    (`scratch/pcm_{n}`) the renderer reduces to peaks while ffmpeg writes."""
    audio = audio_inputs(probe)
    if not audio:
        raise ValueError("the file has no audio track a decoder exists for")
    return [OutputPart(_join(scratch, f"pcm_{n}"), maps=(spec,),
                       args=("-vn", "-sn", "-dn", "-ac", "1", "-ar", str(waveform_rate(track, profile)),
                             "-c:a", "pcm_s16le", "-f", "s16le"), fifo=True)
            for n, (spec, track) in enumerate(audio)]


FINGERPRINT_FRAMES = "fingerprint.yuv"
# The frames hashed: planar Y, Cb, Cr, full range. Its Y plane is byte for byte what
# `format=gray` gives (the grey the hashes were calibrated on; checked on 8- and 10-bit,
# limited- and full-range, RGB and 4:2:2 sources), and Cb, Cr give each region its colour
# (`archive.media.fingerprints.colours`).
FINGERPRINT_PIXELS = "yuv444p"


def fingerprint_filter(rate: int, size: int, *, hold_last: bool = True) -> str:
    """The filter chain giving the frames hashed: `rate` a second (`fps` before `scale`: only
    the frames kept are scaled; `hold_last`: `eof_action=pass` hands on the frame the rounding
    at the end would drop), squeezed to `size`² (`area` averages, no aliasing), full-range
    FINGERPRINT_PIXELS (`out_range=pc`)."""
    fps = f"fps={rate}:eof_action=pass" if hold_last else f"fps={rate}"
    return f"{fps},scale={size}:{size}:flags=area:out_range=pc,format={FINGERPRINT_PIXELS}"


@builds_parts(FingerprintProfile)
def fingerprint_parts(profile: FingerprintProfile, probe: "ProbeResult", folder: str,
                      scratch: str) -> list[OutputPart]:
    """The picture `rate` times a second as raw 8-bit `frame_size`² frames (planar Y, Cb, Cr:
    `fingerprint_filter`) in `scratch/fingerprint.yuv`, hashed after the run
    (`archive.media.fingerprints`)."""
    if not probe.has_video:
        raise ValueError("fingerprints need a picture")
    frames = max(1, math.ceil(round(probe.duration * profile.rate, 6))) if probe.duration else None
    return [fingerprint_part(profile, _join(scratch, FINGERPRINT_FRAMES), frames=frames)]


def fingerprint_part(profile: FingerprintProfile, dst: str, frames: int | None = None) -> OutputPart:
    """Raw frames for hashing (`fingerprint_filter`), `profile.rate` a second from output
    time 0; at most `frames` of them (a chunk's share; ceil(duration × rate) for the whole,
    so a picture shorter than 1/rate, a one-frame video, still gets its frame:
    `eof_action=pass` hands on the frame the rounding at the end would drop)."""
    n = profile.frame_size
    limit = ("-frames:v", str(frames)) if frames else ()
    return OutputPart(dst, video=(fingerprint_filter(profile.rate, n),),
                      args=(*limit, "-an", "-sn", "-dn", "-c:v", "rawvideo", "-f", "rawvideo"), size=(n, n))


# ---- shared encodes: the MP4 proxy is the ladder's rung of its size ---------------------------

def shared_rung(proxy: VideoProxyProfile, hls: HlsProfile, probe: "ProbeResult") -> Rung | None:
    """The rung of `hls`'s ladder whose encoded stream can be the proxy's picture, or None:
    the proxy wants it (`from_ladder`), the rung has the proxy's size, the same picture chain
    (scale, colour plan, watermark) and the same encoding (codec, preset, CRF, H.264 profile,
    pixel format, keyframe interval), and, where the source has audio, both want the same
    AAC (codec, bit rate, channels, sample rate), so the audio is encoded once as well."""
    if not proxy.from_ladder or not probe.has_video:
        return None
    same_encoding = (proxy.video_codec, proxy.preset, proxy.crf, proxy.h264_profile, proxy.pix_fmt,
                     float(proxy.keyframe_seconds)) == (hls.video_codec, hls.preset, hls.crf, hls.h264_profile,
                                                        hls.pix_fmt, float(hls_keyframe_seconds(hls)))
    same_audio = (proxy.audio_codec, proxy.audio_bitrate, proxy.audio_channels, proxy.audio_rate) == \
        (hls.audio_codec, hls.audio_bitrate, hls.audio_channels, hls.audio_rate)
    if not same_encoding or not (same_audio or not audio_inputs(probe)):
        return None
    size = proxy_size(probe, proxy)
    for rung in ladder(probe, hls):
        if (rung.width, rung.height) == size:
            chain, _args = rung_encoding(hls, probe, rung)
            if chain == scale_chain(size, colour_plan(probe, pix_fmt=proxy.pix_fmt), proxy.watermark):
                return rung
    return None


def ladder_share(profiles: Sequence[Any], probe: "ProbeResult") -> tuple[HlsProfile, VideoProxyProfile, Rung] | None:
    """(the HLS profile, the proxy profile, the shared rung) when `profiles` hold both and
    they share a rung (`shared_rung`); else None."""
    hls = next((p for p in profiles if isinstance(p, HlsProfile)), None)
    proxy = next((p for p in profiles if isinstance(p, VideoProxyProfile)), None)
    if hls is None or proxy is None:
        return None
    rung = shared_rung(proxy, hls, probe)
    return (hls, proxy, rung) if rung is not None else None


def _escaped(text: str, specials: str) -> str:
    return "".join("\\" + ch if ch in specials else ch for ch in text)


def tee_url(slaves: Sequence[tuple[Sequence[tuple[str, str]], str]]) -> str:
    """The `tee` muxer's output name writing each (options, path) of `slaves`:
    `[key=value:...]file:path`, joined by '|'. Escaped as libavformat/tee.c reads it (FFmpeg
    5.1): the name is first split on '|' by av_get_token (which unescapes \\ and quotes), then
    each option value is read by av_get_token up to ':' or ']'; so values are escaped for both
    levels and paths for the first."""
    names = []
    for options, path in slaves:
        spec = ":".join(f"{key}={_escaped(value, chr(92) + chr(39) + ':]')}" for key, value in options)
        names.append(_escaped(f"[{spec}]{file_url(path)}", chr(92) + chr(39) + "|"))
    return "|".join(names)


def shared_ladder_part(hls: HlsProfile, hls_folder: str, proxy: VideoProxyProfile, proxy_folder: str,
                       probe: "ProbeResult", rung: Rung, *, copy_video: bool = False) -> OutputPart:
    """ONE output encoding `rung`'s picture and every audio track once, written by the `tee`
    muxer to the rung's media playlist (picture only), the MP4 proxy (picture and every
    track, as `video_proxy_part` writes them) and each audio rendition (`audio_{n}`, its
    track only). Its `target` is the rung's playlist, `also` the others. With `copy_video`
    the picture is an encoded stream the caller maps (a join of chunks): no chain, copied."""
    chain, video_args = rung_encoding(hls, probe, rung)
    if copy_video:
        video_args = ["-c:v", "copy"]
    audio = audio_inputs(probe)
    args = [*video_args, *(_audio_args(proxy, [track for _spec, track in audio]) if audio else ["-an"]),
            "-sn", "-dn", "-map_chapters", "-1", "-flags", "+global_header", "-f", "tee"]
    sub = _join(hls_folder, rung.folder)
    playlist = _join(sub, "index.m3u8")
    mp4 = [("f", "mp4"), ("write_tmcd", "0")] + ([("movflags", "+faststart")] if proxy.faststart else [])
    slaves: list[tuple[list[tuple[str, str]], str]] = [
        ([("select", "v"), *hls_muxer_options(hls, sub)], playlist), (mp4, _join(proxy_folder, proxy.entry))]
    for n in range(len(audio)):
        track_folder = _join(hls_folder, f"audio_{n}")
        slaves.append(([("select", f"a:{n}"), *hls_muxer_options(hls, track_folder)],
                       _join(track_folder, "index.m3u8")))
    return OutputPart(playlist, video=() if copy_video else (chain,), maps=tuple(spec for spec, _t in audio),
                      args=tuple(args),
                      size=(rung.width, rung.height), url=tee_url(slaves), also=tuple(path for _o, path in slaves[1:]))


def planned_parts(jobs: Sequence[tuple[Any, str]], probe: "ProbeResult",
                  scratch: str) -> tuple[list[OutputPart], dict[str, list[OutputPart]]]:
    """(the outputs of ONE command making every (profile, folder) of `jobs`, each profile's
    own outputs by profile name). Each profile's outputs are `output_parts`, except that
    where the MP4 proxy and the HLS ladder share a rung (`ladder_share`) that rung, the
    proxy and the audio renditions are one output (`shared_ladder_part`) in the proxy's
    place on the command, and the proxy's own list names its file and size only.
    ValueError as `output_parts`."""
    mine = {profile.name: output_parts(profile, probe, folder, scratch) for profile, folder in jobs}
    share = ladder_share([profile for profile, _folder in jobs], probe)
    if share is None:
        return [part for profile, _folder in jobs for part in mine[profile.name]], mine
    hls, proxy, rung = share
    folders = {profile.name: folder for profile, folder in jobs}
    tee = shared_ladder_part(hls, folders[hls.name], proxy, folders[proxy.name], probe, rung)
    replaced = {tee.target, *tee.also}
    parts: list[OutputPart] = []
    for profile, _folder in jobs:
        if profile is proxy:
            parts.append(tee)
        else:
            parts += [part for part in mine[profile.name] if part.target not in replaced]
    mine[proxy.name] = [OutputPart(_join(folders[proxy.name], proxy.entry), size=tee.size)]
    return parts, mine


# ---- the command: one decode, every output ----------------------------------------------------

def one_decode_command(src: str, probe: "ProbeResult", parts: Sequence[OutputPart], *,
                       window: tuple[float, float] | None = None) -> list[str]:
    """ONE ffmpeg command writing every output of `parts` from one decode of `src`.

    One output with at most one picture stream is the simple form (`-vf`; a still seeks
    with `-ss` before `-i`, which is fast, and the decoder lands on the exact frame). More
    outputs share one `-filter_complex` graph: the picture is decoded (and deinterlaced)
    once, `split` gives each picture stream its copy, and a still's copy is `trim`med to
    the one frame at its instant, so that branch ends there instead of taking every frame
    to the end; audio tracks are mapped per output straight from the input. `-progress`
    is on unless every output is a still (nothing to report). `window` (start, seconds)
    reads only that part of the source, frame-exact (a chunk; output time starts at 0).
    ValueError for no outputs.
    """
    if not parts:
        raise ValueError("a command needs at least one output")
    legs = [chain for part in parts for chain in part.video]
    cmd = list(BASE)
    if any(part.at is None for part in parts):
        cmd += PROGRESS + ["-max_error_rate", str(MAX_DECODE_ERROR_RATE)]
    if len(parts) == 1 and len(legs) <= 1:
        part = parts[0]
        if part.at is not None:
            cmd += ["-ss", _ts(part.at)]
        cmd += ["-i", file_url(src)]
        if legs:
            cmd += ["-map", video_map(probe)]
        for spec in part.maps:
            cmd += ["-map", spec]
        if legs:
            cmd += ["-vf", ",".join([*deinterlace(probe), legs[0]])]
        return cmd + list(part.args) + [part.output]

    if window is not None:
        cmd += ["-ss", _ts(window[0]), "-t", _ts(window[1])]
    cmd += ["-i", file_url(src)]
    chains = [chain if part.at is None else f"{_still_trim(part.at)},{chain}"
              for part in parts for chain in part.video]
    if chains:
        cmd += ["-filter_complex", filter_graph(video_map(probe), deinterlace(probe), chains)]
    leg = 0
    for part in parts:
        for _chain in part.video:
            cmd += ["-map", f"[v{leg}]"]
            leg += 1
        for spec in part.maps:
            cmd += ["-map", spec]
        cmd += list(part.args) + [part.output]
    return cmd


def filter_graph(source: str, shared: list[str], chains: list[str]) -> str:
    """`[source]` through the `shared` filters, split into one copy per chain; copy k ends
    as the pad `[vk]`."""
    head = f"[{source}]"
    if len(chains) == 1:
        return head + ",".join([*shared, chains[0]]) + "[v0]"
    head += ",".join([*shared, f"split={len(chains)}"]) + "".join(f"[s{k}]" for k in range(len(chains)))
    return ";".join([head, *(f"[s{k}]{chain}[v{k}]" for k, chain in enumerate(chains))])


def _still_trim(at: float) -> str:
    # The first frame at or after `at` (as a seek lands), then that frame alone: the
    # second trim counts the frames it receives and ends the branch after one, so one
    # frame is scaled and the split stops feeding the branch.
    return f"trim=start={_ts(at)},trim=end_frame=1"


def video_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: VideoProxyProfile) -> list[str]:
    """The proxy alone (one output of `one_decode_command`)."""
    return one_decode_command(src, probe, [video_proxy_part(profile, probe, dst)])


def audio_proxy_command(src: str, dst: str, probe: "ProbeResult", profile: AudioProxyProfile) -> list[str]:
    """The audio proxy alone; ValueError when no audio track can be decoded."""
    return one_decode_command(src, probe, [audio_proxy_part(profile, probe, dst)])


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
    """The poster alone: a seek before the input, one frame."""
    return one_decode_command(src, probe, [poster_part(profile, probe, dst)])


def _ts(seconds: float) -> str:
    return f"{seconds:.3f}"
