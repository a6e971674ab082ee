"""The query text of GET /api/v1/search over HTTP (search.query): what is refused with 400
and in which language, what is answered, as-you-type prefixes and "did you mean"."""
from __future__ import annotations

import pytest

from archive import db
from archive.backends import search_backend
from archive.indexing import index_asset
from tests.asset_factory import create_asset
from tests.http import api_error as error


@pytest.fixture
def archive(app, producer):
    made = [create_asset(app, producer[0], data=f"{i}".encode() * 64, meta=meta) for i, meta in enumerate([
        {"title": {"az": "Qarabağ xalçaları"}, "description": {"az": "Şuşa'da toxunmuş xalçalar."}},
        {"title": {"tr": "İstanbul'un son vapurları"}, "description": {"tr": "Boğaz'da eski vapurlar."}},
    ])]
    with app.app_context():
        for asset in made:
            index_asset(db.session(), search_backend(), asset)
    return made


def search(client, auth, **params):
    return client.get("/api/v1/search", query_string=params, headers=auth)


@pytest.mark.parametrize("q", ["🎉", "***", "*", "-", "\"\"", "(((", "~!@#",
                               # control characters alone (trial finding F13: %00 listed everything)
                               "\x00", "\x00\x00", "\x1f", "\x01", " \x00 ", "\x85", "\u202e"])
def test_a_query_without_a_word_is_400_not_the_whole_archive(client, auth, archive, q):
    e = error(search(client, auth, q=q), 400, "invalid_query")
    assert e["details"]["reason"] == "no_searchable_text"
    assert e["message"]


@pytest.mark.parametrize("lang, words", [("tr", "harf ya da rakam"), ("az", "hərf və ya rəqəm"),
                                         ("en", "letter or digit")])
def test_the_refusal_is_in_the_request_language(client, auth, archive, lang, words):
    resp = client.get("/api/v1/search", query_string={"q": "🎉"}, headers={**auth, "Accept-Language": lang})
    assert words in error(resp, 400, "invalid_query")["message"]


def test_a_10_kb_query_is_400_naming_q(client, auth, archive):
    e = error(search(client, auth, q="karabağ " * 1300), 400, "invalid_parameter")
    assert e["details"]["parameter"] == "q"


@pytest.mark.parametrize("q", ["AND OR", "\"karabağ", "karabağ\"", "((karabağ", "karabağ)]", "NOT", "-vapur",
                               "xalça AND", "\x00karabağ"])
def test_odd_but_searchable_queries_answer(client, auth, archive, q):
    resp = search(client, auth, q=q)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["total"] >= 0


@pytest.mark.parametrize("q", ["", " ", "   ", "\t\n", "\u00a0"])
def test_empty_query_browses_everything_newest_first(client, auth, archive, q):
    body = search(client, auth, q=q).get_json()
    assert body["total"] == 2 and [h["id"] for h in body["hits"]] == list(reversed(archive))


@pytest.mark.parametrize("lang, words", [("tr", "harf ya da rakam"), ("en", "letter or digit")])
def test_the_search_page_refuses_control_characters_alone_too(client, make_user, archive, lang, words):
    from tests.functional.test_rights_pages import login  # the web login, as the page tests do it
    make_user("producer", "TR", org="TRT", email="page@trt.test")
    login(client, "page@trt.test")
    html = client.get("/", query_string={"q": "\x00"}, headers={"Accept-Language": lang}).get_data(as_text=True)
    assert words in html
    html = client.get("/", query_string={"q": " "}, headers={"Accept-Language": lang}).get_data(as_text=True)
    assert words not in html


def test_semantics_over_http(client, auth, archive):
    def ids(**params):
        resp = search(client, auth, **params)
        assert resp.status_code == 200, resp.get_json()
        return [h["id"] for h in resp.get_json()["hits"]]

    carpets, ferries = archive
    assert ids(q="KARABAĞ HALILARI") == [carpets]       # cross-Turkic spelling and a synonym
    assert ids(q="Şuşa'da") == [carpets]                # apostrophe suffix dropped
    assert ids(q="istanbul -vapur") == []               # exclusion
    assert ids(q='"son vapurları"') == [ferries]        # phrase
    assert ids(q='"vapurları son"') == []
    assert ids(q="İstanb") == []                         # a whole word unless typing
    assert ids(q="İstanb", as_you_type="1") == [ferries]
    assert ids(q="ist*") == [ferries]


def test_as_you_type_must_be_a_flag(client, auth, archive):
    e = error(search(client, auth, q="ist", as_you_type="maybe"), 400, "invalid_parameter")
    assert e["details"]["parameter"] == "as_you_type"


def test_did_you_mean_when_nothing_is_found(client, auth, archive):
    body = search(client, auth, q="vapurlrıı").get_json()
    assert body["total"] == 0 and body["did_you_mean"] == "vapurları"
    found = search(client, auth, q=body["did_you_mean"]).get_json()
    assert found["total"] == 1 and found["did_you_mean"] is None
    assert search(client, auth, q="zzzzzzzz").get_json()["did_you_mean"] is None



def test_a_client_that_names_no_language_gets_english(client, auth, archive):
    """docs/api.md "Conventions": an error's message is for a person, in English (a script
    without Accept-Language had it in Turkish, the pages' default, whatever its `lang`)."""
    e = error(client.get("/api/v1/search", query_string={"q": "🎉", "lang": "az"}, headers=auth), 400, "invalid_query")
    assert e["details"]["reason"] == "no_searchable_text" and "letter or digit" in e["message"]
    e = error(search(client, auth, recorded_from="1990", recorded_to="1980"), 400, "invalid_query")
    assert e["message"] == "The search could not be understood: recorded_to is before recorded_from"


def test_a_day_that_is_not_in_the_calendar_is_refused(client, auth, archive):
    e = error(search(client, auth, recorded_from="1975-02-31"), 400, "invalid_query")
    assert "recorded_from" in e["message"]


@pytest.mark.parametrize("lang, sentence", [("az", "Qeydə alınma tarixi aralığı başlamamış bitir."),
                                            ("tr", "Kayıt tarihi aralığı başlamadan bitiyor.")])
def test_a_reason_is_said_whole_in_the_language_asked(client, auth, archive, lang, sentence):
    r = client.get("/api/v1/search", query_string={"recorded_from": "1990", "recorded_to": "1980"},
                   headers={**auth, "Accept-Language": lang})
    assert error(r, 400, "invalid_query")["message"] == sentence


@pytest.mark.parametrize("params, deepest", [({"page": "99999"}, 501), ({"page": "1000"}, 501),
                                             ({"page": "99999", "per_page": "100"}, 101),
                                             ({"page": "1" + "0" * 40, "per_page": "1"}, 10_001),
                                             ({"page": "10002", "per_page": "1"}, 10_001)])
def test_a_page_past_the_deepest_names_the_deepest(client, auth, archive, params, deepest):
    """docs/api.md: the deepest page is 10000 ÷ per_page + 1, and a deeper one answers 400 with
    that page as `details.max` (page=99999 said 1000, a page that is refused too)."""
    e = error(search(client, auth, **params), 400, "invalid_parameter")
    assert e["details"] == {"parameter": "page", "min": 1, "max": deepest}
    assert f"pages 1 to {deepest}" in e["message"]


@pytest.mark.parametrize("params", [{"page": "501"}, {"page": "101", "per_page": "100"},
                                    {"page": "10001", "per_page": "1"}])
def test_the_deepest_page_is_served(client, auth, archive, params):
    body = search(client, auth, **params).get_json()
    assert body["total"] == 2 and body["hits"] == []


@pytest.mark.parametrize("params, sentences", [
    ({"q": "a" * 501}, {"tr": "q 500 karakterden uzun.", "az": "q 500 simvoldan uzundur.",
                        "en": "q is longer than 500 characters."}),
    ({"kind": "movie"}, {"tr": "kind: “movie” şunlardan biri değil: video, audio, image, other.",
                         "az": "kind: “movie” bunlardan biri deyil: video, audio, image, other.",
                         "en": "kind: “movie” is not one of: video, audio, image, other."}),
    ({"page": "99999"}, {"tr": "Sayfa başına 20 sonuçla arama 1 ile 501 arasındaki sayfaları gösterir; aramayı daraltın.",
                         "az": "Səhifədə 20 nəticə ilə axtarış 1-dən 501-dək səhifələri göstərir; axtarışı daraldın.",
                         "en": "At 20 hits a page, the search shows pages 1 to 501; narrow the search."}),
    ({"per_page": "x"}, {"tr": "per_page, 0-9 rakamlarıyla yazılmış, 1 ile 100 arasında bir tam sayı olmalı.",
                         "az": "per_page 0-9 rəqəmləri ilə yazılmış, 1 ilə 100 arasında tam ədəd olmalıdır.",
                         "en": "per_page must be a whole number from 1 to 100, written with the digits 0-9."}),
    ({"cleared": "tv:TR"}, {"tr": "cleared: “tv” bir platform değil; şunlardan birini kullanın: ",
                            "az": "cleared: “tv” platforma deyil; bunlardan birini işlədin: ",
                            "en": "cleared: “tv” is not a platform; use one of: "}),
])
def test_a_refused_parameter_is_said_in_the_language_asked(client, auth, archive, params, sentences):
    """invalid_parameter is translated as invalid_query is (tr, az; English as raised: the same
    sentence, archive.api.params.PARAMETER_SENTENCES), its code and details unchanged whatever the
    language."""
    answers = {lang: error(client.get("/api/v1/search", query_string=params,
                                      headers={**auth, "Accept-Language": lang}), 400, "invalid_parameter")
               for lang in ("tr", "az", "en")}
    for lang, sentence in sentences.items():
        assert answers[lang]["message"].startswith(sentence), (lang, answers[lang]["message"])
    assert answers["tr"]["details"] == answers["az"]["details"] == answers["en"]["details"]
    assert answers["en"]["details"]["parameter"] == next(iter(params))


@pytest.mark.parametrize("raw", ["hal%FD", "%FD", "Kara%F0", "%C4", "hal%C4%B1+%FE"])
def test_a_query_that_is_not_utf8_is_refused_not_searched_for_its_escapes(client, auth, archive, raw):
    """`halı` sent in windows-1254 (`hal%FD`, as a legacy Turkish form or client may) was
    searched as the words `hal` and `FD` (werkzeug keeps an escape it cannot decode as typed):
    nothing found, no reason given. It is 400 invalid_parameter, reason not_utf8, in the
    request's language."""
    answers = {lang: error(client.get(f"/api/v1/search?q={raw}", headers={**auth, "Accept-Language": lang}),
                           400, "invalid_parameter") for lang in ("tr", "az", "en")}
    assert answers["en"]["details"] == {"parameter": "q", "reason": "not_utf8"}
    assert "UTF-8" in answers["en"]["message"]
    assert answers["tr"]["message"] != answers["en"]["message"] != answers["az"]["message"]
    # Escapes that are UTF-8, and a literal % sent as %25, still search.
    assert client.get("/api/v1/search?q=hal%C4%B1", headers=auth).status_code == 200
    assert client.get("/api/v1/search?q=100%25", headers=auth).status_code == 200
