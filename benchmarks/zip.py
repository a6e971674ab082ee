"""A basket's zip build (the worker's `archive.baskets.zips.build_zip`) against `zip -0` of
the same files, in the same run, and the build's peak RSS.

    .venv/bin/python benchmarks/zip.py [--files 8] [--mib 128]
    .venv/bin/python benchmarks/zip.py --size 4G --files 4 --sparse    # the worker's RSS for a 4 GB basket

Writes `--files` files of `--mib` MiB each (or `--size` in all, split among them; random bytes:
media does not compress) into local storage as the originals of ready assets (`--sparse`:
files made with holes instead, `truncate`, moved into storage: no disk space or random bytes
spent on them, the same bytes to read, hash and zip for the build, which is what its RSS
depends on), puts them in one basket, asks for the zip through
the real service (the access gate, the rights policy, with a declaration), then builds it in
a CHILD process exactly as the worker does (`build_zip` on a fresh app), so that the child's
peak RSS (getrusage RUSAGE_SELF, before the build and after) is the build's alone. The baseline is
`zip -0 -q` (Info-ZIP, stored) of the same files, from the same disk, to the same disk.
Prints throughput of each (MiB/s of input), the ratio, and the build's peak RSS.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHUNK = 8 * 1024 * 1024
USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "bench"}


def config(data: Path) -> dict:
    return {"DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'ortak.db'}", "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 8, "PASSWORD_HASH_PARALLELISM": 1}


def child(data: Path, basket_id: str) -> None:
    from archive import create_app, db
    from archive.baskets import zips

    app = create_app(config(data))
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        status = zips.build_zip(db.session(), basket_id)
        db.session().commit()
        seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{status} {seconds:.6f} {before} {peak}")


def setup(data: Path, files: list[Path], move: bool = False) -> tuple[str, list[str]]:
    import hashlib

    from archive import create_app, db
    from archive.accounts import services as accounts
    from archive.assets.models import Asset
    from archive.backends import storage
    from archive.baskets import services as baskets
    from archive.migrate import upgrade
    from archive.rights import services as rights

    upgrade(config(data)["DATABASE_URL"])
    app = create_app(config(data))
    with app.app_context():
        s = db.session()
        accounts.create_organisation(s, "İTV", "AZ")
        accounts.create_organisation(s, "TRT", "TR")
        owner = accounts.create_user(s, "p@itv.test", "correct horse battery", "İTV", "rights_manager")
        user = accounts.create_user(s, "b@trt.test", "correct horse battery", "TRT", "broadcaster")
        s.flush()
        basket = baskets.create_basket(s, {"name": "bench"}, user)
        originals: list[str] = []
        for path in files:
            digest = hashlib.sha256()
            with path.open("rb") as f:
                while block := f.read(CHUNK):
                    digest.update(block)
            key = f"originals/{digest.hexdigest()[:2]}/{digest.hexdigest()}"
            size = path.stat().st_size
            storage().put_file(key, str(path), sha256=digest.hexdigest(), move=move)
            originals.append(storage().local_path(key))
            asset = Asset(status="ready", kind="other", filename=path.name, content_type="application/octet-stream",
                          size=size, sha256=digest.hexdigest(), original_key=key, meta={},
                          organisation_id=owner.organisation_id, country="AZ", uploader_id=owner.id)
            s.add(asset)
            s.flush()
            rights.create_block(s, asset, {"kind": "grant", "licensees": {"organisations": ["TRT"]},
                                           "territories": ["TR"], "platforms": ["linear_tv"],
                                           "start": "2027-01-01", "end": None}, owner)
            baskets.add_item(s, basket, {"asset_id": asset.id}, user)
        baskets.request_zip(s, basket, USE, user)
        s.commit()
        return basket.id, originals


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--mib", type=int, default=128)
    ap.add_argument("--size", help="the basket's size in all (e.g. 4G, 512M), split among --files; overrides --mib")
    ap.add_argument("--sparse", action="store_true", help="files with holes (truncate), not random bytes")
    args = ap.parse_args()
    if args.size:
        units = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}
        number, unit = args.size[:-1], args.size[-1:].upper()
        if unit not in units or not number.replace(".", "", 1).isdigit():
            print(f"--size {args.size!r}: give a number and K, M, G or T", file=sys.stderr)
            return 2
        args.mib = max(1, int(float(number) * units[unit] / args.files))
    if shutil.which("zip") is None:
        print("zip (Info-ZIP) is missing: apt-get install zip", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="ortak-zip-bench-", dir=os.environ.get("BENCH_DIR")))
    try:
        src = work / "src"
        src.mkdir()
        files = []
        for i in range(args.files):
            path = src / f"master-{i:02d}.bin"
            with path.open("wb") as f:
                if args.sparse:
                    f.truncate(args.mib * 1024 * 1024 + i)  # one byte apart: each its own SHA-256
                else:
                    for _ in range(args.mib * 1024 * 1024 // CHUNK):
                        f.write(os.urandom(CHUNK))
            files.append(path)
        total_mib = args.files * args.mib
        data = work / "data"
        data.mkdir()
        basket_id, originals = setup(data, files, move=args.sparse)

        baseline = work / "baseline.zip"
        t0 = time.perf_counter()
        subprocess.run(["zip", "-0", "-q", "-j", str(baseline), *originals], check=True)
        zip_seconds = time.perf_counter() - t0
        baseline.unlink()

        done = subprocess.run([sys.executable, __file__, "--child", str(data), basket_id], check=True,
                              capture_output=True, text=True)
        status, seconds, before_kib, peak_kib = done.stdout.strip().splitlines()[-1].split()
        ours_seconds, before_kib, peak_kib = float(seconds), int(before_kib), int(peak_kib)
        if status != "ready":
            print(f"the build ended {status!r}: {done.stderr[-2000:]}", file=sys.stderr)
            return 1
        print(f"basket of {args.files} files x {args.mib} MiB = {total_mib} MiB"
              + (" (sparse files: zero bytes, holes on disk)" if args.sparse else ""))
        print(f"zip -0:        {zip_seconds:7.2f} s  {total_mib / zip_seconds:8.1f} MiB/s")
        print(f"build_zip:     {ours_seconds:7.2f} s  {total_mib / ours_seconds:8.1f} MiB/s "
              "(gate per item, SHA-256 of each entry and of the zip, manifest, commits included)")
        print(f"ratio (build_zip time / zip -0 time): {ours_seconds / zip_seconds:.2f}")
        print(f"worker process peak RSS: {before_kib / 1024:.1f} MiB before the build (app loaded), "
              f"{peak_kib / 1024:.1f} MiB peak, for a {total_mib} MiB basket")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
