"""`ortak serve` as a real gunicorn on a free port: its limits, its error answers, its logs.

gunicorn refuses what it cannot parse before the app sees it; those answers must use the
API's error shape too. Two servers on two data directories must run side by side (each
with its own control socket), and with LOG_FORMAT=json every log line is JSON.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.api.limits import HEADER_FIELDS_MAX, REQUEST_LINE_MAX
from archive.server import control_socket
from tests.conftest import PG_URL
from tests.live_server import free_port

ERROR_KEYS = {"code", "message", "details"}


class Served:
    """One `ortak serve` process (gunicorn execs in its place, same pid)."""

    def __init__(self, data_dir: str, database_url: str, log_dir: Path, **env: str):
        self.port = free_port()
        self.data_dir = data_dir
        self.stdout_path, self.stderr_path = log_dir / f"serve-{self.port}.out", log_dir / f"serve-{self.port}.err"
        environ = {**os.environ, "ORTAK_DATA_DIR": data_dir, "ORTAK_DATABASE_URL": database_url,
                   "ORTAK_SECRET_KEY": "test-secret", "ORTAK_LOG_FORMAT": "json", "ORTAK_LOG_LEVEL": "INFO",
                   "ORTAK_BROKER_URL": "", **env}
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--port", str(self.port),
                                          "--workers", "1"], env=environ, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self._terminated = False

    def logs(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> "Served":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.logs()[-3000:]}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve not ready after {timeout} s:\n{self.logs()[-3000:]}")

    def request(self, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(data)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def terminate(self) -> None:
        """SIGTERM (gunicorn's graceful stop), once; `stop` waits for it."""
        if not self._terminated and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self._terminated = True

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def _serve(data_dir: str, database_url: str, *, wait: bool = True, **env: str) -> Served:
        """The server started; with wait=False not waited for (call its wait_ready)."""
        server = Served(data_dir, database_url, tmp_path, **env)
        started.append(server)
        return server.wait_ready() if wait else server

    yield _serve
    for server in started:  # all stopping side by side, then each waited for
        server.terminate()
    for server in started:
        server.stop()


@pytest.fixture
def served(serve, app_config, app):
    return serve(app_config["DATA_DIR"], app_config["DATABASE_URL"])


def _json_error(status: int, headers: dict, body: bytes, expected_status: int, code: str) -> dict:
    assert status == expected_status, body[:300]
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert set(error) == ERROR_KEYS and error["code"] == code and error["message"]
    return error


def _split_response(raw: bytes) -> tuple[int, dict, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


def test_gunicorn_refusals_answer_in_the_json_error_shape(served):
    # A URL longer than the request line may be: 414.
    status, headers, body = served.request("GET", "/api/v1/assets?q=" + "a" * 9 * 1024)
    error = _json_error(status, headers, body, 414, "uri_too_long")
    assert error["details"] == {"limit": REQUEST_LINE_MAX} and str(REQUEST_LINE_MAX) in error["message"]

    # One header field over MAX_HEADER_BYTES: 431, naming both header limits.
    status, headers, body = served.request("GET", "/api/v1/assets", {"X-Padding": "b" * 70 * 1024})
    error = _json_error(status, headers, body, 431, "header_too_large")
    assert error["details"] == {"limit": 65536}

    # More header fields than allowed: 431 too.
    many = {f"X-Field-{i}": "1" for i in range(HEADER_FIELDS_MAX + 5)}
    _json_error(*served.request("GET", "/api/v1/assets", many), 431, "too_many_headers")

    # A request gunicorn cannot parse at all: 400.
    error = _json_error(*_split_response(served.raw(b"GARBAGE\r\n\r\n")), 400, "bad_request")
    assert error["message"].startswith("The request is malformed")
    error = _json_error(*_split_response(served.raw(b"GET /" + b"x" * 5000 + b"\r\n\r\n")),
                        400, "bad_request")
    assert len(error["message"]) < 300  # what could not be parsed is quoted, not echoed whole

    # Within the limits, the app answers (its own JSON 401 here).
    status, headers, body = served.request("GET", "/api/v1/assets?q=" + "a" * 7 * 1024,
                                           {"X-Padding": "b" * 60 * 1024})
    _json_error(status, headers, body, 401, "unauthenticated")


def test_60_kb_of_upload_metadata_reaches_the_app(served, auth):
    description = "ş" * 15000 + "₺" * 5000  # 45,000 bytes of UTF-8: 60,000 in base64
    pairs = {"filename": "Bakı gecəsi.mp4", "title": "Bakı gecəsi", "description": description, "language": "az"}
    metadata = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())
    assert 60_000 < len(metadata) < 65_536 - len("Upload-Metadata: \r\n")
    status, headers, body = served.request("POST", "/api/v1/uploads", {
        **auth, "Tus-Resumable": "1.0.0", "Upload-Length": "1024", "Upload-Metadata": metadata})
    assert status == 201, body[:500]
    assert headers["Location"]


def test_access_and_server_logs_are_json(served):
    for path in ("/healthz", "/api/v1/assets", "/nope"):
        served.request("GET", path, {"User-Agent": "ortak-test"})
    served.stop()
    lines = [line for line in served.logs().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON log line: {line!r}")
    access = [r for r in records if r.get("name") == "gunicorn.access"]
    seen = {(r["method"], r["path"], r["status"]) for r in access}
    assert {("GET", "/healthz", 200), ("GET", "/api/v1/assets", 401), ("GET", "/nope", 404)} <= seen
    assert all(r["user_agent"] == "ortak-test" and r["duration_ms"] >= 0 for r in access if r["path"] == "/nope")
    assert any(r.get("name") == "gunicorn.error" and "Listening at" in r["message"] for r in records)


def test_two_servers_side_by_side(serve, app_config, app, migrated_template, tmp_path):
    other_dir = tmp_path / "other-data"
    other_dir.mkdir()
    if PG_URL:
        other_url = app_config["DATABASE_URL"]  # one PostgreSQL database; what differs is the data directory
    else:
        shutil.copyfile(migrated_template, other_dir / "ortak.db")
        other_url = f"sqlite:///{other_dir / 'ortak.db'}"
    # Started together, as side by side as can be (and one start's wait, not two).
    first = serve(app_config["DATA_DIR"], app_config["DATABASE_URL"], wait=False)
    second = serve(str(other_dir), other_url, wait=False)
    first.wait_ready(), second.wait_ready()
    assert first.request("GET", "/healthz")[0] == 200 and second.request("GET", "/healthz")[0] == 200

    sockets = []
    for server in (first, second):
        path = control_socket(server.data_dir)
        if path is None:
            continue  # a data directory too deep for a Unix socket: gunicorn runs without one
        assert Path(path).is_socket(), server.logs()[-2000:]
        sockets.append((server, path))
        # Each socket reaches its own server: the arbiter behind it is that server's process.
        out = subprocess.run([str(Path(sys.executable).parent / "gunicornc"), "-s", path, "-c", "show stats",
                              "-j"], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["pid"] == server.proc.pid

    first.stop()
    assert second.request("GET", "/healthz")[0] == 200
    for server, path in sockets:
        assert Path(path).exists() == (server is second)


def test_a_forwarded_scheme_is_believed_only_from_a_trusted_proxy(serve, app_config, app, tmp_path):
    """gunicorn would believe X-Forwarded-Proto from any client on loopback; Ortak decides
    (ORTAK_TRUSTED_PROXIES): a cookie is Secure over https only when https is believed."""
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
    other = tmp_path / "other-data"
    other.mkdir()
    untrusting = serve(app_config["DATA_DIR"], app_config["DATABASE_URL"], wait=False)
    trusting = serve(str(other), app_config["DATABASE_URL"], wait=False, ORTAK_TRUSTED_PROXIES="1")
    untrusting.wait_ready(), trusting.wait_ready()
    status, headers, _ = untrusting.request("GET", "/lang/az", forged)
    assert status == 302 and "Secure" not in headers["Set-Cookie"]
    status, headers, _ = trusting.request("GET", "/lang/az", {"X-Forwarded-Proto": "https"})
    assert status == 302 and "Secure" in headers["Set-Cookie"]
    status, headers, _ = trusting.request("GET", "/lang/az", {"X-Forwarded-Proto": "http"})
    assert "Secure" not in headers["Set-Cookie"]
