"""The access gate (archive.access.gate): every byte route asks the policy, one record per use."""
from __future__ import annotations

import json
import os
import re
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from archive import db
from archive.access.gate import check_read
from archive.access.models import ReadSession
from archive.access.policies import ALLOWED_WITH_CONDITIONS, DENIED, MASTER, AccessPolicy, PolicyDecision, Reader, \
    ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.usage.models import UsageRecord
from archive.usage.services import verify_chain
from tests.asset_factory import create_asset

DATA = os.urandom(40 * 1024 + 3)
PROXY = b"proxy bytes " * 50
POSTER = b"\xff\xd8poster" * 20


class DenyAll(AccessPolicy):
    name = "deny_all"

    def decide(self, reader, request):
        return PolicyDecision(DENIED, [{"code": "test_denial", "message": "Nobody may read anything."}])


class WithCredit(AccessPolicy):
    name = "with_credit"

    def decide(self, reader, request):
        return PolicyDecision(ALLOWED_WITH_CONDITIONS, conditions={"credit": {"tr": "Kaynak: İTV"}}, blocks=[7])


@pytest.fixture
def asset(app, producer):
    return create_asset(app, producer[0], data=DATA, filename="Şəki.mp4", renditions={
        "proxy": {"data": PROXY, "content_type": "video/mp4", "ext": ".mp4"},
        "poster": {"data": POSTER, "content_type": "image/jpeg", "ext": ".jpg"}})


def records(app):
    with app.app_context():
        return list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))


def dl(asset_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/assets/{asset_id}/download" + (f"?{query}" if query else "")


def test_forty_range_requests_are_one_use_and_a_read_past_byte_0_is_recorded(app, client, auth, asset):
    size = len(DATA)
    step = size // 40 + 1
    ranges = [(start, min(size, start + step) - 1) for start in range(0, size, step)]
    ranges = ranges[1:] + ranges[:1]  # begins past byte 0, as a resumed download does
    got = {}
    for start, end in ranges:
        resp = client.get(dl(asset), headers={**auth, "Range": f"bytes={start}-{end}"})
        assert resp.status_code == 206
        got[start] = resp.data
    assert len(ranges) == 40
    assert b"".join(got[s] for s in sorted(got)) == DATA
    [rec] = records(app)
    assert (rec.rendition, rec.action, rec.decision) == ("original", "download", "allowed")
    with app.app_context():
        assert verify_chain(db.session()) is None


def test_bytes_1_onwards_is_no_longer_an_unrecorded_read(app, client, auth, asset):
    resp = client.get(dl(asset), headers={**auth, "Range": "bytes=1-"})
    assert resp.status_code == 206 and resp.data == DATA[1:]
    assert len(records(app)) == 1


def test_parallel_range_requests_of_one_player_open_one_use(app, live_server, auth, asset):
    errors = []

    def fetch(i):
        try:
            r = requests.get(live_server.url + dl(asset), headers={**auth, "Range": f"bytes={i * 100}-{i * 100 + 99}"},
                             timeout=30)
            assert r.status_code == 206 and r.content == DATA[i * 100:i * 100 + 100]
        except Exception as exc:  # collected: an assert in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(records(app)) == 1


def test_a_new_declaration_is_a_new_use_and_is_kept_in_the_record(app, client, auth, asset):
    client.get(dl(asset), headers=auth)
    decl = "platform=linear_tv&territory=az&from=2027-01-01&to=2027-01-31&programme=Xəbərlər&purpose=news"
    resp = client.get(dl(asset) + "?" + decl, headers=auth)
    assert resp.status_code == 200
    client.get(dl(asset) + "?" + decl, headers={**auth, "Range": "bytes=5-9"})
    first, second = records(app)
    assert first.declaration is None
    assert second.declaration == {"platform": "linear_tv", "territory": "AZ", "from": "2027-01-01",
                                  "to": "2027-01-31", "programme": "Xəbərlər", "purpose": "news"}


@pytest.mark.parametrize("query, field, code", [
    ("platform=telepathy", "platform", "invalid_choice"),
    ("territory=Narnia", "territory", "invalid_territory"),
    ("territory=ZZ", "territory", "invalid_territory"),  # two letters, but no ISO 3166-1 country
    ("from=2027-13-01", "from", "invalid_date"),
    ("from=2027-02-01&to=2027-01-01", "to", "window_reversed"),
    ("programme=" + "x" * 301, "programme", "too_long"),
])
def test_a_bad_declaration_is_422_and_records_nothing(app, client, auth, asset, query, field, code):
    resp = client.get(dl(asset) + "?" + query, headers=auth)
    assert resp.status_code == 422
    body = resp.get_json()["error"]
    assert body["code"] == "invalid_declaration"
    assert [(e["field"], e["code"]) for e in body["details"]["errors"]] == [(field, code)]
    assert records(app) == []


@pytest.mark.parametrize("first, second", [("bag", "download"), ("download", "bag"), ("download", "clip"),
                                           ("clip", "bag")])
def test_two_different_actions_on_one_thing_are_two_uses(app, producer, asset, first, second):
    """An export for deposit and a download of the same original, one right after the other,
    with the same declaration, are two uses: the read session never spans two actions."""
    with app.app_context():
        s = db.session()
        reader = Reader.for_user(s.get(User, producer[0]))
        thing = s.get(Asset, asset)
        for action in (first, first, second, second, first):
            check_read(s, reader, ReadRequest(asset=thing, what="original", quality=MASTER, action=action))
        s.commit()
    assert [r.action for r in records(app)] == [first, second]


def test_after_the_read_window_the_next_request_is_a_new_use(app, client, auth, asset):
    client.get(dl(asset), headers=auth)
    with app.app_context():
        s = db.session()
        for row in s.scalars(select(ReadSession)):
            row.last_seen_at -= timedelta(hours=2)
        s.commit()
    client.get(dl(asset), headers={**auth, "Range": "bytes=0-9"})
    assert len(records(app)) == 2


def test_previews_pass_the_gate_without_a_record(app, client, auth, asset):
    assert client.get(dl(asset, rendition="proxy"), headers=auth).data == PROXY
    assert records(app) == []


def test_conditions_travel_with_the_bytes_and_into_the_record(app, client, auth, asset):
    app.extensions["ortak.access_policy"] = WithCredit()
    resp = client.get(dl(asset), headers=auth)
    assert resp.status_code == 200 and resp.data == DATA
    assert resp.headers["Ortak-Access-Decision"] == "allowed_with_conditions"
    assert json.loads(resp.headers["Ortak-Access-Conditions"]) == {"credit": {"tr": "Kaynak: İTV"}}
    [rec] = records(app)
    assert (rec.decision, rec.conditions) == ("allowed_with_conditions", {"credit": {"tr": "Kaynak: İTV"}})


def _blobs(app) -> list[bytes]:
    return [DATA, PROXY, POSTER]


def _asset_routes(app):
    """Every GET route of the app that takes an asset id."""
    for rule in app.url_map.iter_rules():
        if "asset_id" in rule.arguments and "GET" in rule.methods:
            yield rule


def _files(app, asset_id):
    """(rendition name, path) of every file of the asset's renditions."""
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        return [(r.name, f.path) for r in asset.renditions for f in r.files]


def _fill(rule, values):
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values.get(arg, "x"), url)
    return url


def _variants(rule, asset_id, files):
    """URLs of the rule for the asset: with each file of each rendition where the rule
    takes a rendition `name` and a `path`, and each rendition as a query parameter."""
    if "path" in rule.arguments:
        for name, path in files:
            yield _fill(rule, {"asset_id": asset_id, "name": name, "path": path})
        return
    base = _fill(rule, {"asset_id": asset_id, "name": "proxy"})
    yield base
    for name in ("original", "proxy", "poster"):
        yield f"{base}?rendition={name}"


def test_every_route_that_returns_asset_bytes_goes_through_the_gate(app, client, auth, asset):
    """Found by looking, not by a list: any route answering with stored bytes must obey a policy
    that denies everything with 403 rights_denied and a denied record."""
    byte_urls = []
    files = _files(app, asset)
    assert sorted(files) == [("poster", "poster.jpg"), ("proxy", "proxy.mp4")]
    for rule in _asset_routes(app):
        for target in _variants(rule, asset, files):
            resp = client.get(target, headers=auth)
            if resp.status_code < 300 and any(resp.data == blob for blob in _blobs(app)):
                byte_urls.append(target)
    assert len(byte_urls) >= 5  # original, proxy, poster at least, by download and by file route
    assert f"/api/v1/assets/{asset}/renditions/proxy/proxy.mp4" in byte_urls
    app.extensions["ortak.access_policy"] = DenyAll()
    before = len(records(app))
    for target in byte_urls:
        for headers in ({}, {"Range": "bytes=1-"}, {"If-None-Match": "*"}):
            resp = client.get(target, headers={**auth, **headers})
            assert resp.status_code == 403, target
            err = resp.get_json()["error"]
            assert err["code"] == "rights_denied"
            assert err["details"]["reasons"] == [{"code": "test_denial", "message": "Nobody may read anything."}]
        assert client.head(target, headers=auth).status_code == 403
    denied = [r for r in records(app)[before:] if r.decision == "denied"]
    # One denied record per thing refused (repeats within the read window are the same attempt).
    assert len(denied) == len({(r.asset_id, r.rendition) for r in denied})
    assert {r.rendition for r in denied} == {"original", "proxy", "poster"}
    assert len(records(app)) - before == len(denied)


def test_an_unknown_policy_stops_the_app_at_start(app_config):
    from archive import create_app
    from archive.config import ConfigError

    with pytest.raises(ConfigError, match="ACCESS_POLICY"):
        create_app({**app_config, "ACCESS_POLICY": "everyone"})
