"""Every HTTP error a browser meets is the styled page in its language; the API keeps JSON."""
from __future__ import annotations

import pytest

from archive.web import error_pages

NOT_FOUND = {"tr": "Böyle bir sayfa yok.", "az": "Belə səhifə yoxdur.", "en": "There is no such page."}
NOT_ALLOWED = {"tr": "Bu sayfa bu şekilde kullanılamaz.", "az": "Bu səhifədən bu cür istifadə etmək olmaz.",
               "en": "This page cannot be used this way."}
CRASHED = {"tr": "Bizim tarafımızda bir sorun oluştu.", "az": "Bizim tərəfimizdə xəta baş verdi.",
           "en": "Something went wrong on our side."}


def _styled(resp) -> str:
    html = resp.get_data(as_text=True)
    assert resp.mimetype == "text/html"
    assert '<link rel="stylesheet" href="/static/web/ortak.css">' in html and 'class="card narrow"' in html
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    return html


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
@pytest.mark.parametrize("path", ["/nope", "/assets", "/assets/x/y", "/static/web/missing.css", "/%FF", "/" + "a" * 3000])
def test_unknown_paths_are_the_styled_404_logged_out(client, lang, path):
    resp = client.get(path, headers={"Accept-Language": lang})
    assert resp.status_code == 404
    html = _styled(resp)
    assert NOT_FOUND[lang] in html and f'<html lang="{lang}">' in html


def test_unknown_paths_are_the_styled_404_logged_in(logged_in):
    client, _uid = logged_in
    html = _styled(client.get("/nope"))
    assert "Böyle bir sayfa yok." in html and "producer-tr-web@example.org" in html  # the page's header


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_a_wrong_method_is_the_styled_405_with_allow(client, lang):
    resp = client.get("/logout", headers={"Accept-Language": lang})
    assert resp.status_code == 405 and "POST" in resp.headers["Allow"]
    assert NOT_ALLOWED[lang] in _styled(resp)
    resp = client.delete("/login", headers={"Accept-Language": lang})
    assert resp.status_code == 405 and NOT_ALLOWED[lang] in _styled(resp)


@pytest.fixture
def crashing_app(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers
    return app



PAST_THE_END = {"tr": "İstenen bölüm dosyanın sonundan sonra başlıyor",
                "az": "İstənilən hissə faylın sonundan sonra başlayır",
                "en": "The part of the file asked for starts past its end"}


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_a_range_past_the_end_is_the_styled_416_with_its_content_range(client, lang):
    """A static file asked from past its end (Werkzeug's 416) said the 400 page's "The request
    could not be read."; it says what went wrong, as a download's 416 does, Content-Range kept."""
    resp = client.get("/static/web/ortak.css", headers={"Accept-Language": lang, "Range": "bytes=99999999-"})
    assert resp.status_code == 416 and resp.headers["Content-Range"].startswith("bytes */")
    assert PAST_THE_END[lang] in _styled(resp)

@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_a_crash_is_the_styled_500(crashing_app, lang):
    resp = crashing_app.test_client().get("/boom", headers={"Accept-Language": lang})
    assert resp.status_code == 500
    html = _styled(resp)
    assert CRASHED[lang] in html and "a bug" not in html  # nothing of the fault's inside shown


def test_api_paths_and_json_clients_keep_the_json_error(crashing_app):
    client = crashing_app.test_client()
    for path, status in (("/api/v1/nope", 404), ("/api/v1/boom", 500)):
        resp = client.get(path)
        assert resp.status_code == status and resp.is_json and "code" in resp.get_json()["error"]
    resp = client.get("/nope", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.is_json


def test_a_page_that_cannot_render_still_answers(app, monkeypatch):
    """If even the page cannot be drawn (the database is gone, say), a plain page in the same style."""
    def broken(*_a, **_k):
        raise RuntimeError("no database")

    monkeypatch.setattr(error_pages, "render_template", broken)
    resp = app.test_client().get("/nope", headers={"Accept-Language": "az"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Belə səhifə yoxdur." in html and "/static/web/ortak.css" in html


def test_api_errors_on_pages_say_the_code_in_the_page_language_only(app, logged_in):
    from archive.api.params import bad_param
    from archive.web.views import _api_error

    with app.test_request_context("/my-uploads", headers={"Accept-Language": "az"}):
        resp = _api_error(bad_param("page", "whole_number", min=1, max=500))
        html = _styled(resp)
    assert resp.status_code == 400 and "Ünvandakı dəyərlərdən biri düzgün deyil." in html
    assert "whole number" not in html  # no English beside the translation
