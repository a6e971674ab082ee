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

from archive.media import commands, images
from archive.media.probe import ProbeResult
from archive.media.profiles import Profile
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
    """Every job on one ffmpeg command: one decode, one output per profile."""

    def render(self, jobs: Sequence[Job], src: str, *, probe: ProbeResult | None, timeout: float,
               on_progress: ProgressCallback | None = None) -> dict[str, Made]:
        if probe is None:
            raise MediaError("audio/video renditions need the probe result")
        parts = [commands.output_part(profile, probe, os.path.join(folder, profile.entry))
                 for profile, folder in jobs]
        run(commands.one_decode_command(src, probe, parts), timeout=timeout, duration=probe.duration,
            on_progress=on_progress)
        made = {}
        for (profile, _folder), part in zip(jobs, parts):
            if part.at is not None and not _written(part.target):
                # A still past the last decodable frame gets nothing (streams shorter than
                # the container says); the first frame is always there.
                first = commands.output_part(profile, dataclasses.replace(probe, duration=0.0), part.target)
                run(commands.one_decode_command(src, probe, [first]), timeout=timeout)
            if not _written(part.target):
                raise MediaError(f"ffmpeg finished but wrote no {profile.name}")
            made[profile.name] = Made(*(part.size or (None, None)))
        return made


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
