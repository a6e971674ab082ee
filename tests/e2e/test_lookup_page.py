"""The clip lookup page in a real browser: a master uploaded with tus and ingested by the
worker; an edited excerpt of it chosen on the page is looked up (the match with the clip's own
frame beside the master's, a link into the player at its timecode) and the clip's own content
credentials are shown beside it."""
from __future__ import annotations

import json
import re
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


# ---- what the page draws of an answer: its requests seen, held or answered here ----

# The page asks in its own language (`?lang=`): the query string may follow.
LOOKUP_API = re.compile(r"/api/v1/provenance/lookup(\?[^/]*)?$")
LOOKUP_CREDENTIALS = "**/provenance/lookup/credentials"


def _clip(path, size: str, seconds: int = 5) -> None:
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", str(path))


def _hold_first(page, pattern: str) -> list:
    """Route `pattern`: the first request is sent to the server but its answer is held here
    (appended as (route, response)) until the test delivers it; later requests go through."""
    held, seen = [], []

    def handle(route):
        seen.append(route)
        if len(seen) == 1:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.route(pattern, handle)
    return held


def _deliver(held) -> None:
    from playwright.sync_api import Error

    for route, response in held:
        try:
            route.fulfill(response=response)
        except Error:
            pass  # the page aborted that request: nothing to deliver


def test_a_late_answer_to_an_earlier_file_is_not_shown(logged_in, service, tmp_path):
    """File A, then file B: A's answer (and its credentials) arrives after B's and must not
    replace it (a false attribution beside B's frames); while A's is awaited the status names A."""
    first, second = tmp_path / "birinci.mp4", tmp_path / "ikinci.mp4"
    first.write_bytes(b"not a video, refused as not_video\n" * 64)  # its answer: a 415 refusal
    _clip(second, "320x180")
    page = logged_in
    page.goto(service.url + "/provenance/lookup")
    answers, credentials = _hold_first(page, LOOKUP_API), _hold_first(page, LOOKUP_CREDENTIALS)
    page.set_input_files("#lookup-file", str(first))
    page.click("#lookup-submit")
    for _ in range(300):
        if answers and credentials:
            break
        page.wait_for_timeout(100)
    assert answers and credentials, "the first file's requests were not sent"
    assert "birinci.mp4" in page.locator("#lookup-status").inner_text()
    assert page.locator("#lookup-results").get_attribute("aria-busy") == "true"
    page.set_input_files("#lookup-file", str(second))
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-results[aria-busy=false]", state="attached", timeout=90_000)
    page.wait_for_selector("#lookup-credentials:not([hidden]) [data-state]", timeout=60_000)
    shown = page.locator("#lookup-status").inner_text(), page.locator("#lookup-results").inner_text()
    _deliver(answers + credentials)
    page.wait_for_timeout(2000)  # time for a late answer to be drawn, were it let through
    assert "notice-error" not in (page.locator("#lookup-status").get_attribute("class") or "")
    assert (page.locator("#lookup-status").inner_text(), page.locator("#lookup-results").inner_text()) == shown
    assert page.locator("#lookup-status").get_attribute("data-file") == "ikinci.mp4"
    assert page.locator("#lookup-credentials-error").count() == 0
    assert page.locator("#lookup-credentials").get_attribute("data-file") == "ikinci.mp4"


def _answer(*matches: dict) -> dict:
    return {"matches": list(matches), "ambiguous": any(m["tied"] for m in matches),
            "query": {"filename": "klip.mp4", "sampled": False}}


def _match(asset_id: str, title: str, **extra) -> dict:
    return {"asset_id": asset_id, "title": title, "in": 1.0, "out": 3.0, "query_in": 1.0, "query_out": 3.0,
            "confidence": 0.9, "frames_matched": 20, "distance": 4.0, "mirrored": False, "speed": 1.0,
            "tied": False, "static": False, "edits": ["re_encoded"], "master_frame": None, "clip_of": None,
            **extra}


def _answered(page, doc: dict) -> None:
    page.route(LOOKUP_API, lambda route: route.fulfill(status=200, content_type="application/json",
                                                       body=json.dumps(doc)))


@pytest.mark.parametrize("size, aspect", [("180x320", 9 / 16), ("320x240", 4 / 3), ("320x180", 16 / 9)])
def test_the_frames_keep_their_own_aspect(logged_in, service, tmp_path, size, aspect):
    """The clip's frame is drawn at the clip's aspect (a 9:16 clip is not stretched into 16:9),
    the master's tile at the tile's (here 4:3, from the answer's storyboard region)."""
    clip = tmp_path / f"clip-{size}.mp4"
    _clip(clip, size)
    page = logged_in
    page.goto(service.url + "/provenance/lookup")
    tile = {"url": "/api/v1/assets/a1/renditions/storyboard/sprite_0.jpg", "x": 160, "y": 0, "w": 160, "h": 120}
    _answered(page, _answer(_match("a1", "Usta kayıt", master_frame=tile)))
    page.set_input_files("#lookup-file", str(clip))
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-results canvas[data-drawn]", timeout=30_000)
    canvas = page.locator("#lookup-results canvas").first
    width, height = int(canvas.get_attribute("width")), int(canvas.get_attribute("height"))
    assert abs(width / height - aspect) / aspect < 0.02, (width, height)
    assert max(width, height) >= 180  # fitted into the box, not shrunk past it
    box = page.locator("#lookup-results .lookup-master").first.bounding_box()
    assert abs(box["width"] / box["height"] - 4 / 3) < 0.02, box


def _look_up(page, service, tmp_path, answer: dict, shown: str) -> dict:
    """A 320x180 clip dropped on the lookup page, answered with `answer`; the page's labels once
    the match `shown` (an asset id) is on it."""
    clip = tmp_path / "klip.mp4"
    _clip(clip, "320x180")
    page.goto(service.url + "/provenance/lookup")
    labels = json.loads(page.locator("#lookup-form").get_attribute("data-labels"))
    _answered(page, answer)
    page.set_input_files("#lookup-file", str(clip))
    page.click("#lookup-submit")
    page.wait_for_selector(f"#lookup-results li[data-asset-id={shown}]")
    return labels


def test_a_clip_tied_with_its_master_is_captioned_as_a_clip(logged_in, service, tmp_path):
    page = logged_in
    labels = _look_up(page, service, tmp_path, _answer(_match("m1", "Haber bülteni", tied=True),
                                                       _match("c1", "Haber bülteni", tied=True, clip_of="m1")), "c1")
    master, exported = (page.locator(f"#lookup-results li[data-asset-id={a}]") for a in ("m1", "c1"))
    assert labels["clip"] in exported.locator("h2").inner_text()
    assert labels["clip"] not in master.locator("h2").inner_text()
    assert exported.locator("figcaption").nth(1).inner_text().startswith(labels["clip_frame"] + " · ")
    assert master.locator("figcaption").nth(1).inner_text().startswith(labels["master_frame"] + " · ")
    assert exported.locator(".lookup-clip-of").inner_text() == labels["clip_of"].replace("%(title)s", "Haber bülteni")


def test_a_remuxed_match_says_how_many_packets_are_the_masters(logged_in, service, tmp_path):
    page = logged_in
    packets = {"compared": 212, "found": 212, "bytes_found": 1.0, "sampled": False}
    labels = _look_up(page, service, tmp_path,
                      _answer(_match("m1", "Haber bülteni", edits=["remuxed"], packets=packets)), "m1")
    tag = page.locator("#lookup-results li[data-asset-id=m1] .lookup-edits li").inner_text()
    counts = labels["packets"].replace("%(found)s", "212").replace("%(compared)s", "212")
    assert tag == f"{labels['edits']['remuxed']} ({counts})"
