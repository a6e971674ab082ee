"""The player in headless Chromium (issue 8): renditions in the agreed layout made by ffmpeg
(tests/hls_renditions.py) and registered on assets of the running service; then the HLS
stream plays, a quality switch happens, the audio switches to the second language, a
storyboard tile shows on hover, a marker added on the page seeks the player when clicked;
timecode, frame steps, in/out in the URL, the MP4 fallback, the audio waveform, image zoom,
and axe-core on the new page in tr, az and en."""
from __future__ import annotations

import pytest

from tests.asset_factory import create_asset
from tests.e2e.a11y import assert_focus_visible, axe_violations
from tests.e2e.conftest import until
from tests.hls_renditions import TECHNICAL, register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def vendored_hls():
    """The page loads hls.js's browser build, copied from node_modules by scripts/vendor.sh."""
    from tests.e2e.conftest import ROOT

    target = ROOT / "archive" / "web" / "static" / "vendor" / "hls.min.js"
    if not target.exists() and (ROOT / "node_modules" / "hls.js").is_dir():
        import subprocess

        subprocess.run([str(ROOT / "scripts" / "vendor.sh")], check=True)
    if not target.exists():
        pytest.skip("hls.js is not installed: run `npm ci && scripts/vendor.sh` (make assets)")
    return target


@pytest.fixture(scope="module")
def assets(service, hls_renditions, vendored_hls):
    """Assets of the running service (its database and storage) with the player's renditions."""
    from archive import create_app
    from archive import db
    from archive.accounts.models import User

    app = create_app({"DATA_DIR": str(service.data_dir), "DATABASE_URL": service.env["ORTAK_DATABASE_URL"],
                      "SECRET_KEY": service.env["ORTAK_SECRET_KEY"], "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    try:
        with app.app_context():
            uid = db.session().query(User).filter_by(email=service.email).one().id
        made = {}
        made["hls"] = create_asset(app, uid, data=b"player hls master", meta={"title": {"tr": "Kız Kulesi"}})
        register(app, made["hls"], hls_renditions)
        # One language twice, told apart by title; a track with no language.
        technical = TECHNICAL
        streams = [{"type": "video", "index": 0, "codec": "h264"}]
        made["two_tur"] = create_asset(app, uid, data=b"player two turkish tracks", meta={"title": {"tr": "Betimleme"}})
        register(app, made["two_tur"], hls_renditions, technical={**technical, "streams": streams + [
            {"type": "audio", "index": 1, "codec": "aac", "language": "tur", "language_code": "tr", "title": "Ana ses"},
            {"type": "audio", "index": 2, "codec": "aac", "language": "tur", "language_code": "tr",
             "title": "Sesli betimleme"}]})
        made["untagged"] = create_asset(app, uid, data=b"player untagged track", meta={"title": {"tr": "Etiketsiz"}})
        register(app, made["untagged"], hls_renditions, technical={**technical, "streams": streams + [
            {"type": "audio", "index": 1, "codec": "aac", "language": "tur", "language_code": "tr"},
            {"type": "audio", "index": 2, "codec": "aac"}]})
        made["proxy"] = create_asset(app, uid, data=b"player proxy master", meta={"title": {"tr": "Yedek"}})
        register(app, made["proxy"], hls_renditions, ["proxy", "poster", "storyboard", "waveform"])
        made["audio"] = create_asset(app, uid, data=b"player audio master", kind="audio", filename="mugam.m4a",
                                     content_type="audio/mp4", meta={"title": {"az": "Muğam"}})
        register(app, made["audio"], hls_renditions, ["proxy", "waveform"],
                 technical={"kind": "audio", "duration": 3.0, "audio_codec": "aac"})
        made["image"] = create_asset(app, uid, data=b"player image master", kind="image", filename="afis.jpg",
                                     content_type="image/jpeg", meta={"title": {"tr": "Afiş"}})
        register(app, made["image"], hls_renditions, ["poster"], technical={"kind": "image", "width": 320, "height": 180})
        yield made
    finally:
        app.extensions["ortak.db"].dispose()


def _open(page, service, asset_id):
    page.goto(f"{service.url}/assets/{asset_id}")
    page.wait_for_selector("#player-tool, #zoom-view")


def test_hls_plays_switches_quality_and_audio_shows_storyboard_and_markers_seek(logged_in, service, assets):
    page = logged_in
    sprites = []
    page.on("response", lambda r: "sprite_0.jpg" in r.url and sprites.append(r.status))
    _open(page, service, assets["hls"])
    assert until(page, "document.getElementById('player-tool').dataset.engine") == "hls.js"
    # The stream plays.
    page.evaluate("() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }")
    until(page, "document.getElementById('player').currentTime > 0.5")
    assert page.evaluate("document.getElementById('player').videoWidth") > 0
    # Quality menu: auto plus each rung, highest first; choosing one switches to it.
    assert page.eval_on_selector_all("#quality option", "os => os.map(o => o.textContent)") == ["Otomatik", "180p", "120p"]
    for height in ("180", "120"):
        page.select_option("#quality", label=f"{height}p")
        page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 0; return v.play(); }")
        until(page, f"document.getElementById('player-tool').dataset.level === '{height}'")
        until(page, f"document.getElementById('player').videoHeight === {height}")
    # Audio tracks named in the page's language; the second language takes over.
    assert page.eval_on_selector_all("#audio-track option", "os => os.map(o => o.textContent)") == [
        "Türkçe", "Azerbaycan dili"]
    assert page.evaluate("document.getElementById('player-tool').dataset.audio") == "tr"
    page.select_option("#audio-track", index=1)
    until(page, "document.getElementById('player-tool').dataset.audio === 'az'")
    assert page.evaluate("window.ortakPlayer.hls.audioTracks[window.ortakPlayer.hls.audioTrack].lang") == "az"
    until(page, "document.getElementById('player-tool').dataset.waveform === '1'")  # its own waveform
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 0; return v.play(); }")
    until(page, "document.getElementById('player').currentTime > 0.3")
    # The storyboard: hovering the middle of the timeline shows the second tile of the sprite.
    until(page, "document.getElementById('player-tool').dataset.storyboard === '3'")
    page.evaluate("document.getElementById('player').pause()")
    box = page.locator("#timeline").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    until(page, "!document.getElementById('thumb-tip').hidden")
    thumb = page.evaluate("""(() => { const t = getComputedStyle(document.getElementById('thumb'));
        return {image: t.backgroundImage, position: t.backgroundPosition, width: t.width}; })()""")
    assert "/renditions/storyboard/sprite_0.jpg" in thumb["image"]
    assert thumb["position"] == "-80px 0px" and thumb["width"] == "80px"
    assert page.inner_text("#thumb-tc") == "10:00:01:12"
    until(page, "document.getElementById('thumb').offsetWidth > 0")
    page.wait_for_timeout(200)
    assert 200 in sprites  # the sprite itself was fetched
    # A marker added on the page; clicking it seeks the player to its frame.
    page.fill("#marker-in", "10:00:02:05")
    page.fill("#marker-text", "Kule görünüyor <b>kalın değil</b>")
    page.click("#marker-add")
    page.wait_for_selector("#marker-list li[data-marker] .marker-seek")
    assert page.inner_text("#marker-list .marker-text") == "Kule görünüyor <b>kalın değil</b>"  # text, not markup
    page.evaluate("() => { const v = document.getElementById('player'); v.pause(); v.currentTime = 0.2; }")
    until(page, "document.getElementById('timecode').textContent === '10:00:00:05'")
    page.click("#marker-list .marker-seek")
    until(page, "Math.abs(document.getElementById('player').currentTime - 2.22) < 0.01")
    until(page, "document.getElementById('timecode').textContent === '10:00:02:05'")
    assert page.locator("#ticks .tick").count() == 1
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    page.screenshot(path="/tmp/ortak-player.png", full_page=True)  # for a person to look at


@pytest.mark.parametrize("lang, two_tur, untagged", [
    ("tr", ["Türkçe (Ana ses)", "Türkçe (Sesli betimleme)"], ["Türkçe", "Kanal 2"]),
    ("en", ["Turkish (Ana ses)", "Turkish (Sesli betimleme)"], ["Turkish", "Track 2"])])
def test_audio_tracks_are_told_apart_in_the_pages_language(logged_in, service, assets, lang, two_tur, untagged):
    """Two tracks in one language show their titles; a track with no language is "Track N" in
    the page's language, not the playlist's English NAME."""
    page = logged_in
    page.goto(f"{service.url}/lang/{lang}?next=/assets/{assets['two_tur']}")
    until(page, "document.getElementById('audio-track').options.length === 2")
    assert page.eval_on_selector_all("#audio-track option", "os => os.map(o => o.textContent)") == two_tur
    page.select_option("#audio-track", index=1)
    until(page, "window.ortakPlayer.hls.audioTrack === 1")
    _open(page, service, assets["untagged"])
    until(page, "document.getElementById('audio-track').options.length === 2")
    assert page.eval_on_selector_all("#audio-track option", "os => os.map(o => o.textContent)") == untagged


def test_no_audio_track_menu_when_there_is_nothing_to_choose(logged_in, service, assets):
    """An audio file and a video played from its proxy show no empty audio-track menu; a video
    whose stream has two tracks shows it, filled."""
    page = logged_in
    for name in ("audio", "proxy"):
        _open(page, service, assets[name])
        until(page, "document.getElementById('player').readyState >= 1")
        assert not page.is_visible("#audio-track") and not page.is_visible("label[for=audio-track]"), name
    _open(page, service, assets["two_tur"])
    until(page, "document.getElementById('audio-track').options.length === 2")
    assert page.is_visible("#audio-track") and page.is_visible("label[for=audio-track]")


def test_timecode_frame_steps_shuttle_and_in_out_in_the_url(logged_in, service, assets):
    page = logged_in
    _open(page, service, assets["hls"])
    until(page, "document.getElementById('player').readyState >= 1")
    page.focus("#timeline")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    until(page, "document.getElementById('timecode').textContent === '10:00:00:03'")
    page.keyboard.press("Shift+ArrowRight")  # one second
    until(page, "document.getElementById('timecode').textContent === '10:00:01:03'")
    assert page.get_attribute("#timeline", "aria-valuetext") == "10:00:01:03"
    page.keyboard.press("i")
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.keyboard.press(",")
    until(page, "document.getElementById('timecode').textContent === '10:00:01:04'")
    page.keyboard.press("o")
    assert "in=10%3A00%3A01%3A03" in page.url and "out=10%3A00%3A01%3A04" in page.url
    assert page.input_value("#marker-in") == "10:00:01:03" and page.input_value("#marker-out") == "10:00:01:04"
    assert not page.locator("#range").is_hidden()
    page.keyboard.press("Shift+I")  # back to the in point
    until(page, "document.getElementById('timecode').textContent === '10:00:01:03'")
    # L plays, again L doubles the speed, K stops; J runs backwards.
    page.evaluate("document.getElementById('player').muted = true")
    page.keyboard.press("l")
    until(page, "!document.getElementById('player').paused")
    page.keyboard.press("l")
    assert page.evaluate("document.getElementById('player').playbackRate") == 2
    page.keyboard.press("k")
    until(page, "document.getElementById('player').paused")
    before = page.evaluate("document.getElementById('player').currentTime")
    page.keyboard.press("j")
    until(page, f"document.getElementById('player').currentTime < {before} - 0.1")
    page.keyboard.press("k")
    page.keyboard.press("?")
    assert page.evaluate("document.getElementById('keys').open") is True
    # The points come back from the URL.
    page.reload()
    page.wait_for_selector("#player-tool")
    until(page, "document.getElementById('player-tool').dataset.in === '10:00:01:03'")
    assert "10:00:01:04" in page.inner_text("#points")


def test_without_hls_the_proxy_plays(logged_in, service, assets):
    page = logged_in
    _open(page, service, assets["proxy"])
    assert until(page, "document.getElementById('player-tool').dataset.engine") == "proxy"
    assert "rendition=proxy" in page.get_attribute("video#player", "src")
    page.evaluate("() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }")
    until(page, "document.getElementById('player').currentTime > 0.3")
    assert page.is_disabled("#quality") and page.is_disabled("#audio-track")


def test_audio_shows_its_waveform_and_images_zoom(logged_in, service, assets):
    page = logged_in
    _open(page, service, assets["audio"])
    until(page, "document.getElementById('player-tool').dataset.waveform === '0'")
    drawn = page.evaluate("""(() => { const c = document.getElementById('waveform-picture');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return [c.width, n]; })()""")
    assert drawn[0] > 100 and drawn[1] > drawn[0]  # a picture, not an empty canvas
    assert page.locator("audio#player").count() == 1
    _open(page, service, assets["image"])
    assert page.inner_text("#zoom-level") == "%100"  # a Turkish page: the sign first (CLDR)
    page.click("#zoom-in")
    until(page, "document.getElementById('zoom-view').dataset.scale === '1.5'")
    assert page.inner_text("#zoom-level") == "%150"
    page.focus("#zoom-frame")
    page.keyboard.press("+")
    until(page, "document.getElementById('zoom-view').dataset.scale === '2.25'")
    page.keyboard.press("0")
    until(page, "document.getElementById('zoom-view').dataset.scale === '1'")


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_the_player_page_has_no_wcag_aa_violations(logged_in, service, assets, lang):
    page = logged_in
    page.goto(f"{service.url}/lang/{lang}?next=/assets/{assets['hls']}")
    page.wait_for_selector("#player-tool")
    until(page, "document.getElementById('quality').options.length === 3")
    assert axe_violations(page) == []
    for key in ("audio", "image"):
        page.goto(f"{service.url}/assets/{assets[key]}")
        page.wait_for_selector("#player-tool, #zoom-view")
        assert axe_violations(page) == [], key


@pytest.mark.parametrize("rate, drop, start", [("30000/1001", True, "01:00:00;00"), ("60000/1001", True, "00:59:00;04"),
                                               ("25/1", False, "10:00:00:00"), ("24000/1001", False, "00:00:00:00")])
def test_the_pages_timecode_is_the_servers(logged_in, service, assets, rate, drop, start):
    """The player's timecode arithmetic (player.js) gives the labels archive/media/timecode.py
    gives, drop-frame included, and reads them back to the same frames."""
    from fractions import Fraction

    from archive.media.timecode import frames_to_timecode, timecode_to_frames

    page = logged_in
    _open(page, service, assets["proxy"])
    fraction = Fraction(*map(int, rate.split("/")))
    start_frames = timecode_to_frames(start, fraction)
    frames = list(range(0, 40000, 7)) + [1799, 1800, 3599, 3600, 17981, 17982, 17983, 107891, 107892]
    got = page.evaluate("""([tl, frames]) => { const tc = new window.OrtakTimecode(tl);
        return frames.map(f => [tc.label(f), tc.parse(tc.label(f))]); }""",
                        [{"rate": rate, "drop_frame": drop, "start_frames": start_frames}, frames])
    expected = [frames_to_timecode(start_frames + f, fraction, drop_frame=drop) for f in frames]
    assert [label for label, _ in got] == expected
    assert [back for _, back in got] == frames
    assert page.evaluate("(tl) => new window.OrtakTimecode(tl).parse('01:01:00;00')",
                         {"rate": rate, "drop_frame": drop, "start_frames": 0}) is None  # a dropped label


def test_keyboard_only_through_the_player_controls(logged_in, service, assets):
    page = logged_in
    _open(page, service, assets["hls"])
    until(page, "document.getElementById('quality').options.length === 3")
    page.focus("video#player")
    stops = []
    for _ in range(40):  # the video's own controls take several stops first
        page.keyboard.press("Tab")
        stops.append(assert_focus_visible(page, "player controls")["focused"])
        if page.evaluate("document.activeElement.id") == "timeline":
            break
    assert page.evaluate("document.activeElement.id") == "timeline", stops
    for wanted in ("frame-back", "play-pause", "frame-forward", "set-in", "set-out", "quality", "audio-track"):
        assert any(wanted in stop for stop in stops), (wanted, stops)
    page.keyboard.press("End")
    until(page, "document.getElementById('timecode').textContent === '10:00:02:24'")
    page.keyboard.press("Home")
    until(page, "document.getElementById('timecode').textContent === '10:00:00:00'")


# Refused markers (the hls asset: 3 s at 25 fps from 10:00:00:00): a field of the in point out of
# its range, a frame the rate does not have, a point past the end, a label that is no timecode,
# and a text of spaces only.
REFUSED_MARKERS = [
    ({"in": "10:00:99:00", "text": "x"}, ["99", "59"]),
    ({"in": "10:00:01:30", "text": "x"}, ["30", "24"]),
    ({"in": "10:05:00:00", "text": "x"}, ["10:00:03:00"]),
    ({"in": "abc", "text": "x"}, []),
    ({"in": "10:00:01:00", "text": "   "}, []),
]


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_a_refused_marker_says_the_apis_reason_and_markers_name_their_author(logged_in, service, assets, lang):
    """The form shows the API's own reason for each entry (by code, and by `params.reason` for a
    timecode), in the page's language, as the server's table says it (archive.web.messages), not
    one generic sentence; the marker list names an author without a name "a user of ..."."""
    from archive import create_app
    from archive.web import messages
    from archive.web.player import labels

    page = logged_in
    page.goto(f"{service.url}/lang/{lang}?next=/assets/{assets['hls']}")
    page.wait_for_selector("#marker-form")
    app = create_app({"DATA_DIR": str(service.data_dir), "DATABASE_URL": service.env["ORTAK_DATABASE_URL"],
                      "SECRET_KEY": service.env["ORTAK_SECRET_KEY"], "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    try:
        said = []
        for body, figures in REFUSED_MARKERS:
            # The API's answer to this body, asked through the page's own caller.
            failure = page.evaluate("(b) => window.OrtakApi.call('POST', JSON.parse(document.getElementById("
                                    "'player-tool').dataset.player).markers, b).then(() => null, f => f.error)", body)
            assert failure and failure["code"] == "invalid_marker", failure
            with app.test_request_context(headers={"Cookie": f"ortak_lang={lang}"}):
                reasons = " ".join(messages.field_error(e) for e in failure["details"]["errors"])
                expected = messages.fill(str(labels()["marker_failed"]), {"reason": reasons})
            page.fill("#marker-in", body["in"])
            page.fill("#marker-text", body["text"])
            page.evaluate("document.getElementById('marker-status').textContent = ''")
            page.click("#marker-add")
            until(page, "document.getElementById('marker-status').textContent !== ''")
            shown = page.inner_text("#marker-status")
            assert shown == expected, (body, shown, expected)
            assert all(f in shown for f in figures), (body, shown)
            said.append(shown)
        assert len(set(said)) == len(said)  # a reason each, no one sentence for all
        if lang != "en":
            with app.test_request_context(headers={"Cookie": "ortak_lang=en"}):
                english = messages.field_error(failure["details"]["errors"][0])
            assert english not in said[-1]
    finally:
        app.extensions["ortak.db"].dispose()
    # A marker by the service's admin, who has no name: named as the pages name such a user.
    page.fill("#marker-in", "10:00:00:10")
    page.fill("#marker-text", f"İşaret {lang}")
    page.click("#marker-add")
    item = page.locator("#marker-list li", has_text=f"İşaret {lang}")
    item.wait_for()
    assert item.locator(".marker-author").inner_text() == {
        "tr": "bir Ortak TV kullanıcısı", "az": "bir Ortak TV istifadəçisi", "en": "a user of Ortak TV"}[lang]
