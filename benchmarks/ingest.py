"""Upload benchmark: tus throughput of `ortak serve` against honest limits measured in the same run.

    make bench-peer                      # once: npm ci in benchmarks/tus-peer (the peer, locked)
    .venv/bin/python benchmarks/ingest.py [--size-mb 2048] [--patch-mb 8 512] [--repeats 3] [--json out.json]

Each repetition measures, on the same file (2 GiB by default, made here unless --file is given):
  hash limit   Python's hashlib (OpenSSL) SHA-256 over the file, read in our chunk size;
  disk limit   a sequential write of the same size to the filesystem of the upload directory,
               fsync at the end, both through the page cache in our read size and with
               O_DIRECT in our staged writer's buffer size; the faster of the two counts;
  ortak        a tus upload through `ortak serve` (gunicorn gthread, as a user starts it),
               POST then PATCHes of --patch-mb, until the final 204 names the asset; the
               server hashes every byte and fsyncs the original before it answers;
  peer         the same upload, same client, through `@tus/server` + `@tus/file-store`
               (neither hashes nor fsyncs), started here on loopback;
  sink         the same upload, same client, to a tus endpoint that keeps nothing: the
               ceiling of the client and the loopback, which no storing server can pass;
  wsgi-sink    the same, through gunicorn with `ortak serve`'s flags and a WSGI app that
               reads `wsgi.input` in our read size and keeps nothing: the ceiling of the
               WSGI server's body reading;
for each PATCH size, the four in an order that rotates with the repetition. Before every upload the first
bytes of the file change (no deduplication) and the page cache is synced (no writeback left
over from the previous upload). It prints MB/s per server and PATCH size (median, min-max
over the repetitions), the paired ratios ortak/peer and ortak/min(hash, disk limit), and
each server's peak RSS growth during its uploads (psutil, the whole process tree).
Goals: ortak/peer >= 1 at every PATCH size, ortak/limit >= 0.8, RSS growth < 100 MB.

Measured (2 cores shared with other work, virtio disk, 2 GiB file, 3 repetitions):
see "Measured" at the end of this file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import mmap
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upload_peers import (MIB, OrtakServer, PeerServer, RssSampler, SinkServer, WsgiSinkServer,  # noqa: E402
                          tus_upload)

# The limits are measured in the server's own sizes: its body reads and its O_DIRECT writes.
from archive.ingest.staged_writer import BUFFER_SIZE  # noqa: E402
from archive.ingest.staging import CHUNK  # noqa: E402


def make_file(path: Path, size: int) -> None:
    block = os.urandom(16 * MIB)  # random blocks, repeated: incompressible enough, and quick to write
    with path.open("wb") as out:
        left = size
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))


def vary(path: Path, run: int) -> None:
    """Make the file's bytes new for this upload (a duplicate would skip storing the original)."""
    with path.open("r+b") as fh:
        fh.write(run.to_bytes(8, "big") + os.urandom(8))


def hash_limit(path: Path) -> tuple[float, str]:
    """(seconds, hex digest) of hashlib SHA-256 over the file in CHUNK reads."""
    digest = hashlib.sha256()
    start = time.perf_counter()
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return time.perf_counter() - start, digest.hexdigest()


def disk_limit(directory: Path, size: int) -> dict[str, float]:
    """Seconds to write `size` bytes into `directory` and fsync them, both ways a server can.

    "buffered": CHUNK writes through the page cache, fsync at the end (what the peer and
    most servers do, plus the fsync they skip). "direct": O_DIRECT writes of the buffer
    size Ortak's staged writer uses, from one reused aligned buffer, fdatasync at the end
    (None where the filesystem refuses O_DIRECT). The limit is the faster of the two.
    """
    out = {"buffered": _timed_write(directory / "disk-limit.bin", size, CHUNK, 0)}
    try:
        out["direct"] = _timed_write(directory / "disk-limit.bin", size, BUFFER_SIZE, os.O_DIRECT)
    except OSError:
        out["direct"] = None
    return out


def _timed_write(target: Path, size: int, chunk: int, flags: int) -> float:
    block = mmap.mmap(-1, chunk)  # page-aligned, as O_DIRECT wants
    block.write(os.urandom(chunk))
    os.sync()
    try:
        start = time.perf_counter()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | flags, 0o600)
        try:
            left = size
            while left > 0:
                left -= os.write(fd, block)
            os.ftruncate(fd, size)
            os.fdatasync(fd)
        finally:
            os.close(fd)
        return time.perf_counter() - start
    finally:
        block.close()
        target.unlink(missing_ok=True)


def upload_once(server, path: Path, patch: int, sha256: str) -> tuple[float, int, float]:
    """(seconds, peak RSS growth in bytes, server CPU seconds) of one upload; the stored bytes are
    checked, then removed (the sink keeps none)."""
    os.sync()
    sampler = RssSampler(server.proc.pid)
    before, cpu_before = sampler.current(), sampler.cpu_seconds()
    sampler.start()
    start = time.perf_counter()
    final = tus_upload(server.create_url, path, patch, server.headers)
    seconds = time.perf_counter() - start
    growth = sampler.stop() - before
    cpu = sampler.cpu_seconds() - cpu_before
    if server.name in ("sink", "wsgi-sink"):
        return seconds, growth, cpu
    stored, recorded = server.stored(final)
    if recorded is not None and recorded != sha256:
        raise SystemExit(f"{server.name}: recorded sha256 {recorded}, the file's is {sha256}")
    if stored.stat().st_size != path.stat().st_size or hash_limit(stored)[1] != sha256:
        raise SystemExit(f"{server.name}: the stored file {stored} differs from the upload")
    stored.unlink()
    return seconds, growth, cpu


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f}  ({min(values):.2f}-{max(values):.2f})"


def report(results: dict, size: int) -> None:
    mb = size / 1e6
    hash_mbs = [mb / t for t in results["hash_s"]]
    buffered = [mb / d["buffered"] for d in results["disk_s"]]
    direct = [mb / d["direct"] for d in results["disk_s"] if d["direct"]]
    disk_mbs = [max(mb / d["buffered"], mb / (d["direct"] or float("inf"))) for d in results["disk_s"]]
    limit = [min(h, d) for h, d in zip(hash_mbs, disk_mbs)]
    print(f"\nfile {size / MIB:.0f} MiB, {len(limit)} repetitions; MB/s as median (min-max)")
    print(f"  hash limit (hashlib sha256)    {spread(hash_mbs)}")
    print(f"  disk, page cache + fsync       {spread(buffered)}")
    if direct:
        print(f"  disk, O_DIRECT + fdatasync     {spread(direct)}")
    print(f"  disk limit (the faster)        {spread(disk_mbs)}")
    print(f"  limit = min(hash, disk)        {spread(limit)}")
    for patch_mb, runs in results["uploads"].items():
        ours = [mb / t for t in runs["ortak"]["seconds"]]
        peer = [mb / t for t in runs["peer"]["seconds"]]
        vs_peer = [o / p for o, p in zip(ours, peer)]
        sink = [mb / t for t in runs["sink"]["seconds"]]
        vs_limit = [o / lim for o, lim in zip(ours, limit)]
        print(f"  {patch_mb:>4} MiB PATCHes  ortak       {spread(ours)}")
        print(f"                   peer        {spread(peer)}")
        wsgi = [mb / t for t in runs["wsgi-sink"]["seconds"]]
        print(f"                   sink        {spread(sink)}  (client + loopback ceiling: stores nothing)")
        print(f"                   wsgi-sink   {spread(wsgi)}  (gunicorn's body reading: stores nothing)")
        print(f"                   ortak/peer  {spread(vs_peer)}  goal >= 1.00: "
              f"{'met' if statistics.median(vs_peer) >= 1 else 'NOT met'}")
        print(f"                   ortak/limit {spread(vs_limit)}  goal >= 0.80: "
              f"{'met' if statistics.median(vs_limit) >= 0.8 else 'NOT met'}")
        print(f"                   ortak/sink  {spread([o / k for o, k in zip(ours, sink)])}"
              f"  peer/sink {spread([p / k for p, k in zip(peer, sink)])}")
        print(f"                   ortak/wsgi-sink {spread([o / w for o, w in zip(ours, wsgi)])}")
        gb = size / 1e9
        print(f"                   server CPU s/GB  ortak {spread([c / gb for c in runs['ortak']['cpu_s']])}"
              f"  peer {spread([c / gb for c in runs['peer']['cpu_s']])}")
    for name in ("ortak", "peer"):
        growth = max(max(runs[name]["rss_growth"]) for runs in results["uploads"].values()) / 1e6
        note = f"  goal < 100 MB: {'met' if growth < 100 else 'NOT met'}" if name == "ortak" else ""
        print(f"  peak RSS growth {name:<5}          {growth:7.1f} MB{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="an existing file to use (default: make one); its first "
                                                  "16 bytes are overwritten before each upload")
    parser.add_argument("--size-mb", type=int, default=2048, help="size of the file to make, in MiB")
    parser.add_argument("--patch-mb", type=int, nargs="+", default=[8, 512],
                        help="PATCH sizes in MiB (8: the web uploader's chunk; 512: a large-chunk client)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions (report the spread)")
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers of `ortak serve` (1, as it runs with the embedded defaults)")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ortak-bench-"))
    servers = []
    try:
        path = args.file
        if path is None:
            path = work / "source.bin"
            print(f"making {args.size_mb} MiB test file ...", flush=True)
            make_file(path, args.size_mb * MIB)
        size = path.stat().st_size
        ours = OrtakServer(work / "data", workers=args.workers, max_upload=2 * size)
        servers.append(ours.start())
        servers.append(PeerServer(work / "data").start())
        servers.append(SinkServer(work / "data").start())
        servers.append(WsgiSinkServer(work / "data", workers=args.workers).start())
        warm = work / "warm.bin"
        for server in servers:  # every worker (and thread pool) has served an upload before measuring
            for i in range(2 * args.workers):
                warm.write_bytes(os.urandom(256 * 1024) + bytes([i]))
                tus_upload(server.create_url, warm, 64 * 1024, server.headers)

        results = {"size": size, "hash_s": [], "disk_s": [],
                   "uploads": {p: {s.name: {"seconds": [], "rss_growth": [], "cpu_s": []} for s in servers}
                               for p in args.patch_mb}}
        run = 0
        for rep in range(args.repeats):
            results["disk_s"].append(disk_limit(ours.upload_dir, size))
            hash_seconds = []
            for patch_mb in args.patch_mb:
                for server in servers[rep % len(servers):] + servers[:rep % len(servers)]:  # rotate the order
                    run += 1
                    vary(path, run)
                    seconds, sha256 = hash_limit(path)
                    hash_seconds.append(seconds)
                    up_seconds, growth, cpu = upload_once(server, path, patch_mb * MIB, sha256)
                    slot = results["uploads"][patch_mb][server.name]
                    slot["seconds"].append(up_seconds)
                    slot["rss_growth"].append(growth)
                    slot["cpu_s"].append(cpu)
                    print(f"  rep {rep + 1} {server.name:<9} {patch_mb:>4} MiB PATCHes: "
                          f"{size / 1e6 / up_seconds:7.1f} MB/s"
                          f"  (server CPU {cpu / (size / 1e9):.2f} s/GB, hash {size / 1e6 / seconds:.0f} MB/s, "
                          f"RSS +{growth / 1e6:.1f} MB)", flush=True)
            results["hash_s"].append(min(hash_seconds))
        report(results, size)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

# Measured
# --------
# `.venv/bin/python benchmarks/ingest.py` (2 GiB file, PATCHes of 8 MiB and 512 MiB, 3
# repetitions), three times, on the reference machine: 2 AMD EPYC cores (SHA-NI) shared with
# other work (load 1-9 during runs 1 and 2, 2-4 during run 3), virtio disk, ext4, OpenSSL
# 3.0, Node 20, gunicorn gthread as `ortak serve` starts it (2 workers x 8 threads).
# MB/s, median (min-max) of the 3 repetitions.
#
#                      run 1                 run 2                 run 3 (quietest)
#   hash limit         1486 (1262-1599)      1183 (984-1485)       1563 (1555-1621)
#   disk, page cache   337 (235-1914)        258 (237-1669)        393 (358-1776)
#   disk, O_DIRECT     1837 (1059-1890)      1575 (866-1696)       2032 (1660-2144)
#    8 MiB  ortak      280 (178-390)         227 (112-276)         310 (290-319)
#           peer       315 (185-363)         214 (142-252)         329 (293-332)
#           sink       1128 (727-1549)       1334 (552-1357)       1655 (1468-1672)
#           wsgi-sink  884 (791-1150)        678 (527-769)         929 (721-983)
#           ortak/peer 0.96 (0.89-1.07)      1.06 (0.79-1.10)      0.97 (0.87-1.06)
#           ortak/limit 0.19 (0.17-0.24)     0.19 (0.08-0.28)      0.20 (0.19-0.20)
#           CPU s/GB   ortak 2.03 peer 1.96  ortak 2.31 peer 2.59  ortak 2.03 peer 2.05
#   512 MiB ortak      496 (488-522)         432 (277-456)         485 (378-492)
#           peer       383 (271-604)         336 (168-352)         491 (423-536)
#           sink       2333 (1903-2411)      1085 (642-2202)       2697 (2039-3278)
#           wsgi-sink  1138 (789-1931)       717 (601-1309)        1006 (669-1340)
#           ortak/peer 1.27 (0.82-1.93)      1.36 (0.79-2.58)      0.92 (0.89-0.99)
#           ortak/limit 0.33 (0.31-0.49)     0.29 (0.28-0.39)      0.30 (0.24-0.32)
#           CPU s/GB   ortak 1.47 peer 1.82  ortak 1.64 peer 1.85  ortak 1.72 peer 1.73
#   peak RSS growth    ortak 16.3 peer 49.3  ortak 14.1 peer 44.2  ortak 18.4 peer 42.6 (MB)
#
# (The page-cache highs are pages the VM had just freed; the disk limit is the O_DIRECT one.)
# Paired ortak/peer over the 9 repetitions: 8 MiB median 0.97 (0.79-1.10), 512 MiB median
# 0.99 (0.79-2.58): level with the peer, while Ortak hashes every byte and fdatasyncs before
# each recorded offset and the peer does neither (the peer's wins and losses come with the
# load: its page-cache writes suffer under memory pressure, our synchronous steps under CPU
# and fsync contention). Before the staged writer (page-cache writes, a hash thread started
# per PATCH, no per-PATCH fdatasync), measured the same way on a 512 MiB file: 0.59 at 8 MiB,
# 0.95 at 512 MiB.
# Not met: ortak/limit >= 0.8. The limits here are the O_DIRECT disk (1.6-2.0 GB/s) and
# SHA-256 itself (1.2-1.6 GB/s), while an upload shares 2 cores with its client, and the peer
# reaches 0.2-0.3 of them too. Where an 8 MiB PATCH goes (21 ms on a quiet machine, py-spy):
# about 7 ms per request (token lookup and its last-use commit, upload row reads, the offset
# commit with SQLite's fsync, the final fdatasync), the rest streaming, where the request
# thread waits for the hash and O_DIRECT write helpers (gunicorn alone reads bodies at
# 0.7-1.1 GB/s here: wsgi-sink).
