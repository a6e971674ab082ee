"""The pages' content: languages, escaping, the search page with facets, the asset page and its edits."""
from __future__ import annotations

import json
import re
from html import unescape as html_unescape

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.indexing import index_asset
from tests.asset_factory import create_asset
from tests.unit.web.conftest import csrf_from

XSS = "<script>alert(1)</script>"
# A word on each page that differs in every language.
WORDS = {"tr": ("Arşiv", "Dosya yükle", "Teknik üst veri"),
         "az": ("Arxiv", "Fayl yüklə", "Texniki metaməlumat"),
         "en": ("Archive", "Upload a file", "Technical metadata")}


def _index(app, *asset_ids):
    with app.app_context():
        for aid in asset_ids:
            index_asset(db.session(), search_backend(), aid)


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_every_page_in_each_language_by_accept_language(app, logged_in, lang):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Bir film"}})
    headers = {"Accept-Language": f"{lang};q=1, de;q=0.5"}
    archive_word, upload_word, tech_word = WORDS[lang]
    home = client.get("/", headers=headers).get_data(as_text=True)
    assert archive_word in home and f'<html lang="{lang}">' in home
    assert upload_word in client.get("/upload", headers=headers).get_data(as_text=True)
    assert tech_word in client.get(f"/assets/{aid}", headers=headers).get_data(as_text=True)


def test_login_page_in_each_language(client):
    assert "Giriş yap" in client.get("/login").get_data(as_text=True)  # default: Turkish
    assert "Daxil ol" in client.get("/login", headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Giriş yap" in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_switcher_choice_beats_accept_language_and_survives_login(client, web_user):
    resp = client.get("/lang/az", query_string={"next": "/login"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert "ortak_lang=az" in resp.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Daxil ol" in page
    _uid, email = web_user("producer")
    client.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": csrf_from(page)})
    assert "Arxiv" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_unknown_language_and_offsite_next_are_refused(client):
    assert client.get("/lang/de").status_code == 404
    resp = client.get("/lang/en", query_string={"next": "//evil.example/"})
    assert resp.headers["Location"] == "/"


def test_user_text_is_escaped_everywhere(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, filename=f"{XSS}.mp4",
                       meta={"title": {"tr": XSS}, "description": {"tr": f"<img src=x onerror=alert(2)> {XSS}"},
                             "keywords": [XSS], "people": ["<b>bold</b>"]})
    _index(app, aid)
    for path in (f"/assets/{aid}", "/?q=script", "/?q=" + XSS):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    page = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The search page highlights the query word inside the escaped text, and adds no other markup.
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in \
        client.get("/?q=script").get_data(as_text=True)


def test_search_page_lists_hits_with_facets_that_filter(app, logged_in):
    client, uid = logged_in
    a = create_asset(app, uid, b"a" * 100, meta={"title": {"tr": "İstanbul Boğazı", "en": "The Bosphorus"},
                                                 "genre": "documentary", "recorded": "1975-06"},
                     renditions={"poster": {"data": b"jpg", "content_type": "image/jpeg"}})
    b = create_asset(app, uid, b"b" * 100, meta={"title": {"tr": "Bakı türküsü"}, "genre": "folklore",
                                                 "recorded": "1980", "languages": ["az"]})
    _index(app, a, b)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The Bosphorus" in html and "Bakı türküsü" in html  # title in the UI language, else a fallback
    assert 'data-facet="genre" data-value="folklore"' in html and "Documentary" in html
    assert 'data-facet="year" data-value="1975"' in html
    filtered = client.get("/?genre=folklore").get_data(as_text=True)
    assert "Bakı türküsü" in filtered and "Boğazı" not in filtered
    assert 'class="facet-value on"' in filtered
    # Multi-select: the genre not ticked is still offered, with what ticking it adds, and its
    # link keeps the ticked one; following it widens the results (every choice in the address).
    more = re.search(r'href="([^"]*)" class="facet-value"[^>]*data-facet="genre" data-value="documentary"',
                     filtered)
    assert more and "genre=folklore" in more.group(1) and "genre=documentary" in more.group(1)
    both = client.get("/" + html_unescape(more.group(1))).get_data(as_text=True)
    assert "Bakı türküsü" in both and "Boğazı" in both
    assert both.count('class="facet-value on"') == 2
    found = client.get("/", query_string={"q": "istanbul"}).get_data(as_text=True)
    assert "<mark>İstanbul</mark> Boğazı" in found and "Bakı" not in found
    assert f'/api/v1/assets/{a}/download?rendition=poster&amp;inline=1' in found


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_each_facet_has_a_heading_of_its_own_in_every_language(app, logged_in, lang):
    """Two facets under one heading cannot be told apart: in Turkish `genre` and `kind` were
    both "Tür" (a folklore film's "Folklor" and its "Video" under two "TÜR" boxes)."""
    client, uid = logged_in
    _index(app, create_asset(app, uid, meta={"title": {"tr": "Halay"}, "genre": "folklore", "recorded": "1975",
                                               "languages": ["tr"]}))
    html = client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
    headings = [html_unescape(h) for h in re.findall(r'<section class="facet">\s*<h2>([^<]*)</h2>', html)]
    assert len(headings) >= 8, headings
    assert len(set(headings)) == len(headings), headings


HOSTILE_QUERIES = [{"q": "\x00" * 10}, {"q": "x" * 5000}, {"page": "-1"}, {"page": "abc"},
                   {"page": "99999999999999999999"}, {"year": "<script>"}, {"q": '"unclosed'},
                   {"q": "title:(((("}, {"genre": ["a"] * 500}, {"q": "' OR 1=1 --"}]


def test_hostile_search_parameters_never_500(logged_in):
    client, _uid = logged_in
    for query in HOSTILE_QUERIES:
        resp = client.get("/", query_string=query)
        assert resp.status_code in (200, 400), query
        assert "<script>" not in resp.get_data(as_text=True).split("</head>", 1)[1].replace(
            '<script src="/static/web/thumbs.js" defer></script>', "").replace(
            '<script src="/static/web/search.js" defer></script>', "")


def test_asset_page_shows_player_status_technical_and_history(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, renditions={"proxy": {"data": b"mp4", "content_type": "video/mp4"},
                                             "poster": {"data": b"jpg", "content_type": "image/jpeg"}})
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert f'src="/api/v1/assets/{aid}/download?rendition=proxy&amp;inline=1"' in html
    assert f'poster="/api/v1/assets/{aid}/download?rendition=poster&amp;inline=1"' in html
    assert 'data-active="0"' in html and "00:00:04.00" in html
    # The scripts' catalogue once, for both the markers and the transcript form (it was on each).
    assert 'id="markers"' in html and 'id="transcript-form"' in html and html.count("data-messages=") == 1


def test_processing_asset_polls_and_shows_progress(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, status="processing",
                       renditions={"proxy": {"status": "running", "progress": 0.42},
                                   "poster": {"status": "pending", "progress": 0.0}})
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert 'data-active="1"' in html and '<video' not in html
    assert 'value="42"' in html and "asset.js" in html


def test_rejected_asset_shows_the_reason(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, status="rejected")
    with app.app_context():
        asset = db.session().get(Asset, aid)
        asset.error = "The file is not audio or video: ffprobe found no streams."
        db.session().commit()
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Rejected:" in html and "ffprobe found no streams" in html


@pytest.mark.parametrize("asset_id", ["00000000-0000-4000-8000-000000000000", "..%2F..%2Fetc", "x" * 300])
def test_unknown_asset_is_an_html_404(logged_in, asset_id):
    client, _uid = logged_in
    resp = client.get(f"/assets/{asset_id}")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    if "/" not in asset_id.replace("%2F", "/"):  # a path with ../ matches no page at all
        html = resp.get_data(as_text=True)
        # Said in the page's language alone: not the API's English "No asset '…'." beside it.
        assert "Böyle bir varlık yok ya da henüz görebileceğiniz bir varlık değil." in html
        assert "No asset" not in html
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/assets/{asset_id}", data={"csrf_token": token}).status_code == 404


def test_editing_metadata_saves_and_writes_history(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Eski başlık"}})
    token = csrf_from(client.get(f"/assets/{aid}").get_data(as_text=True))
    resp = client.post(f"/assets/{aid}", data={
        "csrf_token": token, "title_tr": "Yeni başlık", "title_az": "Yeni başlıq", "title_en": "",
        "description_tr": "Açıklama", "genre": "folklore", "keywords": "saz, aşık", "people": "Aşık Veysel",
        "places": "Sivas", "recorded": "1970-05", "languages": "tr"})
    assert resp.status_code == 302
    with app.app_context():
        meta = db.session().get(Asset, aid).meta
    assert meta["title"] == {"tr": "Yeni başlık", "az": "Yeni başlıq"}
    assert meta["keywords"] == ["saz", "aşık"] and meta["recorded"] == "1970-05" and meta["genre"] == "folklore"
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert "Üst veri değiştirildi" in html and "Eski başlık" in html and "producer-tr-web@example.org" in html


def test_invalid_metadata_is_shown_not_saved(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Aynı"}})
    token = csrf_from(client.get(f"/assets/{aid}").get_data(as_text=True))
    resp = client.post(f"/assets/{aid}", data={"csrf_token": token, "title_tr": "x" * 100_000, "genre": ""})
    assert resp.status_code == 422
    resp = client.post(f"/assets/{aid}", data={"csrf_token": token, "title_tr": "Aynı", "recorded": "1975-13",
                                               "genre": ""})
    assert resp.status_code == 422 and "recorded" in resp.get_data(as_text=True)
    resp = client.post(f"/assets/{aid}", data={"csrf_token": token, "genre": "<script>"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session().get(Asset, aid).meta == {"title": {"tr": "Aynı"}}


def test_producer_cannot_move_an_asset_to_another_organisation(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid)
    token = csrf_from(client.get(f"/assets/{aid}").get_data(as_text=True))
    client.post(f"/assets/{aid}", data={"csrf_token": token, "genre": "", "organisation": "Other", "country": "AZ"})
    with app.app_context():
        assert db.session().get(Asset, aid).country == "TR"


def test_login_prompt_is_translated(client):
    resp = client.get("/upload", headers={"Accept-Language": "az"}, follow_redirects=True)
    assert "Bu səhifəni görmək üçün daxil olun." in resp.get_data(as_text=True)


def test_technical_metadata_reads_like_a_spec_sheet(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid)
    with app.app_context():
        asset = db.session().get(Asset, aid)
        asset.technical = {"container": "mov,mp4,m4a", "container_long": "QuickTime / MOV", "duration": 3725.5,
                           "bit_rate": 804388, "video_codec": "h264", "width": 1440, "height": 1080,
                           "display_width": 1920, "display_height": 1080, "frame_rate": "30000/1001",
                           "frame_rate_float": 29.97003, "interlaced": True, "audio_codec": "aac",
                           "audio_channels": 2, "audio_sample_rate": 48000, "start_timecode": "10:00:00:00",
                           "kind": "video", "decode_warnings": []}
        db.session().commit()
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in ("QuickTime / MOV", "01:02:05.50", "804 kb/s", "1440 × 1080", "1920 × 1080", "29.97 fps",
                 "Interlaced", "48,000 Hz", "10:00:00:00"):
        assert text in html, text
    assert "mov,mp4,m4a" not in html
    tr = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert "29,97 fps" in tr and "Geçmeli" in tr


def test_upload_page_wires_tus_with_csrf(logged_in):
    client, _uid = logged_in
    resp = client.get("/upload")
    html = resp.get_data(as_text=True)
    assert 'data-endpoint="/api/v1/uploads"' in html and "vendor/tus.min.js" in html and "upload.js" in html
    assert '<meta name="csrf-token" content="' in html
    assert 'id="title_tr"' in html and 'id="title_az"' in html and 'id="title_en"' in html
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


def test_upload_page_offers_a_subtitle_file_per_language_with_its_messages_translated(logged_in):
    client, _uid = logged_in
    for lang, refused in (("tr", "%(line)s. satır bir SRT altyazısının parçası değil"),
                          ("az", "%(line)s nömrəli sətir SRT subtitrinin hissəsi deyil"),
                          ("en", "Line %(line)s is not part of an SRT cue")):
        html = client.get("/upload", headers={"Accept-Language": lang}).get_data(as_text=True)
        for code in ("tr", "az", "en"):
            assert f'id="transcript_{code}" class="transcript-input" data-lang="{code}"' in html
            assert f'id="transcript_{code}-status"' in html and f'id="transcript_{code}-progress"' in html
        # A refusal names its line in the page's language (the scripts' catalogue, subtitle_reasons).
        catalogue = json.loads(html_unescape(re.search(r"data-messages='([^']*)'", html).group(1)))
        assert catalogue["subtitle_reasons"]["srt_cue"].startswith(refused) and 'data-max="10485760"' in html


def test_upload_page_names_a_duplicates_carry_over_in_its_language(logged_in):
    client, _uid = logged_in
    for lang, transcript, past_end, carried in (
            ("tr", "Döküm", "bir altyazı satırı kayıt bittikten sonra başlıyor", "Arşivdeki kayda aktarıldı."),
            ("az", "Mətn", "bir subtitr sətri yazı bitdikdən sonra başlayır", "Arxivdəki materiala köçürüldü."),
            ("en", "Transcript", "a cue starts after the recording ends", "Carried over to the asset in the archive.")):
        html = client.get("/upload", headers={"Accept-Language": lang}).get_data(as_text=True)
        labels = json.loads(html_unescape(re.search(r"data-carried-labels='([^']*)'", html).group(1)))
        assert labels["transcript"] == transcript and labels["cue_past_end"] == past_end
        assert set(labels) >= {"title", "description", "genre", "marker", "rights_block", "asset", "holding",
                               "conflict", "not_your_asset", "exclusive_conflict", "too_many",
                               "lang_tr", "lang_az", "lang_en"}
        assert all(labels.values())
        assert f'data-msg-carried="{carried}"' in html
        assert 'id="details-status"' in html


def test_our_static_files_are_served(client):
    for name in ("ortak.css", "upload.js", "asset.js", "thumbs.js"):
        resp = client.get(f"/static/web/{name}")
        assert resp.status_code == 200, name
        resp.close()
    assert client.get("/static/web/../views.py").status_code == 404


def test_admin_moves_an_asset_to_another_organisation(app, client, web_user):
    producer_id, _ = web_user("producer", "TR")
    web_user("producer", "AZ", org="Bakı TV")
    aid = create_asset(app, producer_id, meta={"title": {"tr": "Ortak yapım"}})
    _admin_id, admin_email = web_user("admin")
    from tests.unit.web.conftest import log_in
    log_in(client, admin_email)
    token = csrf_from(client.get(f"/assets/{aid}").get_data(as_text=True))
    resp = client.post(f"/assets/{aid}", data={"csrf_token": token, "title_tr": "Ortak yapım", "genre": "",
                                               "organisation": "Bakı TV", "country": "AZ"})
    assert resp.status_code == 302
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert "Bakı TV (Azerbaycan)" in html


def test_search_pages_through_results(app, logged_in):
    client, uid = logged_in
    ids = [create_asset(app, uid, f"clip {i}".encode() * 10, meta={"title": {"tr": f"Haber bülteni {i}"}})
           for i in range(23)]
    _index(app, *ids)
    first = client.get("/").get_data(as_text=True)
    assert first.count('class="hit"') == 20 and "Sayfa 1 / 2" in first and 'rel="next"' in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert second.count('class="hit"') == 3 and 'rel="prev"' in second
    # A page past the last goes to the last, keeping the rest of the search.
    past = client.get("/?page=99&view=grid")
    assert past.status_code == 302 and "page=2" in past.location and "view=grid" in past.location


def test_search_page_honours_per_page_and_its_links_keep_it(app, logged_in):
    """`?per_page=` is read as GET /api/v1/search reads it (1 to 100): the page showed 20 hits
    whatever it said, while its address and permalink kept the number."""
    client, uid = logged_in
    ids = [create_asset(app, uid, f"pp {i}".encode() * 10, meta={"title": {"tr": f"Bayram yayını {i}"}})
           for i in range(12)]
    _index(app, *ids)
    html = client.get("/?per_page=5&view=grid", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert html.count('class="hit"') == 5 and "Sayfa 1 / 3" in html
    next_url = html_unescape(re.search(r'<a href="([^"]*)" rel="next"', html).group(1))
    assert "per_page=5" in next_url and "page=2" in next_url and "view=grid" in next_url
    permalink = html_unescape(re.search(r'href="([^"]*)" class="permalink"', html).group(1))
    assert "per_page=5" in permalink
    assert '<input type="hidden" name="per_page" value="5">' in html  # a new search keeps it too
    last = client.get("/?per_page=5&page=3").get_data(as_text=True)
    assert last.count('class="hit"') == 2 and 'rel="prev"' in last and "per_page=5" in last
    # Past the last page at that size: the last one, keeping the size.
    past = client.get("/?per_page=5&page=9")
    assert past.status_code == 302 and "page=3" in past.location and "per_page=5" in past.location
    everything = client.get("/?per_page=100").get_data(as_text=True)
    assert everything.count('class="hit"') == 12 and 'class="pager"' not in everything
    # The default stays out of the links.
    default = client.get("/?per_page=20").get_data(as_text=True)
    assert "per_page" not in default.split('<ol class="hits')[0].split("</form>")[1]


@pytest.mark.parametrize("value", ["0", "101", "abc", "", "-5", "1e3", "２"])
@pytest.mark.parametrize("lang, sentence", [
    ("tr", "Sayfa başına sonuç"), ("az", "Səhifədə nəticə"), ("en", "Results per page")])
def test_a_per_page_out_of_the_apis_bounds_is_said_on_the_page(app, logged_in, value, lang, sentence):
    client, _uid = logged_in
    api = client.get("/api/v1/search", query_string={"per_page": value})
    resp = client.get("/", query_string={"q": "bayram", "per_page": value},
                      headers={"Accept-Language": lang})
    html = resp.get_data(as_text=True)
    notice = re.search(r'<p class="notice notice-error" role="alert">([^<]*)</p>', html)
    assert api.status_code == 400 and resp.status_code == 400 and notice, (api.status_code, resp.status_code)
    said = html_unescape(notice.group(1))
    assert said.startswith(sentence) and "100" in said and "per_page" not in said, said


@pytest.mark.parametrize("params", [{"q": "***"}, {"q": "kule", "kind": "movie"}, {"q": "kule", "per_page": "500"},
                                    {"q": "kule", "recorded_from": "1990", "recorded_to": "1980"}])
def test_a_search_that_did_not_run_shows_the_notice_alone(app, logged_in, params):
    """It showed "0 kayıt · “***” için sonuçlar" and the grid/list toggle under the notice: with
    an error there are no results. The search box keeps the query."""
    client, _uid = logged_in
    resp = client.get("/", query_string=params, headers={"Accept-Language": "tr"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'class="notice notice-error"' in html
    assert "result-count" not in html and "view-toggle" not in html and "permalink" not in html
    assert "kayıt" not in html and "için sonuçlar" not in html and 'class="empty"' not in html
    assert re.search(r'<input id="q" name="q" type="search" value="' + re.escape(params["q"]) + '"', html)


def test_audio_asset_gets_an_audio_player(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, kind="audio", filename="türkü.wav", content_type="audio/wav",
                       renditions={"proxy": {"data": b"m4a", "content_type": "audio/mp4"}})
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert '<audio id="player"' in html and "<video" not in html and "Dinleme kopyası" in html


def test_search_page_sorts_filters_and_keeps_every_choice_in_the_url(app, logged_in):
    from archive.assets.models import Asset
    client, uid = logged_in
    short = create_asset(app, uid, b"s" * 100, meta={"title": {"tr": "Çay bahçesi"}, "recorded": "1962",
                                                     "organisation": "TRT"})
    long_ = create_asset(app, uid, b"l" * 100, meta={"title": {"tr": "Cami avlusu"}, "recorded": "1988-05"})
    with app.app_context():
        db.session().get(Asset, short).technical = {"duration": 42.0}
        db.session().get(Asset, long_).technical = {"duration": 4000.0}
        db.session().commit()
    _index(app, short, long_)
    html = client.get("/", query_string={"sort": "title", "view": "grid"},
                      headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert html.index("Cami avlusu") < html.index("Çay bahçesi")  # c before ç
    assert 'class="hits hits-grid"' in html and '<option value="title" selected>' in html
    assert "1:06:40" in html and "0:42" in html  # durations on the cards
    assert 'data-facet="decade" data-value="1960"' in html and "1960–1969" in html
    assert 'data-facet="duration" data-value="60+"' in html
    # Facet links and the permalink keep the sort and the view.
    permalink = re.search(r'href="([^"]*)" class="permalink"', html).group(1)
    assert "sort=title" in permalink and "view=grid" in permalink
    decade = re.search(r'href="([^"]*)" class="facet-value"[^>]*data-facet="decade" data-value="1960"', html).group(1)
    assert "sort=title" in decade and "view=grid" in decade and "decade=1960" in decade
    found = client.get("/", query_string={"recorded_from": "1980", "sort": "-duration"}).get_data(as_text=True)
    assert "Cami avlusu" in found and "Çay bahçesi" not in found
    bad = client.get("/", query_string={"recorded_from": "1990", "recorded_to": "1980", "sort": "bogus"},
                     headers={"Accept-Language": "en"})
    assert bad.status_code == 400 and "The recording date range ends before it starts." in bad.get_data(as_text=True)


@pytest.mark.parametrize("lang, params, sentence", [
    ("az", {"recorded_from": "1990", "recorded_to": "1980"}, "Qeydə alınma tarixi aralığı başlamamış bitir."),
    ("tr", {"recorded_from": "abcd"}, "Kayıt tarihi bir yıl, bir ay ya da takvimde var olan bir gündür"),
    ("tr", {"recorded_from": "1975-02-31"}, "Kayıt tarihi bir yıl, bir ay ya da takvimde var olan bir gündür"),
])
def test_a_search_the_page_cannot_run_says_why_once_in_the_page_language(app, logged_in, lang, params, sentence):
    client, _uid = logged_in
    resp = client.get("/", query_string=params, headers={"Accept-Language": lang})
    html = resp.get_data(as_text=True)
    notice = re.search(r'<p class="notice notice-error" role="alert">([^<]*)</p>', html).group(1)
    assert resp.status_code == 400 and sentence in html_unescape(notice), notice
    # The whole sentence in the page's language: no English reason inside it.
    assert "recorded_" not in notice and "must be" not in notice


@pytest.mark.parametrize("lang, params, sentence", [
    ("tr", {"q": "a" * 501}, "Arama metni 500 karakterden uzun."),
    ("az", {"q": "a" * 501}, "Axtarış mətni 500 simvoldan uzundur."),
    ("en", {"q": "a" * 501}, "The search text is longer than 500 characters."),
    # The choices by their labels in the page's language, as the facets show them (not the codes).
    ("tr", {"q": "Karabağ", "kind": "movie"}, "Ortam türü: “movie” şunlardan biri değil: Video, Ses, Görsel, Diğer dosya."),
    ("en", {"transcript": "maybe"}, "Transcript: “maybe” is not one of: With subtitles or transcript, Without."),
    ("az", {"year": "75"}, "İl: “75” dörd rəqəmli il deyil (məsələn, 1975)."),
])
def test_a_parameter_the_api_refuses_is_said_on_the_page_not_searched(app, logged_in, lang, params, sentence):
    """The page refuses what GET /api/v1/search answers 400 `invalid_parameter`: one sentence in
    the page's language naming the field, no hits and no ticked facet (it said "nothing found",
    or showed 0 results under a ticked "movie")."""
    client, uid = logged_in
    _index(app, create_asset(app, uid, b"k" * 100, meta={"title": {"tr": "Karabağ halıları"}}))
    resp = client.get("/", query_string=params, headers={"Accept-Language": lang})
    html = resp.get_data(as_text=True)
    notice = re.search(r'<p class="notice notice-error" role="alert">([^<]*)</p>', html)
    assert resp.status_code == 400 and notice and html_unescape(notice.group(1)).strip() == sentence, notice
    assert 'class="hit"' not in html and 'class="facet-value on"' not in html


@pytest.mark.parametrize("lang, sentence", [("tr", "Arama metni UTF-8 metin değil"), ("en", "The search text is not UTF-8")])
def test_a_search_text_that_is_not_utf8_is_said_on_the_page(app, logged_in, lang, sentence):
    """`?q=hal%FD` (halı in windows-1254) searched the words `hal` and `FD`; the page says why instead."""
    client, _uid = logged_in
    resp = client.get("/?q=hal%FD", headers={"Accept-Language": lang})
    notice = re.search(r'<p class="notice notice-error" role="alert">([^<]*)</p>', resp.get_data(as_text=True))
    assert resp.status_code == 400 and notice and sentence in html_unescape(notice.group(1)), notice


@pytest.mark.parametrize("params", [
    {"q": "a" * 501}, {"kind": "movie"}, {"year": "75"}, {"decade": "1975"}, {"project": "x"},
    {"recorded_from": "abcd"}, {"recorded_to": "1975-6"}, {"recorded_from": "1975-06-21x"},
    {"recorded_from": "1990", "recorded_to": "1980"}, {"transcript": "maybe"},
    {"q": "Karabağ", "genre": "folklore", "recorded_from": "1975-06"}, {"page": "501"},
    {"per_page": "101"}, {"per_page": "0"}, {"per_page": "100"}, {"per_page": "5", "page": "2001"}])
def test_the_page_refuses_what_the_api_refuses_and_runs_what_it_runs(app, logged_in, params):
    """One rule (archive.api.search_params.search_query) reads the page's search and the API's."""
    client, _uid = logged_in
    api = client.get("/api/v1/search", query_string=params)
    page = client.get("/", query_string=params)
    assert api.status_code in (200, 400) and page.status_code in (200, 302, 400)
    assert (api.status_code == 400) == (page.status_code == 400), (api.get_json(), page.status_code)


def test_cards_show_the_pages_language_whatever_matched(app, logged_in):
    """A typo that meets only the Turkish title (`Karabga`) still shows the Azerbaijani title and
    description on the Azerbaijani page, as the API with lang=az does."""
    client, uid = logged_in
    aid = create_asset(app, uid, b"q" * 100, meta={"title": {"tr": "Karabağ halıları", "az": "Qarabağ xalçaları"},
                                                   "description": {"tr": "Karabağ'da dokunan halılar.",
                                                                   "az": "Şuşada toxunan xalçalar."}})
    _index(app, aid)
    html = client.get("/", query_string={"q": "Karabga"}, headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert html.count('class="hit"') == 1
    assert "Qarabağ xalçaları" in html and "Şuşada toxunan xalçalar." in html
    assert "Karabağ halıları" not in html and "dokunan" not in html


@pytest.mark.parametrize("lang, words", [("tr", "harf ya da rakam"), ("az", "hərf və ya rəqəm"),
                                         ("en", "letter or digit")])
def test_a_search_without_a_word_says_so_in_the_page_language(app, logged_in, lang, words):
    client, _uid = logged_in
    resp = client.get("/?q=%F0%9F%8E%89", headers={"Accept-Language": lang})
    assert resp.status_code == 400  # the page, with the reason where the hits would be
    assert words in resp.get_data(as_text=True)


def test_an_interrupted_asset_shows_its_renditions_waiting_and_the_interruption_in_its_history(app, logged_in):
    """What `archive.ingest.pipeline` leaves when its worker is stopped: the renditions wait
    (none reads "Failed" under "being made") and the history says it starts again."""
    from archive.events.services import record

    client, uid = logged_in
    aid = create_asset(app, uid, status="processing",
                       renditions={"proxy": {"status": "pending"}, "hls": {"status": "pending"}})
    with app.app_context():
        s = db.session()
        record(s, actor_id=None, action="asset.interrupted", subject_type="asset", subject_id=aid,
               before={"status": "processing"}, after={"status": "processing", "step": "renditions"})
        s.commit()
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    section = html[html.index('id="processing"'):html.index("</section>", html.index('id="processing"'))]
    assert section.count("status-pending") == 2 and "status-failed" not in section
    assert "Bekliyor" in section and "Başarısız" not in section
    assert "İşleme yarıda kesildi (işçi durdu); yeniden başlıyor" in html
    html = client.get(f"/assets/{aid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Processing interrupted (the worker stopped); it starts again" in html


@pytest.mark.parametrize("lang, before, after", [("tr", "Belçika", "Belize"), ("tr", "Kıbrıs", "Küba"),
                                                 ("tr", "Mısır", "Myanmar (Burma)"), ("az", "Belçika", "Beliz")])
def test_the_territories_are_in_the_pages_alphabet(lang, before, after):
    from archive.web.pages import territory_options

    names = [name for _code, name in territory_options(lang)]
    assert names.index(before) < names.index(after), (before, after)
