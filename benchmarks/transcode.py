"""Transcode benchmark: what Ortak's media layer costs on top of ffmpeg itself.

On one generated 1080p clip (or --file), in one process:
  baseline  the proxy ffmpeg command run by plain `subprocess.run` (no progress, no group);
  runner    the same command through `archive.media.runner.run` with `-progress` parsing
            and a progress callback (what the worker does);
  inspect   `inspect_media`: ffprobe + the head/tail decode check done before any rendition;
  poster    the poster command.
Prints seconds and the ratio of each to the baseline (runner should be ~1.0x; inspect and
poster small fractions), and the proxy's realtime speed.

    .venv/bin/python benchmarks/transcode.py [--file PATH] [--seconds 30] [--repeat 2]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.media import commands  # noqa: E402
from archive.media.probe import inspect_media  # noqa: E402
from archive.media.profiles import POSTER, VIDEO_PROXY  # noqa: E402
from archive.media.runner import run  # noqa: E402


def make_clip(folder: Path, seconds: int) -> Path:
    unit = folder / "unit.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5", "-ac", "2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    str(unit)], check=True)
    clip = folder / "clip.mp4"
    loops = max(0, seconds // 5 - 1)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(unit), "-c", "copy",
                    str(clip)], check=True)
    return clip


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ortak-bench-") as tmp:
        folder = Path(tmp)
        src = str(args.file or make_clip(folder, args.seconds))
        probe = inspect_media(src, timeout=600)
        out = str(folder / "proxy.mp4")
        cmd = commands.video_proxy_command(src, out, probe, VIDEO_PROXY)
        plain = [a for a in cmd if a not in ("-progress", "pipe:1", "-nostats")]
        calls: list[float] = []

        baseline = timed(lambda: subprocess.run(plain, check=True, stdout=subprocess.DEVNULL), args.repeat)
        runner = timed(lambda: run(cmd, timeout=3600, duration=probe.duration, on_progress=calls.append),
                       args.repeat)
        inspect = timed(lambda: inspect_media(src, timeout=600), args.repeat)
        poster = timed(lambda: run(commands.poster_command(src, str(folder / "p.jpg"), probe, POSTER), timeout=600),
                       args.repeat)

    print(f"source: {probe.width}x{probe.height} {probe.video_codec}, {probe.duration:.1f} s, "
          f"{os.cpu_count()} CPUs; best of {args.repeat}")
    print(f"baseline (plain subprocess)   {baseline:8.2f} s   1.00x   ({probe.duration / baseline:.1f}x realtime)")
    print(f"runner (progress + callback)  {runner:8.2f} s   {runner / baseline:.2f}x   "
          f"({len(calls) // args.repeat} progress callbacks per run)")
    print(f"inspect (probe + decode check){inspect:8.2f} s   {inspect / baseline:.2f}x")
    print(f"poster                        {poster:8.2f} s   {poster / baseline:.2f}x")


if __name__ == "__main__":
    main()
