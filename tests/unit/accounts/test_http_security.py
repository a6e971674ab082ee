"""Behind a proxy or not: which forwarded headers are believed, Secure and HttpOnly cookies,
and X-Content-Type-Options on every response."""
from __future__ import annotations

import pytest

from archive import create_app
from tests.asset_factory import create_asset
from tests.unit.web.conftest import PASSWORD, csrf_from


@pytest.fixture
def proxied(app_config):
    """The app as deployed behind one reverse proxy (TRUSTED_PROXIES=1)."""
    app = create_app({**app_config, "TRUSTED_PROXIES": 1})
    yield app
    app.extensions["ortak.db"].dispose()


def _login(client, email, **kwargs):
    token = csrf_from(client.get("/login", **kwargs).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, **kwargs)


def _set_cookie(resp, name: str) -> str:
    found = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[-1]


HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}


def test_behind_a_trusted_proxy_https_cookies_are_secure(proxied, web_user):
    _uid, email = web_user("producer")
    resp = _login(proxied.test_client(), email, headers=HTTPS_PROXY)
    assert resp.status_code == 302
    cookie = _set_cookie(resp, "session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    lang = _set_cookie(proxied.test_client().get("/lang/az", headers=HTTPS_PROXY), "ortak_lang")
    assert "Secure" in lang and "HttpOnly" in lang


def test_the_trusted_proxy_gives_the_client_address(proxied, web_user):
    from sqlalchemy import select

    from archive import db
    from archive.accounts.models import UserSession

    uid, email = web_user("producer")
    _login(proxied.test_client(), email, headers=HTTPS_PROXY)
    with proxied.app_context():
        assert db.session().scalars(select(UserSession.ip).where(UserSession.user_id == uid)).one() == "203.0.113.50"


def test_plain_http_cookies_are_not_secure(client, web_user):
    _uid, email = web_user("producer")
    cookie = _set_cookie(_login(client, email), "session")
    assert "Secure" not in cookie and "HttpOnly" in cookie


def test_an_untrusted_forwarded_proto_is_ignored(app, client, web_user):
    """TRUSTED_PROXIES=0 (the default): a client cannot claim https or another address."""
    uid, email = web_user("producer")
    resp = _login(client, email, headers=HTTPS_PROXY)
    assert "Secure" not in _set_cookie(resp, "session")
    from sqlalchemy import select

    from archive import db
    from archive.accounts.models import UserSession

    with app.app_context():
        assert db.session().scalars(select(UserSession.ip).where(UserSession.user_id == uid)).one() == "127.0.0.1"


def test_a_forged_address_does_not_escape_the_throttle(app_config, web_user):
    """With no trusted proxy, X-Forwarded-For cannot give each guess a fresh address."""
    app = create_app({**app_config, "LOGIN_FAILURES_PER_ACCOUNT": 100, "LOGIN_FAILURES_PER_ADDRESS": 3})
    try:
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        statuses = [client.post("/login", data={"email": f"x{i}@example.org", "password": "guess", "csrf_token": token},
                                headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]
        assert statuses == [401, 401, 401, 429]
    finally:
        app.extensions["ortak.db"].dispose()


def test_only_the_configured_number_of_hops_is_believed(proxied):
    """One trusted hop: of `X-Forwarded-For: forged, real`, the proxy's own addition (the last) counts."""
    from flask import request

    @proxied.get("/_test/address")
    def _address():
        return {"address": request.remote_addr, "scheme": request.scheme}

    resp = proxied.test_client().get("/_test/address", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7",
                                                                 "X-Forwarded-Proto": "https"})
    assert resp.get_json() == {"address": "203.0.113.7", "scheme": "https"}


def test_secure_can_be_forced(app_config, web_user):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    try:
        _uid, email = web_user("producer")
        assert "Secure" in _set_cookie(_login(app.test_client(), email), "session")
    finally:
        app.extensions["ortak.db"].dispose()


def test_every_response_says_nosniff(app, client, auth, producer):
    aid = create_asset(app, producer[0], renditions={"poster": {"data": b"\x89PNG" + b"0" * 32,
                                                               "content_type": "image/png", "ext": ".png"}})
    responses = {
        "api json": client.get(f"/api/v1/assets/{aid}", headers=auth),
        "api 401": client.get("/api/v1/assets"),
        "api 404": client.get("/api/v1/assets/nope", headers=auth),
        "api 405": client.delete("/api/v1/search", headers=auth),
        "download": client.get(f"/api/v1/assets/{aid}/download?rendition=original", headers=auth),
        "range": client.get(f"/api/v1/assets/{aid}/download?rendition=poster", headers={**auth, "Range": "bytes=0-3"}),
        "openapi": client.get("/api/v1/openapi.json"),
        "tus options": client.options("/api/v1/uploads"),
        "health": client.get("/healthz"),
        "page": client.get("/login"),
        "unknown path": client.get("/no/such/page"),
    }
    for name, resp in responses.items():
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", name
    assert responses["range"].status_code == 206 and responses["api 401"].status_code == 401
