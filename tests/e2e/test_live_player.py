"""The player on an HLS ladder still being made (progressive publishing), in headless Chromium.

A real make (ffmpeg reading a 20 s lavfi source at twice its frame rate, so that a segment is
published while ffmpeg runs) runs in this process against the running service's database and
storage; once the make has published a playable ladder it is held there (its progress callback
waits) until the page has played it, so the make is still running however slow the machine:
hls.js plays the published EVENT playlists from the start, the page says the asset is still
being processed, and when the make is complete the note says so (the VOD playlist, ended,
replaced it). Reading at the frame rate (`-re`) held every make 20 s instead.
"""
from __future__ import annotations

import os
import subprocess
import threading

import pytest
from sqlalchemy import select

from tests.e2e.conftest import until
from tests.e2e.test_player import vendored_hls  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

SECONDS = 20
READRATE = 2  # times the source's frame rate that the make reads it at
HOLD = 240  # seconds the make is held at most for the page to play what it published


@pytest.fixture
def making(service, vendored_hls, tmp_path, monkeypatch):  # noqa: F811
    """(asset id, the make's thread, its outcome, finish(), release()): an asset of the service whose
    HLS ladder is being made, held once a playable ladder is published until release()."""
    from archive import create_app, db
    from archive.accounts.models import User
    from archive.assets.models import Asset
    from archive.media import render as render_module
    from archive.media.probe import inspect_media
    from archive.media.profiles import HlsProfile, renditions_for
    from archive.renditions.services import make_renditions
    from tests.asset_factory import create_asset

    src = tmp_path / "canli.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size=426x240:rate=25:duration={SECONDS}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
                    "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                    "-c:a", "aac", "-metadata:s:a:0", "language=tur", "-shortest", str(src)], check=True)
    real = render_module.run
    released = threading.Event()
    asset_ref: list[str] = []

    def playable() -> bool:
        """In the make's thread: its master playlist is published (committed by the publisher;
        read without a flush, which would hold SQLite's write lock while the make is held)."""
        from archive.renditions.models import Rendition

        s = db.session()
        with s.no_autoflush:
            return s.scalar(select(Rendition.live_entry).where(
                Rendition.asset_id == asset_ref[0], Rendition.name == "hls")) is not None

    def throttled(argv, on_progress=None, **kwargs):
        argv = list(argv)
        if argv and os.path.basename(argv[0]) == "ffmpeg" and "-i" in argv:
            argv[argv.index("-i"):argv.index("-i")] = ["-readrate", str(READRATE)]
        if on_progress is not None:
            publish = on_progress

            def on_progress(value):
                publish(value)
                if not released.is_set() and playable():
                    released.wait(HOLD)

        return real(argv, on_progress=on_progress, **kwargs)

    monkeypatch.setattr(render_module, "run", throttled)
    app = create_app({"DATA_DIR": str(service.data_dir), "DATABASE_URL": service.env["ORTAK_DATABASE_URL"],
                      "SECRET_KEY": service.env["ORTAK_SECRET_KEY"], "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    probe = inspect_media(str(src), timeout=60)
    with app.app_context():
        uid = db.session().query(User).filter_by(email=service.email).one().id
    asset_id = create_asset(app, uid, data=src.read_bytes(), filename="canli.mp4", status="processing",
                            meta={"title": {"tr": "Canlı yayın provası"}})
    asset_ref.append(asset_id)
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).technical = probe.to_dict()
        s.commit()
    outcome: list[str] = []

    def make() -> None:
        with app.app_context():
            s = db.session()
            asset = s.get(Asset, asset_id)
            profiles = [p for p in renditions_for("video", probe) if isinstance(p, HlsProfile)]
            [row] = make_renditions(s, asset, profiles, lambda: str(src), probe=probe)
            s.commit()
            outcome.append(row.status)

    thread = threading.Thread(target=make, daemon=True)
    thread.start()
    def finish() -> None:  # the asset's other steps done: it is ready
        with app.app_context():
            s = db.session()
            s.get(Asset, asset_id).status = "ready"
            s.commit()

    try:
        yield asset_id, thread, outcome, finish, released.set
    finally:
        released.set()
        thread.join(120)
        app.extensions["ortak.db"].dispose()


def test_a_ladder_being_made_plays_from_the_start_with_a_note(logged_in, service, making):
    asset_id, thread, outcome, finish, release = making
    page = logged_in
    # Opened while the asset is processed and nothing is published: no player yet; the page
    # polls the API and reloads as soon as the ladder can be played.
    page.goto(f"{service.url}/assets/{asset_id}")
    page.wait_for_selector("#processing")
    assert page.locator("#player-tool").count() == 0
    page.wait_for_selector("#player-tool", timeout=180_000)
    assert until(page, "document.getElementById('player-tool').dataset.engine") == "hls.js"
    assert page.evaluate("document.getElementById('player-tool').dataset.live") == "true"
    assert "hâlâ işleniyor" in page.inner_text("#player-note")
    page.evaluate("() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }")
    until(page, "document.getElementById('player').currentTime > 0.5", timeout_s=60)
    assert page.evaluate("document.getElementById('player').videoWidth") > 0
    assert thread.is_alive(), "the make was to be running while the page played it"
    page.evaluate("window.sameDocument = true")
    release()
    thread.join(180)
    assert outcome == ["ready"]
    # hls.js reloads the media playlist; the VOD one (ended) tells the page the make is complete.
    until(page, "document.getElementById('player-tool').dataset.live === 'false'", timeout_s=60)
    assert "tamamlandı" in page.inner_text("#player-note")
    finish()  # processing ends: the page that plays is not reloaded under the viewer
    until(page, "document.getElementById('status-badge').dataset.status === 'ready'", timeout_s=30)
    assert page.evaluate("window.sameDocument === true")
