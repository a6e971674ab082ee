"""Make one rendition file from a local source: profile → command → runner (or Pillow)."""
from __future__ import annotations

import dataclasses
import os
from typing import Callable

from archive.media import commands, images
from archive.media.probe import ProbeResult
from archive.media.profiles import AudioProxyProfile, PosterProfile, Profile, VideoProxyProfile
from archive.media.runner import MediaError, run


def render(profile: Profile, src: str, dst: str, *, kind: str, probe: ProbeResult | None, timeout: float,
           on_progress: Callable[[float], None] | None = None) -> tuple[int | None, int | None]:
    """Write the rendition to `dst`; return its (width, height) where it has one."""
    if kind == "image":
        if not isinstance(profile, PosterProfile):
            raise MediaError(f"images have no {profile.name} rendition")
        return images.make_preview(src, dst, profile)
    if probe is None:
        raise MediaError("audio/video renditions need the probe result")
    if isinstance(profile, VideoProxyProfile):
        run(commands.video_proxy_command(src, dst, probe, profile), timeout=timeout,
            duration=probe.duration, on_progress=on_progress)
        size = commands.proxy_size(probe, profile)
    elif isinstance(profile, AudioProxyProfile):
        run(commands.audio_proxy_command(src, dst, probe, profile), timeout=timeout,
            duration=probe.duration, on_progress=on_progress)
        size = (None, None)
    elif isinstance(profile, PosterProfile):
        size = _poster(src, dst, probe, profile, timeout)
    else:
        raise MediaError(f"no renderer for profile {profile!r}")
    if not os.path.exists(dst) or os.path.getsize(dst) == 0:
        raise MediaError(f"ffmpeg finished but wrote no {profile.name}")
    return size


def _poster(src: str, dst: str, probe: ProbeResult, profile: PosterProfile, timeout: float):
    run(commands.poster_command(src, dst, probe, profile), timeout=timeout)
    if not os.path.exists(dst) or os.path.getsize(dst) == 0:
        # Seeking past the last decodable frame writes nothing (streams shorter than the
        # container says); the first frame is always there.
        run(commands.poster_command(src, dst, dataclasses.replace(probe, duration=0.0), profile), timeout=timeout)
    w, h = probe.display_width or probe.width, probe.display_height or probe.height
    return commands.fit_within(w, h, profile.max_width, profile.max_height)
