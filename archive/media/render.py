"""Make rendition files from a local source, with the renderer each profile names.

`RENDERERS` maps a profile's `renderer` (`archive.media.profiles`) to the code that makes
it: `ffmpeg` puts every profile it is given on ONE command (`commands.one_decode_command`),
so the renditions of an asset come from one decode of the source; `still` makes image
previews with Pillow. A renderer writes each profile's files into that profile's own
directory, its entry file (`profile.entry`) at the top, and returns the picture size of
each; it raises MediaError (or the runner's CommandFailed) when it cannot.
"""
from __future__ import annotations

import abc
import concurrent.futures
import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Callable, Sequence

from archive.media import chunks, commands, fingerprints, images, player_files
from archive.media.probe import ProbeResult
from archive.media.profiles import (FingerprintProfile, HlsProfile, PosterProfile, Profile, StoryboardProfile,
                                   WaveformProfile)
from archive.media.runner import MediaError, run

ProgressCallback = Callable[[float], None]
Job = tuple[Profile, str]  # (profile, the directory its files go to)


@dataclass(frozen=True)
class Made:
    """What a renderer says of one rendition it made: its picture size, where it has one."""

    width: int | None = None
    height: int | None = None


class Renderer(abc.ABC):
    @abc.abstractmethod
    def render(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult | None, timeout: float,
               on_progress: ProgressCallback | None = None, **options) -> dict[str, Made]:
        """Make every job's files from the local `src`; {profile name: Made}. `options` are
        the renderer's own (ffmpeg: `chunk_seconds`, `parallel`)."""


class FfmpegRenderer(Renderer):
    """Every job on one ffmpeg command: one decode, every output of every profile
    (`commands.output_parts`); then each profile's files beside the media (`finish`)."""

    def render(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult | None, timeout: float,
               on_progress: ProgressCallback | None = None, chunk_seconds: float | None = None,
               parallel: int = 1, **_options) -> dict[str, Made]:
        """One command for everything; or, for a picture longer than `chunk_seconds`, chunks
        encoded by up to `parallel` commands at once, then one join (`archive.media.chunks`)."""
        if probe is None:
            raise MediaError("audio/video renditions need the probe result")
        if chunk_seconds and chunks.chunked(probe, [p for p, _f in jobs], chunk_seconds):
            return self.render_chunked(jobs, src, probe=probe, timeout=timeout, on_progress=on_progress,
                                       chunk_seconds=chunk_seconds, parallel=parallel)
        scratch = tempfile.mkdtemp(prefix=".scratch-", dir=os.path.dirname(os.path.abspath(jobs[0][1])))
        readers: dict[str, player_files.PeakReader] = {}
        try:
            parts, own = commands.planned_parts(jobs, probe, scratch)
            planned = [(profile, folder, own[profile.name]) for profile, folder in jobs]
            for profile, _folder, mine in planned:
                for n, part in enumerate(mine):
                    if part.fifo:
                        os.mkfifo(part.target, 0o600)
                        readers[part.target] = player_files.PeakReader(
                            part.target, *_peak_settings(profile, probe, n)).start()
            for part in parts:
                for path in (part.target, *part.also):
                    if not part.fifo:
                        os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                run(commands.one_decode_command(src, probe, parts), timeout=timeout, duration=probe.duration,
                    on_progress=on_progress)
            finally:
                for reader in readers.values():
                    reader.release()
            return {profile.name: self.finish(profile, folder, mine, src, probe, scratch, readers, timeout)
                    for profile, folder, mine in planned}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def render_chunked(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult, timeout: float,
                       on_progress: ProgressCallback | None, chunk_seconds: float, parallel: int) -> dict[str, Made]:
        profiles = [p for p, _f in jobs]
        folders = {p.name: folder for p, folder in jobs}
        scratch = tempfile.mkdtemp(prefix=".scratch-", dir=os.path.dirname(os.path.abspath(jobs[0][1])))
        try:
            planned = chunks.plan(probe.duration, chunk_seconds, profiles)
            chunk_dirs = [os.path.join(scratch, f"chunk_{c.index:05d}") for c in planned]
            done: list[float] = []

            def encode(chunk: chunks.Chunk) -> None:
                make_chunk(src, probe, profiles, chunk, chunk_dirs[chunk.index], timeout=timeout)
                done.append(chunk.seconds)

            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
                futures = [pool.submit(encode, chunk) for chunk in planned]
                try:
                    for future in concurrent.futures.as_completed(futures):
                        future.result()
                        if on_progress is not None and probe.duration:
                            on_progress(0.8 * sum(done) / probe.duration)  # the join is the rest
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
            return self.join(jobs, src, probe=probe, chunk_dirs=chunk_dirs, scratch=scratch, timeout=timeout,
                             folders=folders, on_progress=on_progress)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def join(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult, chunk_dirs: Sequence[str], scratch: str,
             timeout: float, folders: dict[str, str], on_progress: ProgressCallback | None = None) -> dict[str, Made]:
        """Join the chunks in `chunk_dirs` into the jobs' folders (one ffmpeg command, pictures
        copied, audio from `src`), then finish each profile as a single pass does."""
        profiles = [p for p, _f in jobs]
        argv, scripts, pipes = chunks.join_command(src, probe, profiles, chunk_dirs, folders, scratch)
        for path, text in scripts.items():
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        for profile, folder in jobs:
            if isinstance(profile, HlsProfile):
                for rung in commands.ladder(probe, profile):
                    os.makedirs(os.path.join(folder, rung.folder), exist_ok=True)
                for n, _track in enumerate(commands.audio_inputs(probe)):
                    os.makedirs(os.path.join(folder, f"audio_{n}"), exist_ok=True)
        readers = {}
        waveform = next((p for p in profiles if isinstance(p, WaveformProfile)), None)
        for n, part in enumerate(pipes):
            os.mkfifo(part.target, 0o600)
            readers[part.target] = player_files.PeakReader(part.target, *_peak_settings(waveform, probe, n)).start()
        join_progress = None
        if on_progress is not None:
            def join_progress(fraction: float) -> None:
                on_progress(0.8 + 0.2 * fraction)
        try:
            run(argv, timeout=timeout, duration=probe.duration, on_progress=join_progress)
        finally:
            for reader in readers.values():
                reader.release()
        thumbs = chunks.chunk_thumbs(chunk_dirs)
        for path in thumbs:
            os.replace(path, os.path.join(scratch, os.path.basename(path)))
        made = {}
        for profile, folder in jobs:
            if isinstance(profile, StoryboardProfile):
                parts = [commands.OutputPart(os.path.join(scratch, "thumb_%05d.jpg"),
                                             size=commands.thumbnail_size(probe, profile))]
            elif isinstance(profile, WaveformProfile):
                parts = pipes
            elif isinstance(profile, PosterProfile):
                target = os.path.join(folder, profile.entry)
                for chunk_dir in chunk_dirs:
                    if _written(os.path.join(chunk_dir, chunks.POSTER_FILE)):
                        os.replace(os.path.join(chunk_dir, chunks.POSTER_FILE), target)
                parts = [dataclasses.replace(commands.poster_part(profile, probe, target))]
            elif isinstance(profile, HlsProfile):
                parts = []
            elif isinstance(profile, FingerprintProfile):
                parts = [chunks.join_fingerprint_frames(profile, chunk_dirs, scratch)]
            else:
                parts = [commands.OutputPart(os.path.join(folder, profile.entry),
                                             size=commands.proxy_size(probe, profile))]
            made[profile.name] = self.finish(profile, folder, parts, src, probe, scratch, readers, timeout)
        return made

    def finish(self, profile: Profile, folder: str, parts: list[commands.OutputPart], src: str, probe: ProbeResult,
               scratch: str, readers: dict[str, "player_files.PeakReader"], timeout: float) -> Made:
        """Check what ffmpeg wrote for `profile` and write the files around it (master
        playlist, sheets and cues, peaks); MediaError when something is missing."""
        if isinstance(profile, HlsProfile):
            rungs = commands.ladder(probe, profile)
            media = [rung.folder for rung in rungs] + [f"audio_{n}" for n in range(len(commands.audio_inputs(probe)))]
            for sub in media:
                player_files.close_media_playlist(os.path.join(folder, sub, "index.m3u8"))
            player_files.write_master(folder, rungs, [t for _s, t in commands.audio_inputs(probe)])
            return Made(rungs[0].width, rungs[0].height)
        if isinstance(profile, StoryboardProfile):
            player_files.write_storyboard(folder, scratch, profile, probe.duration, parts[0].size)
            return Made(*parts[0].size)
        if isinstance(profile, FingerprintProfile):
            count = fingerprints.hash_file(parts[0].target, os.path.join(folder, profile.entry), profile.frame_size,
                                           crops=profile.crops, corners=profile.corners,
                                           aspect=probe.display_aspect, cut_aspects=profile.cuts,
                                           colour_dst=os.path.join(folder, fingerprints.COLOUR_ENTRY))
            with open(os.path.join(folder, fingerprints.LAYOUT_ENTRY), "w", encoding="utf-8") as fh:
                json.dump(fingerprints.layout(count, profile.rate, profile.crops, profile.cuts, probe.display_aspect),
                          fh)
            return Made()
        if isinstance(profile, WaveformProfile):
            tracks = [t for _s, t in commands.audio_inputs(probe)]
            for n, (part, track) in enumerate(zip(parts, tracks)):
                peaks = readers[part.target].result()
                if peaks.size == 0:
                    raise MediaError(f"ffmpeg decoded no samples of audio track {n}")
                rate = commands.waveform_rate(track, profile)
                spp, bits = _peak_settings(profile, probe, n)
                player_files.write_waveform(folder, n, player_files.waveform_document(peaks, rate, spp, bits))
            return Made()
        part = parts[0]
        if part.at is not None and not _written(part.target):
            # A still past the last decodable frame gets nothing (streams shorter than
            # the container says); the first frame is always there.
            first = commands.output_part(profile, dataclasses.replace(probe, duration=0.0), part.target)
            run(commands.one_decode_command(src, probe, [first]), timeout=timeout)
        if not _written(part.target):
            raise MediaError(f"ffmpeg finished but wrote no {profile.name}")
        return Made(*(part.size or (None, None)))


def make_chunk(src: str, probe: ProbeResult, profiles: Sequence[Profile], chunk: "chunks.Chunk", folder: str, *,
               timeout: float, on_progress: ProgressCallback | None = None) -> None:
    """Encode one chunk of `src` into `folder` (`archive.media.chunks.chunk_parts`): one
    ffmpeg command reading the chunk's window only. Raises CommandFailed."""
    os.makedirs(folder, exist_ok=True)
    for part in chunks.chunk_parts(profiles, probe, chunk, folder):
        os.makedirs(os.path.dirname(part.target), exist_ok=True)
    run(chunks.chunk_command(src, probe, profiles, chunk, folder), timeout=timeout, duration=chunk.seconds,
        on_progress=on_progress)


def make_chunk_preview(src: str, probe: ProbeResult, profile: HlsProfile, chunk: "chunks.Chunk", chunk_folder: str,
                       folder: str, *, timeout: float) -> None:
    """The HLS outputs of one encoded chunk (in `chunk_folder`) alone, into `folder`
    (`chunks.preview_command`). Raises CommandFailed."""
    for rung in commands.ladder(probe, profile):
        os.makedirs(os.path.join(folder, rung.folder), exist_ok=True)
    for n, _track in enumerate(commands.audio_inputs(probe)):
        os.makedirs(os.path.join(folder, f"audio_{n}"), exist_ok=True)
    run(chunks.preview_command(src, probe, profile, chunk, chunk_folder, folder), timeout=timeout,
        duration=chunk.seconds)


def _peak_settings(profile: WaveformProfile, probe: ProbeResult, n: int) -> tuple[int, int]:
    """(samples per pixel, bits) of the n-th audio track's peaks."""
    track = commands.audio_inputs(probe)[n][1]
    return profile.samples_per_pixel(probe.duration, commands.waveform_rate(track, profile)), profile.bits


class StillImageRenderer(Renderer):
    """Previews of still images with Pillow (upright per EXIF, decompression bombs refused)."""

    def render(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult | None, timeout: float,
               on_progress: ProgressCallback | None = None) -> dict[str, Made]:
        return {profile.name: Made(*images.make_preview(src, os.path.join(folder, profile.entry), profile))
                for profile, folder in jobs}


RENDERERS: dict[str, Renderer] = {"ffmpeg": FfmpegRenderer(), "still": StillImageRenderer()}


def renderer_for(profile: Profile) -> Renderer:
    """The renderer `profile.renderer` names; MediaError when there is none."""
    try:
        return RENDERERS[profile.renderer]
    except (KeyError, AttributeError):
        raise MediaError(f"no renderer for profile {profile!r}") from None


def render(profile: Profile, src: str, dst: str, *, probe: ProbeResult | None, timeout: float,
           on_progress: ProgressCallback | None = None) -> tuple[int | None, int | None]:
    """Make one single-file rendition at `dst`; its (width, height) where it has one."""
    folder = tempfile.mkdtemp(prefix=".render-", dir=os.path.dirname(os.path.abspath(dst)))
    try:
        made = renderer_for(profile).render([(profile, folder)], src, probe=probe, timeout=timeout,
                                            on_progress=on_progress)[profile.name]
        os.replace(os.path.join(folder, profile.entry), dst)
        return made.width, made.height
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _written(path: str) -> bool:
    return os.path.exists(path) and os.path.getsize(path) > 0
