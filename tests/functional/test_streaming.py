"""Delivery of the player's renditions (issue 8, item 4): HLS playlists and segments, the
storyboard and the waveform, in the agreed layout, made by ffmpeg (tests/hls_renditions.py):
types, Range, ETag, paths that leave a rendition, the gate's one record per read session,
playlists rewritten with presigned URLs on S3, and the nginx X-Accel-Redirect offload."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import create_app, db
from archive.access.policies import DENIED, AccessPolicy, PolicyDecision
from archive.renditions.models import RenditionFile
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset
from tests.hls_renditions import register

TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".mp4": "video/mp4", ".m4s": "video/iso.segment",
         ".vtt": "text/vtt", ".jpg": "image/jpeg", ".json": "application/json"}


class DenyAll(AccessPolicy):
    name = "deny_all"

    def decide(self, reader, request):
        return PolicyDecision(DENIED, [{"code": "test_denial", "message": "Nobody may read anything."}])


def url(asset_id, name, path):
    return f"/api/v1/assets/{asset_id}/renditions/{name}/{path}"


def _asset(app, user_id, dirs, data=b"master bytes"):
    asset_id = create_asset(app, user_id, data=data)
    register(app, asset_id, dirs)
    return asset_id


@pytest.fixture
def asset(app, producer, hls_renditions):
    return _asset(app, producer[0], hls_renditions)


def uris(text: str) -> list[str]:
    """Every URI a playlist names: its URI lines and its URI="..." attributes."""
    found = re.findall(r'URI="([^"]+)"', text)
    found += [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return found


def walk(client, headers, asset_id, base_url=None) -> dict[str, bytes]:
    """Play the stream as a player would: master, every playlist it names, every segment."""
    got, todo = {}, ["master.m3u8"]
    while todo:
        path = todo.pop(0)
        resp = client.get(url(asset_id, "hls", path), headers=headers)
        assert resp.status_code == 200, (path, resp.status_code)
        got[path] = resp.data
        if path.endswith(".m3u8"):
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            todo += [folder + u for u in uris(resp.get_data(as_text=True)) if folder + u not in got]
    return got


def test_the_stream_plays_from_local_storage_with_its_types(client, auth, asset, hls_renditions):
    got = walk(client, auth, asset)
    on_disk = {p.relative_to(hls_renditions["hls"]).as_posix(): p.read_bytes()
               for p in hls_renditions["hls"].rglob("*") if p.is_file()}
    assert got == on_disk  # every file reached from the master, byte for byte, and no other
    assert {"180p/init.mp4", "120p/seg_002.m4s", "audio_1/index.m3u8"} <= set(got)
    for path, data in got.items():
        resp = client.get(url(asset, "hls", path), headers=auth)
        assert resp.headers["Content-Type"] == TYPES[Path(path).suffix]
        assert resp.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    master = got["master.m3u8"].decode()
    assert 'LANGUAGE="tr"' in master and 'LANGUAGE="az"' in master and "180p/index.m3u8" in master


def test_storyboard_and_waveform(client, auth, asset, hls_renditions):
    for name, path in (("storyboard", "storyboard.vtt"), ("storyboard", "sprite_0.jpg"),
                       ("waveform", "waveform.json"), ("waveform", "waveform_1.json")):
        resp = client.get(url(asset, name, path), headers=auth)
        assert resp.status_code == 200 and resp.data == (hls_renditions[name] / path).read_bytes()
        assert resp.headers["Content-Type"] == TYPES[Path(path).suffix]
        assert resp.headers["Content-Disposition"].startswith("inline")
    peaks = client.get(url(asset, "waveform", "waveform_1.json"), headers=auth).get_json()
    assert peaks["bits"] == 8 and peaks["length"] * 2 == len(peaks["data"])


def test_segments_answer_ranges_and_conditional_requests(client, auth, asset, hls_renditions):
    data = (hls_renditions["hls"] / "180p" / "seg_001.m4s").read_bytes()
    target = url(asset, "hls", "180p/seg_001.m4s")
    resp = client.get(target, headers={**auth, "Range": "bytes=8-99"})
    assert resp.status_code == 206 and resp.data == data[8:100]
    assert resp.headers["Content-Range"] == f"bytes 8-99/{len(data)}"
    etag = resp.headers["ETag"]
    assert client.get(target, headers={**auth, "If-None-Match": etag}).status_code == 304
    assert client.get(target, headers={**auth, "Range": f"bytes={len(data)}-"}).status_code == 416


@pytest.mark.parametrize("name, path", [
    ("hls", "../storyboard/storyboard.vtt"), ("hls", "180p/../../waveform/waveform.json"),
    ("hls", "180p/../master.m3u8"), ("hls", "./master.m3u8"), ("hls", "180p//index.m3u8"),
    ("hls", "180p%2findex.m3u8"), ("hls", "180p%5cindex.m3u8"), ("hls", "%2e%2e/storyboard/storyboard.vtt"),
    ("hls", "180p/seg_099.m4s"), ("hls", "master.m3u8%00.jpg"), ("hls", "..%2f..%2f..%2fortak.db"),
    ("storyboard", "../hls/master.m3u8"), ("waveform", "/etc/passwd"), ("hls", "180P/index.m3u8"),
    ("hls", "a" * 300),
])
def test_paths_outside_the_rendition_or_unknown_are_404(client, auth, asset, name, path):
    resp = client.get(url(asset, name, path), headers=auth)
    assert resp.status_code == 404, path
    assert resp.get_json()["error"]["code"] in ("rendition_file_not_found", "not_found")


def test_a_whole_stream_is_one_use_not_one_per_segment(app, client, auth, asset):
    """An allowed preview leaves no record; a refused one leaves ONE record for the whole read
    session, master, playlists and segments together (the gate keys it by rendition)."""
    walk(client, auth, asset)
    with app.app_context():
        assert db.session().scalars(select(UsageRecord)).all() == []
    with app.app_context():
        paths = list(db.session().scalars(select(RenditionFile.path).join(RenditionFile.rendition)
                                          .where(RenditionFile.blob_key.contains(f"/{asset}/hls/"))))
    assert len(paths) == 23
    app.extensions["ortak.access_policy"] = DenyAll()
    for path in paths + paths[:5]:
        assert client.get(url(asset, "hls", path), headers=auth).status_code == 403
    with app.app_context():
        rows = db.session().scalars(select(UsageRecord)).all()
        assert [(r.rendition, r.decision) for r in rows] == [("hls", "denied")]


@pytest.fixture
def accel_app(app_config):
    app = create_app({**app_config, "ACCEL_REDIRECT_PREFIX": "/_ortak_blobs/"})
    yield app
    app.extensions["ortak.db"].dispose()


def test_x_accel_redirect_hands_the_bytes_to_nginx(accel_app, hls_renditions):
    from archive.accounts import services as accounts

    with accel_app.app_context():
        s = db.session()
        accounts.create_organisation(s, "İTV", "AZ")
        user = accounts.create_user(s, "accel@example.org", "correct horse battery", "İTV", "broadcaster")
        token = accounts.create_token(s, user)
        s.commit()
        uid = user.id
    asset_id = _asset(accel_app, uid, hls_renditions)
    client, auth = accel_app.test_client(), {"Authorization": f"Bearer {token}"}
    resp = client.get(url(asset_id, "hls", "180p/seg_000.m4s"), headers={**auth, "Range": "bytes=0-9"})
    assert resp.status_code == 200 and resp.data == b""
    redirect = resp.headers["X-Accel-Redirect"]
    assert redirect.startswith("/_ortak_blobs/renditions/") and "Content-Range" not in resp.headers
    # nginx's internal location aliases STORAGE_DIR: the rest of the path is the blob's file there.
    on_disk = Path(accel_app.config["STORAGE_DIR"]) / redirect.removeprefix("/_ortak_blobs/")
    assert on_disk.read_bytes() == (hls_renditions["hls"] / "180p" / "seg_000.m4s").read_bytes()
    assert resp.headers["Content-Type"] == "video/iso.segment" and resp.headers["ETag"]
    # Conditional and HEAD requests are still answered here, without nginx.
    assert client.get(url(asset_id, "hls", "180p/seg_000.m4s"),
                      headers={**auth, "If-None-Match": resp.headers["ETag"]}).status_code == 304
    head = client.head(url(asset_id, "hls", "master.m3u8"), headers=auth)
    assert head.status_code == 200 and "X-Accel-Redirect" not in head.headers and int(head.headers["Content-Length"])
    # The gate still decides first.
    accel_app.extensions["ortak.access_policy"] = DenyAll()
    refused = client.get(url(asset_id, "hls", "master.m3u8"), headers=auth)
    assert refused.status_code == 403 and "X-Accel-Redirect" not in refused.headers


def test_s3_playlists_are_rewritten_with_presigned_urls(app_config, s3_config, hls_renditions):
    """Real S3 (SeaweedFS on loopback): media playlists name presigned URLs that work; playlists
    of playlists stay relative and come back through the gate."""
    import requests

    from archive.accounts import services as accounts

    app = create_app({**app_config, **s3_config, "PRESIGN_SECONDS": 60})
    try:
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "TRT", "TR")
            user = accounts.create_user(s, "s3hls@example.org", "correct horse battery", "TRT", "broadcaster")
            token = accounts.create_token(s, user)
            s.commit()
            uid = user.id
        asset_id = _asset(app, uid, hls_renditions, data=b"s3 master")
        client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
        master = client.get(url(asset_id, "hls", "master.m3u8"), headers=auth)
        assert master.status_code == 200 and master.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in master.headers
        assert master.data == (hls_renditions["hls"] / "master.m3u8").read_bytes()  # only playlists in it
        media = client.get(url(asset_id, "hls", "180p/index.m3u8"), headers=auth)
        assert media.status_code == 200 and media.headers["Content-Type"] == "application/vnd.apple.mpegurl"
        named = uris(media.get_data(as_text=True))
        assert len(named) == 4 and all(u.startswith(s3_config["S3_ENDPOINT"] if "://" in s3_config["S3_ENDPOINT"]
                                                    else "http") and "X-Amz-Signature=" in u for u in named)
        expires = {int(re.search(r"X-Amz-Expires=(\d+)", u).group(1)) for u in named}
        assert expires == {60 + 3}  # the configured lifetime plus the playlist's 3 s
        for uri, local in zip(named, ["init.mp4", "seg_000.m4s", "seg_001.m4s", "seg_002.m4s"]):
            fetched = requests.get(uri, timeout=30)
            assert fetched.status_code == 200 and fetched.content == (hls_renditions["hls"] / "180p" / local).read_bytes()
            assert fetched.headers["Content-Type"] == TYPES[Path(local).suffix]
        # A segment asked of the route itself is a redirect, as any other file on S3.
        seg = client.get(url(asset_id, "hls", "180p/seg_000.m4s"), headers=auth)
        assert seg.status_code == 302 and "X-Amz-Signature=" in seg.headers["Location"]
        # Storyboard and waveform are not playlists: redirected as they are.
        assert client.get(url(asset_id, "storyboard", "storyboard.vtt"), headers=auth).status_code == 302
    finally:
        app.extensions["ortak.db"].dispose()
