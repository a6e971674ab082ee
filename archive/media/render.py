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
import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Callable, Sequence

from archive.media import commands, images, player_files
from archive.media.probe import ProbeResult
from archive.media.profiles import HlsProfile, Profile, StoryboardProfile, WaveformProfile
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
               on_progress: ProgressCallback | None = None) -> dict[str, Made]:
        """Make every job's files from the local `src`; {profile name: Made}."""


class FfmpegRenderer(Renderer):
    """Every job on one ffmpeg command: one decode, every output of every profile
    (`commands.output_parts`); then each profile's files beside the media (`finish`)."""

    def render(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult | None, timeout: float,
               on_progress: ProgressCallback | None = None) -> dict[str, Made]:
        if probe is None:
            raise MediaError("audio/video renditions need the probe result")
        scratch = tempfile.mkdtemp(prefix=".scratch-", dir=os.path.dirname(os.path.abspath(jobs[0][1])))
        readers: dict[str, player_files.PeakReader] = {}
        try:
            planned = [(profile, folder, commands.output_parts(profile, probe, folder, scratch))
                       for profile, folder in jobs]
            parts = [part for _profile, _folder, mine in planned for part in mine]
            for profile, _folder, mine in planned:
                for n, part in enumerate(mine):
                    if part.fifo:
                        os.mkfifo(part.target, 0o600)
                        readers[part.target] = player_files.PeakReader(
                            part.target, *_peak_settings(profile, probe, n)).start()
                    else:
                        os.makedirs(os.path.dirname(part.target), exist_ok=True)
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

    def finish(self, profile: Profile, folder: str, parts: list[commands.OutputPart], src: str, probe: ProbeResult,
               scratch: str, readers: dict[str, "player_files.PeakReader"], timeout: float) -> Made:
        """Check what ffmpeg wrote for `profile` and write the files around it (master
        playlist, sheets and cues, peaks); MediaError when something is missing."""
        if isinstance(profile, HlsProfile):
            rungs = commands.ladder(probe, profile)
            player_files.write_master(folder, rungs, [t for _s, t in commands.audio_inputs(probe)])
            return Made(rungs[0].width, rungs[0].height)
        if isinstance(profile, StoryboardProfile):
            player_files.write_storyboard(folder, scratch, profile, probe.duration, parts[0].size)
            return Made(*parts[0].size)
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
