"""GET /api/v1/assets/<id>/download: ranges, validators, names, renditions and the usage log."""
from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import select

from archive import db
from archive.backends import storage
from archive.usage.models import UsageRecord
from archive.usage.services import verify_chain
from tests.asset_factory import create_asset
from tests.http import api_error as error

DATA = os.urandom(4096 + 17)
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def asset(app, producer):
    return create_asset(app, producer[0], data=DATA, filename="Qız Qalası — 1975.mp4", renditions={
        "proxy": {"data": b"proxy bytes" * 10, "content_type": "video/mp4", "ext": ".mp4"},
        "poster": {"status": "running", "progress": 0.5},
        "waveform": {"status": "failed"}})


def url(asset_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/assets/{asset_id}/download" + (f"?{query}" if query else "")


def usage(app):
    with app.app_context():
        return list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))



def test_whole_original(app, client, auth, asset, producer):
    resp = client.get(url(asset), headers=auth)
    assert resp.status_code == 200
    assert resp.data == DATA
    h = resp.headers
    assert h["ETag"] == f'"{SHA}"'
    assert h["Accept-Ranges"] == "bytes"
    assert h["Content-Length"] == str(len(DATA))
    assert h["Content-Type"] == "video/mp4"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Content-Disposition"] == ("attachment; filename=\"Qiz Qalasi - 1975.mp4\"; "
                                        "filename*=UTF-8''Q%C4%B1z%20Qalas%C4%B1%20%E2%80%94%201975.mp4")
    [rec] = usage(app)
    assert (rec.user_id, rec.asset_id, rec.action, rec.rendition) == (producer[0], asset, "download", "original")
    with app.app_context():
        assert verify_chain(db.session()) is None


def test_bytes_are_streamed_in_chunks(app, client, auth, producer):
    big = os.urandom(3 * 1024 * 1024 + 5)
    asset_id = create_asset(app, producer[0], data=big)
    resp = client.get(url(asset_id), headers=auth)
    chunks = list(resp.response)  # the storage iterator, passed through untouched
    assert len(chunks) >= 3 and max(len(c) for c in chunks) <= 1024 * 1024
    assert b"".join(chunks) == big
    resp.close()


@pytest.mark.parametrize("header, start, end", [
    ("bytes=0-9", 0, 9), ("bytes=100-", 100, len(DATA) - 1), ("bytes=-17", len(DATA) - 17, len(DATA) - 1),
    ("bytes=4000-999999", 4000, len(DATA) - 1),
])
def test_single_range_is_206(client, auth, asset, header, start, end):
    resp = client.get(url(asset), headers={**auth, "Range": header})
    assert resp.status_code == 206
    assert resp.data == DATA[start:end + 1]
    assert resp.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert resp.headers["Content-Length"] == str(end - start + 1)
    assert resp.headers["ETag"] == f'"{SHA}"'


def test_one_usage_record_per_read_not_per_seek(app, client, auth, asset):
    """One use per read, however it is cut up (archive.access.gate): the whole file again
    within the read window is the same use."""
    client.get(url(asset), headers={**auth, "Range": "bytes=0-1023"}).close()
    for header in ("bytes=1024-2047", "bytes=2048-", "bytes=-100"):
        assert client.get(url(asset), headers={**auth, "Range": header}).status_code == 206
    client.get(url(asset), headers=auth)
    assert len(usage(app)) == 1


@pytest.mark.parametrize("header", ["bytes=5000-", "bytes=999999-1000000", "bytes=-0"])
def test_unsatisfiable_range_is_416(app, client, auth, asset, header):
    resp = client.get(url(asset), headers={**auth, "Range": header})
    error(resp, 416, "range_not_satisfiable")
    assert resp.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert usage(app) == []


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=9-1", "pages=1-2", "bytes=0-1,5-9", "bytes=" + "1" * 400,
                                    "bytes=\x00-1"])
def test_malformed_or_multiple_ranges_get_the_whole_file(client, auth, asset, header):
    resp = client.get(url(asset), headers={**auth, "Range": header})
    assert resp.status_code == 200 and resp.data == DATA
    assert "Content-Range" not in resp.headers


def test_if_none_match_is_304_without_a_usage_record(app, client, auth, asset):
    for tag in (f'"{SHA}"', f'W/"{SHA}"', f'"other", "{SHA}"', "*"):
        resp = client.get(url(asset), headers={**auth, "If-None-Match": tag})
        assert resp.status_code == 304 and resp.data == b""
        assert resp.headers["ETag"] == f'"{SHA}"'
    assert client.get(url(asset), headers={**auth, "If-None-Match": '"stale"'}).status_code == 200
    assert len(usage(app)) == 1


def test_if_range(client, auth, asset):
    same = client.get(url(asset), headers={**auth, "Range": "bytes=5-9", "If-Range": f'"{SHA}"'})
    assert same.status_code == 206 and same.data == DATA[5:10]
    for stale in ('"stale"', f'W/"{SHA}"', "Wed, 21 Oct 2015 07:28:00 GMT"):
        resp = client.get(url(asset), headers={**auth, "Range": "bytes=5-9", "If-Range": stale})
        assert resp.status_code == 200 and resp.data == DATA


def test_head_sends_headers_only_and_records_nothing(app, client, auth, asset):
    resp = client.head(url(asset), headers=auth)
    assert resp.status_code == 200 and resp.data == b""
    assert resp.headers["Content-Length"] == str(len(DATA)) and resp.headers["ETag"] == f'"{SHA}"'
    assert usage(app) == []


def test_rendition_download_inline_and_not_recorded(app, client, auth, asset):
    resp = client.get(url(asset, rendition="proxy", inline=1), headers=auth)
    assert resp.status_code == 200 and resp.data == b"proxy bytes" * 10
    assert resp.headers["Content-Type"] == "video/mp4"
    assert resp.headers["Content-Disposition"].startswith('inline; filename="Qiz Qalasi - 1975.proxy.mp4"')
    assert resp.headers["ETag"] == '"%s"' % hashlib.sha256(b"proxy bytes" * 10).hexdigest()
    ranged = client.get(url(asset, rendition="proxy"), headers={**auth, "Range": "bytes=0-4"})
    assert ranged.status_code == 206 and ranged.data == b"proxy"
    assert ranged.headers["Content-Disposition"].startswith("attachment;")
    assert usage(app) == []  # only originals are usage; the proxy is the archive's own preview


def test_explicit_original_and_inline_original(app, client, auth, asset):
    resp = client.get(url(asset, rendition="original", inline="1"), headers=auth)
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("inline;")
    assert len(usage(app)) == 1


def test_html_is_never_served_inline(app, client, auth, producer):
    asset_id = create_asset(app, producer[0], data=b"<script>alert(1)</script>", filename="x.html",
                            content_type="text/html")
    resp = client.get(url(asset_id, inline=1), headers=auth)
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["nope", "..%2F..%2Fetc%2Fpasswd", "PROXY", "a" * 500, "pro%00xy", "%C4%B0"])
def test_unknown_rendition_is_404(client, auth, asset, name):
    err = error(client.get(url(asset, rendition=name), headers=auth), 404, "rendition_not_found")
    assert "proxy" in err["details"]["available"]


def test_rendition_not_ready_is_409(client, auth, asset):
    err = error(client.get(url(asset, rendition="poster"), headers=auth), 409, "rendition_not_ready")
    assert err["details"] == {"rendition": "poster", "status": "running", "progress": 0.5}
    error(client.get(url(asset, rendition="waveform"), headers=auth), 409, "rendition_not_ready")


def test_another_organisation_downloads_with_a_declared_cleared_use_and_is_recorded_with_it(app, client, make_user,
                                                                                            asset):
    uid, tok = make_user("broadcaster", "AZ", org="İctimai TV")
    _, admin = make_user("admin", "TR", org="Ortak")
    reader = {"Authorization": f"Bearer {tok}"}
    refused = client.get(url(asset), headers=reader)  # rights policy: no declaration, no original
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "declaration_required"
    grant = {"kind": "grant", "licensees": {"countries": ["AZ"]}, "territories": ["AZ"], "platforms": ["vod"],
             "start": "2027-01-01", "end": None}
    assert client.post(f"/api/v1/assets/{asset}/rights", json=grant,
                       headers={"Authorization": f"Bearer {admin}"}).status_code == 201
    resp = client.get(url(asset, platform="vod", territory="AZ", purpose="archive", programme="Arxiv",
                          **{"from": "2027-02-01", "to": "2027-02-28"}), headers=reader)
    assert resp.status_code == 200
    first, second = usage(app)
    with app.app_context():
        from archive.accounts.models import User
        org = db.session().get(User, uid).organisation_id
    assert (first.user_id, first.organisation_id, first.decision) == (uid, org, "denied")
    assert (second.user_id, second.organisation_id, second.decision) == (uid, org, "allowed")
    assert second.declaration["programme"] == "Arxiv"


def test_missing_blob_is_a_clean_404(app, client, auth, asset):
    with app.app_context():
        from archive.assets.models import Asset
        storage().delete(db.session().get(Asset, asset).original_key)
    error(client.get(url(asset), headers=auth), 404, "blob_missing")


def test_a_missing_blob_is_404_to_head_and_conditional_reads_too(app, client, auth, asset):
    """HEAD gives the headers a GET would have (docs/api.md): for a blob gone from storage that
    is 404 `blob_missing`, not 200 with the recorded ETag and length; nor may a conditional GET
    answer 304 (the client's copy is no longer the archive's)."""
    etag = client.head(url(asset), headers=auth).headers["ETag"]
    with app.app_context():
        from archive.assets.models import Asset
        storage().delete(db.session().get(Asset, asset).original_key)
    head = client.head(url(asset), headers=auth)
    assert head.status_code == 404 and "ETag" not in head.headers
    error(client.get(url(asset), headers={**auth, "If-None-Match": etag}), 404, "blob_missing")


def test_empty_original(app, client, auth, producer):
    asset_id = create_asset(app, producer[0], data=b"", filename="empty.mp4")
    resp = client.get(url(asset_id), headers=auth)
    assert resp.status_code == 200 and resp.data == b"" and resp.headers["Content-Length"] == "0"
    error(client.get(url(asset_id), headers={**auth, "Range": "bytes=0-"}), 416, "range_not_satisfiable")


@pytest.mark.s3
def test_s3_download_redirects_to_a_presigned_url_after_recording(app_config, s3_config, make_user):
    """Real S3 (SeaweedFS on loopback): the answer is a 302 to a short-lived URL that works."""
    import requests

    from archive import create_app

    app = create_app({**app_config, **s3_config, "PRESIGN_SECONDS": 60})
    try:
        from archive.accounts import services as accounts
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "TRT", "TR")
            user = accounts.create_user(s, "s3@example.org", "correct horse battery", "TRT", "producer")
            token = accounts.create_token(s, user)
            s.commit()
            uid = user.id
        asset_id = create_asset(app, uid, data=DATA, filename="Qız.mp4")
        resp = app.test_client().get(url(asset_id), headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 302
        assert resp.headers["Cache-Control"] == "no-store"
        assert len(usage(app)) == 1  # written before the redirect left
        fetched = requests.get(resp.headers["Location"], timeout=30)
        assert fetched.status_code == 200 and fetched.content == DATA
        ranged = requests.get(resp.headers["Location"], headers={"Range": "bytes=0-9"}, timeout=30)
        assert ranged.status_code == 206 and ranged.content == DATA[:10]
    finally:
        app.extensions["ortak.db"].dispose()
