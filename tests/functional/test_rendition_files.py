"""GET /api/v1/assets/{id}/renditions/{name}/{path}: one file of a rendition, and the manifest.

Files are stored through the configured storage by the asset factory, with their manifest
rows, as a make leaves them.
"""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from archive import db
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset

FILES = {
    "master.m3u8": b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv0/index.m3u8\n",
    "v0/index.m3u8": b"#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6.0,\nseg_001.m4s\n",
    "v0/init.mp4": b"\x00\x00\x00\x18ftypiso6" * 8,
    "v0/seg_001.m4s": bytes(range(256)) * 40,
    "ts/seg_001.ts": b"\x47" * 188 * 4,
    "storyboard.vtt": b"WEBVTT\n\n00:00.000 --> 00:05.000\nsprite.jpg#xywh=0,0,160,90\n",
    "sprite.jpg": b"\xff\xd8\xff\xe0sprite",
    "waveform.json": b'{"version": 2, "data": [0, 1]}',
    "a/b": b"a file whose path has a slash",
    "notes.bin": b"\x00\x01",
}
TYPES = {
    "master.m3u8": "application/vnd.apple.mpegurl", "v0/index.m3u8": "application/vnd.apple.mpegurl",
    "v0/init.mp4": "video/mp4", "v0/seg_001.m4s": "video/iso.segment", "ts/seg_001.ts": "video/mp2t",
    "storyboard.vtt": "text/vtt", "sprite.jpg": "image/jpeg", "waveform.json": "application/json",
    "a/b": "application/octet-stream", "notes.bin": "application/octet-stream",
}


@pytest.fixture
def asset(app, producer):
    return create_asset(app, producer[0], filename="Şəki xan sarayı.mov", renditions={
        "hls": {"files": FILES, "content_type": "application/vnd.apple.mpegurl"},
        "proxy": {"data": b"proxy bytes" * 10, "content_type": "video/mp4", "ext": ".mp4"},
        "storyboard": {"status": "running", "progress": 0.25}})


def url(asset_id, name, path):
    return f"/api/v1/assets/{asset_id}/renditions/{name}/{path}"


def error(resp, status, code):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json()["error"]
    assert body["code"] == code
    return body


def records(app):
    with app.app_context():
        return list(db.session().scalars(select(UsageRecord)))


@pytest.mark.parametrize("path", sorted(FILES))
def test_every_file_with_its_type_etag_and_length(client, auth, asset, path):
    resp = client.get(url(asset, "hls", path), headers=auth)
    assert resp.status_code == 200 and resp.data == FILES[path]
    assert resp.headers["Content-Type"] == TYPES[path]
    assert resp.headers["ETag"] == f'"{hashlib.sha256(FILES[path]).hexdigest()}"'
    assert resp.headers["Content-Length"] == str(len(FILES[path]))
    assert resp.headers["Accept-Ranges"] == "bytes" and resp.headers["X-Content-Type-Options"] == "nosniff"
    disposition = resp.headers["Content-Disposition"]
    # What a player reads is inline; anything else a browser could run is an attachment.
    assert disposition.startswith("attachment" if TYPES[path] == "application/octet-stream" else "inline")
    assert "Seki xan sarayi.hls." in disposition


def test_range_and_conditional_requests(client, auth, asset):
    path = "v0/seg_001.m4s"
    data = FILES[path]
    resp = client.get(url(asset, "hls", path), headers={**auth, "Range": "bytes=100-199"})
    assert resp.status_code == 206 and resp.data == data[100:200]
    assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert client.get(url(asset, "hls", path), headers={**auth, "Range": "bytes=-10"}).data == data[-10:]
    etag = resp.headers["ETag"]
    assert client.get(url(asset, "hls", path), headers={**auth, "If-None-Match": etag}).status_code == 304
    stale = client.get(url(asset, "hls", path), headers={**auth, "Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.data == data
    error(client.get(url(asset, "hls", path), headers={**auth, "Range": f"bytes={len(data)}-"}), 416,
          "range_not_satisfiable")
    head = client.head(url(asset, "hls", path), headers=auth)
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(data))


def test_previews_leave_no_usage_record(app, client, auth, asset):
    for path in FILES:
        client.get(url(asset, "hls", path), headers=auth)
    assert records(app) == []


def test_a_single_file_rendition_is_served_by_both_routes(client, auth, asset):
    a = client.get(url(asset, "proxy", "proxy.mp4"), headers=auth)
    b = client.get(f"/api/v1/assets/{asset}/download?rendition=proxy", headers=auth)
    assert a.status_code == b.status_code == 200 and a.data == b.data == b"proxy bytes" * 10
    assert a.headers["ETag"] == b.headers["ETag"]


def test_download_of_a_rendition_of_many_files_points_to_its_entry(client, auth, asset):
    body = error(client.get(f"/api/v1/assets/{asset}/download?rendition=hls", headers=auth), 409,
                 "rendition_has_many_files")
    assert body["details"] == {"rendition": "hls", "files": len(FILES), "entry": "master.m3u8",
                               "url": url(asset, "hls", "master.m3u8")}


HOSTILE = [
    "..", "../proxy/proxy.mp4", "v0/../master.m3u8", "./master.m3u8", "v0/./init.mp4", "%2e%2e/proxy/proxy.mp4",
    "a%2Fb", "a%2fb", "v0%2Finit.mp4", "a%5Cb", "v0%5Cinit.mp4", "/etc/passwd", "//etc/passwd", "v0//init.mp4",
    "master.m3u8%00", "%00", "master.m3u8%00.jpg", "v0/", "MASTER.M3U8", "master.m3u8 ", "no-such-file",
    "x" * 300, "%C3%A7.m3u8", "v0/init.mp4/", "..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_and_unknown_paths_are_404(app, client, auth, asset, path):
    resp = client.get(url(asset, "hls", path), headers=auth)
    assert resp.status_code == 404, (path, resp.status_code)
    # Every path reaches the view, empty segments included (archive.api.converters): the
    # rendition's own 404, never the bare not_found of a route that did not match.
    assert resp.get_json()["error"]["code"] == "rendition_file_not_found", (path, resp.get_json())
    assert resp.data not in FILES.values()
    assert records(app) == []


def test_the_path_with_a_real_slash_is_a_file(client, auth, asset):
    assert client.get(url(asset, "hls", "a/b"), headers=auth).data == FILES["a/b"]


@pytest.mark.parametrize("name", ["nope", "HLS", "..", "x" * 40, "h%00ls"])
def test_unknown_rendition_is_404(client, auth, asset, name):
    body = error(client.get(url(asset, name, "master.m3u8"), headers=auth), 404, "rendition_not_found")
    assert "original" not in body["details"]["available"]  # not served by these routes
    assert "hls" in body["details"]["available"]


def test_the_original_is_not_served_as_a_rendition_and_the_answer_says_where_it_is(client, auth, asset):
    for address in (url(asset, "original", "x"), f"/api/v1/assets/{asset}/renditions/original"):
        resp = client.get(address, headers=auth)
        body = error(resp, 404, "original_not_a_rendition")
        assert body["details"]["url"] == f"/api/v1/assets/{asset}/download?rendition=original"
        assert "original" not in body["details"]["available"]
        assert "not a rendition" in body["message"]
    # The download, which does serve the original, still lists it among what may be asked for.
    body = error(client.get(f"/api/v1/assets/{asset}/download?rendition=nope", headers=auth), 404,
                 "rendition_not_found")
    assert body["details"]["available"][0] == "original"


def test_unknown_asset_is_404_and_login_is_needed(client, auth, asset):
    error(client.get(url("00000000-0000-0000-0000-000000000000", "hls", "master.m3u8"), headers=auth), 404,
          "asset_not_found")
    assert client.get(url(asset, "hls", "master.m3u8")).status_code == 401


def test_a_rendition_without_a_complete_make_is_409(client, auth, asset):
    body = error(client.get(url(asset, "storyboard", "storyboard.vtt"), headers=auth), 409, "rendition_not_ready")
    assert body["details"] == {"rendition": "storyboard", "status": "running", "progress": 0.25}


def test_the_manifest_lists_every_file_with_its_url(client, auth, asset):
    resp = client.get(f"/api/v1/assets/{asset}/renditions/hls", headers=auth)
    assert resp.status_code == 200
    doc = resp.get_json()
    assert (doc["name"], doc["entry"], doc["file_count"]) == ("hls", "master.m3u8", len(FILES))
    assert doc["url"] == url(asset, "hls", "master.m3u8")
    assert [f["path"] for f in doc["files"]] == sorted(FILES)
    for f in doc["files"]:
        assert f["size"] == len(FILES[f["path"]]) and f["content_type"] == TYPES[f["path"]]
        assert f["sha256"] == hashlib.sha256(FILES[f["path"]]).hexdigest()
        assert client.get(f["url"], headers=auth).data == FILES[f["path"]]
    waiting = client.get(f"/api/v1/assets/{asset}/renditions/storyboard", headers=auth).get_json()
    assert (waiting["status"], waiting["files"], waiting["url"], waiting["entry"]) == ("running", [], None, None)
    error(client.get(f"/api/v1/assets/{asset}/renditions/nope", headers=auth), 404, "rendition_not_found")


def test_the_asset_shows_each_renditions_entry_and_url(client, auth, asset):
    rends = {r["name"]: r for r in client.get(f"/api/v1/assets/{asset}", headers=auth).get_json()["renditions"]}
    assert rends["hls"]["url"] == url(asset, "hls", "master.m3u8") and rends["hls"]["file_count"] == len(FILES)
    assert rends["proxy"]["url"] == f"/api/v1/assets/{asset}/download?rendition=proxy"
    assert (rends["proxy"]["entry"], rends["proxy"]["file_count"]) == ("proxy.mp4", 1)
    assert rends["storyboard"]["url"] is None
