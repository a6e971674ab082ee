"""Baskets and share links in Chromium (issue 9 item 4): a broadcaster adds two items to a
basket (a whole master and a segment of another, by timecode), has the worker build the zip
and follows its progress, shares the basket by link; a fresh browser context with no account
opens the link, sees the player and downloads the zip, whose manifest names both items with
their checksums and credit lines."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import urllib.request
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.a11y import axe_violations
from tests.e2e.conftest import log_in, until, upload_file, wait_for_status

pytestmark = pytest.mark.browser

AZ_ORG, TR_ORG = "Sepet İTV", "Sepet TRT"
MANAGER, PRODUCER, BROADCASTER = "huquq@sepet-itv.test", "prodüser@sepet-itv.test", "yayinci@sepet-trt.test"
COLLEAGUE = "editor@sepet-trt.test"


def _post(url: str, token: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def footage(service, tmp_path_factory):
    media = tmp_path_factory.mktemp("baskets")
    paths = []
    for name, freq in (("yanar-dag.mp4", 500), ("gobustan-kayalari.mp4", 700)):
        path = media / name
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3",
                        "-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=44100:duration=3",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                        "-c:a", "aac", "-shortest", str(path)], check=True, timeout=60)
        paths.append(path)
    service.create_org(AZ_ORG, "AZ")
    service.create_org(TR_ORG, "TR")
    for email, org, role in ((PRODUCER, AZ_ORG, "producer"), (MANAGER, AZ_ORG, "rights_manager"),
                             (BROADCASTER, TR_ORG, "broadcaster"), (COLLEAGUE, TR_ORG, "broadcaster")):
        service.create_user(email, org, role)
    producer = service.create_token(PRODUCER)
    manager = service.create_token(MANAGER)
    ids = [upload_file(service, producer, p, {"title": t, "language": "az"})
           for p, t in zip(paths, ("Yanar Dağ", "Qobustan qayaları"))]
    for asset_id in ids:
        assert wait_for_status(service, producer, asset_id)["status"] == "ready"
        _post(f"{service.url}/api/v1/assets/{asset_id}/rights", manager,
              {"kind": "grant", "licensees": {"organisations": [TR_ORG]}, "territories": ["TR"],
               "platforms": ["linear_tv"], "start": "2027-01-01", "end": None,
               "conditions": {"credit": {"tr": "Kaynak: Sepet İTV", "az": "Mənbə: Sepet İTV"}}})
    return {"whole": ids[0], "segment": ids[1], "whole_sha256": hashlib.sha256(paths[0].read_bytes()).hexdigest()}


def test_a_basket_shared_by_link_downloads_as_a_zip_with_its_manifest(browser, service, footage):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR")
    try:
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        log_in(page, service, BROADCASTER, "tr")
        page.click("text=Sepetler")
        page.fill("#basket-name", "Akşam bülteni")
        page.click("#basket-new button[type=submit]")
        page.wait_for_url("**/baskets/*-*")
        # Two items: a whole master, and a segment of the other by timecode.
        page.fill("#item-asset", footage["whole"])
        page.click("#item-form button[type=submit]")
        page.wait_for_selector("#basket-items tbody tr >> nth=0")
        page.fill("#item-asset", footage["segment"])
        page.fill("#item-in", "00:00:01:00")
        page.fill("#item-out", "00:00:02:00")
        page.click("#item-form button[type=submit]")
        page.wait_for_selector("#basket-items tbody tr >> nth=1")
        assert page.inner_text("#basket-items tbody tr >> nth=1").count("00:00:0") == 2
        assert axe_violations(page) == []
        # The zip, declared for Turkish linear TV next year, built by the worker.
        page.select_option("#z-platform", "linear_tv")
        page.fill("#z-territory", "TR")
        page.fill("#z-from", "2027-03-01")
        page.fill("#z-to", "2027-03-31")
        page.fill("#z-purpose", "Haber")
        page.fill("#z-programme", "Akşam bülteni")
        page.click("#zip-form button[type=submit]")
        page.wait_for_selector("#zip-download:not([hidden])", timeout=90_000)
        assert page.inner_text("#zip-label") == "Zip dosyası hazır"
        # A link that lets its visitors take the originals, so the zip.
        page.fill("#link-expires", (date.today() + timedelta(days=7)).isoformat())
        page.check("#link-originals")
        page.click("#link-form button[type=submit]")
        page.wait_for_selector("#link-url:has-text('/s/')")
        url = page.inner_text("#link-url")
        # Shared for reading with a colleague, who takes the zip under their own declared use.
        page.fill("#member-user", COLLEAGUE)
        page.click("#member-form button[type=submit]")
        page.wait_for_selector("#basket-status:has-text('Paylaşıldı')")
        basket_url = page.url
    finally:
        ctx.close()

    colleague = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR", accept_downloads=True)
    try:
        page = colleague.new_page()
        page.set_default_timeout(30_000)
        log_in(page, service, COLLEAGUE, "tr")
        page.goto(basket_url)
        page.click("#zip-download")  # nothing declared yet: the page asks for it, no download
        page.wait_for_selector("#basket-status:has-text('kullanımınızı')")
        page.select_option("#z-platform", "linear_tv")
        for field, value in (("territory", "TR"), ("from", "2027-04-01"), ("to", "2027-04-30"),
                             ("purpose", "Haber"), ("programme", "Gece bülteni")):
            page.fill(f"#z-{field}", value)
        with page.expect_download() as info:
            page.click("#zip-download")
        mine = json.loads(zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())).read("manifest.json"))
        assert mine["declaration"]["programme"] == "Akşam bülteni"  # the zip as built; the use is the colleague's
    finally:
        colleague.close()
    usage = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{service.url}/api/v1/usage?per_page=500", headers={"Authorization": "Bearer " + service.create_token(MANAGER)}),
        timeout=30).read())
    programmes = [(r["declaration"] or {}).get("programme") for r in usage["items"]]
    assert programmes.count("Gece bülteni") == 2  # one use of each item, recorded as the colleague's

    # A fresh context: no account, no session.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="az-AZ", accept_downloads=True)
    try:
        page = visitor.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        assert page.inner_text("#share-title") == "Akşam bülteni"
        page.wait_for_selector("#player-tool #player")
        with page.expect_download() as info:
            page.click("#share-zip")
        data = Path(info.value.path()).read_bytes()
    finally:
        visitor.close()
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    rows = manifest["items"]
    assert [r["asset_id"] for r in rows] == [footage["whole"], footage["segment"]]
    assert rows[0]["sha256"] == footage["whole_sha256"] == hashlib.sha256(zf.read(rows[0]["file"])).hexdigest()
    assert (rows[1]["in"], rows[1]["out"]) == ("00:00:01:00", "00:00:02:00")
    assert rows[1]["sha256"] == hashlib.sha256(zf.read(rows[1]["file"])).hexdigest()
    assert all(r["credit"] == "az: Mənbə: Sepet İTV | tr: Kaynak: Sepet İTV" for r in rows)
    assert manifest["declaration"]["programme"] == "Akşam bülteni"
    assert "manifest.csv" in zf.namelist()


def test_add_to_basket_from_the_player_takes_the_marked_segment_or_the_whole_asset(browser, service, footage):
    """The player's "Add to basket": mark in/out with the keyboard, add the segment to a new
    basket, then the whole asset to the same basket; the basket lists both."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="az-AZ")
    try:
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        log_in(page, service, BROADCASTER, "az")
        page.goto(f"{service.url}/assets/{footage['segment']}")
        until(page, "document.getElementById('player').readyState >= 1")
        page.focus("#timeline")
        page.keyboard.press("Shift+ArrowRight")  # one second
        page.keyboard.press("i")
        page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("o")
        until(page, "document.getElementById('player-tool').dataset.out !== ''")
        marks = page.evaluate("[document.querySelector('#player-tool').dataset.in, "
                              "document.querySelector('#player-tool').dataset.out]")
        page.click("#add-to-basket")
        page.wait_for_selector("#basket-dialog[open]")
        assert page.is_checked("#add-segment") and page.inner_text("#add-segment-points") == f"{marks[0]} – {marks[1]}"
        page.select_option("#add-basket", "")
        page.fill("#add-basket-name", "Gecə xəbərləri")
        page.click("#add-basket-submit")
        page.wait_for_selector("#add-basket-open")
        assert "Gecə xəbərləri" in page.inner_text("#add-basket-status")
        # Again: the whole asset, into the basket just made (now in the list).
        page.click("#add-basket-cancel")
        page.click("#add-to-basket")
        until(page, "document.getElementById('add-basket').options.length > 1")
        page.check("#add-whole")
        page.select_option("#add-basket", label="Gecə xəbərləri")
        page.click("#add-basket-submit")
        page.wait_for_selector("#add-basket-open")
        page.click("#add-basket-open")
        page.wait_for_selector("#basket-items tbody tr >> nth=1")
        rows = [page.inner_text(f"#basket-items tbody tr >> nth={n}") for n in range(2)]
        assert marks[0] in rows[0] and marks[1] in rows[0] and marks[0] not in rows[1]
    finally:
        ctx.close()
