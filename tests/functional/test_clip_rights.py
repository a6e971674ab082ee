"""Rights and fixity hold for what a clip or a basket zip DELIVERS (trial findings F3, F5).

The master has one keyframe in 8 s and B-frames, as a short libx264 file has: a `fast` clip
(a stream copy) starts on the keyframe at 0 whatever `in` says, so the rights are asked about
that span; a master whose latest fixity check failed is not cut or zipped."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset
from archive.provenance import fixity
from archive.usage.models import UsageRecord
from tests.clip_media import frame_hashes, make_master
from tests.functional.test_baskets_api import _basket, _build
from tests.functional.test_clips_api import make_source

USE = {"platform": "vod", "territory": "TR", "from": "2027-01-01", "to": "2027-01-31",
       "purpose": "belgesel", "programme": "Düğünler"}
GRANT = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"],
         "platforms": ["vod", "linear_tv"], "start": "2026-01-01", "end": "2027-12-31",
         "conditions": {"max_clip_seconds": 5, "credit": {"tr": "Kaynak: İTV"}}}


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    return make_master(tmp_path_factory.mktemp("sparse") / "susa.mp4", seconds=8, gop=250, bframes=3,
                       audio_tracks=1)


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT")}


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


def _master(app, client, people, sparse, grant=GRANT):
    asset_id = make_source(app, people, sparse)
    r = client.post(f"/api/v1/assets/{asset_id}/rights", json=grant, headers=H(people, "manager"))
    assert r.status_code == 201, r.get_json()
    return asset_id


def _assets(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Asset))


def _uses(app):
    with app.app_context():
        return [(u.decision, u.segment) for u in db.session().scalars(select(UsageRecord).order_by(UsageRecord.id))]


def clip(client, asset_id, body, h):
    return client.post(f"/api/v1/assets/{asset_id}/clips", json=body, headers=h)


def test_a_fast_clip_whose_keyframe_lead_in_breaks_max_clip_seconds_is_409_and_makes_nothing(app, client, people,
                                                                                              sparse):
    master = _master(app, client, people, sparse)
    before = _assets(app)
    body = {"in": "10:00:03:00", "out": "10:00:07:24", "mode": "fast", "declaration": USE}  # 4.96 s asked
    r = clip(client, master, body, H(people, "trt"))
    assert r.status_code == 409, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "fast_cut_not_cleared" and "accurate" in err["message"]
    assert err["details"]["delivered"] == {"in": "10:00:00:00", "out": "10:00:07:24", "in_seconds": 0.0,
                                           "out_seconds": 7.96}
    assert err["details"]["requested"]["in_seconds"] == 3.0
    assert [x["code"] for x in err["details"]["reasons"]][:1] == ["clip_too_long"]
    assert _assets(app) == before
    assert _uses(app) == [("denied", {"in": 0.0, "out": 7.96})]  # the refused attempt, as delivered
    # The same span, frame-exact: cleared, and the record names 3.0-7.96.
    ok = clip(client, master, {**body, "mode": "accurate"}, H(people, "trt"))
    assert ok.status_code == 202, ok.get_json()
    assert ok.get_json()["lineage"]["cleared"]["in_seconds"] == 3.0
    assert _uses(app)[-1] == ("allowed_with_conditions", {"in": 3.0, "out": 7.96})
    # A span the rights refuse as asked is the plain 403, fast or not.
    r = clip(client, master, {**body, "in": "10:00:01:00"}, H(people, "trt"))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "rights_denied"


def test_a_fast_clip_is_decided_and_recorded_on_the_span_it_delivers(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    r = clip(client, master, {"in": "10:00:02:00", "out": "10:00:04:00", "mode": "fast", "declaration": USE},
             H(people, "trt"))
    assert r.status_code == 202, r.get_json()
    lineage = r.get_json()["lineage"]
    assert lineage["cleared"] == {"in": "10:00:00:00", "out": "10:00:04:00", "in_seconds": 0.0, "out_seconds": 4.0,
                                  "in_frame": 0, "out_frame": 100}
    assert _uses(app) == [("allowed_with_conditions", {"in": 0.0, "out": 4.0})]
    with app.app_context():
        assert process_asset(r.get_json()["id"]) == "ready"
        made = db.session().get(Asset, r.get_json()["id"])
        assert made.lineage["actual_in_frame"] == 0 and 97 <= made.lineage["actual_out_frame"] <= 100
        path = storage().local_path(made.original_key)
    assert frame_hashes(path) == frame_hashes(sparse)[:made.lineage["actual_out_frame"]]


def test_a_segment_limited_grant_is_not_stretched_by_the_keyframe(app, client, people, sparse):
    master = _master(app, client, people, sparse, {**GRANT, "conditions": {},
                                                   "segment": {"in": "10:00:02:00", "out": "10:00:08:00"}})
    r = clip(client, master, {"in": "10:00:03:00", "out": "10:00:05:00", "mode": "fast", "declaration": USE},
             H(people, "trt"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "fast_cut_not_cleared"
    assert r.get_json()["error"]["details"]["reasons"][-1]["code"] == "not_covered"


def test_a_basket_segment_the_fast_cut_would_stretch_is_cut_accurately(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    h = H(people, "trt")
    bid = _basket(client, h)
    for span in (("10:00:01:00", "10:00:04:00"), ("10:00:03:00", "10:00:07:24")):  # 4 s from 0: fast; 8 s: not
        r = client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": master, "in": span[0], "out": span[1]},
                        headers=h)
        assert r.status_code == 201, r.get_json()
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    assert _build(app, bid) == "ready"
    data = client.get(f"/api/v1/baskets/{bid}/zip", headers=h).data
    zf = zipfile.ZipFile(io.BytesIO(data))
    rows = json.loads(zf.read("manifest.json"))["items"]
    assert [(r["cut"], r["actual_in_seconds"]) for r in rows] == [("fast", 0.0), ("accurate", 3.0)]
    assert rows[1]["actual_out_seconds"] == 7.96 and rows[0]["actual_out_seconds"] <= 4.0
    assert _uses(app)[-2:] == [("allowed_with_conditions", {"in": 0.0, "out": 4.0}),
                               ("allowed_with_conditions", {"in": 3.0, "out": 7.96})]
    path = app.config["DATA_DIR"] + "/item2.mov"
    with open(path, "wb") as fh:
        fh.write(zf.read(rows[1]["file"]))
    assert frame_hashes(path) == frame_hashes(sparse)[75:199]  # exactly what was asked, nothing before


def _damage(app, asset_id):
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        with open(storage().local_path(asset.original_key), "r+b") as fh:
            fh.seek(200)
            byte = fh.read(1)
            fh.seek(200)
            fh.write(bytes([byte[0] ^ 0xFF]))
        assert fixity.check_all(s, storage(), "test-agent", asset_id=asset_id).counts["fail"] == 1
        s.commit()
        return asset.sha256


@pytest.mark.parametrize("mode", ["accurate", "fast"])
def test_a_master_whose_fixity_check_failed_is_not_clipped(app, client, people, sparse, mode):
    master = make_source(app, people, sparse)
    recorded = _damage(app, master)
    before = _assets(app)
    r = clip(client, master, {"in": "10:00:01:00", "out": "10:00:03:00", "mode": mode}, H(people, "producer"))
    assert r.status_code == 409, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "fixity_failed" and "halay.mp4" in err["message"]
    assert err["details"]["file"] == "halay.mp4" and err["details"]["expected_sha256"] == recorded
    assert err["details"]["actual_sha256"] not in (None, recorded) and err["details"]["asset_id"] == master
    assert _assets(app) == before and _uses(app) == []


def test_a_clip_asked_for_before_the_damage_was_found_fails_its_cut(app, client, people, sparse):
    master = make_source(app, people, sparse)
    r = clip(client, master, {"in": "10:00:01:00", "out": "10:00:03:00", "mode": "accurate"}, H(people, "producer"))
    assert r.status_code == 202
    _damage(app, master)
    with app.app_context():
        assert process_asset(r.get_json()["id"]) == "failed"
        made = db.session().get(Asset, r.get_json()["id"])
        assert not made.original_key and "fixity" in json.dumps(made.steps["cut"])


def test_a_basket_holding_a_master_whose_fixity_check_failed_is_not_zipped(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    h = H(people, "trt")
    bid = _basket(client, h)
    r = client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": master, "in": 1, "out": 3}, headers=h)
    item = r.get_json()["id"]
    recorded = _damage(app, master)
    r = client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h)
    assert r.status_code == 409, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "fixity_failed" and err["details"]["item"] == item
    assert err["details"]["expected_sha256"] == recorded and _uses(app) == []
