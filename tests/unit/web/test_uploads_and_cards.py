"""My uploads (page and ?mine=1), the reason of a rejection in every language, result cards that
ask only for pictures that exist, and e-mail addresses that wrap between their parts."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.indexing import index_asset
from archive.web import messages
from tests.asset_factory import create_asset

REASONS = {"tr": "Dosya eksik: medya verisi bitmeden sona eriyor.", "az": "Fayl natamamdır: media məlumatı bitmədən",
           "en": "The file is incomplete: it ends before its media data does."}
STORED = "The file is incomplete: its MP4/MOV index (the 'moov' atom) is missing, usually a cut-off upload."


def _fail(app, aid, status, code, error):
    with app.app_context():
        asset = db.session().get(Asset, aid)
        asset.status, asset.error_code, asset.error = status, code, error
        db.session().commit()


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_the_reason_of_a_rejection_is_said_in_the_page_language(app, logged_in, lang):
    client, uid = logged_in
    aid = create_asset(app, uid, status="rejected")
    _fail(app, aid, "rejected", "truncated", STORED)
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": lang}).get_data(as_text=True)
    block = html[html.index('id="rejection"'):html.index("</div>", html.index('id="rejection"'))]
    assert REASONS[lang] in block and 'data-code="truncated"' in block
    # The sentence says what the stored English says: no English after it.
    assert 'id="reason-detail"' not in block and "moov" not in block


def test_the_history_says_the_reason_in_the_page_language(app, logged_in, register_file, not_media):
    from archive.ingest.pipeline import process_asset

    client, _uid = logged_in
    aid = register_file(not_media)
    with app.app_context():
        assert process_asset(aid) == "rejected"
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": "az"}).get_data(as_text=True)
    history = html[html.index('id="history-h"'):]
    history = history[:history.index("</section>")]  # the section (the page's scripts carry the codes' table)
    assert "Ortak bu faylı səs, video və ya şəkil faylı kimi oxuya bilmir." in history
    assert "not_media" not in history


def test_every_code_has_its_own_sentence_on_the_page(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, status="failed")
    for code in messages.ASSET_ERRORS:
        _fail(app, aid, "failed", code, "Processing failed: details in English.")
        html = client.get(f"/assets/{aid}", headers={"Accept-Language": "az"}).get_data(as_text=True)
        reason = re.search(r'<span id="reason">([^<]*)</span>', html).group(1)
        with app.test_request_context(headers={"Accept-Language": "az"}):
            assert reason == str(messages.ASSET_ERRORS[code]).replace("'", "&#39;"), code


def test_an_unknown_code_keeps_the_english_sentence(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, status="rejected")
    _fail(app, aid, "rejected", "hdr_unsupported_next_year", "An HDR flavour Ortak cannot read yet.")
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert "Neden yalnızca İngilizce kaydedilmiş:" in html and "An HDR flavour Ortak cannot read yet." in html
    _fail(app, aid, "rejected", None, None)
    assert "bir neden kaydedilmedi." in client.get(f"/assets/{aid}").get_data(as_text=True)


def test_my_uploads_lists_the_callers_assets_in_every_status(app, client, web_user):
    from tests.unit.web.conftest import log_in

    uid, email = web_user("producer")
    other, _ = web_user("producer", "AZ", org="Bakı TV")
    ready = create_asset(app, uid, b"r" * 10, meta={"title": {"tr": "Hazır olan"}})
    busy = create_asset(app, uid, b"b" * 10, status="processing", meta={"title": {"tr": "İşlenen"}},
                        renditions={"proxy": {"status": "running", "progress": 0.5},
                                    "poster": {"status": "ready"}})
    bad = create_asset(app, uid, b"x" * 10, status="rejected")
    _fail(app, bad, "rejected", "not_media", "This is not an audio, video or image file Ortak can read.")
    theirs = create_asset(app, other, b"t" * 10, meta={"title": {"tr": "Başkasının"}})
    log_in(client, email)
    resp = client.get("/my-uploads", headers={"Accept-Language": "tr"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for aid in (ready, busy, bad):
        assert f'data-asset="{aid}"' in html
    assert theirs not in html and "Başkasının" not in html
    row = html[html.index(f'data-asset="{busy}"'):]
    assert 'data-status="processing"' in row[:80] and 'value="75"' in row.split("</li>")[0]
    bad_row = html[html.index(f'data-asset="{bad}"'):].split("</li>")[0]
    assert "Ortak bu dosyayı ses, video ya da görüntü dosyası olarak okuyamıyor." in bad_row
    assert 'data-active="1"' in html and "my_uploads.js" in html and "messages.js" in html
    assert 'href="/my-uploads" aria-current="page"' in html  # in the main navigation
    table = json.loads(unescape(re.search(r"data-messages='([^']*)'", html).group(1)))
    assert table["statuses"]["rejected"] == "Reddedildi" and table["asset_errors"]["not_media"]


def test_my_uploads_pages_and_shows_the_first_page_for_a_bad_page_number(app, logged_in):
    client, uid = logged_in
    for i in range(23):
        create_asset(app, uid, f"clip {i}".encode(), meta={"title": {"tr": f"Klip {i}"}})
    first = client.get("/my-uploads").get_data(as_text=True)
    assert first.count('class="upload-item"') == 20 and 'rel="next"' in first
    assert client.get("/my-uploads?page=2").get_data(as_text=True).count('class="upload-item"') == 3
    for bad in ("abc", "0", "-1", "99999999999999999999", "1e3", "²", ""):  # as the archive page does
        resp = client.get(f"/my-uploads?page={bad}")
        assert resp.status_code == 200 and resp.get_data(as_text=True).count('class="upload-item"') == 20, bad


def test_my_uploads_needs_a_login(client):
    resp = client.get("/my-uploads")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_api_lists_only_mine_when_asked(app, client, make_user):
    uid, token = make_user("producer", "TR")
    other, _ = make_user("producer", "AZ")
    mine = create_asset(app, uid, b"m" * 10, status="processing")
    bad = create_asset(app, uid, b"n" * 10, status="rejected")
    _fail(app, bad, "rejected", "empty", "The file is empty (0 bytes).")
    theirs = create_asset(app, other, b"o" * 10)
    auth = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/assets?mine=1", headers=auth).get_json()
    assert {a["id"] for a in listing["items"]} == {mine, bad} and listing["total"] == 2
    assert {a["id"]: a["error_code"] for a in listing["items"]}[bad] == "empty"
    assert client.get("/api/v1/assets?mine=true&status=rejected", headers=auth).get_json()["total"] == 1
    everyone = client.get("/api/v1/assets?mine=0", headers=auth).get_json()
    assert {mine, bad, theirs} <= {a["id"] for a in everyone["items"]}
    for value in ("maybe", "2", "<script>", "1" * 300):
        resp = client.get("/api/v1/assets", query_string={"mine": value}, headers=auth)
        assert resp.status_code == 400 and resp.get_json()["error"]["details"]["parameter"] == "mine"
    assert client.get("/api/v1/assets?mine=1").status_code == 401
    assert client.get(f"/api/v1/assets/{bad}", headers=auth).get_json()["error_code"] == "empty"


def test_result_cards_ask_only_for_pictures_that_exist(app, logged_in):
    client, uid = logged_in
    video = create_asset(app, uid, b"v" * 10, meta={"title": {"tr": "Görüntülü"}},
                         renditions={"poster": {"data": b"jpg", "content_type": "image/jpeg"},
                                     "proxy": {"data": b"mp4", "content_type": "video/mp4"}})
    audio = create_asset(app, uid, b"a" * 10, kind="audio", meta={"title": {"tr": "Sesli"}},
                         renditions={"proxy": {"data": b"m4a", "content_type": "audio/mp4"}})
    pending = create_asset(app, uid, b"p" * 10, status="processing", meta={"title": {"tr": "Bekleyen"}},
                           renditions={"poster": {"status": "running", "progress": 0.3}})
    image = create_asset(app, uid, b"i" * 10, kind="image", meta={"title": {"tr": "Resim"}})
    with app.app_context():
        for aid in (video, audio, pending, image):
            index_asset(db.session(), search_backend(), aid)
    html = client.get("/").get_data(as_text=True)
    downloads = re.findall(r"/api/v1/assets/([0-9a-f-]+)/download\?rendition=(\w+)", html)
    assert downloads == [(video, "poster")], downloads
    card = lambda aid: html[html.index(f'href="/assets/{aid}"'):].split("</li>")[0]  # noqa: E731
    assert "thumb-audio" in card(audio) and "<svg" in card(audio) and "Ses" in card(audio)
    assert "thumb-image" in card(image)
    if f'href="/assets/{pending}"' in html:  # only when the index holds assets still processing
        assert "İşleniyor" in card(pending)


def test_addresses_wrap_only_before_dots_and_the_at(app, client, web_user):
    from tests.unit.web.conftest import log_in

    long = "gulnar.mammadova-aliyeva@azerbaycan-televiziya.example.org"
    uid, _ = web_user("producer")
    with app.app_context():
        from archive.accounts.models import User
        user = db.session().get(User, uid)
        user.email = long
        db.session().commit()
    aid = create_asset(app, uid)
    log_in(client, long)
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert ('<span class="email"><span class="email-part">gulnar</span><wbr><span class="email-part">.mammadova-aliyeva'
            '</span><wbr><span class="email-part">@azerbaycan-televiziya</span><wbr><span class="email-part">.example'
            '</span><wbr><span class="email-part">.org</span></span>') in html
    assert f'title="{long} · Org TR"' in html  # the top bar cuts it; the whole address is in the title


def test_the_email_filter_escapes(app):
    with app.test_request_context():
        out = app.jinja_env.filters["email"]('<b>x</b>@y.z"')
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "&#34;" in out


def test_a_card_without_a_kind_does_not_start_its_facts_with_a_separator(app, logged_in):
    """An upload still arriving has no kind yet: its card read "· TRT · Türkiye" (the separator
    of a kind that is not there)."""
    client, uid = logged_in
    arriving = create_asset(app, uid, b"u" * 10, kind=None, status="uploading", meta={"title": {"tr": "Gelmekte"}})
    with app.app_context():
        index_asset(db.session(), search_backend(), arriving)
    html = client.get("/", query_string={"q": "gelmekte"}).get_data(as_text=True)
    facts = re.search(r'<p class="small muted card-facts">(.*?)</p>', html, re.S)
    assert facts, html
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", facts.group(1))).split())
    assert text and not text.startswith("·") and "· ·" not in text, text
