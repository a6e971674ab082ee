"""The servers and the client of the upload benchmark (`benchmarks/ingest.py`).

Two tus servers on loopback, each a subprocess stopped by its PID: Ortak as `ortak serve`
runs it (gunicorn gthread, a temporary ORTAK_DATA_DIR, user and token made with the CLI),
and the peer, `@tus/server` with `@tus/file-store` from the npm project in
`benchmarks/tus-peer` (`make bench-peer` installs it from its lock file). One client, plain
`requests` PATCHes streamed from the file, drives both the same way. Two more answer tus but
keep nothing: the sink (a bare socket server reading into one buffer: the ceiling of the
client and the loopback) and the WSGI sink (gunicorn as `ortak serve` runs it, reading
`wsgi.input`: the ceiling of the WSGI server's body reading, which the upload path sits on).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

MIB = 1024 * 1024
PEER_DIR = Path(__file__).resolve().parent / "tus-peer"
TUS = {"Tus-Resumable": "1.0.0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    """Peak summed RSS (bytes) of a process and its descendants, sampled every `interval` s."""

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

    def cpu_seconds(self) -> float:
        """User + system CPU time the process tree has used so far."""
        total = 0.0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
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


def tus_upload(create_url: str, path: Path, patch_size: int, headers: dict[str, str]) -> requests.Response:
    """POST then PATCH `path` in `patch_size` pieces on one connection; the final PATCH's response."""
    size = path.stat().st_size
    with requests.Session() as http:
        resp = http.post(create_url, timeout=60, headers={
            **TUS, **headers, "Upload-Length": str(size), "Upload-Metadata": "filename YmVuY2gubXA0"})  # bench.mp4
        if resp.status_code != 201:
            raise SystemExit(f"POST {create_url} answered {resp.status_code}: {resp.text[:500]}")
        url = requests.compat.urljoin(create_url, resp.headers["Location"])
        offset = 0
        while offset < size:
            piece = min(patch_size, size - offset)
            resp = http.patch(url, data=FileSlice(path, offset, piece), timeout=3600, headers={
                **TUS, **headers, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
            if resp.status_code != 204:
                raise SystemExit(f"PATCH {url} at {offset} answered {resp.status_code}: {resp.text[:500]}")
            offset = int(resp.headers["Upload-Offset"])
        resp.url = url
        return resp


def _wait_until_up(proc: subprocess.Popen, probe, log: Path, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited early:\n{log.read_text()[-3000:]}")
        try:
            if probe():
                return
        except requests.RequestException:  # not listening yet, or still booting its workers
            pass
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"{name} did not answer within 60 s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process started here (by its PID; gunicorn stops its own workers), then SIGKILL."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


class OrtakServer:
    """`ortak serve` on a fresh data directory, with a producer and an API token."""

    name = "ortak"

    def __init__(self, data: Path, *, workers: int, max_upload: int):
        self.data = data
        self.env = {**os.environ, "ORTAK_DATA_DIR": str(data), "ORTAK_LOG_LEVEL": "WARNING",
                    "ORTAK_MAX_UPLOAD_SIZE": str(max_upload)}
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.token = ""

    @property
    def create_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1/uploads"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def upload_dir(self) -> Path:
        return self.data / "uploads"

    def _cli(self, *args: str, input: str | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "archive.cli", *args], env=self.env, input=input, text=True,
                              capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"ortak {' '.join(args)} failed: {done.stderr or done.stdout}")
        return done.stdout.strip()

    def start(self) -> "OrtakServer":
        self._cli("db", "upgrade")
        self._cli("org", "create", "Bench", "--country", "TR")
        self._cli("user", "create", "bench@example.org", "--org", "Bench", "--role", "producer",
                  "--password-stdin", input="benchmark password\n")
        self.token = self._cli("token", "create", "bench@example.org").splitlines()[-1]
        log = self.data / "serve.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--port", str(self.port),
                                          "--workers", str(self.workers)], env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)
        _wait_until_up(self.proc, lambda: requests.options(self.create_url, timeout=2).status_code == 204, log,
                       "ortak serve")
        return self

    def stored(self, final: requests.Response) -> tuple[Path, str]:
        """(path of the stored original, its SHA-256 as the server recorded it)."""
        import sqlite3

        asset_id = final.headers["Ortak-Asset-Id"]
        with sqlite3.connect(self.data / "ortak.db") as conn:
            key, sha256 = conn.execute("SELECT original_key, sha256 FROM assets WHERE id = ?", (asset_id,)).fetchone()
        return self.data / "blobs" / key, sha256

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class PeerServer:
    """`@tus/server` + `@tus/file-store` (benchmarks/tus-peer/server.mjs) on the same filesystem."""

    name = "peer"

    def __init__(self, data: Path):
        self.files = data / "peer-files"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.headers: dict[str, str] = {}

    @property
    def create_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files"

    @property
    def upload_dir(self) -> Path:
        return self.files

    def start(self) -> "PeerServer":
        node = shutil.which("node")
        if node is None or not (PEER_DIR / "node_modules" / "@tus" / "server").is_dir():
            raise SystemExit("the peer tus server is not installed: run `make bench-peer` "
                             "(npm ci in benchmarks/tus-peer)")
        self.files.mkdir(parents=True, exist_ok=True)
        log = self.files.parent / "peer.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen([node, str(PEER_DIR / "server.mjs"), str(self.port), str(self.files)],
                                         cwd=PEER_DIR, stdout=out, stderr=subprocess.STDOUT)
        _wait_until_up(self.proc, lambda: requests.options(self.create_url, timeout=2).status_code == 204, log,
                       "the peer tus server")
        return self

    def stored(self, final: requests.Response) -> tuple[Path, None]:
        return self.files / final.url.rsplit("/", 1)[1], None

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class SinkServer:
    """A tus endpoint that reads every body into one reused buffer and keeps nothing (this file, run as
    `python upload_peers.py sink PORT`): one thread per connection, recv_into, no parsing beyond
    the request line and Content-Length."""

    name = "sink"

    def __init__(self, data: Path):
        self.log = data / "sink.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.headers: dict[str, str] = {}

    @property
    def create_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files"

    def start(self) -> "SinkServer":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, __file__, "sink", str(self.port)], stdout=out,
                                         stderr=subprocess.STDOUT)
        _wait_until_up(self.proc, lambda: requests.options(self.create_url, timeout=2).status_code == 204,
                       self.log, "the sink")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class WsgiSinkServer(SinkServer):
    """gunicorn, with the flags `ortak serve` passes, serving `wsgi_sink.app`: it reads each body
    through `wsgi.input` as the upload path does, and keeps nothing."""

    name = "wsgi-sink"

    def __init__(self, data: Path, *, workers: int):
        super().__init__(data)
        self.log = data / "wsgi-sink.log"
        self.workers = workers

    def start(self) -> "WsgiSinkServer":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                 "--worker-class", "gthread", "--threads", "8", "--timeout", "0", "--graceful-timeout", "10",
                 "--chdir", str(Path(__file__).resolve().parent), "wsgi_sink:app"],
                stdout=out, stderr=subprocess.STDOUT)
        _wait_until_up(self.proc, lambda: requests.options(self.create_url, timeout=2).status_code == 204,
                       self.log, "the WSGI sink")
        return self


def _serve_sink(port: int) -> None:
    import socketserver

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            buf = bytearray(MIB)
            offsets: dict[str, int] = {}
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    return
                method, target = line.split()[:2]
                length = 0
                while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                left = length
                view = memoryview(buf)
                while left:
                    # readinto: the buffered reader hands over what it holds, then recv_into.
                    n = self.rfile.readinto(view[:min(left, MIB)])
                    if not n:
                        return
                    left -= n
                upload = target.decode().rsplit("/", 1)[-1]
                if method == b"POST":
                    upload = os.urandom(8).hex()
                    offsets[upload] = 0
                    head = f"HTTP/1.1 201 Created\r\nLocation: /files/{upload}\r\nTus-Resumable: 1.0.0\r\n"
                elif method == b"PATCH":
                    offsets[upload] = offsets.get(upload, 0) + length
                    head = f"HTTP/1.1 204 No Content\r\nUpload-Offset: {offsets[upload]}\r\nTus-Resumable: 1.0.0\r\n"
                else:
                    head = "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\n"
                self.wfile.write((head + "Content-Length: 0\r\n\r\n").encode())
                self.wfile.flush()

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", port), Handler) as server:
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever()


if __name__ == "__main__" and sys.argv[1:2] == ["sink"]:
    _serve_sink(int(sys.argv[2]))
