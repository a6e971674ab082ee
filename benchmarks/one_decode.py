"""One decode for every rendition vs one command per rendition, on one generated clip.

In one process, alternating, `--repeat` times each (the best run counts):
  separate  what the pipeline ran before renditions shared a decode: the proxy command,
            then the poster command (a seek before the input, one frame);
  one       `commands.one_decode_command` with the poster and the proxy as two outputs
            (split in -filter_complex, the poster branch trimmed to its instant).
Prints wall seconds, CPU seconds (user + system of ffmpeg) and peak memory of each, and the
ratios one/separate. Both write the same files; the script checks the posters are the same
frame (mean absolute difference of the pixels).

    .venv/bin/python benchmarks/one_decode.py [--seconds 60] [--size 1920x1080] [--repeat 3] [--file PATH]
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

from PIL import Image, ImageChops, ImageStat  # noqa: E402

from archive.media import commands  # noqa: E402
from archive.media.probe import inspect_media  # noqa: E402
from archive.media.profiles import POSTER, VIDEO_PROXY  # noqa: E402


def make_clip(folder: Path, seconds: int, size: str) -> Path:
    unit = folder / "unit.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5", "-ac", "2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    str(unit)], check=True)
    clip = folder / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(max(0, seconds // 5 - 1)), "-i", str(unit),
                    "-c", "copy", str(clip)], check=True)
    return clip


def measured(argvs: list[list[str]]) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of running the commands one after the other."""
    start = time.perf_counter()
    cpu, peak = 0.0, 0
    for argv in argvs:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err[-500:]}")
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
    return time.perf_counter() - start, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ortak-bench-") as tmp:
        folder = Path(tmp)
        src = str(args.file or make_clip(folder, args.seconds, args.size))
        probe = inspect_media(src, timeout=600)
        out = {name: folder / name for name in ("sep", "one")}
        for d in out.values():
            d.mkdir()
        separate = [commands.video_proxy_command(src, str(out["sep"] / "proxy.mp4"), probe, VIDEO_PROXY),
                    commands.poster_command(src, str(out["sep"] / "poster.jpg"), probe, POSTER)]
        one = [commands.one_decode_command(src, probe, [
            commands.output_part(POSTER, probe, str(out["one"] / "poster.jpg")),
            commands.output_part(VIDEO_PROXY, probe, str(out["one"] / "proxy.mp4"))])]
        results: dict[str, list[tuple[float, float, int]]] = {"separate": [], "one": []}
        for _ in range(args.repeat):
            results["separate"].append(measured(separate))
            results["one"].append(measured(one))

        with Image.open(out["sep"] / "poster.jpg") as a, Image.open(out["one"] / "poster.jpg") as b:
            poster_diff = max(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean)

    print(f"source: {args.file or f'testsrc2 {args.size} 25 fps, {args.seconds} s, H.264 + AAC'}; "
          f"poster at {commands.poster_time(probe.duration, POSTER):.1f} s; best of {args.repeat}")
    print("commands (one decode):\n  " + " ".join(one[0]))
    best = {name: min(runs) for name, runs in results.items()}
    for name, (wall, cpu, peak) in best.items():
        walls = ", ".join(f"{r[0]:.2f}" for r in results[name])
        print(f"{name:9s} wall {wall:7.2f} s  (runs: {walls})  cpu {cpu:7.2f} s  peak {peak / 1024:6.1f} MiB")
    print(f"one/separate: wall {best['one'][0] / best['separate'][0]:.3f}  cpu {best['one'][1] / best['separate'][1]:.3f}"
          f"  peak memory {best['one'][2] / best['separate'][2]:.3f}")
    print(f"posters: mean absolute difference of the worst channel {poster_diff:.3f} (0 = the same frame)")


if __name__ == "__main__":
    main()
