"""Tiny masters for clip tests: a burnt-in frame counter (drawtext) on lavfi sources, and the
decoded pictures' hashes (ffmpeg's framemd5) to compare frames of a clip with its master's."""
from __future__ import annotations

import subprocess
from pathlib import Path


def make_master(out: Path, *, rate: str = "25", seconds: int = 3, gop: int = 12, timecode: str = "10:00:00:00",
                audio_tracks: int = 2, bframes: int = 0) -> Path:
    """A 160x90 H.264 master at `rate` with the frame number drawn on every picture, a keyframe
    every `gop` frames, `bframes` B-frames between references (decode order then runs ahead of
    display order, as in most broadcast H.264), `audio_tracks` AAC tracks and the start `timecode`."""
    if out.exists():
        return out
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"testsrc2=size=160x90:rate={rate}:duration={seconds},"
            "drawtext=text='%{frame_num}':fontsize=40:fontcolor=white:box=1:boxcolor=black:x=10:y=10"]
    for n in range(audio_tracks):
        argv += ["-f", "lavfi", "-i", f"sine=frequency={440 + 110 * n}:sample_rate=48000:duration={seconds}"]
    argv += ["-map", "0:v"] + [x for n in range(audio_tracks) for x in ("-map", f"{n + 1}:a")]
    argv += ["-c:v", "libx264", "-preset", "ultrafast" if not bframes else "fast", "-pix_fmt", "yuv420p", "-g", str(gop),
             "-keyint_min", str(gop), "-sc_threshold", "0", "-bf", str(bframes), "-c:a", "aac", "-ac", "1",
             "-timecode", timecode, str(out)]
    subprocess.run(argv, check=True)
    return out


def frame_hashes(path: Path | str) -> list[str]:
    """The MD5 of every decoded picture of the first video stream, in order."""
    out = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
                          "-f", "framemd5", "-"], check=True, capture_output=True, text=True).stdout
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if line and not line.startswith("#")]


def streams(path: Path | str) -> list[dict]:
    import json

    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                         check=True, capture_output=True).stdout
    return json.loads(out)
