"""Markers API (`/api/v1/assets/{id}/markers`): timecodes against the master's rate and start
timecode, drop-frame at 29.97, bad and hostile input, who may change what, Events, search."""
from __future__ import annotations

import json

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.indexing import index_asset
from archive.markers.models import Marker
from search.interfaces import SearchQuery
from tests.asset_factory import create_asset

PAL = {"duration": 60.0, "frame_rate": "25/1", "start_timecode": "10:00:00:00"}
NTSC_DF = {"duration": 120.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"}


@pytest.fixture
def people(make_user):
    author = make_user("broadcaster", "AZ", org="İTV")
    other = make_user("broadcaster", "TR", org="TRT")
    admin = make_user("admin", "TR", org="TRT")
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in
            {"author": author, "other": other, "admin": admin}.items()}


def _asset(app, people, technical, kind="video", data=b"x"):
    asset_id = create_asset(app, people["admin"]["id"], data=data + json.dumps(technical).encode(), kind=kind)
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).technical = technical
        s.commit()
    return asset_id


@pytest.fixture
def pal(app, people):
    return _asset(app, people, PAL)


def _post(client, asset_id, body, headers):
    return client.post(f"/api/v1/assets/{asset_id}/markers", json=body, headers=headers)


def test_add_and_list_markers_on_the_masters_timecode(client, pal, people):
    h = people["author"]["h"]
    r = _post(client, pal, {"in": "10:00:12:05", "out": None, "text": "Kəndirbaz Ağa Rəşid"}, h)
    assert r.status_code == 201, r.get_json()
    m = r.get_json()
    assert (m["in"], m["out"], m["in_seconds"], m["out_seconds"]) == ("10:00:12:05", None, 12.2, None)
    assert m["text"] == "Kəndirbaz Ağa Rəşid" and m["author"]["id"] == people["author"]["id"] and m["editable"]
    r = _post(client, pal, {"in": "10:00:02:00", "out": "10:00:04:12", "text": "giriş"}, people["other"]["h"])
    assert r.status_code == 201 and r.get_json()["out_seconds"] == 4.48
    listed = client.get(f"/api/v1/assets/{pal}/markers", headers=h).get_json()
    assert listed["timeline"] == {"rate": "25/1", "fps": 25.0, "start": "10:00:00:00", "start_frames": 900000,
                                  "drop_frame": False, "frames": 1500}
    assert [(x["in"], x["text"], x["editable"]) for x in listed["markers"]] == [
        ("10:00:02:00", "giriş", False), ("10:00:12:05", "Kəndirbaz Ağa Rəşid", True)]


def test_drop_frame_at_29_97(client, app, people):
    asset_id = _asset(app, people, NTSC_DF)
    h = people["author"]["h"]
    # 00:01:00;02 is the first label of minute 1 (;00 and ;01 are dropped): frame 1800.
    m = _post(client, asset_id, {"in": "01:01:00;02", "text": "dakika"}, h).get_json()
    assert m["in"] == "01:01:00;02" and m["in_seconds"] == pytest.approx(1800 * 1001 / 30000)
    r = _post(client, asset_id, {"in": "01:01:00;01", "text": "yok"}, h)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["errors"][0]["reason"] == "dropped_label"
    # Ten minutes: no labels are dropped at minute 10, 17982 frames in.
    m = _post(client, asset_id, {"in": "01:00:59;29", "out": "01:01:00;02", "text": "kesim"}, h).get_json()
    assert (m["in"], m["out"]) == ("01:00:59;29", "01:01:00;02")
    with app.app_context():
        rows = db.session().query(Marker).order_by(Marker.in_frame).all()
        assert [(r.in_frame, r.out_frame, r.rate) for r in rows] == [(1799, 1800, "30000/1001"), (1800, None, "30000/1001")]


def test_audio_counts_at_25_and_images_have_no_timeline(client, app, people):
    audio = _asset(app, people, {"duration": 3.0, "kind": "audio"}, kind="audio", data=b"a")
    m = _post(client, audio, {"in": "00:00:01:13", "text": "muğam"}, people["author"]["h"]).get_json()
    assert m["in_seconds"] == 1.52
    image = _asset(app, people, {"width": 10, "height": 10}, kind="image", data=b"i")
    r = _post(client, image, {"in": "00:00:00:00", "text": "x"}, people["author"]["h"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_timeline"
    assert client.get(f"/api/v1/assets/{image}/markers", headers=people["author"]["h"]).get_json() == \
        {"timeline": None, "markers": []}


@pytest.mark.parametrize("body, field, code", [
    ({"in": "abc", "text": "x"}, "in", "invalid_timecode"),
    ({"in": 12, "text": "x"}, "in", "invalid_timecode"),
    ({"in": ["10:00:00:00"], "text": "x"}, "in", "invalid_timecode"),
    ({"in": "10:00:12:25", "text": "x"}, "in", "invalid_timecode"),  # frame 25 at 25 fps
    ({"in": "10:00:12;05", "text": "x"}, "in", "invalid_timecode"),  # drop-frame at 25 fps
    ({"in": "10:61:00:00", "text": "x"}, "in", "invalid_timecode"),
    ({"in": "10:00:12:05" + "0" * 100, "text": "x"}, "in", "invalid_timecode"),
    ({"in": "10:01:00:00", "text": "x"}, "in", "out_of_range"),  # the master is 60 s long
    ({"in": "09:59:59:24", "text": "x"}, "in", "before_start"),  # before the start timecode
    ({"in": "00:00:01:05", "text": "x"}, "in", "before_start"),
    ({"in": "10:00:01:00", "out": "10:01:00:01", "text": "x"}, "out", "out_of_range"),
    ({"in": "10:00:05:00", "out": "10:00:04:00", "text": "x"}, "out", "out_before_in"),
    ({"in": "10:00:05:00", "out": "10:00:05:00", "text": "x"}, "out", "out_before_in"),
    ({"text": "x"}, "in", "required"),
    ({"in": "10:00:01:00"}, "text", "required"),
    ({"in": "10:00:01:00", "text": "   \n "}, "text", "empty"),
    ({"in": "10:00:01:00", "text": 5}, "text", "not_text"),
    ({"in": "10:00:01:00", "text": "ş" * 2001}, "text", "too_long"),
    ({"in": "10:00:01:00", "text": "a\x00b"}, "text", "forbidden_characters"),
    ({"in": "10:00:01:00", "text": "abc\u202egnp.exe"}, "text", "forbidden_characters"),
    ({"in": "10:00:01:00", "text": "a\x1b[31mred"}, "text", "forbidden_characters"),
    ({"in": "10:00:01:00", "text": "x", "author": 1}, "body", "unknown_field"),
])
def test_bad_markers_are_422_and_nothing_is_stored(client, app, pal, people, body, field, code):
    r = _post(client, pal, body, people["author"]["h"])
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "invalid_marker"
    assert (field, code) in [(e["field"], e["code"]) for e in err["details"]["errors"]]
    with app.app_context():
        assert db.session().query(Marker).count() == 0


def test_malformed_bodies(client, pal, people):
    h = people["author"]["h"]
    url = f"/api/v1/assets/{pal}/markers"
    assert client.post(url, data="{", headers={**h, "Content-Type": "application/json"}).status_code == 400
    assert client.post(url, data="in=1", headers={**h, "Content-Type": "application/x-www-form-urlencoded"}
                       ).status_code == 415
    assert client.post(url, json=[1], headers=h).status_code == 400
    assert client.post(url, data='{"in": "\\ud800", "text": "x"}',
                       headers={**h, "Content-Type": "application/json"}).status_code == 400
    big = json.dumps({"in": "10:00:01:00", "text": "x" * (2 * 1024 * 1024)})
    assert client.post(url, data=big, headers={**h, "Content-Type": "application/json"}).status_code == 413


def test_html_is_kept_as_text(client, pal, people):
    text = '<script>alert(1)</script><img src=x onerror=alert(2)> "Şəki" & \'Bakı\''
    r = _post(client, pal, {"in": "10:00:01:00", "text": text}, people["author"]["h"])
    assert r.status_code == 201 and r.get_json()["text"] == text


def test_who_may_read_add_edit_and_remove(client, app, pal, people):
    url = f"/api/v1/assets/{pal}/markers"
    assert client.get(url).status_code == 401
    assert client.post(url, json={"in": "10:00:01:00", "text": "x"}).status_code == 401
    mid = _post(client, pal, {"in": "10:00:01:00", "text": "ilk"}, people["author"]["h"]).get_json()["id"]
    r = client.patch(f"{url}/{mid}", json={"text": "başqası"}, headers=people["other"]["h"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_marker_author"
    assert client.delete(f"{url}/{mid}", headers=people["other"]["h"]).status_code == 403
    r = client.patch(f"{url}/{mid}", json={"out": "10:00:03:00"}, headers=people["author"]["h"])
    assert r.status_code == 200 and (r.get_json()["in"], r.get_json()["out"], r.get_json()["text"]) == \
        ("10:00:01:00", "10:00:03:00", "ilk")
    r = client.patch(f"{url}/{mid}", json={"in": "10:00:04:00"}, headers=people["author"]["h"])
    assert r.status_code == 422  # in would come after out
    r = client.patch(f"{url}/{mid}", json={"text": "admin düzəltdi"}, headers=people["admin"]["h"])
    assert r.status_code == 200 and r.get_json()["text"] == "admin düzəltdi"
    assert client.patch(f"{url}/999999", json={"text": "x"}, headers=people["admin"]["h"]).status_code == 404
    assert client.delete(f"{url}/abc", headers=people["admin"]["h"]).status_code == 404
    for huge in ("2147483648", "9" * 30, "0", "-1"):
        r = client.patch(f"{url}/{huge}", json={"text": "x"}, headers=people["admin"]["h"])
        assert r.status_code == 404, huge
    other_asset = _asset(app, people, PAL, data=b"other")
    assert client.delete(f"/api/v1/assets/{other_asset}/markers/{mid}",
                         headers=people["author"]["h"]).status_code == 404
    assert client.delete(f"{url}/{mid}", headers=people["author"]["h"]).status_code == 204
    assert client.get(url, headers=people["author"]["h"]).get_json()["markers"] == []
    assert client.get("/api/v1/assets/not-an-id/markers", headers=people["author"]["h"]).status_code == 404
    history = client.get(f"/api/v1/assets/{pal}/history", headers=people["admin"]["h"]).get_json()["events"]
    assert [e["action"] for e in history] == ["marker.removed", "marker.changed", "marker.changed", "marker.added"]
    assert history[-1]["after"] == {"marker": mid, "in": "10:00:01:00", "out": None, "text": "ilk"}


def test_markers_are_searchable_as_timecoded_segments(client, app, pal, people):
    h = people["author"]["h"]
    _post(client, pal, {"in": "10:00:12:05", "out": "10:00:14:00", "text": "Şəki xan sarayı görünür"}, h)
    _post(client, pal, {"in": "10:00:20:00", "text": "başqa bir şey"}, h)
    with app.app_context():
        assert index_asset(db.session(), search_backend(), pal)
        result = search_backend().search(SearchQuery(text="sarayi"))
    assert [hit.id for hit in result.hits] == [pal]
    assert result.hits[0].segments == [{"in": "10:00:12:05", "out": "10:00:14:00", "in_seconds": 12.2,
                                        "out_seconds": 14.0, "text": "Şəki xan sarayı görünür",
                                        "highlight": "Şəki xan <mark>sarayı</mark> görünür", "lang": None,
                                        "source": "marker"}]
    api = client.get("/api/v1/search?q=SARAYI", headers=h).get_json()
    assert api["hits"][0]["segments"][0]["in"] == "10:00:12:05"
