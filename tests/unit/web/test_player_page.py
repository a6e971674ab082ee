"""The asset page's player settings (archive/web/player.py, _player.html): what plays, what is
drawn, in which language, for video with and without HLS, audio and images."""
from __future__ import annotations

import html
import json
import re

import pytest

from archive import db
from archive.assets.models import Asset
from tests.asset_factory import create_asset

HLS = {"master.m3u8": b"#EXTM3U\n", "180p/index.m3u8": b"#EXTM3U\n"}


def _settings(page: str) -> dict:
    m = re.search(r"data-player='([^']*)'", page)
    assert m, "no player settings on the page"
    return json.loads(html.unescape(m.group(1)))


def _technical(app, asset_id, technical):
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).technical = technical
        s.commit()


def test_video_with_hls_storyboard_and_waveform(app, logged_in):
    client, uid = logged_in
    asset_id = create_asset(app, uid, renditions={
        "hls": {"files": HLS}, "storyboard": {"files": {"storyboard.vtt": b"WEBVTT\n", "sprite_0.jpg": b"x"}},
        "waveform": {"files": {"waveform.json": b"{}"}},
        "proxy": {"data": b"proxy", "content_type": "video/mp4", "ext": ".mp4"}})
    _technical(app, asset_id, {"kind": "video", "duration": 10.0, "frame_rate": "30000/1001",
                               "start_timecode": "01:00:00;00",
                               "streams": [{"type": "audio", "language_code": "az"}, {"type": "audio", "language_code": "kk"}]})
    page = client.get(f"/assets/{asset_id}", headers={"Accept-Language": "az"}).get_data(as_text=True)
    s = _settings(page)
    assert s["hls"] == f"/api/v1/assets/{asset_id}/renditions/hls/master.m3u8"
    assert s["storyboard"].endswith("/renditions/storyboard/storyboard.vtt")
    assert s["waveform"].endswith("/renditions/waveform/waveform.json")  # a one-file rendition, by the file route
    assert s["timeline"] == {"rate": "30000/1001", "fps": 30000 / 1001, "start": "01:00:00;00", "start_frames": 107892,
                             "drop_frame": True, "frames": 300}
    assert s["markers"] == f"/api/v1/assets/{asset_id}/markers"
    assert s["languages"]["tr"] == "Türk" and s["languages"]["kk"]  # names in the page's language
    assert "vendor/hls.min.js" in page and "player.js" in page
    assert 'id="marker-form"' in page and 'id="keys"' in page
    assert "01:00:00;00" in page  # the timecode shown before the script runs
    assert "rendition=proxy" in re.search(r'data-proxy="([^"]*)"', page).group(1)
    # "Add to basket": the button, its dialog in the page's language, and its script.
    assert 'id="add-to-basket"' in page and 'id="basket-dialog"' in page and "basket_add.js" in page
    assert "Səbətə əlavə et" in page and "İşarələnmiş hissə" in page
    labels = json.loads(html.unescape(re.search(r"data-labels='([^']*)'", page[page.index('id="basket-dialog"'):]).group(1)))
    assert labels["added"] == "%(name)s səbətinə əlavə edildi."


@pytest.mark.parametrize("lang,space", [("tr", "Boşluk"), ("az", "Boşluq"), ("en", "Space")])
def test_the_keyboard_shortcuts_name_the_keys_in_the_page_language(app, logged_in, lang, space):
    client, uid = logged_in
    asset_id = create_asset(app, uid, renditions={"proxy": {"data": b"proxy", "content_type": "video/mp4", "ext": ".mp4"}})
    page = client.get(f"/assets/{asset_id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    keys = page[page.index('id="keys"'):page.index("</details>", page.index('id="keys"'))]
    assert f"<kbd>{space}</kbd> / <kbd>K</kbd>" in keys, keys


def test_video_without_hls_plays_the_proxy(app, logged_in):
    client, uid = logged_in
    asset_id = create_asset(app, uid, renditions={"proxy": {"data": b"proxy", "content_type": "video/mp4", "ext": ".mp4"}})
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert _settings(page)["hls"] is None and "vendor/hls.min.js" not in page
    assert re.search(r'<video id="player"[^>]*src="/api/v1/assets/[^"]+rendition=proxy', page.replace("\n", " "))


def test_audio_draws_its_waveform_and_images_zoom(app, logged_in):
    client, uid = logged_in
    audio = create_asset(app, uid, data=b"audio", kind="audio", renditions={
        "proxy": {"data": b"m4a", "content_type": "audio/mp4", "ext": ".m4a"}})
    page = client.get(f"/assets/{audio}").get_data(as_text=True)
    assert 'id="waveform-picture"' in page and '<audio id="player"' in page
    image = create_asset(app, uid, data=b"image", kind="image", renditions={
        "poster": {"data": b"jpg", "content_type": "image/jpeg", "ext": ".jpg"}})
    page = client.get(f"/assets/{image}").get_data(as_text=True)
    assert 'id="zoom-view"' in page and 'id="player-tool"' not in page and 'id="marker-form"' not in page


def test_audio_tracks_carry_their_language_and_title_in_the_masters_order(app, logged_in):
    client, uid = logged_in
    asset_id = create_asset(app, uid, renditions={"hls": {"files": HLS}})
    _technical(app, asset_id, {"kind": "video", "duration": 10.0, "video_codec": "h264", "audio_codec": "aac",
                               "streams": [{"type": "video", "index": 0, "codec": "h264"},
                                           {"type": "audio", "index": 1, "codec": "aac", "language_code": "tr",
                                            "title": "Ana ses"},
                                           {"type": "audio", "index": 2, "codec": "aac", "language_code": "tr",
                                            "title": "Sesli\u0007 betimleme "},
                                           {"type": "audio", "index": 3},  # no decoder: not in the ladder
                                           {"type": "audio", "index": 4, "codec": "ac3"}]})
    s = _settings(client.get(f"/assets/{asset_id}").get_data(as_text=True))
    assert s["audio_tracks"] == [{"lang": "tr", "title": "Ana ses"}, {"lang": "tr", "title": "Sesli betimleme"},
                                 {"lang": None, "title": None}]
    # A record probed before streams were kept: its one track, untagged.
    _technical(app, asset_id, {"kind": "video", "duration": 10.0, "video_codec": "h264", "audio_codec": "aac"})
    s = _settings(client.get(f"/assets/{asset_id}").get_data(as_text=True))
    assert s["audio_tracks"] == [{"lang": None, "title": None}]


def test_the_audio_track_menu_is_hidden_when_there_is_nothing_to_choose(app, logged_in):
    """A silent video, an audio file with its one track, a video with one track: no menu (an
    empty or one-entry menu chose nothing); two tracks: the menu, which player.js fills."""
    client, uid = logged_in
    video = [{"type": "video", "index": 0, "codec": "h264"}]
    track = {"type": "audio", "codec": "aac", "language_code": "tr"}
    cases = [("video", {"kind": "video", "duration": 4.0, "video_codec": "h264", "streams": video}, True),
             ("audio", {"kind": "audio", "duration": 4.0, "audio_codec": "mp3",
                        "streams": [{**track, "index": 0, "codec": "mp3"}]}, True),
             ("video", {"kind": "video", "duration": 4.0, "video_codec": "h264", "audio_codec": "aac",
                        "streams": video + [{**track, "index": 1}]}, True),
             ("video", {"kind": "video", "duration": 4.0, "video_codec": "h264", "audio_codec": "aac",
                        "streams": video + [{**track, "index": 1}, {**track, "index": 2, "language_code": "az"}]},
              False)]
    for kind, technical, hidden in cases:
        asset_id = create_asset(app, uid, data=repr(technical).encode(), kind=kind,
                                renditions={"hls": {"files": HLS}})
        _technical(app, asset_id, technical)
        page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
        choice = re.search(r'<span id="audio-choice"( hidden)?>', page)
        assert choice and bool(choice.group(1)) is hidden, (technical, choice and choice.group(0))
