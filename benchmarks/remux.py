"""What the remux check (`archive.provenance.remux`) adds to a lookup: a 10 s stream-copied
clip of a 60 s and of a 10-minute master (1280×720, 25 fps, H.264 at about 4 Mb/s, a keyframe
every 2 s; a Mandelbrot zoom under a moving test pattern, with grain), looked up without the
check (probe, hash at 2 fps with the verification's 10 fps decode, find) and with it (the
same, then the packets of the clip and of the master over the matched span hashed without
decoding and compared), alternating, best of `--rounds`, wall time and CPU time (with ffmpeg's).

    nice .venv/bin/python benchmarks/remux.py [--rounds 3] [--masters 60 600]

Prints per master the lookup's seconds, the check's, and the lookup with the check as a ratio
of the lookup without it. Only the ratios mean anything on a shared machine (CPU ones the most). No app is needed: the master's original is read from its path
(`Checker(source=...)`), as a local store gives it.

Measured (2 shared cores, load 8-10, `--rounds 5`; 263/263 packets found each time):
  60 s master (29 MB):   lookup 1.51 s CPU / 4.10 s wall, check 0.21 s / 0.73 s: ×1.14 CPU, ×1.18 wall
  600 s master (299 MB): lookup 2.01 s CPU / 2.13 s wall, check 0.20 s / 0.25 s: ×1.10 CPU, ×1.12 wall
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from archive.media import commands, fingerprints  # noqa: E402
from archive.media.probe import inspect_media  # noqa: E402
from archive.media.profiles import FINGERPRINTS  # noqa: E402
from archive.media.runner import run  # noqa: E402
from archive.provenance import lookup, remux  # noqa: E402
from archive.provenance.index import NumpyHammingIndex  # noqa: E402


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_master(path: str, seconds: int) -> None:
    """A zoom into the Mandelbrot set under a moving test pattern (as the lookup tests make),
    never repeating: testsrc2 alone repeats every few seconds, and a lookup ties its copies."""
    ffmpeg("-filter_complex",
           f"mandelbrot=s=320x180:r=25:maxiter=100:start_x=-0.743643887037151:start_y=0.131825904205330"
           f":start_scale=3.0:end_pts={seconds}:end_scale=0.001,scale=1280:720,format=yuv420p[b];"
           "testsrc2=s=320x180:r=25,format=yuv420p[o];[b][o]overlay=x=480+400*sin(t*0.3):y=270+200*cos(t*0.2)"
           f":shortest=1,noise=alls=8:allf=t,trim=duration={seconds}[v]", "-map", "[v]",
           "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M", "-g", "50", path)


def index_master(path: str, scratch: str) -> NumpyHammingIndex:
    probe = inspect_media(path, timeout=60)
    parts = commands.output_parts(FINGERPRINTS, probe, scratch, scratch)
    run(commands.one_decode_command(path, probe, parts), timeout=3600)
    out = os.path.join(scratch, "phash.bin")
    count = fingerprints.hash_file(parts[0].target, out, aspect=probe.display_aspect)
    index = NumpyHammingIndex()
    with open(out, "rb") as fh:
        index.add("master", fingerprints.to_planes(fingerprints.from_bytes(fh.read()), count))
    return index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--masters", type=int, nargs="+", default=[60, 600])
    args = ap.parse_args()
    settings = lookup.Settings()
    wanted = remux.Settings(seconds=120, timeout=60)
    with tempfile.TemporaryDirectory(prefix="bench-remux-") as work:
        for seconds in args.masters:
            master = os.path.join(work, f"master{seconds}.mp4")
            make_master(master, seconds)
            index = index_master(master, work)
            clip = os.path.join(work, f"clip{seconds}.mp4")
            start = seconds // 2 + 0.5
            ffmpeg("-ss", str(start), "-t", "10", "-i", master, "-c", "copy", clip)
            technical = inspect_media(master, timeout=60).to_dict()
            asset = SimpleNamespace(id="master", technical=technical, original_key="original")
            plain, check = [], []
            for _ in range(args.rounds):
                t0, c0 = time.perf_counter(), cpu()
                probe = inspect_media(clip, timeout=60)
                found = lookup.find(index, lookup.hash_query(clip, probe, work, settings, timeout=600), settings)
                plain.append((time.perf_counter() - t0, cpu() - c0))
                t0, c0 = time.perf_counter(), cpu()
                result = remux.Checker(clip, probe, wanted, source=lambda _a: master).check(found[0], asset)
                check.append((time.perf_counter() - t0, cpu() - c0))
            assert result is not None and result.remuxed, result
            size = os.path.getsize(master) / 1e6
            (lw, lc), (cw, cc) = (tuple(min(x[i] for x in runs) for i in (0, 1)) for runs in (plain, check))
            print(f"{seconds} s master ({size:.0f} MB), 10 s stream-copied clip from {start} s "
                  f"({result.overlap.found}/{result.overlap.packets} packets found), best of {args.rounds}: "
                  f"lookup {lw:.2f} s wall / {lc:.2f} s CPU; the check {cw:.3f} s wall / {cc:.3f} s CPU: "
                  f"the lookup with it ×{(lw + cw) / lw:.3f} wall, ×{(lc + cc) / lc:.3f} CPU", flush=True)


def cpu() -> float:
    """CPU seconds of this process and its finished children (ffmpeg, ffprobe)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

if __name__ == "__main__":
    main()
