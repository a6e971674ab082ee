"""The clip lookup page in a real browser: a master uploaded with tus and ingested by the
worker; an edited excerpt of it chosen on the page is looked up (the match with the clip's own
frame beside the master's, a link into the player at its timecode) and the clip's own content
credentials are shown beside it."""
from __future__ import annotations

import subprocess

import pytest

from tests.e2e.conftest import upload_file, wait_for_status

pytestmark = pytest.mark.browser

# A zoom into the Mandelbrot set under a moving test pattern: large shapes that change every second.
PICTURE = ("mandelbrot=s=320x180:r=25:maxiter=100:start_x=-0.743643887037151:start_y=0.131825904205330"
           ":start_scale=3.0:end_pts=60,format=yuv420p[b];testsrc2=s=80x45:r=25,format=yuv420p[o];"
           "[b][o]overlay=x=120+100*sin(t*0.3):y=60+50*cos(t*0.2):shortest=1,trim=duration=12[v]")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120)


def test_a_clip_dropped_on_the_lookup_page_is_found_with_its_credentials(logged_in, service, tmp_path):
    master, clip = tmp_path / "mandelbrot.mp4", tmp_path / "klip.mp4"
    _ffmpeg("-filter_complex", PICTURE, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
            str(master))
    # 6 s from 4 s, mirrored and smaller: an edited excerpt that shares none of the master's bytes.
    _ffmpeg("-ss", "4", "-t", "6", "-i", str(master), "-vf", "hflip,scale=-2:120", "-c:v", "libx264",
            "-preset", "ultrafast", str(clip))
    token = service.create_token(service.email)
    asset_id = upload_file(service, token, master, {"title": "Mandelbrot", "language": "en"})
    assert wait_for_status(service, token, asset_id)["status"] == "ready"
    page = logged_in
    page.goto(service.url + "/provenance/lookup")
    page.set_input_files("#lookup-file", str(clip))
    page.click("#lookup-submit")
    # The page's CSP allows no evaluated script: wait on a selector, the answer or a notice.
    page.wait_for_selector("#lookup-results li, #lookup-status.notice", timeout=90_000)
    assert page.locator("#lookup-results li").count(), page.locator("#lookup-status").inner_text()
    links = [page.locator("#lookup-results li a").nth(i).get_attribute("href")
             for i in range(page.locator("#lookup-results li a").count())]
    assert any(link and f"/assets/{asset_id}?in=" in link for link in links), links
    # Numbers as the page's language writes them: "0.0 s" in English (the decimal sign from CLDR).
    assert " s – " in page.locator("#lookup-results li").first.inner_text()
    page.wait_for_selector("#lookup-credentials:not([hidden]) h2", timeout=60_000)
    assert page.locator("#lookup-credentials [data-state]").get_attribute("data-state") == "absent"
