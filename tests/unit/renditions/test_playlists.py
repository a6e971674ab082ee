"""Playlists rewritten per request (archive.renditions.playlists), as data."""
import pytest

from archive.renditions.playlists import duration, resolve, rewrite, url_lifetime

MEDIA = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:6
#EXT-X-MAP:URI="init.mp4"
#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x1
#EXTINF:6.000000,
seg_000.m4s
#EXTINF:4.5,
seg_001.m4s
#EXTINF:1.0,
https://elsewhere.example/seg.m4s
#EXTINF:1.0,
../../escape.m4s
#EXTINF:1.0,
missing.m4s
#EXT-X-ENDLIST
"""
MASTER = """#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Türkçe",DEFAULT=YES,LANGUAGE="tr",URI="audio_0/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400400,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="audio"
180p/index.m3u8
"""


def fake_url(known):
    return lambda path: f"https://s3.example/{path}?sig=1" if path in known else None


def test_media_uris_become_presigned_urls_and_the_rest_stays():
    known = {"180p/init.mp4", "180p/key.bin", "180p/seg_000.m4s", "180p/seg_001.m4s"}
    out = rewrite(MEDIA, "180p/index.m3u8", fake_url(known)).splitlines()
    assert '#EXT-X-MAP:URI="https://s3.example/180p/init.mp4?sig=1"' in out
    assert '#EXT-X-KEY:METHOD=AES-128,URI="https://s3.example/180p/key.bin?sig=1",IV=0x1' in out
    assert "https://s3.example/180p/seg_000.m4s?sig=1" in out and "https://s3.example/180p/seg_001.m4s?sig=1" in out
    # Absolute, escaping and unknown URIs are left exactly as written: nothing is invented.
    assert "https://elsewhere.example/seg.m4s" in out and "../../escape.m4s" in out and "missing.m4s" in out
    assert out[:3] == MEDIA.splitlines()[:3] and out[-1] == "#EXT-X-ENDLIST"


def test_playlists_of_playlists_stay_relative():
    known = {"audio_0/index.m3u8", "180p/index.m3u8"}
    assert rewrite(MASTER, "master.m3u8", fake_url(known)) == MASTER


@pytest.mark.parametrize("playlist, uri, path", [
    ("master.m3u8", "180p/index.m3u8", "180p/index.m3u8"), ("180p/index.m3u8", "seg_000.m4s", "180p/seg_000.m4s"),
    ("180p/index.m3u8", "../audio_0/init.mp4", "audio_0/init.mp4"), ("a/b/c.m3u8", "./d.m4s", "a/b/d.m4s"),
    ("180p/index.m3u8", "../../x.m4s", None), ("master.m3u8", "/abs.m4s", None),
    ("master.m3u8", "http://h/x.m4s", None), ("master.m3u8", "data:text/plain,x", None),
    ("master.m3u8", "seg.m4s?x=1", None), ("master.m3u8", "seg.m4s#t=1", None), ("master.m3u8", "", None),
    ("master.m3u8", "a b.m4s", None), ("master.m3u8", "seg\\x.m4s", None),
])
def test_resolve(playlist, uri, path):
    assert resolve(playlist, uri) == path


def test_lifetime_covers_the_playlist():
    assert duration(MEDIA) == pytest.approx(13.5)
    assert duration(MASTER) == 0
    assert url_lifetime(MEDIA, 300, 7 * 86400) == 314
    assert url_lifetime("#EXTINF:999999,\nx.m4s\n", 300, 7 * 86400) == 7 * 86400
