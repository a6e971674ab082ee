"""Long media in parallel: the picture encoded in chunks, then joined into the same outputs.

A source longer than the chunk length is cut, in output time, at multiples of the chunk
length rounded up to the HLS segment length (`plan`), so every chunk starts on a keyframe
of every output (the rungs and the proxy force one every `keyframe_seconds`, which divides
the segment length) and HLS segments never straddle a join. Each chunk is ONE ffmpeg command
(`chunk_command`): it reads only its window of the source, frame-exact (`-ss`/`-t` before
`-i`), decodes it once and writes, video only, every rung and the proxy picture as MP4 (no
proxy when it is a rung's stream, `commands.ladder_share`), its storyboard thumbnails
(numbered by source-time bucket) and the poster if the poster's instant is in it. Chunks
are independent: any process on any host can make one from the original.

The join (`join_command`) is ONE ffmpeg command that copies each video stream's chunks end
to end (concat demuxer, no re-encode) into the HLS rungs and the proxy, and takes the audio
from the source itself, whole: every audio track is encoded from the start, so there is no
seam in the sound and A/V sync is that of the source (once for the proxy and the audio
renditions when the proxy shares a rung: one `tee` writes that rung, the proxy and the audio
renditions, as in a single pass); the waveform peaks are read in the same pass. What
follows (master playlist, storyboard sheets, peaks) is as for a single pass
(`archive.media.render`).
"""
from __future__ import annotations

import dataclasses
import math
import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from archive.media import commands
from archive.media.commands import OutputPart, file_url
from archive.media.profiles import (FingerprintProfile, HlsProfile, PosterProfile, StoryboardProfile, VideoProxyProfile,
                                   WaveformProfile)

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult

# Chunk outputs, inside a chunk's folder.
PROXY_VIDEO = "proxy.mp4"
THUMBS = "thumbs"
POSTER_FILE = "poster.jpg"


@dataclass(frozen=True)
class Chunk:
    """One window of the source: its number, start and length (seconds, output time)."""

    index: int
    start: float
    seconds: float


def chunk_length(chunk_seconds: float, profiles: Sequence[object]) -> float:
    """`chunk_seconds` rounded up to a whole number of HLS segments (and proxy GOPs)."""
    grid = 1.0
    for profile in profiles:
        if isinstance(profile, HlsProfile):
            grid = math.lcm(int(grid), int(profile.segment_seconds))
        if isinstance(profile, VideoProxyProfile):
            grid = math.lcm(int(grid), max(1, int(profile.keyframe_seconds)))
    return max(grid, math.ceil(chunk_seconds / grid) * grid)


def plan(duration: float | None, chunk_seconds: float, profiles: Sequence[object]) -> list[Chunk]:
    """The chunks of a source of `duration` seconds; one chunk (the whole) when it is not
    longer than one chunk length. The last chunk takes the rest (at most one length)."""
    if not duration or duration <= 0:
        return [Chunk(0, 0.0, 0.0)]
    length = chunk_length(chunk_seconds, profiles)
    count = max(1, math.ceil(round(duration / length, 6)))
    return [Chunk(k, k * length, min(length, duration - k * length) if k == count - 1 else length)
            for k in range(count)]


def chunked(probe: "ProbeResult", profiles: Sequence[object], chunk_seconds: float) -> bool:
    """Whether to make these profiles in chunks: a picture longer than one chunk length, a
    picture encode among them (proxy or HLS: a poster or a storyboard alone is cheap), and
    only the profiles the chunked path knows (proxy, poster, HLS, storyboard, waveform,
    fingerprints)."""
    known = (VideoProxyProfile, PosterProfile, HlsProfile, StoryboardProfile, WaveformProfile, FingerprintProfile)
    encodes = any(isinstance(p, (VideoProxyProfile, HlsProfile)) for p in profiles)  # what chunks are for
    return (probe.has_video and encodes and bool(probe.duration)
            and probe.duration > chunk_length(chunk_seconds, profiles) and all(isinstance(p, known) for p in profiles))


def _silent(probe: "ProbeResult") -> "ProbeResult":
    return dataclasses.replace(probe, audio_codec=None, audio_tracks=0,
                               streams=tuple(s for s in probe.streams if s.type != "audio"))


def chunk_parts(profiles: Sequence[object], probe: "ProbeResult", chunk: Chunk, folder: str) -> list[OutputPart]:
    """The outputs of one chunk in `folder`: `{lines}p.mp4` per rung, `proxy.mp4` (picture
    only; none when the proxy is a rung's stream, `commands.ladder_share`),
    `thumbs/thumb_NNNNN.jpg`, `poster.jpg` when the poster's instant is in the chunk."""
    silent = _silent(probe)
    share = commands.ladder_share(profiles, probe)
    parts: list[OutputPart] = []
    for profile in profiles:
        if share is not None and profile is share[1]:
            continue  # the proxy's picture is the shared rung's, joined from its chunks
        if isinstance(profile, HlsProfile):
            for rung in commands.ladder(probe, profile):
                chain, args = commands.rung_encoding(profile, probe, rung)
                parts.append(OutputPart(f"{folder}/{rung.folder}.mp4", video=(chain,),
                                        args=(*args, "-an", "-sn", "-dn", "-map_chapters", "-1", "-f", "mp4"),
                                        size=(rung.width, rung.height)))
        elif isinstance(profile, VideoProxyProfile):
            parts.append(commands.video_proxy_part(profile, silent, f"{folder}/{PROXY_VIDEO}"))
        elif isinstance(profile, StoryboardProfile):
            parts.append(commands.thumbnail_part(profile, probe, f"{folder}/{THUMBS}", offset=chunk.start))
        elif isinstance(profile, FingerprintProfile):
            parts.append(commands.fingerprint_part(profile, f"{folder}/{commands.FINGERPRINT_FRAMES}",
                                                   frames=math.ceil(round(chunk.seconds * profile.rate, 6))))
        elif isinstance(profile, PosterProfile):
            at = commands.poster_time(probe.duration, profile)
            if chunk.start <= at < chunk.start + chunk.seconds:
                part = commands.poster_part(profile, probe, f"{folder}/{POSTER_FILE}")
                parts.append(dataclasses.replace(part, at=round(at - chunk.start, 3)))
    return parts


def chunk_command(src: str, probe: "ProbeResult", profiles: Sequence[object], chunk: Chunk,
                  folder: str) -> list[str]:
    """ONE ffmpeg command making `chunk_parts` from the chunk's window of `src`."""
    parts = chunk_parts(profiles, probe, chunk, folder)
    return commands.one_decode_command(src, probe, parts, window=(chunk.start, chunk.seconds))


def concat_list(paths: Sequence[str]) -> str:
    """An ffconcat script of `paths` (absolute, ours), quoted as the concat demuxer reads them."""
    lines = ["ffconcat version 1.0"]
    for path in paths:
        lines.append("file '" + str(path).replace("'", "'\\''") + "'")
    return "\n".join(lines) + "\n"


def join_command(src: str, probe: "ProbeResult", profiles: Sequence[object], chunk_folders: Sequence[str],
                 folders: dict[str, str], scratch: str) -> tuple[list[str], dict[str, str], list[OutputPart]]:
    """ONE ffmpeg command joining the chunks into the renditions' folders: (argv, {concat
    script path: its text} to write first, the waveform's pipe outputs). Pictures are
    copied; audio is encoded from `src` (the last input)."""
    inputs: list[str] = []
    scripts: dict[str, str] = {}
    outputs: list[str] = []
    pipes: list[OutputPart] = []

    def concat_input(name: str) -> int:
        path = f"{scratch}/{name}.ffconcat"
        scripts[path] = concat_list([f"{folder}/{name}" for folder in chunk_folders])
        inputs.extend(["-f", "concat", "-safe", "0", "-i", file_url(path)])
        return sum(1 for a in inputs if a == "-i") - 1

    audio = commands.audio_inputs(probe)
    share = commands.ladder_share(profiles, probe)
    for profile in profiles:
        if isinstance(profile, HlsProfile):
            folder = folders[profile.name]
            for rung in commands.ladder(probe, profile):
                n = concat_input(f"{rung.folder}.mp4")
                if share is not None and rung == share[2]:
                    # the rung, the proxy and the audio renditions: one tee, audio encoded once
                    tee = commands.shared_ladder_part(profile, folder, share[1], folders[share[1].name], probe,
                                                      rung, copy_video=True)
                    outputs += ["-map", f"{n}:v:0", *_remapped(tee)]
                    continue
                sub = f"{folder}/{rung.folder}"
                outputs += ["-map", f"{n}:v:0", "-c:v", "copy", "-an", "-sn", "-dn", "-map_chapters", "-1",
                            *commands.hls_muxer_args(profile, sub), file_url(f"{sub}/index.m3u8")]
        elif isinstance(profile, VideoProxyProfile):
            if share is not None:
                continue  # written by the shared rung's tee
            n = concat_input(PROXY_VIDEO)
            outputs += ["-map", f"{n}:v:0"]
            outputs += [a for spec, _t in audio for a in ("-map", "SRC:" + spec.split(":", 1)[1])]
            outputs += ["-c:v", "copy"]
            outputs += commands._audio_args(profile, [t for _s, t in audio]) if audio else ["-an"]
            outputs += ["-sn", "-dn", "-map_chapters", "-1", "-write_tmcd", "0"]
            if profile.faststart:
                outputs += ["-movflags", "+faststart"]
            outputs += ["-f", "mp4", file_url(f"{folders[profile.name]}/{profile.entry}")]
    for profile in profiles:
        if isinstance(profile, HlsProfile) and share is None:
            for part in commands.hls_audio_parts(profile, probe, folders[profile.name]):
                outputs += _remapped(part)
        elif isinstance(profile, WaveformProfile):
            for part in commands.waveform_parts(profile, probe, folders[profile.name], scratch):
                outputs += _remapped(part)
                pipes.append(part)
    source = sum(1 for a in inputs if a == "-i")
    inputs += ["-i", file_url(src)]
    outputs = [a.replace("SRC:", f"{source}:", 1) if a.startswith("SRC:") else a for a in outputs]
    argv = [*commands.BASE, *commands.PROGRESS, *inputs, *outputs]
    return argv, scripts, pipes


def preview_command(src: str, probe: "ProbeResult", profile: HlsProfile, chunk: Chunk, chunk_folder: str,
                    folder: str) -> list[str]:
    """ONE ffmpeg command making the HLS outputs of one chunk alone into `folder`, laid out as
    the ladder's folder: each rung's chunk picture (`chunk_parts`) copied, every audio track
    encoded from `src` up to the chunk's end. What a make in chunks can publish as soon as its
    first chunk is done, before the join (`archive.renditions.live`); the segments cut at the
    same instants as the join's (chunks start on segment boundaries). The output folders must
    exist."""
    rungs = commands.ladder(probe, profile)
    inputs: list[str] = []
    outputs: list[str] = []
    for n, rung in enumerate(rungs):
        inputs += ["-i", file_url(f"{chunk_folder}/{rung.folder}.mp4")]
        sub = f"{folder}/{rung.folder}"
        outputs += ["-map", f"{n}:v:0", "-c:v", "copy", "-an", "-sn", "-dn", "-map_chapters", "-1",
                    *commands.hls_muxer_args(profile, sub), file_url(f"{sub}/index.m3u8")]
    inputs += ["-t", f"{chunk.start + chunk.seconds:.3f}", "-i", file_url(src)]
    for part in commands.hls_audio_parts(profile, probe, folder):
        outputs += [a.replace("SRC:", f"{len(rungs)}:", 1) if a.startswith("SRC:") else a for a in _remapped(part)]
    return [*commands.BASE, *commands.PROGRESS, *inputs, *outputs]


def _remapped(part: OutputPart) -> list[str]:
    """An audio-only output of the single-pass builders, its maps taken from the source input."""
    out: list[str] = []
    for spec in part.maps:
        out += ["-map", "SRC:" + spec.split(":", 1)[1]]
    return out + list(part.args) + [part.output]


def join_fingerprint_frames(profile: FingerprintProfile, chunk_folders: Sequence[str], scratch: str) -> OutputPart:
    """Every chunk's raw frames end to end in `scratch/fingerprint.yuv` (each chunk starts
    on a whole second and has `ceil(seconds × rate)` frames, so frame k of the whole is at
    k / rate seconds, as in one pass): the part `finish` hashes."""
    target = f"{scratch}/{commands.FINGERPRINT_FRAMES}"
    with open(target, "wb") as out:
        for folder in chunk_folders:
            path = os.path.join(folder, commands.FINGERPRINT_FRAMES)
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    shutil.copyfileobj(fh, out)
    return OutputPart(target, size=(profile.frame_size, profile.frame_size))


def chunk_thumbs(chunk_folders: Sequence[str]) -> list[str]:
    """Every chunk's thumbnails, in bucket order (their names are bucket numbers)."""
    found = []
    for folder in chunk_folders:
        thumbs = os.path.join(folder, THUMBS)
        if os.path.isdir(thumbs):
            found += [os.path.join(thumbs, name) for name in os.listdir(thumbs) if name.endswith(".jpg")]
    return sorted(found, key=os.path.basename)
