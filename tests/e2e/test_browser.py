"""Headless Chromium against the real service and worker: log in, upload a real video,
wait until it is ready, play it, find it by searching its title."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import until

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
READY_TIMEOUT_MS = 180_000  # two cores, one worker: the ingest of a 5 s clip takes seconds, not minutes


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"ortak-{name}.png"), full_page=True)


def _log_in(page, service) -> None:
    page.goto(service.url + "/")
    assert "/login" in page.url  # every page needs a login
    _shot(page, "login")
    page.fill("#email", service.email)
    page.fill("#password", service.password)
    page.click("button[type=submit]")
    page.wait_for_url(service.url + "/")


def test_upload_play_and_find(page, service, small_video):
    word = f"kızkulesi{uuid.uuid4().hex[:6]}"
    title = f"İstanbul {word} gün batımı"
    _log_in(page, service)
    _shot(page, "search-empty")

    page.click("nav.mainnav a[href='/upload']")
    page.wait_for_selector("#upload-form")
    page.set_input_files("#file", str(small_video))
    page.fill("#title_tr", title)
    page.fill("#title_en", f"Maiden's Tower {word}")
    page.select_option("#genre", "documentary")
    page.fill("#description", "Boğaz'da akşam; deneme kaydı.")
    page.click("#start")
    link = page.wait_for_selector("#asset-link", timeout=60_000)
    assert page.eval_on_selector("#progress", "el => el.value") == 100
    _shot(page, "upload-done")
    link.click()

    page.wait_for_selector("#asset-title")
    assert page.inner_text("#asset-title") == title
    _shot(page, "asset-processing")  # usually still processing: the worker takes a few seconds
    # The page polls the API every 2 s and reloads itself when processing ends.
    page.wait_for_selector("#status-badge[data-status=ready]", timeout=READY_TIMEOUT_MS)
    video = page.wait_for_selector("video#player")
    _shot(page, "asset-ready")
    # The worker made an HLS ladder: the player streams it through hls.js (Chromium has MSE).
    until(page, "document.getElementById('player-tool').dataset.engine === 'hls.js'")
    assert video.get_attribute("src").startswith("blob:")
    page.evaluate("""async () => {
        const v = document.getElementById('player');
        v.muted = true;
        await v.play();
    }""")
    until(page, "document.getElementById('player').currentTime > 1")
    assert page.evaluate("document.getElementById('player').videoWidth") > 0
    _shot(page, "asset-playing")

    # The title is editable on the page, and the edit shows in the history.
    page.fill("#title_az", f"Qız qalası {word}")
    page.click("#metadata button[type=submit]")
    page.wait_for_selector(".notice-success")
    assert "Qız qalası" in page.inner_text(".history")

    page.goto(service.url + "/?q=" + word.upper())  # the search folds case, Turkish-style
    hit = page.wait_for_selector(f"ol.hits a:has-text('{word}')")
    assert title in hit.inner_text()
    assert page.locator(".facet-value[data-facet=genre][data-value=documentary]").count() == 1
    _shot(page, "search-hit")

    page.click("nav.langs >> text=AZ")
    page.wait_for_selector("text=Arxivdə axtar", state="attached")
    assert page.locator("html").get_attribute("lang") == "az"
    # The edit reaches the index through the worker, so the new Azerbaijani title may take a moment.
    deadline = time.monotonic() + 30
    while f"Qız qalası {word}" not in page.inner_text("ol.hits"):
        assert time.monotonic() < deadline, "the Azerbaijani title never reached the search page"
        page.wait_for_timeout(500)
        page.reload()
    _shot(page, "search-az")


def test_wrong_password_shows_a_clear_error(page, service):
    page.goto(service.url + "/login")
    page.fill("#email", service.email)
    page.fill("#password", "yanlış parola")
    page.click("button[type=submit]")
    assert "E-posta adresi ya da parola yanlış." in page.inner_text("#login-error")
    _shot(page, "login-error")


def test_not_media_is_rejected_with_a_reason_and_a_second_upload_is_a_duplicate(page, service, tmp_path):
    fake = tmp_path / "notlar.mp4"
    fake.write_bytes(f"Bu bir video değil {uuid.uuid4()}\n".encode() * 200)
    _log_in(page, service)

    def upload() -> str:
        page.goto(service.url + "/upload")
        page.set_input_files("#file", str(fake))
        page.click("#start")
        return page.wait_for_selector("#asset-link", timeout=60_000).get_attribute("href")

    first = upload()
    assert page.locator("#result .notice-success").count() == 1
    page.goto(service.url + first)
    page.wait_for_selector("#status-badge[data-status=rejected]", timeout=READY_TIMEOUT_MS)
    assert page.inner_text("#rejection").strip()  # the reason a person can read
    _shot(page, "asset-rejected")

    again = upload()
    assert again == first
    # The same user uploading the same bytes again: told so, with the existing asset linked
    # (the generic sentence until the upload JSON says how the organisation holds the file).
    assert page.inner_text("#result .notice-warning p").strip() in (
        "Bu dosya zaten arşivde.", "Bu dosyayı daha önce yüklediniz; zaten arşivde.")
    _shot(page, "upload-duplicate")


def test_pages_fit_a_phone_screen(browser, service):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="az-AZ", is_mobile=True)
    page = context.new_page()
    try:
        _log_in(page, service)
        paths = ["/", "/upload"]
        first_hit = page.locator("ol.hits a").first
        if first_hit.count():
            paths.append(first_hit.get_attribute("href"))
        for path in paths:
            page.goto(service.url + path)
            assert page.locator("html").get_attribute("lang") == "az"
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
            _shot(page, "phone" + path.replace("/", "-").rstrip("-"))
    finally:
        context.close()


def test_upload_resumes_after_a_dropped_request(page, service, tmp_path):
    """The first PATCH is cut off in the network; tus-js-client asks the server for the offset
    (HEAD) and sends the rest, and the upload completes."""
    data = tmp_path / "kesik.bin"
    data.write_bytes(os.urandom(300_000))
    seen: list[str] = []
    dropped = []

    def through(route, request):
        seen.append(request.method)
        if request.method == "PATCH" and not dropped:
            dropped.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    _log_in(page, service)
    page.route("**/api/v1/uploads**", through)
    page.goto(service.url + "/upload")
    page.set_input_files("#file", str(data))
    page.click("#start")
    page.wait_for_selector("#asset-link", timeout=60_000)
    assert dropped and seen.count("PATCH") >= 2 and "HEAD" in seen, seen
