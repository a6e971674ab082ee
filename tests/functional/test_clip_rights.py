"""Rights and fixity hold for what a clip or a basket zip DELIVERS (trial findings F3, F5).

The master has one keyframe in 8 s and B-frames, as a short libx264 file has: a `fast` clip
(a stream copy) starts on the keyframe at 0 whatever `in` says, so the rights are asked about
that span; a master whose latest fixity check failed is not cut or zipped."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import func, select

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset
from archive.provenance import fixity
from archive.usage.models import UsageRecord
from tests.clip_media import frame_hashes, make_master
from tests.functional.test_baskets_api import _basket, _build
from tests.functional.test_clips_api import make_source
from tests.functional.test_rights_pages import login

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


# ---- F15: a clip's rights follow its master's ----------------------------------------------

AVAIL = {"platform": "vod", "territory": "TR", "from": "2027-01-01", "to": "2027-01-31"}


def _avails(client, people, asset_id, who="trt"):
    r = client.get(f"/api/v1/assets/{asset_id}/avails", query_string=AVAIL, headers=H(people, who))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _rights(client, people, asset_id):
    return client.get(f"/api/v1/assets/{asset_id}/rights", headers=H(people, "manager")).get_json()["items"]


def _cut_clip(app, client, people, master, span=("10:00:01:00", "10:00:05:00")):
    r = clip(client, master, {"in": span[0], "out": span[1], "mode": "accurate", "declaration": USE},
             H(people, "trt"))
    assert r.status_code == 202, r.get_json()
    with app.app_context():
        assert process_asset(r.get_json()["id"]) == "ready"
    return r.get_json()["id"]


def _clip_events(app, clip_id):
    from archive.events.models import Event

    with app.app_context():
        return [(e.action, (e.after or {}).get("inherited_from")) for e in
                db.session().scalars(select(Event).where(Event.subject_id == clip_id,
                                                         Event.action.like("rights.%")).order_by(Event.id))]


def test_a_revoked_grant_on_the_master_no_longer_clears_its_clips(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    [grant] = _rights(client, people, master)
    clip_id = _cut_clip(app, client, people, master)
    [copy] = _rights(client, people, clip_id)
    assert _avails(client, people, clip_id)["decision"] == "allowed_with_conditions"
    download = f"/api/v1/assets/{clip_id}/download?" + "&".join(f"{k}={v}" for k, v in USE.items())
    assert client.get(download, headers=H(people, "trt")).status_code == 200

    r = client.patch(f"/api/v1/assets/{master}/rights/{grant['id']}", json={"end": "2026-12-15"},
                     headers=H(people, "manager"))
    assert r.status_code == 200, r.get_json()
    assert _avails(client, people, master)["decision"] == "denied"
    assert _avails(client, people, clip_id)["decision"] == "denied"
    assert [b["end"] for b in _rights(client, people, clip_id)] == ["2026-12-15"]
    assert client.get(download, headers=H(people, "trt")).status_code == 403
    # The use made of the clip under the old window is one a rights manager must look at.
    outside = client.get("/api/v1/usage/outside-rights", headers=H(people, "manager")).get_json()["items"]
    assert any(i["asset"]["id"] == clip_id and "block_changed" in i["problems"] for i in outside), outside

    assert client.delete(f"/api/v1/assets/{master}/rights/{grant['id']}",
                         headers=H(people, "manager")).status_code == 204
    assert _rights(client, people, clip_id) == []
    assert _avails(client, people, clip_id)["decision"] == "denied"
    origin = {"asset": master, "block": grant["id"]}
    assert _clip_events(app, clip_id) == [("rights.block_inherited", None), ("rights.block_changed", origin),
                                          ("rights.block_deleted", origin)]
    assert copy["id"] != grant["id"]


def test_a_copy_is_changed_on_its_master_not_on_the_clip(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    [grant] = _rights(client, people, master)
    clip_id = _cut_clip(app, client, people, master)
    [copy] = _rights(client, people, clip_id)
    # The listing says which blocks follow the master's (it did not: only the clip's events did).
    assert copy["inherited_from"] == {"asset": master, "block": grant["id"]}
    assert grant["inherited_from"] is None
    for r in (client.patch(f"/api/v1/assets/{clip_id}/rights/{copy['id']}", json={"end": "2030-12-31"},
                           headers=H(people, "manager")),
              client.delete(f"/api/v1/assets/{clip_id}/rights/{copy['id']}", headers=H(people, "manager"))):
        assert r.status_code == 409, r.get_json()
        err = r.get_json()["error"]
        assert err["code"] == "inherited_block" and err["details"]["from_asset"] == master
    assert _rights(client, people, clip_id) == [copy]
    # A restriction of the clip's own is the clip's to change.
    own = client.post(f"/api/v1/assets/{clip_id}/rights", headers=H(people, "manager"), json={
        "kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"], "platforms": ["vod"],
        "start": "2027-01-20", "end": None})
    assert own.status_code == 201, own.get_json()
    assert [b["inherited_from"] for b in _rights(client, people, clip_id)] == [copy["inherited_from"], None]
    assert _avails(client, people, clip_id)["decision"] == "denied"
    # The rights page names the master's block a copy follows and offers no delete for it.
    with app.app_context():
        email = db.session().get(User, people["manager"][0]).email
    page_client = app.test_client()
    login(page_client, email)
    html = page_client.get(f"/assets/{clip_id}?lang=tr").get_data(as_text=True)
    row = re.search(rf'<tr data-block="{copy["id"]}".*?</tr>', html, re.S).group(0)
    assert 'data-role="inherited"' in row and f"/assets/{master}#rights" in row
    assert "delete" not in row
    own_row = re.search(rf'<tr data-block="{own.get_json()["id"]}".*?</tr>', html, re.S).group(0)
    assert "delete" in own_row
    assert client.delete(f"/api/v1/assets/{clip_id}/rights/{own.get_json()['id']}",
                         headers=H(people, "manager")).status_code == 204


def test_blocks_added_or_moved_on_the_master_reach_the_clips_they_cover(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    clip_id = _cut_clip(app, client, people, master)  # 1-5 s of the master
    r = client.post(f"/api/v1/assets/{master}/rights", headers=H(people, "manager"), json={
        "kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"], "platforms": ["vod"],
        "start": "2000-01-01", "end": None, "segment": {"in": "10:00:02:00", "out": "10:00:03:00"}})
    assert r.status_code == 201
    restriction = r.get_json()["id"]
    blocks = _rights(client, people, clip_id)
    assert [(b["kind"], b["segment"]) for b in blocks] == [
        ("grant", None), ("restriction", {"in": "10:00:02:00", "out": "10:00:03:00"})]
    assert _avails(client, people, clip_id)["decision"] == "denied"
    # Moved off the clip's span: its copy goes, and the clip is cleared again.
    r = client.patch(f"/api/v1/assets/{master}/rights/{restriction}", headers=H(people, "manager"),
                     json={"segment": {"in": "10:00:06:00", "out": "10:00:07:00"}})
    assert r.status_code == 200, r.get_json()
    assert [b["kind"] for b in _rights(client, people, clip_id)] == ["grant"]
    assert _avails(client, people, clip_id)["decision"] == "allowed_with_conditions"
    # A clip of the clip follows its master's master too.
    with app.app_context():
        producer_clip = db.session().get(Asset, clip_id)
        assert producer_clip.status == "ready"
    sub = clip(client, clip_id, {"in": "10:00:01:00", "out": "10:00:02:00", "mode": "accurate"},
               H(people, "producer"))
    assert sub.status_code == 202, sub.get_json()
    with app.app_context():
        assert process_asset(sub.get_json()["id"]) == "ready"
    [grant] = [b for b in _rights(client, people, master) if b["kind"] == "grant"]
    assert client.patch(f"/api/v1/assets/{master}/rights/{grant['id']}", json={"end": "2026-12-15"},
                        headers=H(people, "manager")).status_code == 200
    assert [b["end"] for b in _rights(client, people, sub.get_json()["id"])] == ["2026-12-15"]


def test_a_zip_whose_master_is_found_damaged_after_the_request_fails(app, client, people, sparse):
    master = _master(app, client, people, sparse)
    h = H(people, "trt")
    bid = _basket(client, h)
    r = client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": master, "in": 1, "out": 3}, headers=h)
    assert r.status_code == 201
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    _damage(app, master)
    assert _build(app, bid) == "failed"
    state = client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["zip"]
    assert "fixity" in state["error"] and state["download"] is None and _uses(app) == []


def test_the_export_page_decides_a_fast_clip_on_its_lead_in_too(app, client, people, sparse, make_user):
    from urllib.parse import urlencode

    from tests.functional.test_rights_pages import login

    master = _master(app, client, people, sparse)
    make_user("broadcaster", "TR", org="TRT", email="kurgu@trt.test")
    login(client, "kurgu@trt.test")
    query = {"in": "10:00:03:00", "out": "10:00:07:24", "checked": "1", **USE}
    fast = client.get(f"/assets/{master}/clip?" + urlencode({**query, "mode": "fast"}),
                      headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert 'data-outcome="denied"' in fast and "anahtar karede başlar" in fast
    exact = client.get(f"/assets/{master}/clip?" + urlencode({**query, "mode": "accurate"}),
                       headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert 'data-outcome="allowed_with_conditions"' in exact and "anahtar karede başlar" not in exact
