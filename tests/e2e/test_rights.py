"""Rights in Chromium (issue 7): a rights manager clears one asset for a Turkish broadcaster from
the rights editor; the broadcaster tries to download footage not cleared for its territory and
reads why, then declares a permitted use of the other asset and downloads it, the credit line
shown before the download and the bytes those of the original."""
from __future__ import annotations

import hashlib
import json
import subprocess
import urllib.request

import pytest

from tests.e2e.a11y import axe_violations
from tests.e2e.conftest import log_in, upload_file, wait_for_status

pytestmark = pytest.mark.browser

AZ_ORG, TR_ORG = "İTV Arxiv", "TRT Belgesel"
MANAGER, PRODUCER, BROADCASTER = "huquq@itv-arxiv.test", "prodüser@itv-arxiv.test", "yayinci@trt-belgesel.test"
USE = {"#d-from": "2027-03-01", "#d-to": "2027-03-31", "#d-purpose": "Belgesel", "#d-programme": "Kültür Hattı"}


def _post(url: str, token: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _log_in(page, service, email: str, lang: str = "tr") -> None:
    log_in(page, service, email, lang)


def _declare(page, territory: str) -> None:
    page.select_option("#d-platform", "linear_tv")
    page.fill("#d-territory", territory)
    for selector, value in USE.items():
        page.fill(selector, value)
    page.click("#declaration-form button[type=submit]")
    page.wait_for_selector("#declaration-result")


@pytest.fixture(scope="module")
def footage(service, tmp_path_factory):
    media = tmp_path_factory.mktemp("rights")
    paths = []
    for name, freq in (("seki-xan-sarayi.mp4", 500), ("qobustan.mp4", 700)):
        path = media / name
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2",
                        "-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=44100:duration=2",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                        "-shortest", str(path)], check=True, timeout=60)
        paths.append(path)
    service.create_org(AZ_ORG, "AZ")
    service.create_org(TR_ORG, "TR")
    for email, org, role in ((PRODUCER, AZ_ORG, "producer"), (MANAGER, AZ_ORG, "rights_manager"),
                             (BROADCASTER, TR_ORG, "broadcaster")):
        service.create_user(email, org, role)
    producer = service.create_token(PRODUCER)
    manager = service.create_token(MANAGER)
    ids = [upload_file(service, producer, p, {"title": t, "language": "az"})
           for p, t in zip(paths, ("Şəki Xan Sarayı", "Qobustan"))]
    for asset_id in ids:
        assert wait_for_status(service, producer, asset_id)["status"] == "ready"
    # The palace footage is cleared for Turkish members, in Azerbaijan only.
    _post(f"{service.url}/api/v1/assets/{ids[0]}/rights", manager,
          {"kind": "grant", "licensees": {"countries": ["TR"]}, "territories": ["AZ"], "platforms": ["linear_tv"],
           "start": "2027-01-01", "end": None})
    return {"palace": ids[0], "qobustan": ids[1], "qobustan_sha256": hashlib.sha256(paths[1].read_bytes()).hexdigest()}


def test_a_broadcaster_is_told_why_then_downloads_a_cleared_use_with_its_credit_line(browser, service, footage,
                                                                                      tmp_path):
    # The rights manager clears Qobustan for TRT Belgesel in Türkiye, credited, from the editor.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="az-AZ")
    try:
        page = ctx.new_page()
        _log_in(page, service, MANAGER, "az")
        page.goto(f"{service.url}/assets/{footage['qobustan']}")
        page.click("#rights summary >> nth=0")
        page.fill("#r-organisations", TR_ORG)
        page.fill("#r-territories", "TR")
        page.check("#r-platform-linear_tv")
        page.fill("#r-start", "2027-01-01")
        page.fill("#r-end", "2027-12-31")
        page.fill("#r-credit-tr", "Kaynak: İTV Arxiv")
        page.fill("#r-credit-az", "Mənbə: İTV Arxiv")
        page.click("#rights-form button[type=submit]")
        page.wait_for_selector("#rights-status")
        assert page.locator("#rights-blocks tr[data-kind=grant]").count() == 1
        assert "açıq: TRT Belgesel" in page.inner_text("#avails-grid")
        assert axe_violations(page) == []
    finally:
        ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR", accept_downloads=True)
    try:
        page = ctx.new_page()
        _log_in(page, service, BROADCASTER, "tr")
        # Not cleared for Türkiye: the declaration page says so, and why, with no download.
        page.goto(f"{service.url}/assets/{footage['palace']}")
        page.click("#original-link")
        page.wait_for_url(f"**/assets/{footage['palace']}/declare")
        _declare(page, "TR")
        result = page.locator("#declaration-result")
        assert result.get_attribute("data-outcome") == "denied"
        reasons = page.inner_text("#refusal-reasons")
        assert "Bu kullanım şu kapsamda hiçbir izinle karşılanmıyor" in reasons
        assert "2027-03-01 – 2027-03-31; TR" in reasons
        assert page.locator("#download-original").count() == 0
        assert axe_violations(page) == []
        # The same request straight to the API is refused too, with the reasons.
        refused = page.request.get(f"{service.url}/api/v1/assets/{footage['palace']}/download?rendition=original"
                                   "&platform=linear_tv&territory=TR&from=2027-03-01&to=2027-03-31"
                                   "&purpose=Belgesel&programme=K")
        assert refused.status == 403 and refused.json()["error"]["code"] == "rights_denied"

        # Qobustan is cleared: its page shows the credit line, the declaration clears the use.
        page.goto(f"{service.url}/assets/{footage['qobustan']}")
        assert "Kaynak: İTV Arxiv" in page.inner_text("#credit-lines")
        page.click("#original-link")
        _declare(page, "TR")
        assert page.locator("#declaration-result").get_attribute("data-outcome") == "allowed_with_conditions"
        assert "Kaynak: İTV Arxiv" in page.inner_text("#declared-credit")
        with page.expect_download() as info:
            page.click("#download-original")
        saved = tmp_path / "qobustan.mp4"
        info.value.save_as(saved)
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == footage["qobustan_sha256"]
    finally:
        ctx.close()
