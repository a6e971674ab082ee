"""An id made of encoded slashes and dot segments (`..%2f`, `a%2Fb`, `%2e%2e%2f`) names nothing,
and every /api/v1 route answers it as it answers any id that names nothing: the resource's own
error (`asset_not_found`, `basket_not_found`, ...), never the bare `not_found`, never a 500.

The servers decode `%2F` into PATH_INFO (`..%2f` arrives as `../`); archive.api.raw_path keeps
it inside its segment. Checked through the test client for every route and placeholder, and
over real HTTP (Werkzeug's server) for a few, since each server builds PATH_INFO itself.
"""
from __future__ import annotations

import http.client
import json

import pytest

from archive.api.raw_path import wsgi_path
from tests.asset_factory import create_asset
from tests.functional.test_route_permissions import (METHOD_ORDER, Actor, body_for, operations, placeholders,
                                                     url_for_rule, world)
from tests.http import api_error as error

__all__ = ["world"]  # the fixture, used here as in test_route_permissions

HOSTILE_IDS = ["..%2f", "..%2F", "%2f", "a%2Fb", "%2e%2e%2f", ".%2f", "..%2f..%2f..%2fetc%2fpasswd",
               "%2F%2F", "..%2f%00", "%252f"]
# Placeholders that are not ids: a rendition's name and file path (test_rendition_files), static
# file names, a language code, the action of a route.
NOT_IDS = {"name", "path", "filename", "code", "action"}


def _missing(rule: str, name: str) -> str:
    """An id of the right shape that names nothing, for comparison."""
    return "2147483647" if f"<int:{name}>" in rule else "0123456789abcdef0123456789abcdef"


def _error(resp) -> dict:
    doc = resp.get_json(silent=True)
    return (doc.get("error") or {}) if isinstance(doc, dict) and isinstance(doc.get("error"), dict) else {}


def test_every_api_route_answers_a_hostile_id_as_an_id_of_nothing(app, world):
    users, values, _fresh = world
    admin = Actor(app, "admin", "admin@ortak.example", users["admin"][1])
    wrong = []
    for method, rule in sorted(operations(app), key=lambda op: (METHOD_ORDER.index(op[0]), op[1])):
        if not rule.startswith("/api/v1/"):
            continue
        for name in sorted(placeholders(rule) - NOT_IDS):
            body = body_for(method, rule, values)
            plain = admin.send(method, url_for_rule(rule, {**values, name: _missing(rule, name)}), body)
            expected = (plain.status_code, _error(plain).get("code"))
            for hostile in HOSTILE_IDS:
                resp = admin.send(method, url_for_rule(rule, {**values, name: hostile}), body)
                err = _error(resp)
                got = (resp.status_code, err.get("code"))
                bodiless = method in ("HEAD", "OPTIONS") or resp.status_code < 400
                if got != expected or resp.status_code >= 500 or (
                        not bodiless and (err.get("code") == "not_found" or not err.get("message"))):
                    wrong.append(f"{method} {rule} <{name}>={hostile}: {got}, an id of nothing gets {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_the_asset_routes_answer_asset_not_found(client, auth, hostile):
    error(client.get(f"/api/v1/assets/{hostile}", headers=auth), 404, "asset_not_found")
    error(client.patch(f"/api/v1/assets/{hostile}", json={"genre": "film"}, headers=auth), 404, "asset_not_found")
    error(client.get(f"/api/v1/assets/{hostile}/markers", headers=auth), 404, "asset_not_found")
    error(client.get(f"/api/v1/baskets/{hostile}", headers=auth), 404, "basket_not_found")


def test_a_hostile_marker_id_or_rendition_name_is_the_resources_own_404(app, client, auth, producer):
    # (A hostile file path of a rendition: test_rendition_files.)
    asset = create_asset(app, producer[0])
    for hostile in HOSTILE_IDS:
        error(client.delete(f"/api/v1/assets/{asset}/markers/{hostile}", headers=auth), 404, "marker_not_found")
        error(client.get(f"/api/v1/assets/{asset}/renditions/{hostile}", headers=auth), 404, "rendition_not_found")
        error(client.get(f"/api/v1/assets/{asset}/renditions/{hostile}/master.m3u8", headers=auth), 404,
              "rendition_not_found")


def test_over_real_http_too(live_server, auth):
    for path, code in [("/api/v1/assets/..%2f", "asset_not_found"), ("/api/v1/assets/a%2Fb/markers", "asset_not_found"),
                       ("/api/v1/baskets/..%2F..%2F", "basket_not_found")]:
        conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
        try:
            conn.request("GET", path, headers=auth)
            resp = conn.getresponse()
            assert resp.status == 404, path
            assert json.loads(resp.read())["error"]["code"] == code, path
        finally:
            conn.close()


def test_only_the_encoded_slash_is_kept():
    assert wsgi_path("/a/..%2f%20b%2Fc%C3%A7", keep_encoded_slashes=True) == "/a/..%2f b%2Fc\xc3\xa7"
    assert wsgi_path("/a/..%2f%20b", keep_encoded_slashes=False) == "/a/../ b"
    assert wsgi_path("/a/%252f", keep_encoded_slashes=True) == "/a/%2f"  # %25 is a percent sign


UNREADABLE_INT_IDS = ["abc", "-1", "99999999999999999999999", "1e3", "٣"]


def test_an_unreadable_number_id_is_named_as_sent_not_as_0(app, world):
    """`<int:...>` ids that are no row number: a message that names the id names what was sent
    (bounded), never "0" (trial finding F12). (Which status each route answers is
    test_every_api_route_answers_a_hostile_id_as_an_id_of_nothing's.)"""
    users, values, _fresh = world
    admin = Actor(app, "admin", "admin@ortak.example", users["admin"][1])
    wrong, named = [], 0
    for method, rule in sorted(operations(app), key=lambda op: (METHOD_ORDER.index(op[0]), op[1])):
        if not rule.startswith("/api/v1/") or method in ("HEAD", "OPTIONS"):
            continue
        for name in sorted(n for n in placeholders(rule) if f"<int:{n}>" in rule):
            for sent in UNREADABLE_INT_IDS:
                resp = admin.send(method, url_for_rule(rule, {**values, name: sent}), body_for(method, rule, values))
                message = _error(resp).get("message") or ""
                if resp.status_code >= 500 or " 0 " in f" {message} ".replace(".", " "):
                    wrong.append(f"{method} {rule} <{name}>={sent}: {resp.status_code} {message!r}")
                named += sent in message
    assert not wrong, "\n".join(wrong)
    assert named >= 3 * len(UNREADABLE_INT_IDS), named  # markers, rights blocks, basket items at least


def test_a_long_unreadable_id_is_shown_bounded(client, make_user):
    _uid, token = make_user("producer", "TR", org="TRT")
    h = {"Authorization": f"Bearer {token}"}
    basket = client.post("/api/v1/baskets", json={"name": "Sepet"}, headers=h).get_json()["id"]
    resp = client.delete(f"/api/v1/baskets/{basket}/items/{'9' * 5000}", headers=h)
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "basket_item_not_found"
    assert resp.get_json()["error"]["message"] == f"No item {'9' * 80} in this basket."
