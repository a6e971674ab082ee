"""The upload page sends what was typed to the upload's own asset while the bytes upload, in
headless Chromium: the titles in the other languages (PATCH) and the subtitle files (PUT
…/transcripts/{lang}) go out as soon as the creation's 201 names the asset, before the chunk
that ends the file. When the bytes turn out to be a duplicate of the organisation's own asset,
the server carries them over (archive/ingest/carry_over.py) and the page says what went and what
did not; when they are new, they are on the new asset as before."""
from __future__ import annotations

import os
import random
import shutil
import subprocess

import pytest

from tests.e2e.conftest import upload_file, wait_for_status

pytestmark = pytest.mark.browser

SRT_TR = "1\n00:00:00,500 --> 00:00:01,500\nMerhaba\n\n2\n00:00:02,000 --> 00:00:02,800\nİkinci satır\n"
# A file made for a longer cut: its second cue starts at 10 s, after the 3 s recording ends.
SRT_AZ_LONG = "1\n00:00:00,500 --> 00:00:01,500\nSalam\n\n2\n00:00:10,000 --> 00:00:11,000\nSonra\n"


def _requests(page) -> list[tuple[str, str]]:
    """(method, path) of every API request the page sends from now on, in order."""
    seen: list[tuple[str, str]] = []
    page.on("request", lambda r: seen.append((r.method, r.url.split("/api/v1", 1)[-1]))
            if "/api/v1/" in r.url else None)
    return seen


def _start(page, service, media, titles: dict[str, str], subtitles: dict[str, object]) -> None:
    page.goto(service.url + "/upload")
    page.set_input_files("#file", str(media))
    for lang, title in titles.items():
        page.fill(f"#title_{lang}", title)
    for lang, path in subtitles.items():
        page.set_input_files(f"#transcript_{lang}", str(path))
    page.click("#start")


def _sent_before_the_last_byte(seen: list[tuple[str, str]], asset_path: str) -> None:
    """The PATCH of the asset and the PUT of each transcript went out before the upload's PATCH."""
    methods = [(m, p) for m, p in seen if m in ("PATCH", "PUT")]
    last_chunk = next(i for i, (m, p) in enumerate(methods) if m == "PATCH" and p.startswith("/uploads/"))
    early = [(m, p) for m, p in methods[:last_chunk]]
    assert ("PATCH", asset_path) in early, methods
    assert any(m == "PUT" and p.startswith(asset_path + "/transcripts/") for m, p in early), methods


def test_titles_and_subtitles_typed_for_a_duplicate_go_to_the_held_asset(logged_in, service, tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing")
    page = logged_in
    media = tmp_path / "gobustan.mp4"  # 3 s, its own tone: bytes no other test holds
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3",
                    "-f", "lavfi", "-i", f"sine=frequency={random.randint(200, 2000)}:sample_rate=22050:duration=3",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(media)], check=True, timeout=60)
    token = service.create_token(service.email)
    held = upload_file(service, token, media, {"title": "Gobustan kayaları", "language": "tr"})
    assert wait_for_status(service, token, held)["status"] == "ready"  # its length is known

    tr = tmp_path / "gobustan.tr.srt"
    tr.write_text(SRT_TR, encoding="utf-8")
    az = tmp_path / "gobustan.az.srt"
    az.write_text(SRT_AZ_LONG, encoding="utf-8")
    seen = _requests(page)
    _start(page, service, media, {"tr": "Başka bir başlık", "en": "Gobustan rocks"}, {"tr": tr, "az": az})
    page.wait_for_selector("#result #carried-applied", timeout=60_000)

    # Sent to the upload's own asset while it was `uploading`, then carried over by the server.
    placeholder = next(p for m, p in seen if m == "PUT" and "/transcripts/" in p).split("/transcripts/")[0]
    assert placeholder != f"/assets/{held}"
    _sent_before_the_last_byte(seen, placeholder)
    asset = service.api(token, f"/api/v1/assets/{held}")
    assert asset["metadata"]["title"]["en"] == "Gobustan rocks"
    assert asset["metadata"]["title"]["tr"] == "Gobustan kayaları"  # a title it had is kept
    listing = service.api(token, f"/api/v1/assets/{held}/transcripts")["transcripts"]
    assert {t["lang"]: t["segment_count"] for t in listing} == {"tr": 2}

    # The page says what went where, and what did not, and why, in Turkish.
    notice = page.locator("#result .notice-warning")
    assert "daha önce yüklediniz" in notice.inner_text()
    applied = page.inner_text("#carried-applied")
    assert "Başlık (İngilizce): Gobustan rocks — arşivdeki kayda" in applied
    assert "Döküm (Türkçe): gobustan.tr.srt — arşivdeki kayda" in applied
    not_applied = page.inner_text("#carried-not-applied")
    assert "Başlık (Türkçe): Başka bir başlık (orada başka bir değer var)" in not_applied
    assert "Döküm (Azerbaycanca): gobustan.az.srt (bir altyazı satırı kayıt bittikten sonra başlıyor)" in not_applied
    assert page.inner_text("#transcript_tr-status") == "Arşivdeki kayda aktarıldı."
    assert page.inner_text("#transcript_az-status") == (
        "Arşivdeki kayda aktarılmadı: bir altyazı satırı kayıt bittikten sonra başlıyor")
    assert "error-text" in page.get_attribute("#transcript_az-status", "class")
    assert page.get_attribute("#asset-link", "href").endswith(f"/assets/{held}")


def test_titles_and_subtitles_of_a_new_file_are_on_its_new_asset(logged_in, service, tmp_path):
    page = logged_in
    media = tmp_path / "sehir-hatlari.bin"
    media.write_bytes(os.urandom(90_000))  # new bytes each run: never a duplicate
    tr = tmp_path / "sehir.tr.srt"
    tr.write_text(SRT_TR, encoding="utf-8")
    seen = _requests(page)
    _start(page, service, media, {"tr": "Şehir hatları", "az": "Şəhər xətləri"}, {"tr": tr})
    link = page.wait_for_selector("#result .notice-success #asset-link", timeout=60_000)
    asset_id = link.get_attribute("href").rsplit("/", 1)[-1]
    _sent_before_the_last_byte(seen, f"/assets/{asset_id}")
    assert page.inner_text("#details-status") == "Başlıklar ve ayrıntılar kaydedildi."
    assert page.inner_text("#transcript_tr-status") == "Eklendi (2 satır)."
    token = service.create_token(service.email)
    asset = service.api(token, f"/api/v1/assets/{asset_id}")
    assert asset["metadata"]["title"] == {"tr": "Şehir hatları", "az": "Şəhər xətləri"}
    listing = service.api(token, f"/api/v1/assets/{asset_id}/transcripts")["transcripts"]
    assert {t["lang"]: t["segment_count"] for t in listing} == {"tr": 2}
