"""Progressive HLS: while a make runs, the segments ffmpeg has completed are served through
the gate under EVENT playlists; afterwards the VOD playlists replace them; a failed make
leaves nothing published.

Real ffmpeg on a lavfi source, read faster than its frame rate but not at full speed (`-readrate`
before the source, so the make lasts at least the source's length over READRATE however fast the
machine is, and a segment is published while ffmpeg runs), the configured storage, the API read
with the test client while the make runs in its own thread and app context. A test that reads
the live files holds the make once a playable ladder is published (`Runs.hold`: its progress
callback waits, in the make's thread) until it has read them, so the make is running while it
reads however slow the machine; it reads the source at 4 times its rate (at least 5 s). The
failed make's test, which kills the encoder while it runs, reads it at twice its rate (at least
10 s, the first segment after ~3 s) and holds nothing. `-re`, the frame rate, gave 17 s a make.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import m3u8
import pytest
from sqlalchemy import func, select

from archive import db
from archive.backends import storage
from archive.ingest.pipeline import process_asset
from archive.media import render as render_module
from archive.renditions.models import Rendition, RenditionLiveFile

SECONDS = 20  # the source's length: segments of 6 s, so three are published before the end
READRATE = 2  # times the source's frame rate that a make reads it at (a make that is not held)
HELD_READRATE = 4  # the same for a make held once published (Runs.hold)
HOLD = 240  # seconds a make is held at most
WAIT = 240  # seconds a test waits for the make at most (the machine is shared)


@pytest.fixture(scope="module")
def long_video(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("live") / "long.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size=426x240:rate=25:duration={SECONDS}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
                    "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                    "-c:a", "aac", "-metadata:s:a:0", "language=tur", "-shortest", str(out)], check=True)
    return out


class Runs(list):
    """The pids of the renderer's ffmpeg runs, in order; `at_join`: the published segments
    stored when the join of a chunked make started. `hold()` before the make starts: its
    progress callback waits once a playable ladder (the master playlist) is published, until
    `release()`."""

    at_join: list[str] | None = None

    def __init__(self):
        super().__init__()
        self.held: threading.Event | None = None

    def hold(self) -> None:
        self.held = threading.Event()

    def release(self) -> None:
        if self.held is not None:
            self.held.set()


def _published_master() -> bool:
    """In the make's thread and app context: a master playlist of its HLS rendition is published
    (committed by the publisher; read without a flush, which would take SQLite's write lock)."""
    s = db.session()
    with s.no_autoflush:
        return s.scalar(select(func.count()).select_from(Rendition).where(
            Rendition.name == "hls", Rendition.live_entry.is_not(None))) > 0


@pytest.fixture
def throttled(monkeypatch):
    """Every ffmpeg run of the renderer reads its first input at READRATE times its native rate."""
    runs = Runs()
    real = render_module.run

    def run(argv, on_progress=None, **kwargs):
        argv = list(argv)
        if argv and os.path.basename(argv[0]) == "ffmpeg" and "-i" in argv:
            rate = READRATE if runs.held is None else HELD_READRATE
            argv[argv.index("-i"):argv.index("-i")] = ["-readrate", str(rate)]
        if "concat" in argv and runs.at_join is None:  # the join: runs in the make's app context
            runs.at_join = [b.key for b in storage().list_prefix("renditions") if b.key.endswith(".m4s")]
        held = runs.held
        if on_progress is not None and held is not None and isinstance(threading.current_thread(), Make):
            report = on_progress

            def on_progress(value):  # noqa: F811  (the make's own callback, then the hold)
                report(value)
                if not held.is_set() and _published_master():
                    held.wait(HOLD)

        return real(argv, on_start=runs.append, on_progress=on_progress, **kwargs)

    monkeypatch.setattr(render_module, "run", run)
    yield runs
    runs.release()


class Make(threading.Thread):
    def __init__(self, app, asset_id):
        super().__init__(daemon=True)
        self.app, self.asset_id, self.result = app, asset_id, None

    def run(self):
        with self.app.app_context():
            self.result = process_asset(self.asset_id)


def hls_of(client, auth, asset_id) -> dict:
    resp = client.get(f"/api/v1/assets/{asset_id}", headers=auth)
    assert resp.status_code == 200
    return next((r for r in resp.get_json()["renditions"] if r["name"] == "hls"), {})


def wait_live(client, auth, asset_id, make: Make) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        hls = hls_of(client, auth, asset_id)
        if hls.get("live"):
            return hls
        assert make.is_alive(), f"the make ended ({make.result}) before anything was published: {hls}"
        time.sleep(0.3)
    pytest.fail("nothing was published in time")


def base_of(url: str) -> str:
    return url.rsplit("/", 1)[0]


def live_rows(app, asset_id) -> int:
    with app.app_context():
        s = db.session()
        return s.scalar(select(func.count()).select_from(RenditionLiveFile).join(Rendition)
                        .where(Rendition.asset_id == asset_id))


def stored(app, asset_id) -> list[str]:
    with app.app_context():
        return [b.key for b in storage().list_prefix(f"renditions/{asset_id}")]


@pytest.fixture(params=["single", "chunked"])
def mode(request, app):
    if request.param == "chunked":  # two chunks of 12 s: the HLS outputs are made by the join
        app.config["CHUNK_SECONDS"] = 12
    return request.param


def test_a_running_make_is_served_as_event_playlists_then_as_vod(app, client, auth, register_file, long_video,
                                                                 throttled, tmp_path, mode):
    asset_id = register_file(long_video)
    make = Make(app, asset_id)
    throttled.hold()
    make.start()
    hls = wait_live(client, auth, asset_id, make)
    assert hls["status"] == "running" and hls["url"] is None and hls["live_url"].endswith("/hls/master.m3u8")
    base = base_of(hls["live_url"])

    master = client.get(hls["live_url"], headers=auth)
    assert master.status_code == 200, master.get_data(as_text=True)
    assert master.headers["Ortak-Rendition-Status"] == "running"
    assert master.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    parsed = m3u8.loads(master.get_data(as_text=True))
    assert parsed.is_variant and parsed.playlists and parsed.media
    assert {m.language for m in parsed.media} == {"tr"}
    variant = parsed.playlists[0].uri

    media = client.get(f"{base}/{variant}", headers=auth)
    assert media.status_code == 200
    assert media.headers["Cache-Control"] == "private, no-cache"
    text = media.get_data(as_text=True)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text
    playlist = m3u8.loads(text)
    assert playlist.segments, text
    folder = base_of(f"{base}/{variant}")
    init = client.get(f"{folder}/{playlist.segments[0].init_section.uri}", headers=auth)
    first = client.get(f"{folder}/{playlist.segments[0].uri}", headers=auth)
    assert init.status_code == 200 and first.status_code == 200
    assert first.headers["Ortak-Rendition-Status"] == "running"
    part = client.get(f"{folder}/{playlist.segments[0].uri}", headers={**auth, "Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == first.data[:100]
    if mode == "single":  # behind nginx: the published segment is handed over like any file
        settings = app.extensions["ortak.settings"]
        app.extensions["ortak.settings"] = dataclasses.replace(settings, ACCEL_REDIRECT_PREFIX="/_ortak_blobs/")
        try:
            accel = client.get(f"{folder}/{playlist.segments[0].uri}", headers=auth)
        finally:
            app.extensions["ortak.settings"] = settings
        redirect = accel.headers["X-Accel-Redirect"]
        assert accel.status_code == 200 and accel.data == b"" and "-live/" in redirect
        assert accel.headers["Ortak-Rendition-Status"] == "running"
        on_disk = Path(app.config["STORAGE_DIR"]) / redirect.removeprefix("/_ortak_blobs/")
        assert on_disk.read_bytes() == first.data
    playable = tmp_path / "first.mp4"
    playable.write_bytes(init.data + first.data)
    probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name",
                             "-of", "csv=p=0", str(playable)], capture_output=True, text=True, check=True)
    assert "h264,video" in probed.stdout

    # Nothing unpublished is served: a segment ffmpeg has not made, a file of another rendition.
    unmade = client.get(f"{folder}/seg_00099.m4s", headers=auth)
    assert unmade.status_code == 404 and unmade.get_json()["error"]["code"] == "rendition_file_not_found"
    assert client.get(f"/api/v1/assets/{asset_id}/renditions/storyboard/storyboard.vtt",
                      headers=auth).status_code in (404, 409)
    assert make.is_alive(), "the make was to be running while its files were read"

    throttled.release()
    make.join(WAIT)
    assert make.result == "ready"
    if mode == "chunked":  # the first chunk (12 s: two segments) was published before the join began
        assert throttled.at_join is not None, "the make was not chunked"
        early = {k.rsplit("/", 1)[1] for k in throttled.at_join if "-live/" in k}
        assert "seg_00000.m4s" in early and early <= {"seg_00000.m4s", "seg_00001.m4s"}, early
    else:
        assert throttled.at_join is None
    hls = hls_of(client, auth, asset_id)
    assert hls["status"] == "ready" and hls["live"] is False and hls["live_url"] is None
    final = client.get(f"{base}/{variant}", headers=auth)
    assert final.status_code == 200 and "Ortak-Rendition-Status" not in final.headers
    text = final.get_data(as_text=True)
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
    assert sum(s.duration for s in m3u8.loads(text).segments) == pytest.approx(SECONDS, abs=0.1)
    assert live_rows(app, asset_id) == 0
    assert not [k for k in stored(app, asset_id) if "-live/" in k], "the published copies were left behind"


def test_a_failed_make_leaves_nothing_published(app, client, auth, register_file, long_video, throttled):
    asset_id = register_file(long_video)
    make = Make(app, asset_id)
    make.start()
    hls = wait_live(client, auth, asset_id, make)
    assert live_rows(app, asset_id) > 0
    os.killpg(throttled[-1], signal.SIGKILL)  # the encoder dies mid-make
    make.join(WAIT)
    assert make.result == "failed"
    after = hls_of(client, auth, asset_id)
    assert after["status"] == "failed" and after["live"] is False and after["live_url"] is None
    assert "failed" in (after["error"] or "")
    gone = client.get(hls["live_url"], headers=auth)
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "rendition_not_ready"
    assert live_rows(app, asset_id) == 0
    assert [k for k in stored(app, asset_id) if "/hls/" in k] == []


def test_on_s3_a_running_make_is_served_with_presigned_urls(app_config, s3_config, long_video, throttled, tmp_path):
    """Real S3 (SeaweedFS on loopback): the published EVENT playlist names presigned URLs of
    the published segments, which S3 answers; afterwards nothing published is left."""
    import hashlib

    import requests

    from archive import create_app
    from archive.accounts import services as accounts
    from archive.ingest.services import register_original

    app = create_app({**app_config, **s3_config, "PRESIGN_SECONDS": 60})
    try:
        staged = tmp_path / "staged"
        staged.write_bytes(long_video.read_bytes())
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "TRT", "TR")
            user = accounts.create_user(s, "s3live@example.org", "correct horse battery", "TRT", "producer")
            token = accounts.create_token(s, user)
            asset_id = register_original(s, staged=staged, sha256=hashlib.sha256(staged.read_bytes()).hexdigest(),
                                         size=staged.stat().st_size, filename="canli.mp4", meta={},
                                         uploader=user).asset.id
            s.commit()
        client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
        make = Make(app, asset_id)
        throttled.hold()
        make.start()
        hls = wait_live(client, auth, asset_id, make)
        base = base_of(hls["live_url"])
        master = client.get(hls["live_url"], headers=auth)
        assert master.status_code == 200 and master.headers["Cache-Control"] == "private, no-store"
        variant = m3u8.loads(master.get_data(as_text=True)).playlists[0].uri  # playlists stay relative
        media = client.get(f"{base}/{variant}", headers=auth)
        assert media.status_code == 200 and media.headers["Ortak-Rendition-Status"] == "running"
        text = media.get_data(as_text=True)
        assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text
        playlist = m3u8.loads(text)
        init_url, first_url = playlist.segments[0].init_section.uri, playlist.segments[0].uri
        assert "X-Amz-Signature=" in init_url and "X-Amz-Signature=" in first_url
        playable = tmp_path / "first.mp4"
        playable.write_bytes(requests.get(init_url, timeout=30).content + requests.get(first_url, timeout=30).content)
        probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                                 str(playable)], capture_output=True, text=True, check=True)
        assert probed.stdout.strip() == "h264"
        segment = client.get(f"{base_of(f'{base}/{variant}')}/{playlist.segments[0].uri.split('?')[0].rsplit('/', 1)[1]}",
                             headers=auth)
        assert segment.status_code == 302 and "X-Amz-Signature=" in segment.headers["Location"]
        assert make.is_alive()
        throttled.release()
        make.join(WAIT)
        assert make.result == "ready"
        final = client.get(f"{base}/{variant}", headers=auth).get_data(as_text=True)
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in final and "#EXT-X-ENDLIST" in final
        assert live_rows(app, asset_id) == 0
        assert not [k for k in stored(app, asset_id) if "-live/" in k]
    finally:
        app.extensions["ortak.db"].dispose()
