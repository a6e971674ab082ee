"""Baskets (issue 9 item 2): items as whole assets and segments (timecodes or seconds), paging,
sharing with users, the zip through the access gate, built by the worker's function and
streamed to storage, with its manifest; bad, hostile and unauthorised input."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import zipfile
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, func, insert, select

from archive import db
from archive.assets.models import Asset
from archive.baskets import zips
from archive.baskets.models import Basket, BasketItem
from archive.events.models import Event
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset

USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "Halk Müziği Saati"}
PAL = {"duration": 4.0, "frame_rate": "25/1", "start_timecode": "10:00:00:00"}
GRANT = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"],
         "platforms": ["linear_tv"], "start": "2027-01-01", "end": "2027-12-31",
         "conditions": {"credit": {"tr": "Kaynak: İTV", "az": "Mənbə: İTV"}}}


@pytest.fixture
def people(make_user):
    made = {"producer": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "trt2": make_user("broadcaster", "TR", org="TRT"),
            "atv": make_user("broadcaster", "TR", org="ATV")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


def _set_technical(app, asset_id, technical, meta=None):
    with app.app_context():
        s = db.session()
        a = s.get(Asset, asset_id)
        a.technical = technical
        if meta:
            a.meta = meta
        s.commit()


@pytest.fixture
def assets(app, client, people, sample_video):
    """A video master (real H.264, 4 s at 25 fps from 10:00:00:00) and a document, both granted
    to TRT for linear TV in Turkey in 2027 with a credit line."""
    video = create_asset(app, people["producer"]["id"], data=sample_video.read_bytes(), filename="halay.mp4")
    _set_technical(app, video, PAL, {"title": {"az": "Halay", "tr": "Halay oyunu"}})
    doc = create_asset(app, people["producer"]["id"], data=b"notlar " * 300, filename="notes.txt",
                       content_type="text/plain", kind="other")
    for asset_id in (video, doc):
        r = client.post(f"/api/v1/assets/{asset_id}/rights", json=GRANT, headers=people["manager"]["h"])
        assert r.status_code == 201, r.get_json()
    return {"video": video, "doc": doc}


def _basket(client, h, name="Haberler 30 Kasım"):
    r = client.post("/api/v1/baskets", json={"name": name}, headers=h)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _add(client, basket_id, body, h):
    return client.post(f"/api/v1/baskets/{basket_id}/items", json=body, headers=h)


def _error(r, status, code):
    assert r.status_code == status, (r.status_code, r.get_json())
    body = r.get_json()
    assert set(body["error"]) == {"code", "message", "details"} and body["error"]["code"] == code, body
    return body["error"]


def _build(app, basket_id):
    with app.app_context():
        status = zips.build_zip(db.session(), basket_id)
        db.session().commit()
        return status


def test_items_zip_and_manifest(app, client, people, assets, sample_video):
    h = people["trt"]["h"]
    bid = _basket(client, h)
    whole = _add(client, bid, {"asset_id": assets["video"]}, h)
    assert whole.status_code == 201 and whole.get_json()["in"] is None
    seg = _add(client, bid, {"asset_id": assets["video"], "in": "10:00:01:00", "out": "10:00:03:00"}, h).get_json()
    assert (seg["in"], seg["out"], seg["in_seconds"], seg["out_seconds"]) == ("10:00:01:00", "10:00:03:00", 1.0, 3.0)
    secs = _add(client, bid, {"asset_id": assets["video"], "in": 0.5, "out": 1.5}, h).get_json()
    # 0.5 s falls in frame 12 (0.48-0.52 s); 1.5 s in frame 37, so the segment ends after it.
    assert (secs["in"], secs["out"], secs["in_seconds"], secs["out_seconds"]) == ("10:00:00:12", "10:00:01:13", 0.48, 1.52)
    assert _add(client, bid, {"asset_id": assets["doc"]}, h).status_code == 201
    got = client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()
    assert got["total"] == 4 and got["zip"] is None and got["access"] == "owner"
    assert [i["title"] for i in got["items"]][:1] == ["Halay oyunu"]

    r = client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h)
    assert r.status_code == 202, r.get_json()
    assert r.get_json()["zip"]["status"] == "queued"
    again = client.post(f"/api/v1/baskets/{bid}/zip?" + urlencode(USE), headers=h)
    _error(again, 409, "zip_in_progress")
    assert client.get(f"/api/v1/baskets/{bid}/zip", headers=h).status_code == 409

    assert _build(app, bid) == "ready"
    state = client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["zip"]
    assert state["status"] == "ready" and state["progress"] == 1.0 and state["download"] == f"/api/v1/baskets/{bid}/zip"
    resp = client.get(state["download"], headers=h)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/zip"
    assert hashlib.sha256(resp.data).hexdigest() == state["sha256"] and len(resp.data) == state["size"]

    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    names = zf.namelist()
    assert names[-2:] == ["manifest.json", "manifest.csv"] and len(names) == 6
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["declaration"] == USE and manifest["basket"]["id"] == bid
    rows = manifest["items"]
    assert [r["file"] for r in rows] == names[:4]
    for row in rows:  # the checksums are of the bytes in the zip
        assert hashlib.sha256(zf.read(row["file"])).hexdigest() == row["sha256"]
        assert row["decision"] == "allowed_with_conditions"
        assert row["credit"] == "az: Mənbə: İTV | tr: Kaynak: İTV"
    assert zf.read(rows[0]["file"]) == sample_video.read_bytes()
    assert rows[1]["in"] == "10:00:01:00" and rows[1]["out"] == "10:00:03:00"
    # Named by the span it holds (the fast cut's actual in), without a space in the cut part.
    assert rows[1]["file"] == f"00002 Halay oyunu_{rows[1]['actual_in'].replace(':', '-')}_10-00-03-00.mov"
    # The segment is a real, shorter file: cut by the clips' stream copy from the keyframe at or
    # before `in`, which the manifest reports as the actual in.
    assert rows[1]["actual_in_seconds"] <= rows[1]["in_seconds"] and rows[1]["actual_in"] <= "10:00:01:00"
    assert rows[1]["actual_out"] == "10:00:03:00" and rows[0]["actual_in"] is None
    cut = app.config["DATA_DIR"] + "/cut.mov"
    with open(cut, "wb") as f:
        f.write(zf.read(rows[1]["file"]))
    duration = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                                     "csv=p=0", cut], capture_output=True, text=True, check=True).stdout)
    assert 1.9 <= duration <= 3.1
    assert duration == pytest.approx(rows[1]["actual_out_seconds"] - rows[1]["actual_in_seconds"], abs=0.05)
    table = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode("utf-8-sig"))))
    assert [t["sha256"] for t in table] == [r["sha256"] for r in rows]
    assert [t["cut"] for t in table] == ["", "fast", "fast", ""]
    assert table[1]["title"] == "Halay oyunu" and table[3]["source_filename"] == "notes.txt"

    with app.app_context():
        recs = list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))
        # A segment's record names what the zip holds: the fast cut from the master's keyframe at 0.
        assert [(x.decision, x.rendition, x.segment) for x in recs] == [
            ("allowed_with_conditions", "original", None),
            ("allowed_with_conditions", "original", {"in": 0.0, "out": 3.0}),
            ("allowed_with_conditions", "original", {"in": 0.0, "out": 1.52}),
            ("allowed_with_conditions", "original", None)]
        assert all(x.user_id == people["trt"]["id"] and x.declaration == USE for x in recs)
        actions = [e.action for e in db.session().scalars(select(Event).where(Event.subject_id == bid)
                                                          .order_by(Event.id))]
        assert actions[0] == "basket.created" and actions[-2:] == ["basket.zip_requested", "basket.zip_ready"]
    # A zip already made is left alone if the message comes twice.
    assert _build(app, bid) == "skipped"


def test_a_refused_item_refuses_the_whole_zip_and_nothing_is_built(app, client, people, assets):
    h = people["atv"]["h"]  # ATV has no grant
    bid = _basket(client, h)
    for asset_id in (assets["video"], assets["doc"]):
        assert _add(client, bid, {"asset_id": asset_id}, h).status_code == 201
    err = _error(client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h), 403,
                 "rights_denied")
    assert err["details"]["refused"] == 2
    assert [i["asset_id"] for i in err["details"]["items"]] == [assets["video"], assets["doc"]]
    assert all(i["reasons"] for i in err["details"]["items"])
    with app.app_context():
        assert db.session().get(Basket, bid).zip_status is None
        recs = list(db.session().scalars(select(UsageRecord)))
        assert [x.decision for x in recs] == ["denied", "denied"]  # the refusals are kept
    # TRT, cleared, in a territory outside the grant: refused too.
    h = people["trt"]["h"]
    bid = _basket(client, h)
    _add(client, bid, {"asset_id": assets["doc"]}, h)
    _error(client.post(f"/api/v1/baskets/{bid}/zip?" + urlencode({**USE, "territory": "AZ"}), headers=h), 403,
           "rights_denied")
    _error(client.post(f"/api/v1/baskets/{bid}/zip", headers=h), 403, "declaration_required")
    _error(client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": {"platform": "vod"}}, headers=h), 422,
           "invalid_declaration")
    _error(client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE, "x": 1}, headers=h), 422,
           "invalid_body")
    empty = _basket(client, h)
    _error(client.post(f"/api/v1/baskets/{empty}/zip", json={"declaration": USE}, headers=h), 409, "basket_empty")


def test_a_ready_zip_passes_the_gate_again_for_whoever_downloads_it(app, client, people, assets):
    """A zip of originals is a master-quality read of every item: a member who did not ask for
    it reads it under their own declaration, cleared for their organisation and recorded as their
    use; the one who asked reads it under theirs, refused once the grant is gone."""
    owner = people["trt"]["h"]
    bid = _basket(client, owner)
    _add(client, bid, {"asset_id": assets["doc"]}, owner)
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=owner).status_code == 202
    assert _build(app, bid) == "ready"
    for who in ("atv", "trt2"):
        assert client.post(f"/api/v1/baskets/{bid}/members", json={"user": people[who]["id"], "access": "read"},
                           headers=owner).status_code == 201

    def uses(user):
        with app.app_context():
            return [(r.decision, r.declaration) for r in db.session().scalars(
                select(UsageRecord).where(UsageRecord.user_id == people[user]["id"]).order_by(UsageRecord.id))]

    zip_url = f"/api/v1/baskets/{bid}/zip"
    # Another organisation, with no grant: nothing without a declaration, refused with one.
    _error(client.get(zip_url, headers=people["atv"]["h"]), 403, "declaration_required")
    err = _error(client.get(zip_url + "?" + urlencode(USE), headers=people["atv"]["h"]), 403, "rights_denied")
    assert err["details"]["refused"] == 1 and err["details"]["items"][0]["asset_id"] == assets["doc"]
    assert uses("atv") == [("denied", None), ("denied", USE)]  # each refusal recorded, as a download's
    # A colleague of the owner, cleared by the same grant, declaring their own programme.
    mine = {**USE, "programme": "Akşam Haberleri"}
    _error(client.get(zip_url, headers=people["trt2"]["h"]), 403, "declaration_required")
    assert client.get(zip_url + "?" + urlencode(mine), headers=people["trt2"]["h"]).status_code == 200
    assert uses("trt2") == [("denied", None), ("allowed_with_conditions", mine)]
    # The one who asked: their uses were recorded at the build, not again; once the grant is
    # gone, the zip built under it is no longer theirs to take.
    before = uses("trt")
    assert client.get(zip_url, headers=owner).status_code == 200 and uses("trt") == before
    with app.app_context():
        from archive.rights.models import RightsBlock
        grant = db.session().scalar(select(RightsBlock.id).where(RightsBlock.asset_id == assets["doc"]))
    assert client.delete(f"/api/v1/assets/{assets['doc']}/rights/{grant}",
                         headers=people["manager"]["h"]).status_code == 204
    _error(client.get(zip_url, headers=owner), 403, "rights_denied")


def test_the_members_zip_takes_one_range_and_a_head_records_no_use(app, client, people, assets):
    """A member's zip is large: a download that broke off resumes with one Range (206,
    If-Range against its ETag, 416 past its end), as a file's and the share link's zip do; a
    HEAD (a download manager's first question) sends no bytes, so records no use."""
    owner = people["trt"]["h"]
    bid = _basket(client, owner)
    _add(client, bid, {"asset_id": assets["doc"]}, owner)
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=owner).status_code == 202
    assert _build(app, bid) == "ready"
    assert client.post(f"/api/v1/baskets/{bid}/members", json={"user": people["trt2"]["id"], "access": "read"},
                       headers=owner).status_code == 201
    zip_url = f"/api/v1/baskets/{bid}/zip"
    whole = client.get(zip_url, headers=owner)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    size, etag = len(whole.data), whole.headers["ETag"]
    part = client.get(zip_url, headers={**owner, "Range": "bytes=100-199", "If-Range": etag})
    assert part.status_code == 206 and part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}" and part.headers["Content-Length"] == "100"
    tail = client.get(zip_url, headers={**owner, "Range": "bytes=-22"})  # the end of central directory
    assert tail.status_code == 206 and tail.data == whole.data[-22:]
    stale = client.get(zip_url, headers={**owner, "Range": "bytes=100-", "If-Range": '"0000"'})
    assert stale.status_code == 200 and stale.data == whole.data
    past = _error(client.get(zip_url, headers={**owner, "Range": f"bytes={size}-"}), 416, "range_not_satisfiable")
    assert client.get(zip_url, headers={**owner, "Range": f"bytes={size}-"}).headers["Content-Range"] \
        == f"bytes */{size}", past

    def uses():
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(UsageRecord)
                                       .where(UsageRecord.user_id == people["trt2"]["id"]))

    head = client.head(zip_url + "?" + urlencode(USE), headers=people["trt2"]["h"])
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(size)
    assert uses() == 0
    assert client.get(zip_url + "?" + urlencode(USE), headers=people["trt2"]["h"]).data == whole.data
    assert uses() == 1


def test_declaration_required_is_judged_over_every_refusal_past_those_shown(app, client, people, assets):
    """A member's undeclared read of a ready zip is `declaration_required` only when every
    refusal is that one, over all the refused items, not the MAX_REFUSALS_SHOWN (100) the 403
    lists: 100 items refused for want of a declaration and a 101st refused for another reason is
    `rights_denied`. The 101st reason comes from a policy that withholds one asset outright (the
    shipped rights policy refuses every undeclared read of another organisation's original for
    the declaration alone); the items are rows inserted in bulk, the zip marked ready."""
    from archive.access.policies import DENIED, PolicyDecision, RightsPolicy
    from archive.baskets.services import MAX_REFUSALS_SHOWN

    owner, atv = people["trt"], people["atv"]
    withheld = create_asset(app, people["producer"]["id"], data=b"withheld " * 50, filename="withheld.txt",
                            content_type="text/plain", kind="other")
    bid = _basket(client, owner["h"])
    shown = MAX_REFUSALS_SHOWN
    with app.app_context():
        s = db.session()
        rows = [{"basket_id": bid, "asset_id": assets["doc"], "added_by_id": owner["id"]} for _ in range(shown)]
        s.execute(insert(BasketItem), rows + [{"basket_id": bid, "asset_id": withheld, "added_by_id": owner["id"]}])
        basket = s.get(Basket, bid)
        basket.zip_status, basket.zip_key, basket.zip_size, basket.zip_sha256 = "ready", f"baskets/{bid}.zip", 1, "0" * 64
        basket.zip_requester_id, basket.zip_declaration = owner["id"], USE
        s.commit()
    assert client.post(f"/api/v1/baskets/{bid}/members", json={"user": atv["id"], "access": "read"},
                       headers=owner["h"]).status_code == 201

    class Withholds(RightsPolicy):
        def decide(self, reader, request):
            if request.asset.id == withheld:
                return PolicyDecision(DENIED, [{"code": "withheld", "message": "Withheld by its archive."}])
            return super().decide(reader, request)

    zip_url = f"/api/v1/baskets/{bid}/zip"
    # Every one of the 101 refusals wants a declaration: said so, though only 100 are listed.
    err = _error(client.get(zip_url, headers=atv["h"]), 403, "declaration_required")
    assert err["details"]["refused"] == shown + 1 and len(err["details"]["items"]) == shown
    # The 101st refused for another reason: a declaration alone would not open the zip.
    app.extensions["ortak.access_policy"] = Withholds(app.config)
    err = _error(client.get(zip_url, headers=atv["h"]), 403, "rights_denied")
    assert err["details"]["refused"] == shown + 1 and len(err["details"]["items"]) == shown
    assert withheld not in {item["asset_id"] for item in err["details"]["items"]}  # not among those shown


def test_rights_withdrawn_after_the_request_fail_the_zip_with_the_reason(app, client, people, assets):
    h = people["trt"]["h"]
    bid = _basket(client, h)
    _add(client, bid, {"asset_id": assets["doc"]}, h)
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    r = client.post(f"/api/v1/assets/{assets['doc']}/rights", headers=people["manager"]["h"], json={
        "kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
        "platforms": ["linear_tv"], "start": "2000-01-01", "end": None})
    assert r.status_code == 201
    assert _build(app, bid) == "failed"
    state = client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["zip"]
    assert state["status"] == "failed" and assets["doc"] in state["error"] and state["download"] is None
    _error(client.get(f"/api/v1/baskets/{bid}/zip", headers=h), 409, "zip_not_ready")
    with app.app_context():
        assert list(db.session().scalars(select(Basket.zip_key).where(Basket.id == bid))) == [None]


def test_bad_items(app, client, people, assets):
    h = people["trt"]["h"]
    bid = _basket(client, h)
    v = assets["video"]
    cases = [
        ({"asset_id": v, "in": "10:00:03:00", "out": "10:00:01:00"}, "out_before_in"),
        ({"asset_id": v, "in": "10:00:01:00", "out": "10:00:09:00"}, "out_of_range"),
        ({"asset_id": v, "in": "10:00:01:25", "out": "10:00:02:00"}, "invalid_timecode"),
        ({"asset_id": v, "in": "10:00:01;00", "out": "10:00:02:00"}, "invalid_timecode"),
        ({"asset_id": v, "in": "ten o'clock", "out": "10:00:02:00"}, "invalid_timecode"),
        ({"asset_id": v, "in": "1" * 5000, "out": "10:00:02:00"}, "invalid_timecode"),
        ({"asset_id": v, "in": -1, "out": 2}, "invalid_seconds"),
        ({"asset_id": v, "in": 1e300, "out": 2}, "invalid_seconds"),
        ({"asset_id": v, "in": True, "out": 2}, "invalid_timecode"),
        ({"asset_id": v, "in": [1], "out": 2}, "invalid_timecode"),
        ({"asset_id": v, "in": "10:00:01:00"}, "segment_without_pair"),
        ({"asset_id": v, "color": "red"}, "unknown_field"),
        ({"asset_id": assets["doc"], "in": 0, "out": 1}, "no_timeline"),
        ({}, "required"),
        ({"asset_id": 7}, "required"),
    ]
    for body, code in cases:
        err = _error(_add(client, bid, body, h), 422, "invalid_basket_item")
        assert code in [e["code"] for e in err["details"]["errors"]], (body, err)
    _error(_add(client, bid, {"asset_id": "nope"}, h), 404, "asset_not_found")
    _error(_add(client, bid, {"asset_id": "0" * 32}, h), 404, "asset_not_found")
    # Drop-frame labels on a 29.97 drop-frame master.
    _set_technical(app, v, {"duration": 120.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"})
    ok = _add(client, bid, {"asset_id": v, "in": "01:01:00;02", "out": "01:01:01;00"}, h)
    assert ok.status_code == 201 and ok.get_json()["in"] == "01:01:00;02"
    err = _error(_add(client, bid, {"asset_id": v, "in": "01:01:00;01", "out": "01:01:01;00"}, h), 422,
                 "invalid_basket_item")
    assert err["details"]["errors"][0]["reason"] == "dropped_label"
    with app.app_context():
        assert db.session().scalar(select(BasketItem.id).where(BasketItem.basket_id == bid, BasketItem.in_frame.is_(None))) is None


def test_bad_baskets_bodies_and_ids(client, people):
    h = people["trt"]["h"]
    for body, code in (({}, "required"), ({"name": "  "}, "empty"), ({"name": "x" * 201}, "too_long"),
                       ({"name": 5}, "not_text"), ({"name": "a\u202eb"}, "forbidden_characters"),
                       ({"name": "a", "owner": 1}, "unknown_field")):
        err = _error(client.post("/api/v1/baskets", json=body, headers=h), 422, "invalid_basket")
        assert code in [e["code"] for e in err["details"]["errors"]]
    _error(client.post("/api/v1/baskets", data="[1,2]", content_type="application/json", headers=h), 400,
           "malformed_json")
    _error(client.post("/api/v1/baskets", data="name=x", headers=h), 415, "unsupported_media_type")
    big = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    assert client.post("/api/v1/baskets", data=big, content_type="application/json", headers=h).status_code == 413
    for bad in ("nope", "' OR 1=1 --", "0" * 36, "%00"):
        _error(client.get(f"/api/v1/baskets/{bad}", headers=h), 404, "basket_not_found")
    assert client.get("/api/v1/baskets").status_code == 401
    bid = _basket(client, h)
    _error(client.delete(f"/api/v1/baskets/{bid}/items/99999999999", headers=h), 404, "basket_item_not_found")
    _error(client.get(f"/api/v1/baskets/{bid}?page=0", headers=h), 400, "invalid_parameter")
    _error(client.get(f"/api/v1/baskets/{bid}?per_page=1001", headers=h), 400, "invalid_parameter")


def test_who_sees_and_changes_a_basket(client, people, assets):
    owner, colleague, other = people["trt"]["h"], people["trt2"]["h"], people["atv"]["h"]
    bid = _basket(client, owner)
    item = _add(client, bid, {"asset_id": assets["doc"]}, owner).get_json()["id"]
    # Another organisation's private basket is not there at all, whatever is asked of it.
    _error(client.get(f"/api/v1/baskets/{bid}", headers=other), 404, "basket_not_found")
    _error(_add(client, bid, {"asset_id": assets["doc"]}, other), 404, "basket_not_found")
    _error(client.delete(f"/api/v1/baskets/{bid}/items/{item}", headers=other), 404, "basket_not_found")
    _error(client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=other), 404,
           "basket_not_found")
    _error(client.get(f"/api/v1/baskets/{bid}", headers=colleague), 404, "basket_not_found")
    assert client.get("/api/v1/baskets", headers=other).get_json() == {"baskets": []}
    # Shared for reading: sees, cannot change or share on.
    r = client.post(f"/api/v1/baskets/{bid}/members", json={"user": people["atv"]["id"], "access": "read"},
                    headers=owner)
    assert r.status_code == 201
    got = client.get(f"/api/v1/baskets/{bid}", headers=other).get_json()
    assert got["access"] == "read" and got["total"] == 1
    _error(_add(client, bid, {"asset_id": assets["doc"]}, other), 403, "basket_read_only")
    _error(client.post(f"/api/v1/baskets/{bid}/members", json={"user": people["trt2"]["id"]}, headers=other), 403,
           "basket_read_only")
    # Edit access: adds and removes.
    assert client.post(f"/api/v1/baskets/{bid}/members", json={"user": people["atv"]["id"], "access": "edit"},
                       headers=owner).status_code == 201
    assert _add(client, bid, {"asset_id": assets["video"]}, other).status_code == 201
    assert client.delete(f"/api/v1/baskets/{bid}/items/{item}", headers=other).status_code == 204
    assert [b["access"] for b in client.get("/api/v1/baskets", headers=other).get_json()["baskets"]] == ["edit"]
    for body, status, code in (({"user": "nobody@example.org"}, 404, "user_not_found"),
                               ({"user": people["trt"]["id"]}, 409, "basket_owner"),
                               ({"user": people["trt2"]["id"], "access": "own"}, 422, "invalid_basket_member"),
                               ({"user": None}, 422, "invalid_basket_member")):
        _error(client.post(f"/api/v1/baskets/{bid}/members", json=body, headers=owner), status, code)
    assert client.delete(f"/api/v1/baskets/{bid}/members/{people['atv']['id']}", headers=owner).status_code == 204
    _error(client.get(f"/api/v1/baskets/{bid}", headers=other), 404, "basket_not_found")
    _error(client.delete(f"/api/v1/baskets/{bid}/members/{people['atv']['id']}", headers=owner), 404,
           "basket_member_not_found")


def test_naming_a_user_tells_no_one_whether_an_e_mail_exists_elsewhere(app, client, make_user):
    """An e-mail names only a user whose address the caller may see (their own organisation;
    admins anyone): another organisation's address, a disabled account and no account at all
    are one answer, so sharing is no oracle of who has an account where."""
    from archive.accounts.models import User
    owner = {"Authorization": f"Bearer {make_user('broadcaster', 'TR', org='TRT', email='owner@trt.example')[1]}"}
    colleague = make_user("broadcaster", "TR", org="TRT", email="colleague@trt.example")[0]
    stranger = make_user("broadcaster", "AZ", org="İTV", email="Stranger@itv.example")[0]
    gone = make_user("broadcaster", "TR", org="TRT", email="gone@trt.example")[0]
    admin = {"Authorization": f"Bearer {make_user('admin', 'TR', org='Ortak', email='admin@ortak.example')[1]}"}
    with app.app_context():
        db.session().get(User, gone).active = False
        db.session().commit()
    bid = _basket(client, owner)

    def share(who, h=owner):
        return client.post(f"/api/v1/baskets/{bid}/members", json={"user": who, "access": "read"}, headers=h)

    unknown = share("nobody@itv.example")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "user_not_found"
    for who in ("stranger@itv.example", "STRANGER@ITV.EXAMPLE", "gone@trt.example", str(gone)):
        r = share(who)
        assert (r.status_code, r.get_json()) == (404, unknown.get_json()), who
    assert share("Colleague@TRT.example").get_json() == {"user_id": colleague, "access": "read"}
    # An id is the public handle every person shown carries (`person_json`): it still names.
    assert share(stranger).get_json() == {"user_id": stranger, "access": "read"}
    # An admin names anyone by e-mail (they see every address).
    admin_bid = _basket(client, admin)
    r = client.post(f"/api/v1/baskets/{admin_bid}/members", json={"user": "stranger@itv.example"}, headers=admin)
    assert r.status_code == 201 and r.get_json()["user_id"] == stranger


def test_a_zip_request_reads_the_basket_items_once(app, client, people, assets):
    """The fixity check and the rights check of a zip request walk one reading of the items
    (a basket holds up to 10,000): one batch of rows and the empty batch that ends the walk."""
    h = people["trt"]["h"]
    bid = _basket(client, h)
    for asset_id in (assets["video"], assets["doc"]):
        assert _add(client, bid, {"asset_id": asset_id}, h).status_code == 201
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if re.search(r"SELECT basket_items\.id\b.*\bFROM basket_items\b", statement, re.S):
            reads.append(statement)

    engine = app.extensions["ortak.db"].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        r = client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert r.status_code == 202, r.get_json()
    assert len(reads) == 2, reads


def test_a_basket_of_ten_thousand_items_pages(app, client, people, assets):
    h = people["trt"]["h"]
    bid = _basket(client, h)
    with app.app_context():
        s = db.session()
        s.execute(insert(BasketItem), [{"basket_id": bid, "asset_id": assets["doc"], "added_by_id": people["trt"]["id"]}
                                       for _ in range(10_000)])
        s.commit()
        first = s.scalar(select(BasketItem.id).where(BasketItem.basket_id == bid).order_by(BasketItem.id))
    page = client.get(f"/api/v1/baskets/{bid}?page=100&per_page=100", headers=h).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (10_000, 100, 100)
    assert page["items"][0]["id"] == first + 9_900 and page["items"][-1]["id"] == first + 9_999
    assert client.get(f"/api/v1/baskets/{bid}?page=101&per_page=100", headers=h).get_json()["items"] == []
    assert len(client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["items"]) == 100
    _error(_add(client, bid, {"asset_id": assets["doc"]}, h), 409, "basket_full")
    assert [b["items"] for b in client.get("/api/v1/baskets", headers=h).get_json()["baskets"]] == [10_000]
