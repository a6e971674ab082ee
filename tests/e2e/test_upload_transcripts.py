"""The upload page with subtitle files beside the media file, in headless Chromium: once the
upload has made its asset (the creation's 201, while the bytes upload), each chosen SRT or
WebVTT file is PUT to the asset's transcripts with its own progress and outcome; a file the API refuses is said beside its input, translated,
with the line of the fault, and the media upload stays as it is."""
from __future__ import annotations

import os

import pytest

from tests.e2e.a11y import assert_focus_visible, axe_violations
from tests.e2e.conftest import until

pytestmark = pytest.mark.browser

GOOD_SRT = "1\n00:00:01,000 --> 00:00:02,500\nMerhaba\n\n2\n00:00:03,000 --> 00:00:04,000\nİkinci satır\n"
# Line 6 is the second cue's timing, whose minutes are not a number.
BAD_SRT = "1\n00:00:01,000 --> 00:00:02,000\nSalam\n\n2\n00:00:03,000 --> 00:0X:04,000\nİkinci\n"
# Line 6: the second cue ends before it starts.
BAD_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSalam\n\n00:00:05.000 --> 00:00:03.000\nGeri\n"


def _upload(page, service, media, subtitles: dict[str, object]) -> str:
    """Choose `media` and the subtitle files ({lang: path}) on the upload page, press Upload and
    wait for the outcome; the new asset's id."""
    page.goto(service.url + "/upload")
    page.set_input_files("#file", str(media))
    for lang, path in subtitles.items():
        page.set_input_files(f"#transcript_{lang}", str(path))
    page.click("#start")
    link = page.wait_for_selector("#result #asset-link", timeout=60_000)
    return link.get_attribute("href").rsplit("/", 1)[-1]


def _transcripts(page, service, asset_id: str) -> dict[str, int]:
    resp = page.request.get(f"{service.url}/api/v1/assets/{asset_id}/transcripts")
    assert resp.status == 200
    return {t["lang"]: t["segment_count"] for t in resp.json()["transcripts"]}


def test_subtitles_are_sent_after_the_upload_and_a_refused_one_is_said_with_its_line(logged_in, service, tmp_path):
    page = logged_in
    media = tmp_path / "haber-kaydi.bin"
    media.write_bytes(os.urandom(200_000))  # new bytes each run: never a duplicate
    good = tmp_path / "haber.tr.srt"
    good.write_text(GOOD_SRT, encoding="utf-8")
    bad = tmp_path / "haber.az.srt"
    bad.write_text(BAD_SRT, encoding="utf-8")

    asset_id = _upload(page, service, media, {"tr": good, "az": bad})
    # The upload itself succeeded; the page says some subtitle files were not added.
    assert "bazı altyazı dosyaları eklenmedi" in page.inner_text("#result .notice-warning")
    tr_status = page.locator("#transcript_tr-status")
    assert tr_status.inner_text() == "Eklendi (2 satır)."
    assert "done" in tr_status.get_attribute("class")
    assert page.eval_on_selector("#transcript_tr-progress", "el => el.value") == 100
    az_status = page.locator("#transcript_az-status")
    # The actual reason, with its line, in the page's language.
    assert az_status.inner_text() == ("Eklenmedi: 6. satır bir SRT altyazısının parçası değil (bir numara, "
                                      "00:00:01,000 --> 00:00:02,000 gibi bir zamanlama satırı, ardından metin).")
    assert "error-text" in az_status.get_attribute("class")
    assert page.get_attribute("#transcript_az", "aria-invalid") == "true"
    assert page.locator("#transcript_en-status").inner_text() == ""  # no file chosen, nothing said
    page.screenshot(path="/tmp/ortak-upload-transcripts.png", full_page=True)
    # The outcomes read right to every reader (axe-core, WCAG A and AA), and each subtitle input
    # is a keyboard stop with a visible focus ring.
    assert axe_violations(page) == []
    page.focus("#description")
    for lang in ("tr", "az", "en"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"transcript_{lang}"
        assert_focus_visible(page, f"subtitle input {lang}")
    # The media upload is kept, with the subtitles that were accepted.
    asset = page.request.get(f"{service.url}/api/v1/assets/{asset_id}")
    assert asset.status == 200 and asset.json()["filename"] == media.name
    assert _transcripts(page, service, asset_id) == {"tr": 2}

    # In Azerbaijani: the refusal in the page's language, with its line.
    page.goto(service.url + "/lang/az?next=/upload")
    media2 = tmp_path / "xeber.bin"
    media2.write_bytes(os.urandom(150_000))
    vtt = tmp_path / "xeber.az.vtt"
    vtt.write_text(BAD_VTT, encoding="utf-8")
    second = _upload(page, service, media2, {"az": vtt})
    assert page.locator("#transcript_az-status").inner_text() == (
        "Əlavə edilmədi: 6 nömrəli sətirdəki 2 nömrəli subtitr başlamazdan əvvəl bitir: subtitrlərin vaxtları "
        "sırada deyil.")
    assert "subtitr faylları əlavə edilmədi" in page.inner_text("#result .notice-warning")
    assert second != asset_id and _transcripts(page, service, second) == {}
    assert page.request.get(f"{service.url}/api/v1/assets/{second}").status == 200


def test_subtitles_are_all_added_and_a_duplicate_carries_them_over_where_it_may(logged_in, service, tmp_path):
    page = logged_in
    media = tmp_path / "konser.bin"
    media.write_bytes(os.urandom(120_000))
    tr = tmp_path / "konser.tr.srt"
    tr.write_text(GOOD_SRT, encoding="utf-8")
    en = tmp_path / "konser.en.vtt"
    en.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n", encoding="utf-8")
    asset_id = _upload(page, service, media, {"tr": tr, "en": en})
    assert page.locator("#result .notice-success").count() == 1
    assert page.locator("#transcript_en-status").inner_text() == "Eklendi (1 satır)."
    assert _transcripts(page, service, asset_id) == {"en": 1, "tr": 2}
    # The same file again is a duplicate of the organisation's own asset. The subtitles went to
    # the upload's asset while it uploaded; the server carries a language the asset lacks over
    # to it (az), and not another file in one it has (tr); the page says which, beside each.
    az = tmp_path / "konser.az.srt"
    az.write_text(GOOD_SRT, encoding="utf-8")
    tr2 = tmp_path / "konser2.tr.srt"
    tr2.write_text("1\n00:00:01,000 --> 00:00:02,000\nBaşka\n", encoding="utf-8")
    assert _upload(page, service, media, {"az": az, "tr": tr2}) == asset_id
    assert page.locator("#result .notice-warning").count() == 1
    assert page.locator("#transcript_az-status").inner_text() == "Arşivdeki kayda aktarıldı."
    assert page.locator("#transcript_tr-status").inner_text() == (
        "Arşivdeki kayda aktarılmadı: orada başka bir değer var")
    assert "Döküm (Azerbaycanca): konser.az.srt" in page.inner_text("#carried-applied")
    assert "Döküm (Türkçe): konser2.tr.srt" in page.inner_text("#carried-not-applied")
    assert _transcripts(page, service, asset_id) == {"az": 2, "en": 1, "tr": 2}


@pytest.mark.parametrize("content, said", [
    # Each refusal says its own reason and line (it read "not readable, or too large" for all).
    (BAD_VTT.encode(), "Dosya reddedildi: 6. satırdaki 2. altyazı başlamadan bitiyor: altyazıların zamanları sırasız."),
    (b"1\n00:00:01,000 --> 00:00:02,000\nbir\n\n2\n00:00:03,000 --> 00:00:04,000\n\xff\xfe iki\n",
     "Dosya reddedildi: Dosya UTF-8 metin değil: 7. satırda UTF-8 olmayan bir bayt var. Dosyayı UTF-8 olarak "
     "kaydedip yeniden gönderin."),
    (BAD_SRT.encode(), "Dosya reddedildi: 6. satır bir SRT altyazısının parçası değil (bir numara, "
                       "00:00:01,000 --> 00:00:02,000 gibi bir zamanlama satırı, ardından metin)."),
])
def test_the_asset_pages_subtitle_form_says_why_a_file_was_refused(logged_in, service, tmp_path, content, said):
    page = logged_in
    media = tmp_path / "kayit.bin"
    media.write_bytes(os.urandom(100_000))
    asset_id = _upload(page, service, media, {})
    page.goto(f"{service.url}/assets/{asset_id}")
    bad = tmp_path / "kayit.tr.srt"
    bad.write_bytes(content)
    page.set_input_files("#transcript-file", str(bad))
    page.click("#transcript-form button[type=submit]")
    status = page.locator("#transcript-status")
    until(page, "document.getElementById('transcript-status').textContent.startsWith('Dosya reddedildi')")
    assert status.inner_text() == said
