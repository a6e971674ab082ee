"""The search page in headless Chromium (issue 11): a word said in an asset's subtitles finds
it with the cue's timecode; a facet narrows the results and the URL keeps it, and a second
value of the same facet widens them again (multi-select); the sort menu
applies at once and orders titles by the Turkish alphabet; suggestions appear as you type;
opening the segment hit lands in the player at that point (?t=)."""
from __future__ import annotations

import pytest

from tests.asset_factory import create_asset
from tests.e2e.conftest import until
from tests.hls_renditions import register

pytestmark = pytest.mark.browser

SRT = "1\n00:00:00,500 --> 00:00:01,500\nGiriş\n\n2\n00:00:02,000 --> 00:00:03,000\nKulenin önünde martılar uçuyor\n"


@pytest.fixture(scope="module")
def found(service, hls_renditions):
    """Two assets of the running service: one with a playable proxy and Turkish subtitles, one
    without; both indexed in the service's search index."""
    from archive import create_app, db
    from archive.accounts.models import User
    from archive.assets.models import Asset
    from archive.backends import search_backend
    from archive.indexing import index_asset
    from archive.transcripts.services import put_transcript

    app = create_app({"DATA_DIR": str(service.data_dir), "DATABASE_URL": service.env["ORTAK_DATABASE_URL"],
                      "SECRET_KEY": service.env["ORTAK_SECRET_KEY"], "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    try:
        with app.app_context():
            uid = db.session().query(User).filter_by(email=service.email).one().id
        tower = create_asset(app, uid, data=b"search page tower", meta={
            "title": {"tr": "Çamlıca kulesi", "en": "Camlica Tower"}, "genre": "documentary", "recorded": "1975-06"})
        register(app, tower, hls_renditions, ["proxy", "poster", "storyboard"])
        other = create_asset(app, uid, data=b"search page other", meta={
            "title": {"tr": "Cami avlusunda martılar"}, "genre": "folklore", "recorded": "1962"})
        with app.app_context():
            s = db.session()
            put_transcript(s, s.get(Asset, tower), "tr", SRT.encode(), None)
            s.commit()
            for asset_id in (tower, other):
                assert index_asset(db.session(), search_backend(), asset_id)
        yield {"tower": tower, "other": other}
    finally:
        app.extensions["ortak.db"].dispose()


def test_search_facet_sort_suggestions_and_a_segment_hit_opens_the_player_there(logged_in, service, found):
    page = logged_in
    page.goto(service.url + "/?q=martılar")
    cards = page.locator("ol.hits li.hit")
    assert cards.count() == 2
    # The subtitle cue that matched, with its timecode and the word marked.
    hit = page.locator("a.segment-hit")
    assert hit.count() == 1 and "<mark>martılar</mark>" in hit.inner_html()
    assert hit.locator(".timecode").inner_text() == "10:00:02:00"
    # A facet: folklore only; the URL keeps the query and the filter.
    page.click('a.facet-value[data-facet="genre"][data-value="folklore"]')
    page.wait_for_url("**genre=folklore**")
    assert "q=mart" in page.url and page.locator("ol.hits li.hit").count() == 1
    assert "Cami avlusunda" in page.inner_text("ol.hits")
    # Multi-select: the genre facet still offers documentary with its count; ticking it too
    # widens the results to either genre, and the address keeps both.
    documentary = page.locator('a.facet-value[data-facet="genre"][data-value="documentary"]')
    assert documentary.locator(".count").inner_text() == "1"
    documentary.click()
    page.wait_for_url("**genre=documentary**")
    assert "genre=folklore" in page.url and page.locator("ol.hits li.hit").count() == 2
    assert page.locator('a.facet-value.on[data-facet="genre"]').count() == 2
    page.click('a.facet-value.on[data-facet="genre"][data-value="documentary"]')
    page.wait_for_load_state()
    until(page, "!location.search.includes('documentary')")
    assert page.locator("ol.hits li.hit").count() == 1
    page.click('a.facet-value.on[data-facet="genre"]')  # off again
    page.wait_for_load_state()
    until(page, "document.querySelectorAll('ol.hits li.hit').length === 2")
    # The sort menu applies at once: Turkish alphabetical order puts c before ç.
    page.select_option("#sort", "title")
    page.wait_for_url("**sort=title**")
    assert "recorded_from=" not in page.url and "platform=" not in page.url  # no empty fields
    titles = page.locator("ol.hits li.hit h3").all_inner_texts()
    assert titles == ["Cami avlusunda martılar", "Çamlıca kulesi"]
    # Suggestions as you type: the last word is a prefix.
    page.fill("#q", "")
    page.type("#q", "çamlı", delay=30)
    page.wait_for_selector("#suggestions li a")
    # In the page's language (the API alone would answer in the reader's locale, English here).
    assert "Çamlıca kulesi" in page.inner_text("#suggestions") and "Tower" not in page.inner_text("#suggestions")
    # The segment hit lands in the player at its point.
    page.goto(service.url + "/?q=martılar")
    page.click("a.segment-hit")
    page.wait_for_url(f"**/assets/{found['tower']}?t=2**")
    page.wait_for_selector("#player-tool")
    until(page, "document.getElementById('player').readyState >= 1")
    until(page, "Math.abs(document.getElementById('player').currentTime - 2) < 0.05")
    # The transcript shows on the asset page; a line seeks the player to it.
    page.click("#transcripts details summary")
    assert "Kulenin önünde martılar uçuyor" in page.inner_text("#transcripts")
    page.click("#transcripts a.transcript-line >> nth=0")
    until(page, "Math.abs(document.getElementById('player').currentTime - 0.5) < 0.05")


def test_suggestions_search_a_word_ended_by_a_space_as_a_whole_word(logged_in, service, found):
    """Only the last word being typed is a prefix. The script trimmed the box, so `kule ` (a
    finished word) was still asked with as_you_type=1, that is as the prefix `kule`; the API trims
    q too, so the finished word goes without as_you_type."""
    from urllib.parse import parse_qs, urlsplit

    page = logged_in
    page.goto(service.url + "/")

    def asked(typing: str) -> dict:
        with page.expect_request(lambda r: "/api/v1/search?" in r.url) as request:
            page.type("#q", typing, delay=30)
        return parse_qs(urlsplit(request.value.url).query)

    typing = asked("kule")
    assert typing["q"] == ["kule"] and typing["as_you_type"] == ["1"]
    page.wait_for_selector("#suggestions li a")
    assert "Çamlıca kulesi" in page.inner_text("#suggestions")
    finished = asked(" ")
    assert finished["q"] == ["kule"] and "as_you_type" not in finished, finished
    again = asked("mar")  # a new word being typed is a prefix again
    assert again["q"] == ["kule mar"] and again["as_you_type"] == ["1"]
