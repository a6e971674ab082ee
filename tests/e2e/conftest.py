"""The real service for browser tests: `ortak serve` (gunicorn) and `ortak worker` (embedded
file broker) as subprocesses sharing one temporary ORTAK_DATA_DIR, and Debian's Chromium.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import CHEAP_PASSWORD_HASHING
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
VENDOR_TUS = ROOT / "archive" / "web" / "static" / "vendor" / "tus.min.js"
EMAIL = "yapimci@ortak.test"
PASSWORD = "gizli parola 123"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# Small enough that a test can exceed it with a sparse file; far above every clip the tests upload.
MAX_UPLOAD = 10 * 1024 * 1024


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
    env: dict = field(default_factory=dict, repr=False)
    _app: object = field(default=None, repr=False)

    @property
    def app(self):
        """A Flask app of this process on the service's database and storage (made once): what
        the tests set up through the service functions, without an `ortak` process each time."""
        if self._app is None:
            from archive import create_app

            self._app = create_app({"DATA_DIR": str(self.data_dir), "DATABASE_URL": self.env["ORTAK_DATABASE_URL"],
                                    "SECRET_KEY": self.env["ORTAK_SECRET_KEY"], "LOG_LEVEL": "WARNING",
                                    "LOG_FORMAT": "text", "BROKER_URL": "", **CHEAP_PASSWORD_HASHING})
        return self._app

    def create_org(self, name: str, country: str) -> None:
        """What `ortak org create NAME --country COUNTRY` does (archive/cli_accounts.py)."""
        from archive.accounts import services
        from archive.cli_support import unit_of_work

        with unit_of_work(self.app) as s:
            services.create_organisation(s, name, country)

    def create_user(self, email: str, org: str, role: str, password: str | None = None) -> None:
        """What `ortak user create EMAIL --org ORG --role ROLE --password-stdin` does."""
        from archive.accounts import services
        from archive.cli_support import unit_of_work

        with unit_of_work(self.app) as s:
            services.create_user(s, email, password or self.password, org, role)

    def create_token(self, email: str) -> str:
        """What `ortak token create EMAIL` prints: a new API token of the user."""
        from archive.accounts import services
        from archive.cli_support import unit_of_work

        with unit_of_work(self.app) as s:
            return services.create_token(s, services.get_user(s, email))

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `ortak ARGS` against this service's data; its standard output."""
        done = subprocess.run([_ortak(), *args], env=self.env, input=stdin, text=True, check=True,
                              capture_output=True, cwd=ROOT, timeout=120)
        return done.stdout

    def api(self, token: str, path: str) -> dict:
        req = urllib.request.Request(self.url + path, headers={"Authorization": "Bearer " + token,
                                                               "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


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
           "ORTAK_LOG_FORMAT": "text", "ORTAK_LOG_LEVEL": "WARNING", "ORTAK_BROKER_URL": "",
           "ORTAK_MAX_UPLOAD_SIZE": str(MAX_UPLOAD),
           # As everywhere in the suite (tests/conftest.py): the tests check behaviour, not Argon2's cost.
           **{f"ORTAK_{key}": str(value) for key, value in CHEAP_PASSWORD_HASHING.items()}}
    for key in ("ORTAK_CONFIG", "ORTAK_STORAGE", "ORTAK_SEARCH", "ORTAK_ES_URL"):
        env.pop(key, None)
    ortak = _ortak()
    from archive.migrate import upgrade

    upgrade(env["ORTAK_DATABASE_URL"])  # `ortak db upgrade`
    port_url = f"http://127.0.0.1:{port}"
    accounts = Service(url=port_url, email=EMAIL, password=PASSWORD, data_dir=data, logs=logs, env=env)
    accounts.create_org("Ortak TV", "TR")
    accounts.create_user(EMAIL, "Ortak TV", "producer")

    procs: list[subprocess.Popen] = []
    web_log = (logs / "web.log").open("wb")
    worker_log = (logs / "worker.log").open("wb")
    try:
        procs.append(subprocess.Popen([ortak, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=ROOT,
                                      stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True))
        procs.append(subprocess.Popen([ortak, "worker", "--concurrency", "1", "--no-beat"], env=env, cwd=ROOT,
                                      stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True))
        _wait_http(port_url + "/login", procs, logs)
        yield accounts
    finally:
        for p in procs:
            _stop(p)
        if accounts._app is not None:
            accounts.app.extensions["ortak.db"].dispose()
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


# What Playwright says of an evaluate that a navigation cut short (the page's context gone).
_NAVIGATING = ("Execution context was destroyed", "Cannot find context with specified id",
               "because of a navigation")


def until(page, expression: str, timeout_s: float = 30, interval_ms: int = 100):
    """The first truthy value of the JavaScript `expression`, polled with `page.evaluate` every
    `interval_ms` until `timeout_s` (AssertionError after it). Playwright's `wait_for_function`
    polls through an `eval` inside the page, which the pages' Content-Security-Policy
    (`script-src 'self'`) rightly refuses: it works only when its first check is already true.
    A check made while the page navigates (its context destroyed) counts as false; any other
    error is raised at once (an error of the expression naming `navigator` too)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            value = page.evaluate(expression)
        except PlaywrightError as exc:
            if not any(sign in str(exc) for sign in _NAVIGATING):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s:.0f} s: {expression}")
        page.wait_for_timeout(interval_ms)


_LOGINS: dict[tuple[str, str, str | None], list[dict]] = {}  # (service url, e-mail, language): cookies


def log_in(page, service: Service, email: str | None = None, lang: str | None = None) -> None:
    """Log `page`'s browser context in as `email` (the service's own user by default) and land on
    the home page; with `lang`, in that language (`/lang/LANG` before the login form).

    The first login of an (e-mail, language) pair in the session goes through the login form;
    its cookies are kept, and later ones are given those cookies (the same server-side session,
    the language it holds) and open the home page, which must then answer, not send to the
    login page. No test ends a session it did not log in itself through the form (the one that
    logs out, test_messages.py's expired page, logs in with the form only), and a session found
    ended all the same is logged in again through the form. Tests of the login itself use the form.
    """
    email = email or service.email
    key = (service.url, email, lang)
    # Without `lang`, what the session holds depends on what the context held before (a language
    # chosen earlier): the kept cookies stand in for a login only in a context that holds none.
    keep = lang is not None or not page.context.cookies()
    cookies = _LOGINS.get(key) if keep else None
    if cookies is not None:
        page.context.add_cookies(cookies)
        page.goto(service.url + "/")
        if page.url == service.url + "/":
            return
        _LOGINS.pop(key, None)
    page.goto(f"{service.url}/lang/{lang}?next=/login" if lang else service.url + "/login")
    page.fill("#email", email)
    page.fill("#password", service.password)
    page.click("button[type=submit]")
    page.wait_for_url(service.url + "/")
    if keep:
        _LOGINS[key] = page.context.cookies()


@pytest.fixture
def logged_in(page, service):
    """`page`, logged in as the service's admin, on the home page."""
    log_in(page, service)
    return page


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


def upload_file(service: Service, token: str, path: Path, meta: dict[str, str]) -> str:
    """Upload `path` with tuspy (a real tus client) as the token's user; the asset id."""
    from tusclient import client

    tus = client.TusClient(service.url + "/api/v1/uploads", headers={"Authorization": "Bearer " + token})
    with path.open("rb") as fh:  # our handle, closed here (tuspy leaves its own open)
        uploader = tus.uploader(file_stream=fh, metadata={"filename": path.name, **meta}, chunk_size=4 * 1024 * 1024)
        uploader.upload()
    return service.api(token, uploader.url.replace(service.url, ""))["asset_id"]


def wait_for_status(service: Service, token: str, asset_id: str, timeout: float = 180) -> dict:
    """Poll the asset until processing ends (ready, rejected or failed); its JSON."""
    deadline = time.monotonic() + timeout
    while True:
        doc = service.api(token, f"/api/v1/assets/{asset_id}")
        if doc["status"] not in ("uploading", "processing"):
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"asset {asset_id} still {doc['status']} after {timeout:.0f} s")
        time.sleep(0.5)


@dataclass
class Seeded:
    """Assets of every kind a page shows differently, made through the real upload and worker."""
    token: str
    video: str
    audio: str
    rejected: str
    long_email: str
    long_email_asset: str


LONG_EMAIL = "gulnar.mammadova-aliyeva.baku.bureau@azerbaycan-televiziya.example.org"


@pytest.fixture(scope="session")
def seeded(service, tmp_path_factory) -> Seeded:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing")
    media = tmp_path_factory.mktemp("seed")
    video, audio, junk = media / "saz-konseri.mp4", media / "mugam.m4a", media / "notlar.mov"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=4",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(video)], check=True, timeout=60)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100:duration=3",
                    "-c:a", "aac", str(audio)], check=True, timeout=60)
    junk.write_bytes(b"Bu bir video degil; yalnizca notlar.\n" * 300)
    token = service.create_token(service.email)
    ids = {"video": upload_file(service, token, video, {"title": "Saz konseri", "language": "tr"}),
           "audio": upload_file(service, token, audio, {"title": "Muğam", "language": "az"}),
           "rejected": upload_file(service, token, junk, {"title": "Notlar", "language": "tr"})}
    service.create_user(LONG_EMAIL, "Ortak TV", "producer")
    long_token = service.create_token(LONG_EMAIL)
    other = media / "ikinci-notlar.mov"
    other.write_bytes(b"Ikinci dosya; bu da video degil.\n" * 300)
    ids["long"] = upload_file(service, long_token, other, {"title": "Uzun adres", "language": "tr"})
    states = {name: wait_for_status(service, token, aid)["status"] for name, aid in ids.items() if name != "long"}
    assert states == {"video": "ready", "audio": "ready", "rejected": "rejected"}, states
    return Seeded(token=token, video=ids["video"], audio=ids["audio"], rejected=ids["rejected"],
                  long_email=LONG_EMAIL, long_email_asset=ids["long"])


# The co-production project every browser test shares (a session fixture, registered here once).
from tests.e2e.coproduction import coproduction_seed  # noqa: E402,F401
