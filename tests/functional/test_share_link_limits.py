"""Share links, trial 2026-12-01 (second round): what a link's page gives away and what its
`max_downloads` bounds. Viewing the page (poster, player) is no download; a Range that
continues a file is bounded by the bytes the link's counted downloads allow; the zip follows
the same rule; what leaves by a link names people without their e-mail address."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.functional.test_baskets_api import USE, _build
from tests.functional.test_share_links import ORIGINAL, _fresh, _share
from tests.functional.test_share_links import asset, people  # noqa: F401  (fixtures)


def _shared_zip(app, client, h, asset, **link):
    """(share, url path) of a link to a new basket of `asset` that shares originals under USE,
    with its zip built; `link`: more of the link's body (max_downloads...)."""
    bid = client.post("/api/v1/baskets", json={"name": "Reel"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset}, headers=h).status_code == 201
    out = _share(client, h, basket_id=bid, renditions=["original"], declaration=USE, **link)
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    assert _build(app, bid) == "ready"
    return out


def test_the_zip_manifest_names_the_requester_without_their_email(app, client, people, asset):  # noqa: F811
    """Trial: `unzip -p sz.zip manifest.json` through a share link showed `"requested_by":
    "bc@trt.tr"` to an anonymous visitor. The manifest names who asked by display name and
    organisation only, for every reader of the zip."""
    h = people["trt"]["h"]
    _, url = _shared_zip(app, client, h, asset)
    r = _fresh(app).get(f"{url}/zip")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        raw = z.read("manifest.json").decode() + z.read("manifest.csv").decode()
        manifest = json.loads(z.read("manifest.json"))
    assert "@" not in raw, raw[:400]
    assert manifest["requested_by"] == {"name": None, "organisation": {"name": "TRT", "country": "TR"}}


POSTER = b"\xff\xd8\xff poster " * 50


def _viewable(app, client, people):
    from tests.asset_factory import create_asset
    from tests.functional.test_baskets_api import GRANT
    from tests.functional.test_share_links import PROXY
    asset_id = create_asset(app, people["producer"]["id"], data=ORIGINAL + b"view", filename="halay.mp4", renditions={
        "proxy": {"data": PROXY, "content_type": "video/mp4", "ext": ".mp4"},
        "poster": {"data": POSTER, "content_type": "image/jpeg", "ext": ".jpg"}})
    assert client.post(f"/api/v1/assets/{asset_id}/rights", json=GRANT,
                       headers=people["manager"]["h"]).status_code == 201
    return asset_id


def _downloads(app, share_id: str) -> int:
    from archive import db
    from archive.shares.models import ShareLink
    with app.app_context():
        return db.session().get(ShareLink, share_id).downloads


def test_viewing_the_page_uses_no_download(app, client, people):
    """Trial: a link with max_downloads 3 died after a few page views (the poster, the player's
    reads of the proxy counted), and then its page and previews were 410 too. Only a download
    counts: `?download=1` (or the original, or the zip); an exhausted link still shows its page
    and previews until it expires or is revoked."""
    from tests.functional.test_share_links import PROXY
    asset = _viewable(app, client, people)
    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=1)
    visitor = _fresh(app)
    for _ in range(4):  # the page, as a browser shows it: the page, the poster, the player's reads
        page = visitor.get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f'{url}/assets/{asset}/poster"' in html and f'{url}/assets/{asset}/proxy?download=1' in html
        assert visitor.get(f"{url}/assets/{asset}/poster").data == POSTER
        assert visitor.get(f"{url}/assets/{asset}/proxy").data == PROXY
        assert visitor.get(f"{url}/assets/{asset}/proxy", headers={"Range": "bytes=0-"}).status_code == 206
        assert visitor.get(f"{url}/assets/{asset}/proxy", headers={"Range": "bytes=500-"}).status_code == 206
        assert visitor.get(url, headers={"Accept": "application/json"}).status_code == 200
    assert _downloads(app, share["id"]) == 0
    got = visitor.get(f"{url}/assets/{asset}/proxy?download=1")
    assert got.status_code == 200 and got.data == PROXY
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert _downloads(app, share["id"]) == 1
    gone = visitor.get(f"{url}/assets/{asset}/poster?download=1", headers={"Accept": "application/json"})
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "share_exhausted"
    # Exhausted: the page and its previews stay, without download links.
    doc = visitor.get(url, headers={"Accept": "application/json"})
    assert doc.status_code == 200 and (doc.get_json()["downloads_left"], doc.get_json()["max_downloads"]) == (0, 1)
    html = visitor.get(url).get_data(as_text=True)
    assert 'id="share-exhausted"' in html and "?download=1" not in html
    assert visitor.get(f"{url}/assets/{asset}/poster").status_code == 200
    assert visitor.get(f"{url}/assets/{asset}/proxy", headers={"Range": "bytes=0-"}).status_code == 206
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=maybe").status_code == 400
    # Revoked: the previews are refused like everything else.
    client.delete(f"/api/v1/shares/{share['id']}", headers=people["trt"]["h"])
    assert visitor.get(f"{url}/assets/{asset}/poster").status_code == 410
    assert visitor.get(f"{url}/assets/{asset}/proxy").status_code == 410
    assert visitor.get(url).status_code == 410


def test_the_original_and_the_zip_count_whatever_the_query(app, client, people):
    asset = _viewable(app, client, people)
    h = people["trt"]["h"]
    share, url = _share(client, h, asset_id=asset, renditions=["original", "proxy"], declaration=USE, max_downloads=2)
    visitor = _fresh(app)
    assert visitor.get(f"{url}/assets/{asset}/original").status_code == 200
    assert visitor.get(f"{url}/assets/{asset}/original?download=0").status_code == 200
    assert _downloads(app, share["id"]) == 2
    assert visitor.get(f"{url}/assets/{asset}/original").status_code == 410
    share, url = _shared_zip(app, client, h, asset, max_downloads=1)
    assert visitor.get(f"{url}/zip").status_code == 200 and _downloads(app, share["id"]) == 1
    assert visitor.get(f"{url}/zip").status_code == 410
    doc = visitor.get(url, headers={"Accept": "application/json"}).get_json()
    assert doc["zip"] is None and doc["downloads_left"] == 0


BIG = bytes(range(256)) * (4 * 4096)  # 4 MiB: the slack (a tenth, at least 1 MiB) is a quarter of it


def _big(app, client, people):
    from tests.asset_factory import create_asset
    from tests.functional.test_baskets_api import GRANT
    asset_id = create_asset(app, people["producer"]["id"], data=ORIGINAL + b"big", filename="halay.mp4", renditions={
        "proxy": {"data": BIG, "content_type": "video/mp4", "ext": ".mp4"}})
    assert client.post(f"/api/v1/assets/{asset_id}/rights", json=GRANT,
                       headers=people["manager"]["h"]).status_code == 201
    return asset_id


def _reads(app, share_id: str) -> list[tuple]:
    from sqlalchemy import select
    from archive import db
    from archive.events.models import Event
    with app.app_context():
        evs = db.session().scalars(select(Event).where(Event.subject_id == share_id, Event.action == "share.read")
                                   .order_by(Event.id))
        return [(e.after["first"], e.after["bytes"], e.after["counted"]) for e in evs]


def test_a_range_after_byte_0_does_not_bypass_max_downloads(app, client, people):
    """Trial: `Range: bytes=1-` was never counted and was served after the link was exhausted,
    again and again (206, all but one byte). A continuation is served uncounted only after a
    counted download of the same file, within (its counted downloads) × size + slack bytes;
    past that it is a new download: counted, or 410 on an exhausted link."""
    asset = _big(app, client, people)
    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=1)
    visitor = _fresh(app)
    file = f"{url}/assets/{asset}/proxy?download=1"
    assert visitor.get(file).data == BIG
    resumed = visitor.get(file, headers={"Range": "bytes=1-"})  # a resume: within the file's bytes
    assert resumed.status_code == 206 and len(resumed.data) == len(BIG) - 1
    again = visitor.get(file, headers={"Range": "bytes=1-", "Accept": "application/json"})
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "share_exhausted"
    assert visitor.get(file, headers={"Range": f"bytes={len(BIG) - 10}-"}).status_code == 206  # a small retry fits
    assert _downloads(app, share["id"]) == 1
    assert _reads(app, share["id"]) == [(0, len(BIG), True), (1, len(BIG) - 1, False), (len(BIG) - 10, 10, False)]

    # A continuation with no counted download of that file before it is a download itself.
    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=2)
    file = f"{url}/assets/{asset}/proxy?download=1"
    assert visitor.get(file, headers={"Range": "bytes=1-"}).status_code == 206
    assert _downloads(app, share["id"]) == 1
    for _ in range(2):  # within 1 × size + slack: the 2nd is past it, counted as the last download
        assert visitor.get(file, headers={"Range": "bytes=1-"}).status_code == 206
    assert _downloads(app, share["id"]) == 2
    assert visitor.get(file, headers={"Range": "bytes=1-"}).status_code == 206  # 2 × size + slack now
    assert visitor.get(file, headers={"Range": "bytes=1-"}).status_code == 410


def test_a_resumed_download_still_finishes_and_each_take_is_in_the_usage_log(app, client, people):
    """A download that broke off resumes (more than once) on a link with one download; every
    read of the original through the link is a usage record of its own (the visitor has no
    account: the log keeps each take), and the link's ledger has the bytes."""
    from sqlalchemy import select
    from archive import db
    from archive.usage.models import UsageRecord
    asset = _viewable(app, client, people)
    share, url = _share(client, people["trt"]["h"], asset_id=asset, renditions=["original"], declaration=USE,
                        max_downloads=1)
    visitor = _fresh(app)
    size = len(ORIGINAL + b"view")
    file = f"{url}/assets/{asset}/original"
    assert visitor.get(file, headers={"Range": "bytes=0-99"}).status_code == 206
    assert visitor.get(file, headers={"Range": "bytes=100-2999"}).status_code == 206
    last = visitor.get(file, headers={"Range": "bytes=3000-"})
    assert last.status_code == 206 and last.data == (ORIGINAL + b"view")[3000:]
    assert visitor.get(file).status_code == 410  # a new download
    assert _downloads(app, share["id"]) == 1
    assert _reads(app, share["id"]) == [(0, 100, True), (100, 2900, False), (3000, size - 3000, False)]
    with app.app_context():
        recs = list(db.session().scalars(select(UsageRecord).where(UsageRecord.share_link_id == share["id"])))
        assert [(r.rendition, r.decision) for r in recs] == [("original", "allowed_with_conditions")] * 3


def test_a_zip_download_resumes_through_an_exhausted_link_as_a_file_does(app, client, people, asset):  # noqa: F811
    """Trial: resuming the zip through an exhausted link was 410 where an original's resume was
    206 (the zip route knew no Range). The zip takes one Range, and follows the files' rule."""
    h = people["trt"]["h"]
    share, url = _shared_zip(app, client, h, asset, max_downloads=1)
    visitor = _fresh(app)
    head = visitor.get(f"{url}/zip", headers={"Range": "bytes=0-99"})
    assert head.status_code == 206 and len(head.data) == 100 and head.headers["Accept-Ranges"] == "bytes"
    size = int(head.headers["Content-Range"].rsplit("/", 1)[1])
    rest = visitor.get(f"{url}/zip", headers={"Range": "bytes=100-", "If-Range": head.headers["ETag"]})
    assert rest.status_code == 206, rest.get_data(as_text=True)[:300]
    assert rest.headers["Content-Range"] == f"bytes 100-{size - 1}/{size}"
    whole = head.data + rest.data
    assert zipfile.ZipFile(io.BytesIO(whole)).read("manifest.json")
    assert _downloads(app, share["id"]) == 1
    assert _reads(app, share["id"]) == [(0, 100, True), (100, size - 100, False)]
    # A new download is refused; so is a resume of another version of the zip (If-Range fails).
    assert visitor.get(f"{url}/zip").status_code == 410
    assert visitor.get(f"{url}/zip", headers={"Range": "bytes=100-", "If-Range": '"0000"'}).status_code == 410
    assert visitor.get(f"{url}/zip", headers={"Range": f"bytes={size}-"}).status_code == 416


def test_tiny_ranges_are_charged_at_least_64_kib(app, client, people):
    """One-byte continuations cannot write the link's ledger long without end: each is charged
    64 KiB of the file's continuation bytes, so after `bytes=1-` (all but a byte of the 4 MiB
    file) the 1 MiB slack gives 16 of them, and the 17th is a new download (410 here)."""
    asset = _big(app, client, people)
    share, url = _share(client, people["trt"]["h"], asset_id=asset, max_downloads=1)
    visitor = _fresh(app)
    file = f"{url}/assets/{asset}/proxy?download=1"
    assert visitor.get(file).status_code == 200
    assert visitor.get(file, headers={"Range": "bytes=1-"}).status_code == 206
    for n in range(16):
        assert visitor.get(file, headers={"Range": f"bytes={n + 5}-{n + 5}"}).status_code == 206, n
    assert visitor.get(file, headers={"Range": "bytes=40-40"}).status_code == 410
    assert [b for _f, b, _c in _reads(app, share["id"])][2:] == [1] * 16


def test_a_head_of_the_zip_takes_no_download_and_records_no_use(app, client, people, asset):  # noqa: F811
    """A download manager asks HEAD first (the size, Accept-Ranges), then GETs. The zip route
    ran its GET for a HEAD: the link's one download was spent and every item recorded as a use
    without a byte sent, and the GET that followed was 410. A HEAD answers what a GET would
    (the headers; 410 once exhausted) and is no download and no use, as a file's HEAD is."""
    from sqlalchemy import func, select
    from archive import db
    from archive.usage.models import UsageRecord
    h = people["trt"]["h"]
    share, url = _shared_zip(app, client, h, asset, max_downloads=1)

    def uses() -> int:
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(UsageRecord)
                                       .where(UsageRecord.share_link_id == share["id"]))

    visitor = _fresh(app)
    head = visitor.head(f"{url}/zip")
    assert head.status_code == 200 and head.data == b"" and head.headers["Accept-Ranges"] == "bytes"
    size = int(head.headers["Content-Length"])
    part = visitor.head(f"{url}/zip", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes 0-99/{size}"
    assert (_downloads(app, share["id"]), _reads(app, share["id"]), uses()) == (0, [], 0)
    got = visitor.get(f"{url}/zip")
    assert got.status_code == 200 and len(got.data) == size
    assert (_downloads(app, share["id"]), uses()) == (1, 1)
    gone = visitor.head(f"{url}/zip", headers={"Accept": "application/json"})
    assert gone.status_code == 410 and _downloads(app, share["id"]) == 1 and uses() == 1


def test_a_range_past_the_end_is_said_in_the_pages_language(app, client, people):
    """A visitor's 416 (a Range past the end of a shared file) was the English sentence under
    the page's generic 'The request could not be read.'; it is said in tr, az and en, the
    Content-Range kept, and a script still gets the JSON error shape."""
    asset = _viewable(app, client, people)
    _share_doc, url = _share(client, people["trt"]["h"], asset_id=asset)
    file = f"{url}/assets/{asset}/poster"
    said = {"tr": "İstenen bölüm dosyanın sonundan sonra başlıyor",
            "az": "İstənilən hissə faylın sonundan sonra başlayır",
            "en": "The part of the file asked for starts past its end"}
    for lang, text in said.items():
        visitor = _fresh(app)
        visitor.set_cookie("ortak_lang", lang)
        r = visitor.get(file, headers={"Range": f"bytes={len(POSTER)}-"})
        html = r.get_data(as_text=True)
        assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(POSTER)}"
        assert text in html and "is outside the" not in html, (lang, html[-900:])
    r = _fresh(app).get(file, headers={"Range": f"bytes={len(POSTER)}-", "Accept": "application/json"})
    assert r.status_code == 416 and r.get_json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.s3
def test_a_resume_through_a_link_on_s3_storage_is_a_continuation(app_config, s3_config):
    """On S3 a file's read is a 302 to a presigned URL, which the client asks with its Range.
    The link's ledger wrote every redirect down from byte 0, so no resume was ever a
    continuation: on a link with one download, the resume of a download that broke off was 410
    share_exhausted. A redirect is accounted from the first byte asked (to the file's end, as an
    open range is), and is served as the local store's 206 is."""
    import requests
    from archive import create_app, db
    from archive.accounts import services as accounts
    from tests.asset_factory import create_asset
    app = create_app({**app_config, **s3_config, "PRESIGN_SECONDS": 60})
    try:
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "İTV", "AZ")
            accounts.create_organisation(s, "TRT", "TR")
            producer = accounts.create_user(s, "p@itv.test", "correct horse battery", "İTV", "producer")
            sharer = accounts.create_user(s, "b@trt.test", "correct horse battery", "TRT", "broadcaster")
            token = accounts.create_token(s, sharer)
            s.commit()
            producer_id = producer.id
        data = bytes(range(256)) * 64
        asset = create_asset(app, producer_id, data=ORIGINAL + b"s3", filename="halay.mp4", renditions={
            "proxy": {"data": data, "content_type": "video/mp4", "ext": ".mp4"}})
        share, url = _share(app.test_client(), {"Authorization": f"Bearer {token}"}, asset_id=asset,
                            max_downloads=1)
        visitor = _fresh(app)
        file = f"{url}/assets/{asset}/proxy?download=1"
        first = visitor.get(file)
        assert first.status_code == 302 and requests.get(first.headers["Location"], timeout=30).content == data
        resumed = visitor.get(file, headers={"Range": "bytes=1000-"})
        assert resumed.status_code == 302, resumed.get_data(as_text=True)[:300]
        got = requests.get(resumed.headers["Location"], headers={"Range": "bytes=1000-"}, timeout=30)
        assert got.status_code == 206 and got.content == data[1000:]
        assert _downloads(app, share["id"]) == 1
        assert _reads(app, share["id"]) == [(0, len(data), True), (1000, len(data) - 1000, False)]
        assert visitor.get(file, headers={"Accept": "application/json"}).status_code == 410  # a new download
    finally:
        app.extensions["ortak.db"].dispose()
