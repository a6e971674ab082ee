"""Tone-mapping benchmark: what HDR masters and extra audio tracks cost the previews.

On one generated clip in one process (best of --repeat):
  sdr        the proxy of an SDR BT.709 H.264 clip with one audio track (the baseline);
  sdr+audio  the same picture with a second audio track, both kept in the proxy;
  hdr raw    the proxy of the same picture as an HEVC Main 10 BT.2020 PQ master, rendered as
             if it were SDR (what Ortak did before it tone-mapped: decode cost, wrong look);
  hdr        the same master through the real command (zimg + tonemap);
and the posters of the SDR clip and of the PQ master. Prints seconds and ratios to the
baseline, the tone map's own overhead (hdr / hdr raw), and how the PQ master's poster looks
next to the SDR poster (mean luma, 95th percentile luma, mean saturation, Pillow) for the
shipped curve and the alternatives that were measured against it.

    .venv/bin/python benchmarks/tonemap.py [--seconds 10] [--size 1920x1080] [--repeat 2]
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageStat  # noqa: E402

from archive.media import colour, commands  # noqa: E402
from archive.media.probe import inspect_media  # noqa: E402
from archive.media.profiles import POSTER, VIDEO_PROXY  # noqa: E402
from archive.media.runner import run  # noqa: E402


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_sources(folder: Path, seconds: int, size: str) -> tuple[Path, Path, Path]:
    sdr, two, pq = folder / "sdr.mp4", folder / "two-tracks.mp4", folder / "pq.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=660:sample_rate=48000:duration={seconds}",
           "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-c:a", "aac", "-ac", "2",
           str(sdr))
    ffmpeg("-i", str(sdr), "-f", "lavfi", "-i", f"sine=frequency=660:sample_rate=48000:duration={seconds}",
           "-map", "0:v", "-map", "0:a", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-ac", "2",
           "-metadata:s:a:0", "language=tur", "-metadata:s:a:1", "language=aze", str(two))
    # The same picture graded as HDR10 (ITU-R BT.2408: SDR white at 203 cd/m²).
    ffmpeg("-i", str(sdr), "-an", "-vf", "zscale=t=linear,format=gbrpf32le,"
           "zscale=p=bt2020:t=smpte2084:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
           "-c:v", "libx265", "-preset", "ultrafast", "-profile:v", "main10",
           "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
           "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", str(pq))
    return sdr, two, pq


def timed(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds, and the ffmpeg CPU seconds of that run (steadier on a shared
    machine, where other work stretches the wall clock)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        fn()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (wall, cpu))
    return best


def looks(path: Path) -> tuple[float, float, float]:
    with Image.open(path) as im:
        rgb = im.convert("RGB")
    luma = rgb.convert("L")
    hist, seen, p95 = luma.histogram(), 0, 0
    for level, count in enumerate(hist):
        seen += count
        if seen >= 0.95 * sum(hist):
            p95 = level
            break
    return ImageStat.Stat(luma).mean[0], float(p95), ImageStat.Stat(rgb.convert("HSV").split()[1]).mean[0]


def poster_with(src: Path, dst: Path, probe, chain: str | None) -> tuple[float, float, float]:
    cmd = commands.poster_command(str(src), str(dst), probe, POSTER)
    if chain is not None:
        vf = cmd.index("-vf") + 1
        cmd[vf] = chain
    run(cmd, timeout=600)
    return looks(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ortak-bench-") as tmp:
        folder = Path(tmp)
        sdr, two, pq = make_sources(folder, args.seconds, args.size)
        p_sdr, p_two, p_pq = (inspect_media(str(f), timeout=600) for f in (sdr, two, pq))
        p_raw = dataclasses.replace(p_pq, hdr=None, color_primaries=None, color_transfer=None, color_space=None)
        out = str(folder / "proxy.mp4")

        def proxy(src, probe):
            return lambda: run(commands.video_proxy_command(str(src), out, probe, VIDEO_PROXY), timeout=3600)

        def poster(src, probe):
            return lambda: run(commands.poster_command(str(src), str(folder / "p.jpg"), probe, POSTER), timeout=600)

        base = timed(proxy(sdr, p_sdr), args.repeat)
        two_tracks = timed(proxy(two, p_two), args.repeat)
        raw = timed(proxy(pq, p_raw), args.repeat)
        hdr = timed(proxy(pq, p_pq), args.repeat)
        poster_sdr = timed(poster(sdr, p_sdr), args.repeat)
        poster_hdr = timed(poster(pq, p_pq), args.repeat)

        reference = poster_with(sdr, folder / "ref.jpg", p_sdr, None)
        shipped = commands.video_filter(p_pq, commands.fit_within(p_pq.width, p_pq.height, 1280, 720),
                                        colour.jpeg_plan(p_pq))
        variants = {"shipped (" + colour.tone_map_filters(p_pq)[2] + ")": shipped,
                    "mobius param=0.3 (tonemap's default)": shipped.replace(
                        f"param={colour.MOBIUS_KNEE}", "param=0.3"),
                    "hable (zscale docs' example)": shipped.replace(
                        f"mobius:param={colour.MOBIUS_KNEE}", "hable"),
                    "no tone mapping": None}
        rows = {}
        for name, chain in variants.items():
            probe = p_raw if chain is None else p_pq
            rows[name] = poster_with(pq, folder / "v.jpg", probe, chain)

    print(f"source: {p_sdr.width}x{p_sdr.height}, {p_sdr.duration:.1f} s; proxy ≤1280x720; "
          f"{os.cpu_count()} CPUs; best of {args.repeat}; wall s, ffmpeg CPU s, ratios to the baseline")

    def line(name, value, note=""):
        print(f"{name:30s}{value[0]:7.2f} s {value[0] / base[0]:5.2f}x  {value[1]:7.2f} cpu-s "
              f"{value[1] / base[1]:5.2f}x  {note}")

    line("sdr proxy (baseline)", base, f"({p_sdr.duration / base[0]:.1f}x realtime)")
    line("sdr proxy, 2 audio tracks", two_tracks)
    line("pq proxy, not tone-mapped", raw)
    line("pq proxy, tone-mapped", hdr, f"(tone map alone: {hdr[0] / raw[0]:.2f}x wall, {hdr[1] / raw[1]:.2f}x cpu)")
    line("sdr poster", poster_sdr)
    line("pq poster, tone-mapped", poster_hdr, f"({poster_hdr[1] / poster_sdr[1]:.2f}x the SDR poster's cpu)")
    luma, p95, sat = reference
    print(f"\nposter looks vs the SDR poster (luma mean {luma:.1f}, p95 {p95:.0f}, saturation {sat:.1f}):")
    for name, (l, p, s) in rows.items():
        print(f"  {name:48s} luma {l / luma - 1:+6.1%}  p95 {p / p95 - 1:+6.1%}  saturation {s / sat - 1:+6.1%}")


if __name__ == "__main__":
    main()
