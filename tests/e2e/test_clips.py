"""Clip export in headless Chromium (issue 9 item 4): mark in and out with the keyboard on a
video the worker processed, export it from the player, see the decision, and the clip, cut
and rendered by the running worker, plays and names its source."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import until, wait_for_status
from tests.e2e.test_player import _open

pytestmark = pytest.mark.browser


def test_mark_in_and_out_with_the_keyboard_export_and_the_clip_plays_and_names_its_source(logged_in, service,
                                                                                           seeded):
    page = logged_in
    _open(page, service, seeded.video)
    until(page, "document.getElementById('player').readyState >= 1")
    page.focus("#timeline")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    until(page, "document.getElementById('timecode').textContent === '00:00:00:05'")
    page.keyboard.press("i")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    until(page, "document.getElementById('timecode').textContent === '00:00:02:05'")
    page.keyboard.press("o")
    assert "in=00%3A00%3A00%3A05" in page.get_attribute("#export-clip", "href")
    page.focus("#export-clip")
    page.keyboard.press("Enter")
    page.wait_for_selector("#clip-form")
    assert page.input_value("#clip-in") == "00:00:00:05" and page.input_value("#clip-out") == "00:00:02:05"
    page.select_option("#clip-mode", "accurate")
    page.focus("#clip-check")
    page.keyboard.press("Enter")
    page.wait_for_selector("#clip-decision")
    assert page.get_attribute("#clip-decision", "data-outcome") == "allowed"
    page.focus("#clip-export")
    page.keyboard.press("Enter")
    page.wait_for_selector("#clip-source-link")
    clip_id = page.url.rsplit("/", 1)[1].split("?")[0]
    assert page.inner_text("#clip-source-link") == "Saz konseri"
    doc = wait_for_status(service, seeded.token, clip_id)
    assert doc["status"] == "ready", doc
    assert (doc["lineage"]["actual_in"], doc["lineage"]["actual_out"]) == ("00:00:00:05", "00:00:02:05")
    _open(page, service, clip_id)
    page.evaluate("() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }")
    until(page, "document.getElementById('player').currentTime > 0.3")
    assert page.evaluate("document.getElementById('player').videoWidth") > 0
    # Its source, at the segment it came from; the source lists the clip.
    page.click("#clip-source-link")
    page.wait_for_selector("#player-tool")
    assert "in=00%3A00%3A00%3A05" in page.url or "in=00:00:00:05" in page.url
    assert page.locator(f"#clip-list a[href='/assets/{clip_id}']").count() == 1
