"""The real service for browser tests: `ortak serve` (gunicorn) and `ortak worker` (embedded
file broker) as subprocesses sharing one temporary ORTAK_DATA_DIR, and Debian's Chromium.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
VENDOR_TUS = ROOT / "archive" / "web" / "static" / "vendor" / "tus.min.js"
EMAIL = "yapimci@ortak.test"
PASSWORD = "gizli parola 123"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _ortak() -> str:
    exe = Path(sys.executable).with_name("ortak")
    return str(exe) if exe.exists() else "ortak"


@dataclass
class Service:
    url: str
    email: str
    password: str
    data_dir: Path
    logs: Path


def _wait_http(url: str, procs: list[subprocess.Popen], logs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"a service process exited with {p.returncode}; see {logs}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s; see {logs}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop one process group we started: TERM, then KILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make browser-deps)")
    return CHROMIUM


@pytest.fixture(scope="session")
def vendored_tus() -> Path:
    """The upload page needs tus-js-client's browser build, copied from node_modules."""
    if not VENDOR_TUS.exists() and (ROOT / "node_modules" / "tus-js-client").is_dir():
        subprocess.run([str(ROOT / "scripts" / "vendor.sh")], check=True)
    if not VENDOR_TUS.exists():
        pytest.skip("tus-js-client is not installed: run `npm ci && scripts/vendor.sh` (make assets)")
    return VENDOR_TUS


@pytest.fixture(scope="session")
def service(tmp_path_factory, vendored_tus) -> Service:
    base = tmp_path_factory.mktemp("e2e")
    data = base / "data"
    data.mkdir()
    logs = base / "logs"
    logs.mkdir()
    port = free_port()
    env = {**os.environ, "ORTAK_DATA_DIR": str(data), "ORTAK_DATABASE_URL": f"sqlite:///{data / 'ortak.db'}",
           "ORTAK_PORT": str(port), "ORTAK_HOST": "127.0.0.1", "ORTAK_SECRET_KEY": "e2e-secret",
           "ORTAK_LOG_FORMAT": "text", "ORTAK_LOG_LEVEL": "WARNING", "ORTAK_BROKER_URL": ""}
    for key in ("ORTAK_CONFIG", "ORTAK_STORAGE", "ORTAK_SEARCH", "ORTAK_ES_URL"):
        env.pop(key, None)
    ortak = _ortak()
    for args, stdin in ((["db", "upgrade"], None), (["org", "create", "Ortak TV", "--country", "TR"], None),
                        (["user", "create", EMAIL, "--org", "Ortak TV", "--role", "producer", "--password-stdin"],
                         PASSWORD + "\n")):
        subprocess.run([ortak, *args], env=env, input=stdin, text=True, check=True, capture_output=True,
                       cwd=ROOT, timeout=120)

    procs: list[subprocess.Popen] = []
    web_log = (logs / "web.log").open("wb")
    worker_log = (logs / "worker.log").open("wb")
    try:
        procs.append(subprocess.Popen([ortak, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=ROOT,
                                      stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True))
        procs.append(subprocess.Popen([ortak, "worker", "--concurrency", "1", "--no-beat"], env=env, cwd=ROOT,
                                      stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True))
        url = f"http://127.0.0.1:{port}"
        _wait_http(url + "/login", procs, logs)
        yield Service(url=url, email=EMAIL, password=PASSWORD, data_dir=data, logs=logs)
    finally:
        for p in procs:
            _stop(p)
        web_log.close()
        worker_log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR")
    p = context.new_page()
    p.set_default_timeout(30_000)
    # Shown by pytest only when the test fails: what the page's scripts and requests said.
    p.on("console", lambda msg: print(f"console {msg.type}: {msg.text}"))
    p.on("pageerror", lambda exc: print(f"page error: {exc}"))
    p.on("requestfailed", lambda req: print(f"request failed: {req.method} {req.url} {req.failure}"))
    p.on("response", lambda r: r.status >= 400 and print(f"response {r.status}: {r.request.method} {r.url}"))
    yield p
    context.close()


@pytest.fixture(scope="session")
def small_video(tmp_path_factory) -> Path:
    """5 s of 320x240 H.264 + AAC made with ffmpeg's lavfi sources."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing")
    out = tmp_path_factory.mktemp("e2e-media") / "kiz-kulesi.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=5",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(out)], check=True, timeout=60)
    return out
