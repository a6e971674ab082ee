"""C2PA signing cost: signing a proxy-like MP4 of N MB against copying it, and reading it back.

    .venv/bin/python benchmarks/content_credentials.py [--sizes 10,50,200] [--repeat 3]

For each size an H.264 MP4 of about N MB is made with ffmpeg (lavfi `testsrc2` + noise at a
high bitrate, `+faststart` as the proxies are), then, in child processes so that each peak
resident memory (getrusage's ru_maxrss) is its own:
- `copy`: `shutil.copyfile` (what serving a kept, already signed copy costs once more);
- `sign`: `archive.media.credentials.sign_file` with the master (the same file) as the
  `parentOf` ingredient and an ES256 chain made here (what the `credentials` step pays once
  per rendition and signer);
- `read`: `archive.media.credentials.read_file` of the signed file (what verifying costs).
Printed: the best of REPEAT wall times, MB/s, the sign/copy and read/copy ratios and each
child's peak RSS; nothing is asserted.

Measured on this machine (2 cores shared with other jobs), 2026-11-30, `--sizes 10,50,200
--repeat 3`, best of 3:

     12.3 MB  copy 0.022 s (548 MB/s, RSS 42 MiB)  sign 0.200 s (62 MB/s, RSS  79 MiB)  read 0.072 s (RSS  66 MiB)  sign/copy  8.9x  read/copy 3.2x
     51.9 MB  copy 0.096 s (538 MB/s, RSS 42 MiB)  sign 1.187 s (44 MB/s, RSS 155 MiB)  read 0.228 s (RSS 103 MiB)  sign/copy 12.3x  read/copy 2.4x
    201.8 MB  copy 0.399 s (506 MB/s, RSS 42 MiB)  sign 3.040 s (66 MB/s, RSS 248 MiB)  read 0.813 s (RSS 246 MiB)  sign/copy  7.6x  read/copy 2.0x

(an earlier run on quieter cores: 201.9 MB signed in 1.86 s, 109 MB/s, 8.2x the copy). The
manifest adds 3,680 bytes. Signing costs about 8-12 copies, paid once per rendition and
signer (the copy is kept), never per download. Memory is NOT constant: c2pa-rs 0.91 holds the
MP4's media box while it hashes it, so signing and checking peak at about the file's size over
a ~45 MiB base (signing peaked at 441 MiB for 200 MB before its output went through a
temporary file past 64 MB, `core.backing_store_memory_threshold_in_mb`). Hence
ORTAK_C2PA_MAX_BYTES (1 GiB): larger files are not signed and their manifests are shown
unverified. Reading a file's manifests without checking them takes ~30 MiB whatever its size.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, shutil, sys, time
sys.path.insert(0, sys.argv[1])
from archive.media import credentials as cr
op, src, dst, cert, key = sys.argv[2:7]
t = time.perf_counter()
if op == "copy":
    shutil.copyfile(src, dst)
elif op == "sign":
    identity = cr.load_identity(cert, key)
    manifest = {"claim_generator_info": [{"name": "Ortak", "version": "bench"}], "title": "proxy.mp4",
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
                    {"action": "c2pa.transcoded"}]}}]}
    cr.sign_file(src, dst, identity=identity, manifest=manifest, parent=(src, "master.mp4"))
else:
    state = cr.read_file(src).state
    assert state == "valid", state
took = time.perf_counter() - t
print(json.dumps({"seconds": took, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_video(path: Path, megabytes: int) -> None:
    bitrate_mbit = 40
    seconds = max(1, round(megabytes * 8 / bitrate_mbit))
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=1280x720:rate=25:duration={seconds},noise=alls=40:allf=t",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", f"{bitrate_mbit}M", "-maxrate",
                    f"{bitrate_mbit}M", "-bufsize", f"{bitrate_mbit}M", "-pix_fmt", "yuv420p",
                    "-movflags", "+faststart", str(path)], check=True)


def child(op: str, src: Path, dst: Path, cert: Path, key: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), op, str(src), str(dst), str(cert), str(key)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from tests.c2pa_chain import make_chain
    with tempfile.TemporaryDirectory(prefix="ortak-bench-c2pa-") as tmp:
        d = Path(tmp)
        chain = make_chain(d / "chain")
        for mb in (int(s) for s in args.sizes.split(",")):
            src = d / f"proxy-{mb}.mp4"
            make_video(src, mb)
            size = src.stat().st_size / 1e6
            best: dict[str, dict] = {}
            for _ in range(args.repeat):
                for op, frm, to in (("copy", src, d / "copy.mp4"), ("sign", src, d / "signed.mp4"),
                                    ("read", d / "signed.mp4", d / "unused")):
                    r = child(op, frm, to, chain.chain, chain.key)
                    if op not in best or r["seconds"] < best[op]["seconds"]:
                        best[op] = r
            added = (d / "signed.mp4").stat().st_size - src.stat().st_size
            print(f"{size:7.1f} MB  copy {best['copy']['seconds']:6.3f} s ({size / best['copy']['seconds']:6.0f} MB/s, "
                  f"RSS {best['copy']['rss_mib']:.0f} MiB)  sign {best['sign']['seconds']:6.3f} s "
                  f"({size / best['sign']['seconds']:5.0f} MB/s, RSS {best['sign']['rss_mib']:.0f} MiB, +{added} bytes)  "
                  f"read {best['read']['seconds']:6.3f} s (RSS {best['read']['rss_mib']:.0f} MiB)  "
                  f"sign/copy {best['sign']['seconds'] / best['copy']['seconds']:5.1f}x  "
                  f"read/copy {best['read']['seconds'] / best['copy']['seconds']:5.1f}x")
            for p in (d / "copy.mp4", d / "signed.mp4", src):
                p.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
