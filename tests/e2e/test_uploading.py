"""The asset page of an upload still arriving, in Chromium: its bar and received figure follow
the upload's progress without a reload, and the page turns to processing at the last byte."""
from __future__ import annotations

import base64
import uuid

import requests

from tests.e2e.conftest import log_in, until


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_the_asset_page_follows_an_upload_to_its_last_byte(page, service, small_video):
    token = service.create_token(service.email)
    auth = {"Authorization": "Bearer " + token, "Tus-Resumable": "1.0.0"}
    data = small_video.read_bytes()
    title = f"Yarım yüklenen {uuid.uuid4().hex[:6]}"
    resp = requests.post(service.url + "/api/v1/uploads", timeout=30, headers={
        **auth, "Upload-Length": str(len(data)),
        "Upload-Metadata": f"filename {_b64('yarim.mp4')},title {_b64(title)},language {_b64('tr')}"})
    assert resp.status_code == 201, resp.text
    asset_id, location = resp.headers["Ortak-Asset-Id"], service.url + resp.headers["Location"]

    def send(start: int, end: int) -> None:
        r = requests.patch(location, data=data[start:end], timeout=30, headers={
            **auth, "Upload-Offset": str(start), "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204, r.text

    quarter = len(data) // 4
    send(0, quarter)
    log_in(page, service, lang="tr")  # Turkish writes the sign first: "%25" (CLDR), moved live by asset.js
    page.goto(f"{service.url}/assets/{asset_id}")
    assert page.inner_text("#asset-title") == title
    assert page.get_attribute("#status-badge", "data-status") == "uploading"
    assert page.eval_on_selector("#upload-bar", "el => el.value") == 25
    assert "(%25)" in page.inner_text("#upload-received") and page.text_content("#upload-bar") == "%25"

    send(quarter, 3 * quarter)
    until(page, "document.getElementById('upload-bar').value === 75", 20)
    assert "(%75)" in page.inner_text("#upload-received") and page.text_content("#upload-bar") == "%75"
    assert page.get_attribute("#status-badge", "data-status") == "uploading"  # no reload meanwhile

    send(3 * quarter, len(data))
    until(page, "['processing', 'ready'].includes(document.getElementById('status-badge').dataset.status)", 30)
    assert page.query_selector("#upload-bar") is None
