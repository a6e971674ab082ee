"""Ingest benchmark: upload + hash throughput through the real server against `cat FILE | sha256sum`.

One run measures, on the same file (2 GiB by default, made here unless --file is given):
  (a) `cat FILE | sha256sum` wall time: the baseline the goal is stated against;
      `hashlib.sha256` over the file is printed too, as a stricter reference;
  (b) a tus upload of FILE through `ortak serve` (gunicorn gthread, a subprocess with a
      temporary ORTAK_DATA_DIR, user and token made with the CLI), in large PATCH requests
      streamed from the file, end to end until the asset row exists;
and prints the throughput ratio (b vs a; goal >= 0.8) and the server process tree's peak
RSS growth during (b) (psutil sampling; goal < 100 MB).

    .venv/bin/python benchmarks/ingest.py [--file PATH] [--size-mb 2048] [--patch-mb 512]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_file(path: Path, size: int) -> None:
    # Random blocks, repeated: incompressible enough, and quick to write.
    block = os.urandom(16 * MIB)
    with path.open("wb") as out:
        left = size
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def baseline_sha256sum(path: Path) -> str:
    out = subprocess.run(f"cat {shlex_quote(path)} | sha256sum", shell=True, check=True, capture_output=True,
                         text=True).stdout
    return out.split()[0]


def shlex_quote(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def hashlib_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


class FileSlice:
    """Bytes [start, start+length) of a file, yielded 1 MiB at a time with a known length."""

    def __init__(self, path: Path, start: int, length: int):
        self.path, self.start, self.length = path, start, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        with self.path.open("rb") as fh:
            fh.seek(self.start)
            left = self.length
            while left > 0:
                chunk = fh.read(min(MIB, left))
                if not chunk:
                    raise OSError("file shrank while uploading")
                left -= len(chunk)
                yield chunk


class RssSampler(threading.Thread):
    """Peak summed RSS of a process and its descendants, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def current(self) -> int:
        total = 0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.current())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def ortak(env: dict, *args: str, input: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "archive.cli", *args], env=env, input=input, text=True,
                          capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"ortak {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout.strip()


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--port", str(port),
                                 "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"ortak serve exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.options(f"http://127.0.0.1:{port}/api/v1/uploads", timeout=2).status_code == 204:
                return proc
        except requests.RequestException:  # not listening yet, or still booting its workers
            pass
        time.sleep(0.2)
    raise SystemExit("ortak serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def tus_upload(base: str, token: str, path: Path, patch_size: int) -> tuple[str, str]:
    """Create an upload and PATCH it in `patch_size` pieces; (upload url, asset id)."""
    size = path.stat().st_size
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    resp = requests.post(base + "/api/v1/uploads", timeout=60, headers={
        **auth, "Upload-Length": str(size), "Upload-Metadata": "filename YmVuY2gubXA0"})  # bench.mp4
    resp.raise_for_status()
    url = base + resp.headers["Location"]
    offset = 0
    with requests.Session() as http:
        while offset < size:
            piece = min(patch_size, size - offset)
            resp = http.patch(url, data=FileSlice(path, offset, piece), timeout=3600, headers={
                **auth, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
            if resp.status_code != 204:
                raise SystemExit(f"PATCH at {offset} answered {resp.status_code}: {resp.text[:500]}")
            offset = int(resp.headers["Upload-Offset"])
    return url, resp.headers["Ortak-Asset-Id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="an existing file to use (default: make one)")
    parser.add_argument("--size-mb", type=int, default=2048, help="size of the file to make, in MiB")
    parser.add_argument("--patch-mb", type=int, default=512, help="bytes per PATCH request, in MiB")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ortak-bench-"))
    server = None
    try:
        path = args.file
        if path is None:
            path = work / "source.bin"
            print(f"making {args.size_mb} MiB test file ...", flush=True)
            make_file(path, args.size_mb * MIB)
        size = path.stat().st_size
        subprocess.run(f"cat {shlex_quote(path)} > /dev/null", shell=True, check=True)  # both runs read from cache

        t_base, sha_base = timed(lambda: baseline_sha256sum(path))
        t_lib, sha_lib = timed(lambda: hashlib_file(path))
        assert sha_base == sha_lib

        data = work / "data"
        env = {**os.environ, "ORTAK_DATA_DIR": str(data), "ORTAK_LOG_LEVEL": "WARNING",
               "ORTAK_MAX_UPLOAD_SIZE": str(max(size, 1) * 2)}
        ortak(env, "db", "upgrade")
        ortak(env, "org", "create", "Bench", "--country", "TR")
        ortak(env, "user", "create", "bench@example.org", "--org", "Bench", "--role", "producer",
              "--password-stdin", input="benchmark password\n")
        token = ortak(env, "token", "create", "bench@example.org").splitlines()[-1]
        port = free_port()
        server = start_server(env, port, args.workers, work / "serve.log")
        base = f"http://127.0.0.1:{port}"

        warm = work / "warm.bin"
        for i in range(2 * args.workers):  # every worker has served an upload before measuring
            warm.write_bytes(os.urandom(64 * 1024) + bytes([i]))
            tus_upload(base, token, warm, MIB)
        sampler = RssSampler(server.pid)
        rss_before = sampler.current()
        sampler.start()
        t_up, (url, asset_id) = timed(lambda: tus_upload(base, token, path, args.patch_mb * MIB))
        peak = sampler.stop()

        with sqlite3.connect(data / "ortak.db") as conn:
            row = conn.execute("SELECT sha256, size, status FROM assets WHERE id = ?", (asset_id,)).fetchone()
        assert row is not None, "no asset row"
        assert row[0] == sha_base and row[1] == size, f"asset {row} does not match the file"

        mb = size / 1e6
        ratio = t_base / t_up
        growth = (peak - rss_before) / 1e6
        print(f"file:                       {size / MIB:.0f} MiB ({path})")
        print(f"(a) cat FILE | sha256sum:    {t_base:7.2f} s  {mb / t_base:8.1f} MB/s")
        print(f"    python hashlib.sha256:   {t_lib:7.2f} s  {mb / t_lib:8.1f} MB/s  (reference)")
        print(f"(b) tus upload via gunicorn: {t_up:7.2f} s  {mb / t_up:8.1f} MB/s  "
              f"({args.patch_mb} MiB PATCHes, asset {row[2]}, sha256 verified)")
        print(f"throughput ratio b/a:        {ratio:.2f}x  (goal >= 0.8x: {'met' if ratio >= 0.8 else 'NOT met'})")
        print(f"    vs hashlib alone:        {t_lib / t_up:.2f}x")
        print(f"server peak RSS growth:      {growth:.1f} MB  (tree {rss_before / 1e6:.0f} -> {peak / 1e6:.0f} MB; "
              f"goal < 100 MB: {'met' if growth < 100 else 'NOT met'})")
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
