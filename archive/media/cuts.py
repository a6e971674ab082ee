"""Stream-copy cuts of a segment of a master (no re-encode): the command as data, and the run.

A stream copy starts at the keyframe at or before `start` (ffmpeg's input seek), so the cut
may begin a little earlier than asked; the basket zip's manifest gives the segment asked for.
The clip export's frame-exact cutter can take this one's place later.
"""
from __future__ import annotations

from archive.media import runner


def _ts(seconds: float) -> str:
    return f"{max(0.0, seconds):.6f}"


def segment_copy_command(src: str, dst: str, start: float, seconds: float) -> list[str]:
    """ffmpeg argv copying every video, audio and subtitle stream of `src` from `start` for
    `seconds` (both in seconds from the file's first frame) into `dst` (the container from its
    extension). Data streams (a QuickTime `tmcd` track) are left out: most muxers cannot take
    them by copy; the manifest carries the segment's timecodes."""
    return ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-ss", _ts(start), "-i", src, "-t", _ts(seconds),
            "-map", "0:v?", "-map", "0:a?", "-map", "0:s?", "-c", "copy", "-avoid_negative_ts", "make_zero", "-progress", "pipe:1", dst]


def cut_segment(src: str, dst: str, start: float, seconds: float, *, timeout: float) -> None:
    """Write the segment to `dst`; raises archive.media.runner.CommandFailed / CommandTimeout."""
    runner.run(segment_copy_command(src, dst, start, seconds), timeout=timeout)
