"""Share links (issue 9 item 3): a token link to a basket or an asset, opened without an
account; expiry, revocation, download limits, passwords (throttled), renditions (previews by
default), every use through the gate and recorded against the link and its creator."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from archive import db
from archive.shares.models import ShareLink
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset
from tests.functional.test_baskets_api import GRANT, USE, _build, _error

PROXY = b"proxy bytes " * 200
ORIGINAL = b"original master bytes " * 300


@pytest.fixture
def people(make_user):
    made = {"producer": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "atv": make_user("broadcaster", "TR", org="ATV")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


@pytest.fixture
def asset(app, client, people):
    asset_id = create_asset(app, people["producer"]["id"], data=ORIGINAL, filename="halay.mp4", renditions={
        "proxy": {"data": PROXY, "content_type": "video/mp4", "ext": ".mp4"}})
    assert client.post(f"/api/v1/assets/{asset_id}/rights", json=GRANT,
                       headers=people["manager"]["h"]).status_code == 201
    return asset_id


def _soon(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**(delta or {"days": 7}))).isoformat()


def _share(client, h, **body):
    r = client.post("/api/v1/shares", json={"expires": _soon(), **body}, headers=h)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["url"].startswith("http://localhost/s/"), out["url"]
    return out, out["url"].removeprefix("http://localhost")


def _fresh(app):
    return app.test_client()  # no session, no token: a visitor without an account


def test_an_asset_link_opens_without_an_account_and_gives_previews_only(app, client, people, asset):
    share, url = _share(client, people["trt"]["h"], asset_id=asset)
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40 and share["renditions"] == ["poster", "proxy"]
    with app.app_context():  # only the token's hash is stored
        row = db.session().get(ShareLink, share["id"])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in json.dumps(
            {c.name: str(getattr(row, c.name)) for c in ShareLink.__table__.columns})
    visitor = _fresh(app)
    page = visitor.get(url)
    assert page.status_code == 200 and b'id="player-tool"' in page.data and page.headers["Referrer-Policy"] == "no-referrer"
    proxy = visitor.get(f"{url}/assets/{asset}/proxy")
    assert proxy.status_code == 200 and proxy.data == PROXY
    assert visitor.get(f"{url}/assets/{asset}/original").status_code == 403  # not shared
    other = create_asset(app, people["producer"]["id"], data=b"another")
    assert visitor.get(f"{url}/assets/{other}/proxy").status_code == 404
    for lang, words in (("tr", "kadar açık"), ("az", "tarixinədək açıqdır"), ("en", "Open until")):
        visitor.get(f"/lang/{lang}")
        assert words in visitor.get(url).get_data(as_text=True)


def test_originals_through_the_gate_recorded_against_the_link_and_its_creator(app, client, people, asset):
    share, url = _share(client, people["trt"]["h"], asset_id=asset, renditions=["proxy", "original"])
    visitor = _fresh(app)
    assert visitor.get(f"{url}/assets/{asset}/original").status_code == 403  # no declaration
    q = "&".join(f"{k}={v}" for k, v in USE.items())
    r = visitor.get(f"{url}/assets/{asset}/original?{q}")
    assert r.status_code == 200 and r.data == ORIGINAL
    assert r.headers["Ortak-Access-Decision"] == "allowed_with_conditions"
    assert visitor.get(f"{url}/assets/{asset}/original?" + q.replace("territory=TR", "territory=AZ")).status_code == 403
    with app.app_context():
        recs = list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))
        assert [(x.decision, x.share_link_id, x.user_id) for x in recs] == [
            ("denied", share["id"], people["trt"]["id"]), ("allowed_with_conditions", share["id"], people["trt"]["id"]),
            ("denied", share["id"], people["trt"]["id"])]
    from archive.usage.services import verify_chain
    with app.app_context():
        assert verify_chain(db.session()) is None


def test_expired_revoked_and_exhausted_links_are_gone(app, client, people, asset):
    h = people["trt"]["h"]
    share, url = _share(client, h, asset_id=asset, max_downloads=2)
    visitor = _fresh(app)
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1").status_code == 200
    # A download manager's later Range requests are the same download.
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=100-"}).status_code == 206
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1").status_code == 200
    gone = visitor.get(f"{url}/assets/{asset}/proxy?download=1")
    assert gone.status_code == 410 and "izin verilen sayıda kullanıldı" in gone.get_data(as_text=True)
    assert visitor.get(url).status_code == 200  # the page and its previews are no downloads

    share, url = _share(client, h, asset_id=asset)
    assert client.delete(f"/api/v1/shares/{share['id']}", headers=people["atv"]["h"]).status_code == 404
    assert client.delete(f"/api/v1/shares/{share['id']}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/shares/{share['id']}", headers=h).status_code == 204
    assert visitor.get(url).status_code == 410 and visitor.get(f"{url}/assets/{asset}/proxy").status_code == 410

    share, url = _share(client, h, asset_id=asset)
    with app.app_context():
        db.session().execute(update(ShareLink).where(ShareLink.id == share["id"])
                             .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session().commit()
    r = visitor.get(url)
    assert r.status_code == 410 and "süresi doldu" in r.get_data(as_text=True)
    for bad in ("x", "A" * 43, "../../etc/passwd", "A" * 500):
        assert visitor.get(f"/s/{bad}").status_code == 404
    _error(client.delete("/api/v1/shares/nope", headers=h), 404, "share_not_found")


def test_the_last_allowed_download_can_be_resumed(app, client, people, asset):
    """Trial 2026-12-01: with max_downloads 1, the download that took the last count could not
    go on: its next Range request (a player's, a download manager's, or a resume after a dropped
    connection) was 410 share_exhausted. A read that continues a file (a Range whose first
    byte is not 0) is served while the link is live; a new download is still refused."""
    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=1)
    visitor = _fresh(app)
    first = visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    rest = visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=100-"})
    assert rest.status_code == 206, rest.get_data(as_text=True)[:300]
    assert rest.headers["Content-Range"].startswith("bytes 100-")
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1").status_code == 410
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=0-"}).status_code == 410
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=garbage"}).status_code == 410
    assert visitor.get(url).status_code == 200  # the page is no download
    # Revoked or expired, a resume is refused like everything else.
    client.delete(f"/api/v1/shares/{share['id']}", headers=people["trt"]["h"])
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers={"Range": "bytes=100-"}).status_code == 410


def test_continuations_are_uncounted_only_for_a_while_after_the_last_counted_download(app, client, people, asset):
    """A read that continues a file (`Range: bytes=N-`, N > 0) was served uncounted forever, also
    after the link's last counted download: a visitor could take the whole file again and again
    from byte 1. It is uncounted only within SHARE_CONTINUATION_SECONDS of the last counted
    download (`share_links.last_download_at`); later it counts as a download, and an exhausted
    link refuses it: 410 share_exhausted in the error shape, with when its window ended."""
    window = app.config["SHARE_CONTINUATION_SECONDS"]
    assert window == 86400  # the documented default
    json_accept = {"Accept": "application/json"}

    def age_last_download(share_id, seconds):
        with app.app_context():
            db.session().execute(update(ShareLink).where(ShareLink.id == share_id).values(
                last_download_at=datetime.now(timezone.utc) - timedelta(seconds=seconds)))
            db.session().commit()

    def downloads(share_id):
        with app.app_context():
            link = db.session().get(ShareLink, share_id)
            return link.downloads, link.last_download_at

    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=1)
    visitor = _fresh(app)
    file_url = f"{url}/assets/{asset}/proxy?download=1"
    assert downloads(share["id"]) == (0, None)
    assert visitor.get(file_url, headers={"Range": "bytes=0-99"}).status_code == 206
    count, last = downloads(share["id"])
    assert count == 1 and last is not None and abs((datetime.now(timezone.utc) - last).total_seconds()) < 60
    age_last_download(share["id"], window - 60)  # within the window: the download goes on, uncounted
    assert visitor.get(file_url, headers={"Range": "bytes=100-"}).status_code == 206
    assert downloads(share["id"])[0] == 1
    age_last_download(share["id"], window + 1)  # past it: no more of the file
    late = visitor.get(file_url, headers={"Range": "bytes=100-", **json_accept})
    err = _error(late, 410, "share_exhausted")
    assert err["details"]["max_downloads"] == 1
    ended = datetime.fromisoformat(err["details"]["continuation_ended"])
    assert abs((datetime.now(timezone.utc) - timedelta(seconds=1) - ended).total_seconds()) < 60

    # A link without a limit: a late continuation (or one with no counted download before it)
    # is served and counts as the download it is; within the window it does not.
    share, url = _share(client, people["trt"]["h"], asset_id=asset)
    file_url = f"{url}/assets/{asset}/proxy?download=1"
    assert visitor.get(file_url, headers={"Range": "bytes=100-"}).status_code == 206
    assert downloads(share["id"])[0] == 1
    assert visitor.get(file_url, headers={"Range": "bytes=200-"}).status_code == 206
    assert downloads(share["id"])[0] == 1
    age_last_download(share["id"], window + 1)
    assert visitor.get(file_url, headers={"Range": "bytes=200-"}).status_code == 206
    assert downloads(share["id"])[0] == 2


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_password_links_and_the_throttle(app, client, people, asset):
    share, url = _share(client, people["trt"]["h"], asset_id=asset, password="gizli parola 1975")
    with app.app_context():
        assert db.session().get(ShareLink, share["id"]).password_hash.startswith("$argon2")
    visitor = _fresh(app)
    page = visitor.get(url)
    assert page.status_code == 200 and b"share-password" in page.data and b'id="player-tool"' not in page.data
    assert visitor.get(f"{url}/assets/{asset}/proxy").status_code == 401
    token = _csrf(page)
    assert visitor.post(url, data={"password": "yanlış", "csrf_token": token}).status_code == 401
    assert visitor.post(url, data={"password": "gizli parola 1975"}).status_code == 400  # no CSRF token
    ok = visitor.post(url, data={"password": "gizli parola 1975", "csrf_token": token})
    assert ok.status_code == 303
    assert visitor.get(url).status_code == 200 and visitor.get(f"{url}/assets/{asset}/proxy").status_code == 200
    # Guessing: after the per-account limit of failures the right password is refused too.
    guesser = _fresh(app)
    token = _csrf(guesser.get(url))
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):  # the first visitor's wrong password counted already
        assert guesser.post(url, data={"password": "tahmin", "csrf_token": token}).status_code == 401
    throttled = guesser.post(url, data={"password": "gizli parola 1975", "csrf_token": token})
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers


def test_bad_share_bodies(client, people, asset):
    h = people["trt"]["h"]
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    cases = [({"asset_id": asset}, "required"), ({"expires": _soon()}, "one_subject"),
             ({"asset_id": asset, "basket_id": asset, "expires": _soon()}, "one_subject"),
             ({"asset_id": asset, "expires": past}, "in_the_past"),
             ({"asset_id": asset, "expires": _soon(days=400)}, "too_far"),
             ({"asset_id": asset, "expires": "2027-13-45"}, "invalid_datetime"),
             ({"asset_id": asset, "expires": "2027-01-05T10:00:00"}, "no_offset"),
             ({"asset_id": asset, "expires": _soon(), "password": "kısa"}, "invalid_password"),
             ({"asset_id": asset, "expires": _soon(), "max_downloads": 0}, "invalid_number"),
             ({"asset_id": asset, "expires": _soon(), "max_downloads": True}, "invalid_number"),
             ({"asset_id": asset, "expires": _soon(), "renditions": []}, "invalid_renditions"),
             ({"asset_id": asset, "expires": _soon(), "renditions": ["../x"]}, "invalid_renditions"),
             ({"asset_id": asset, "expires": _soon(), "admin": True}, "unknown_field")]
    for body, code in cases:
        err = _error(client.post("/api/v1/shares", json=body, headers=h), 422, "invalid_share")
        assert code in [e["code"] for e in err["details"]["errors"]], (body, err)
    _error(client.post("/api/v1/shares", json={"asset_id": "nope", "expires": _soon()}, headers=h), 404,
           "asset_not_found")
    assert client.post("/api/v1/shares", json={"asset_id": asset, "expires": _soon()}).status_code == 401
    # Another organisation's private basket cannot be shared by link.
    bid = client.post("/api/v1/baskets", json={"name": "özel"}, headers=h).get_json()["id"]
    _error(client.post("/api/v1/shares", json={"basket_id": bid, "expires": _soon()}, headers=people["atv"]["h"]),
           404, "basket_not_found")


def test_a_basket_link_gives_the_zip_through_the_gate(app, client, people, asset):
    h = people["trt"]["h"]
    bid = client.post("/api/v1/baskets", json={"name": "Reel"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset}, headers=h).status_code == 201
    preview_only, purl = _share(client, h, basket_id=bid)
    # The use is declared when the link is made: that declaration, not the zip's, applies to it.
    share, url = _share(client, h, basket_id=bid, renditions=["proxy", "original"], declaration=USE)
    assert share["declaration"] == USE
    visitor = _fresh(app)
    assert visitor.get(f"{url}/zip").status_code == 409  # not built yet
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    assert _build(app, bid) == "ready"
    page = visitor.get(url).get_data(as_text=True)
    assert 'id="share-zip"' in page
    assert visitor.get(f"{purl}/zip").status_code == 403  # previews only: no originals, no zip
    r = visitor.get(f"{url}/zip")
    assert r.status_code == 200
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("manifest.json"))
    assert manifest["items"][0]["sha256"] == hashlib.sha256(ORIGINAL).hexdigest()
    with app.app_context():
        recs = list(db.session().scalars(select(UsageRecord).where(UsageRecord.share_link_id == share["id"])))
        assert [(x.decision, x.user_id, x.declaration) for x in recs] == [
            ("allowed_with_conditions", people["trt"]["id"], USE)]
    # The asset's rights manager sees, in the usage log and its CSV, which link the read came through.
    items = client.get("/api/v1/usage", headers=people["manager"]["h"]).get_json()["items"]
    assert [i["id"] for i in items if i["share_link_id"] == share["id"]] == [recs[0].id]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/usage?format=csv",
                                                      headers=people["manager"]["h"]).get_data(as_text=True))))
    assert [r["id"] for r in rows if r["share_link_id"] == share["id"]] == [str(recs[0].id)]


def test_the_link_page_plays_hls_through_the_link(app, client, people):
    """The page shows the archive's player; its HLS, storyboard and waveform come through the
    link (`/s/<token>/assets/<id>/renditions/...`) as long as the link shares the viewing copy."""
    playlist = b"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv0/index.m3u8\n"
    asset = create_asset(app, people["producer"]["id"], data=ORIGINAL + b"hls", filename="halay.mp4", renditions={
        "proxy": {"data": PROXY, "content_type": "video/mp4", "ext": ".mp4"},
        "hls": {"files": {"master.m3u8": playlist, "v0/index.m3u8": b"#EXTM3U\n#EXT-X-ENDLIST\n"}}})
    assert client.post(f"/api/v1/assets/{asset}/rights", json=GRANT, headers=people["manager"]["h"]).status_code == 201
    _share_doc, url = _share(client, people["trt"]["h"], asset_id=asset)
    visitor = _fresh(app)
    html = visitor.get(url).get_data(as_text=True)
    settings = json.loads(re.search(r"data-player='([^']*)'", html).group(1).replace("&#34;", '"'))
    assert settings["hls"] == f"{url}/assets/{asset}/renditions/hls/master.m3u8" and settings["markers"] is None
    assert 'id="export-clip"' not in html and "vendor/hls.min.js" in html and "player.js" in html
    master = visitor.get(settings["hls"])
    assert master.status_code == 200 and master.data == playlist
    assert visitor.get(f"{url}/assets/{asset}/renditions/hls/v0/index.m3u8").status_code == 200
    for bad, status, code in ((f"{url}/assets/{asset}/renditions/hls/../proxy.mp4", 404, None),
                              (f"{url}/assets/{asset}/renditions/hls/nothing.m3u8", 404, "rendition_file_not_found"),
                              (f"{url}/assets/{asset}/renditions/original/x", 403, "rendition_not_shared")):
        resp = visitor.get(bad)  # the link's pages answer errors as pages
        assert resp.status_code == status, (bad, resp.status_code, code)
    other = create_asset(app, people["producer"]["id"], data=b"another one")
    assert visitor.get(f"{url}/assets/{other}/renditions/hls/master.m3u8").status_code == 404
    # A link that shares only the poster plays no stream.
    _doc, poster_only = _share(client, people["trt"]["h"], asset_id=asset, renditions=["poster"])
    assert visitor.get(f"{poster_only}/assets/{asset}/renditions/hls/master.m3u8").status_code == 403
    # A revoked link streams nothing.
    client.delete(f"/api/v1/shares/{_share_doc['id']}", headers=people["trt"]["h"])
    assert visitor.get(settings["hls"]).status_code in (404, 410)


def test_a_link_names_renditions_that_exist_and_tells_a_visitor_nothing_more(app, client, people, asset):
    """A name that is not a rendition (of the asset, for an asset link; that Ortak makes, for a
    basket link) is 422 `invalid_share`; a visitor asking for a file the asset lacks is told the
    name only, never the asset's renditions; the page names renditions as the asset page does;
    a basket link sharing originals of a segment says what an item's original is."""
    h = people["trt"]["h"]
    image = create_asset(app, people["producer"]["id"], data=b"jpeg " * 50, filename="foto.jpg",
                         content_type="image/jpeg", kind="image")
    bid = client.post("/api/v1/baskets", json={"name": "Reel"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset, "in": 0.5, "out": 1.5},
                       headers=h).status_code == 201
    for body, names in (({"asset_id": asset, "renditions": ["bogus"]}, ["bogus"]),
                        ({"asset_id": asset, "renditions": ["proxy", "bogus"]}, ["bogus"]),
                        ({"asset_id": image, "renditions": ["proxy"]}, ["proxy"]),  # an image has no viewing copy
                        ({"basket_id": bid, "renditions": ["original", "nope"]}, ["nope"])):
        err = _error(client.post("/api/v1/shares", json={"expires": _soon(), **body}, headers=h), 422, "invalid_share")
        wrong = [e for e in err["details"]["errors"] if e["code"] == "unknown_rendition"]
        assert wrong and wrong[0]["names"] == names and "original" in wrong[0]["choices"], err
    assert _share(client, h, asset_id=image)[0]["renditions"] == ["poster"]  # the previews it has
    # The asset has no poster file yet (its kind gets one): the visitor learns the name asked, no more.
    _doc, url = _share(client, h, asset_id=asset, renditions=["poster", "proxy"])
    visitor = _fresh(app)
    r = visitor.get(f"{url}/assets/{asset}/poster", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "rendition_not_found"
    assert r.get_json()["error"]["details"] == {"rendition": "poster"}
    assert "fingerprints" not in r.get_data(as_text=True) and "original" not in r.get_data(as_text=True)
    _doc, burl = _share(client, h, basket_id=bid, renditions=["original", "proxy"], declaration=USE)
    for lang, label in (("tr", "İzleme kopyası (MP4)"), ("az", "Baxış nüsxəsi (MP4)")):
        visitor = _fresh(app)
        visitor.get(f"/lang/{lang}")
        page = visitor.get(burl).get_data(as_text=True)
        assert label in page and "proxy indir" not in page and "proxy yüklə" not in page
        assert 'id="share-segments-note"' in page
    page = visitor.get(url).get_data(as_text=True)  # an asset link: no segment, no note
    assert 'id="share-segments-note"' not in page


@pytest.mark.parametrize("lang, refused, english", [
    ("tr", "Kuruluşunuz", "No grant clears"), ("az", "Təşkilatınız", "No grant clears")])
def test_a_refused_original_on_a_share_link_says_why_in_the_pages_language_only(
        app, client, people, asset, lang, refused, english):
    """Trial finding (LOW, i18n): the refusal page printed the engine's English reasons in small
    print under the Turkish or Azerbaijani sentence; the reasons are said in the page's language."""
    share, url = _share(client, people["trt"]["h"], asset_id=asset, renditions=["proxy", "original"])
    visitor = _fresh(app)
    visitor.get(f"/lang/{lang}")
    q = "&".join(f"{k}={v}" for k, v in USE.items()).replace("territory=TR", "territory=AZ")
    page = visitor.get(f"{url}/assets/{asset}/original?{q}")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and refused in text, text
    assert english not in text and "AZ" in text, text  # the reason, in the page's language, with its scope
