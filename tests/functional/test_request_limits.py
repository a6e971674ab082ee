"""The request head limits (archive.api.limits) agree with the servers and the document.

Request line at most 8190 bytes (gunicorn's largest), each header field at most
MAX_HEADER_BYTES (default 65536: also Werkzeug's and http.client's line limit), at most 100
header fields; Upload-Metadata up to the advertised length is parsed, one byte more answers
431 `header_too_large` in the JSON error shape.
"""
from __future__ import annotations

import base64

import pytest
import requests

from archive import create_app
from archive.api.limits import HEADER_FIELDS_MAX, REQUEST_LINE_MAX, metadata_limit
from archive.ingest.tus import METADATA_LIMIT_HEADER
from tests.live_server import LiveServer

UPLOADS = "/api/v1/uploads"


def tus(token: str, **extra) -> dict:
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", **extra}


def metadata_of_length(n: int) -> str:
    """A valid Upload-Metadata value of exactly n bytes (a client key the app ignores, padded with commas)."""
    raw = base64.b64encode(b"x" * (((n - 20) // 4) * 3)).decode()
    value = "relativePath " + raw
    assert len(value) <= n
    return value + "," * (n - len(value))


def json_error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()["error"]
    assert body["code"] == code and set(body) == {"code", "message", "details"}
    return body


@pytest.fixture
def serve(app_config):
    """serve(**config) -> LiveServer of a new app with those settings (stopped at teardown)."""
    started = []

    def _serve(**overrides):
        app = create_app({**app_config, **overrides})
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield _serve
    for server in started:
        server.stop()
        server.app.extensions["ortak.db"].dispose()


# ---- through the app alone (the test client has no server limits of its own) -----------------

def test_request_line_limit(client, auth):
    base = "GET /api/v1/assets?q= HTTP/1.1"
    ok = "/api/v1/assets?q=" + "a" * (REQUEST_LINE_MAX - len(base))
    assert client.get(ok, headers=auth).status_code == 200
    resp = client.get(ok + "a", headers=auth)
    assert resp.status_code == 414
    assert resp.get_json()["error"] == {
        "code": "uri_too_long", "message": resp.get_json()["error"]["message"],
        "details": {"limit": REQUEST_LINE_MAX, "length": REQUEST_LINE_MAX + 1}}
    assert client.get("/" + "x" * REQUEST_LINE_MAX).status_code == 414  # pages too, before routing


def test_header_field_limit(app, client, auth):
    limit = app.config["MAX_HEADER_BYTES"]
    filler = "X-Filler"
    at_limit = "v" * (limit - len(filler) - 4)
    assert client.get("/api/v1/me", headers={**auth, filler: at_limit}).status_code == 200
    resp = client.get("/api/v1/me", headers={**auth, filler: at_limit + "v"})
    assert resp.status_code == 431 and resp.get_json()["error"]["code"] == "header_too_large"
    assert resp.get_json()["error"]["details"] == {"header": filler, "limit": limit, "length": limit + 1}


def test_header_count_limit(app, client, auth):
    from flask import request

    auth = {**auth, "User-Agent": "limits-test"}
    with app.test_request_context("/api/v1/me", headers=auth):
        baseline = len(list(request.headers))  # with the Host the test client adds
    extra = {f"X-H{i}": "1" for i in range(HEADER_FIELDS_MAX - baseline)}
    assert client.get("/api/v1/me", headers={**auth, **extra}).status_code == 200
    resp = client.get("/api/v1/me", headers={**auth, **extra, "X-One-More": "1"})
    assert resp.status_code == 431 and resp.get_json()["error"]["code"] == "too_many_headers"


# ---- over real HTTP (Werkzeug's server, as in development) ------------------------------------

def test_werkzeug_server_gets_the_app_s_json_414(live_server, producer):
    long_url = live_server.url + "/api/v1/search?q=" + "a" * 9000
    json_error(requests.get(long_url, headers={"Authorization": f"Bearer {producer[1]}"}, timeout=10),
               414, "uri_too_long")


def test_upload_metadata_up_to_the_advertised_length_is_parsed(serve, producer):
    server = serve(MAX_HEADER_BYTES=8192)
    advertised = int(requests.options(server.url + UPLOADS, timeout=10).headers[METADATA_LIMIT_HEADER])
    assert advertised == metadata_limit(8192) == 8192 - len("Upload-Metadata: \r\n")
    resp = requests.post(server.url + UPLOADS, timeout=10, headers=tus(
        producer[1], **{"Upload-Length": "10", "Upload-Metadata": metadata_of_length(advertised)}))
    assert resp.status_code == 201, resp.text
    resp = requests.post(server.url + UPLOADS, timeout=10, headers=tus(
        producer[1], **{"Upload-Length": "10", "Upload-Metadata": metadata_of_length(advertised + 1)}))
    body = json_error(resp, 431, "header_too_large")
    assert body["details"]["header"] == "Upload-Metadata" and body["details"]["limit"] == 8192
    assert "close" in resp.headers["Connection"]
    doc = requests.get(server.url + "/api/v1/openapi.json", timeout=10).json()
    header = next(p for p in doc["paths"][UPLOADS]["post"]["parameters"] if p.get("name") == "Upload-Metadata")
    assert header["schema"]["maxLength"] == advertised


def test_the_default_limit_fits_the_development_server(live_server, producer):
    # 65536 is also the longest header line Python's http.client (under Werkzeug) reads.
    advertised = int(requests.options(live_server.url + UPLOADS, timeout=10).headers[METADATA_LIMIT_HEADER])
    assert advertised == 65536 - 19
    resp = requests.post(live_server.url + UPLOADS, timeout=10, headers=tus(
        producer[1], **{"Upload-Length": "10", "Upload-Metadata": metadata_of_length(advertised)}))
    assert resp.status_code == 201, resp.text
    resp = requests.post(live_server.url + UPLOADS, timeout=10, headers=tus(
        producer[1], **{"Upload-Length": "10", "Upload-Metadata": metadata_of_length(advertised + 1)}))
    # Refused by the development server itself, before the app, in the same shape.
    json_error(resp, 431, "header_too_large")
    many = {f"X-H{i}": "1" for i in range(120)}
    json_error(requests.get(live_server.url + "/api/v1/me", headers=many, timeout=10), 431, "too_many_headers")
    json_error(requests.get(live_server.url + "/x" + "a" * 70_000, timeout=10), 414, "uri_too_long")


def test_the_limit_is_a_setting_with_a_floor(app_config):
    from archive.config import ConfigError

    with pytest.raises(ConfigError, match="MAX_HEADER_BYTES"):
        create_app({**app_config, "MAX_HEADER_BYTES": 1000})
