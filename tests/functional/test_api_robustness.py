"""A client's mistake is never a 500: every integer and enum parameter, every JSON body,
every unsupported method, through the Flask test client and over real HTTP.
"""
from __future__ import annotations

import http.client
import json

import pytest

from tests.asset_factory import create_asset
from tests.http import api_error as error
from tests.http import bearer
from tests.unit.web.conftest import log_in

# Members of the class "text a careless int() would mishandle": non-ASCII digits that
# isdigit() accepts and int() refuses (or accepts), signs, spaces, separators, floats, huge.
HOSTILE_INTEGERS = ["%C2%B2", "%EF%BC%91", "%D9%A3", "%E2%81%B5", "%F0%9D%9F%99", "+1", "-1", "%201", "1%20",
                    "1%0A", "1_0", "0x10", "1e3", "1.0", "1" + "0" * 30, "9" * 5000, "%00", "one", "[]", "0"]
INTEGER_PARAMETERS = [("/api/v1/assets", "page"), ("/api/v1/assets", "per_page"),
                      ("/api/v1/search", "page"), ("/api/v1/search", "per_page")]




@pytest.fixture
def asset(app, producer):
    return create_asset(app, producer[0])


@pytest.mark.parametrize("path, name", INTEGER_PARAMETERS)
def test_every_integer_parameter_refuses_what_is_not_ascii_digits(client, auth, path, name):
    for raw in HOSTILE_INTEGERS:
        e = error(client.get(f"{path}?{name}={raw}", headers=auth), 400, "invalid_parameter")
        assert e["details"]["parameter"] == name and e["details"]["min"] == 1, raw
    assert client.get(f"{path}?{name}=0002", headers=auth).get_json()[name] == 2


def test_the_search_page_shows_the_first_page_for_any_page_number(client, make_user):
    _, token = make_user("broadcaster", email="reader@example.org")
    assert log_in(client, "reader@example.org").status_code == 302
    for raw in HOSTILE_INTEGERS:
        resp = client.get(f"/?page={raw}")
        assert resp.status_code == 200, (raw, resp.status_code)


@pytest.mark.parametrize("query", ["kind=movie", "kind=VIDEO", "country=XX", "country=tr", "genre=opera",
                                   "language=xx", "language=turkish", "year=19x5", "year=75", "year=%C2%B9975",
                                   "lang=de", "kind=video&kind=movie"])
def test_every_enum_search_parameter_is_checked(client, auth, query):
    e = error(client.get(f"/api/v1/search?{query}", headers=auth), 400, "invalid_parameter")
    assert e["details"]["parameter"] == query.split("=")[0]


def test_valid_facet_values_search(client, auth):
    resp = client.get("/api/v1/search?kind=video&country=TR&country=AZ&genre=film&language=tur&year=1975",
                      headers=auth)
    assert resp.status_code == 200 and resp.get_json()["total"] == 0


def test_list_and_read_enum_parameters(client, auth, asset):
    for query in ("status=deleted", "status=READY"):
        error(client.get(f"/api/v1/assets?{query}", headers=auth), 400, "invalid_parameter")
    for query in ("lang=de", "lang=TR"):
        error(client.get(f"/api/v1/assets/{asset}?{query}", headers=auth), 400, "invalid_parameter")
        error(client.patch(f"/api/v1/assets/{asset}?{query}", headers=auth, json={}), 400, "invalid_parameter")


def test_download_inline_flag_is_checked(client, auth, asset):
    error(client.get(f"/api/v1/assets/{asset}/download?inline=maybe", headers=auth), 400, "invalid_parameter")
    resp = client.get(f"/api/v1/assets/{asset}/download?inline=1", headers=auth)
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("inline")


# ---- JSON bodies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, reason", [
    ("[" * 1000 + "]" * 1000, "too_deep"),
    ('{"title": ' + "{" * 1000 + "}" * 1000 + "}", "too_deep"),
    ('{"keywords": [' + "[" * 900 + "]" * 900 + "]}", "too_deep"),
    ('{"recorded": NaN}', "not_finite"),
    ('{"recorded": Infinity}', "not_finite"),
    ('{"recorded": 1e400}', "not_finite"),
    ('{"recorded": ' + "1" * 5000 + "}", "number_too_long"),
    ('{"genre": "film", "genre": "news"}', "duplicate_key"),
    ('{"title": {"tr": "\\ud800"}}', "invalid_unicode"),
    ('"just text"', "not_an_object"),
    ("[]", "not_an_object"),
    ("", "syntax"),
])
def test_hostile_json_bodies_are_400(client, auth, asset, body, reason):
    e = error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data=body, content_type="application/json"),
              400, "malformed_json")
    assert e["details"]["reason"] == reason


def test_an_oversized_body_is_413_before_it_is_read(client, auth, asset):
    big = json.dumps({"description": {"tr": "a" * (1024 * 1024)}})
    e = error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data=big, content_type="application/json"),
              413, "body_too_large")
    assert e["details"]["limit"] == 1024 * 1024


def test_a_json_content_type_with_parameters_or_a_suffix_is_json(client, auth, asset):
    for ctype in ("application/json; charset=utf-8", "application/merge-patch+json"):
        resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, data='{"genre": "film"}', content_type=ctype)
        assert resp.status_code == 200, resp.get_json()


def test_null_removes_lists_as_the_document_says(client, auth, asset):
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth,
                        json={"keywords": ["saz"], "people": ["Aşık Veysel"], "languages": ["tur"]})
    assert resp.get_json()["metadata"]["languages"] == ["tr"]
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"keywords": None, "people": None})
    assert resp.status_code == 200, resp.get_json()
    meta = resp.get_json()["metadata"]
    assert meta["keywords"] == [] and meta["people"] == [] and meta["languages"] == ["tr"]


def test_a_patch_that_would_leave_no_title_is_refused(client, auth, asset):
    assert client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"title": {"tr": "Saz"}}).status_code == 200
    for body in ({"title": {"tr": ""}}, {"title": None}, {"title": {"tr": "  "}}):
        e = error(client.patch(f"/api/v1/assets/{asset}", headers=auth, json=body), 422, "invalid_metadata")
        assert [x["code"] for x in e["details"]["errors"]] == ["empty_title"]
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"title": {"tr": "", "en": "Saz"}})
    assert resp.get_json()["metadata"]["title"] == {"en": "Saz"}


# ---- methods -------------------------------------------------------------------------------------

def raw_request(server, method: str, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


UNSUPPORTED = ["TRACE", "CONNECT", "PROPFIND", "MKCOL", "LOCK", "BREW", "X-ANY-TOKEN", "PUT"]


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/assets/{id}", "/api/v1/assets/{id}/download",
                                  "/api/v1/assets/{id}/history", "/api/v1/search", "/api/v1/me",
                                  "/api/v1/openapi.json", "/api/v1/uploads", "/api/v1/uploads/{id}", "/healthz"])
def test_unsupported_methods_are_405_with_allow_in_the_json_shape(live_server, producer, asset, path):
    for method in UNSUPPORTED:
        for headers in (bearer(producer[1]), {}):
            status, got, body = raw_request(live_server, method, path.format(id=asset), headers)
            assert status == 405, (method, path, status, body[:200])
            allow = {m.strip() for m in got["Allow"].split(",")}
            assert allow and method not in allow
            error_ = json.loads(body)["error"]
            assert error_["code"] == "method_not_allowed" and set(error_["details"]["allowed"]) == allow
            assert got["Content-Type"] == "application/json"


def test_a_body_shorter_than_its_content_length_is_refused_not_applied(app, live_server, producer, asset):
    """A client that stops before the length it announced did not send the body it meant."""
    import socket

    body = b'{"genre":"news"}'
    head = (f"PATCH /api/v1/assets/{asset} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {producer[1]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body) + 84}\r\nConnection: close\r\n\r\n")
    with socket.create_connection((live_server.host, live_server.port), timeout=30) as s:
        s.sendall(head.encode() + body)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    payload = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert status == 400 and payload["error"]["code"] == "malformed_json"
    assert payload["error"]["details"]["reason"] == "incomplete"
    from archive import db
    from archive.assets.models import Asset

    with app.app_context():
        assert (db.session().get(Asset, asset).meta or {}).get("genre") is None


@pytest.mark.parametrize("segment", HOSTILE_INTEGERS)
def test_an_id_that_names_no_row_is_the_resources_own_404(client, auth, asset, segment):
    """`abc`, `-1`, `٣` or an id past any row's reach in place of a marker's or a rights block's
    id: the resource's own 404 (archive.api.converters), never the bare not_found or a 500."""
    error(client.patch(f"/api/v1/assets/{asset}/markers/{segment}", json={"text": "x"}, headers=auth), 404,
          "marker_not_found")
    error(client.delete(f"/api/v1/assets/{asset}/markers/{segment}", headers=auth), 404, "marker_not_found")
