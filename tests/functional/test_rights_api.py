"""Rights blocks, avails and contracts over HTTP (API.md), with the bad input of issue 7."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive import db
from archive.events.models import Event
from archive.rights.models import Contract, ContractDocument, RightsBlock
from tests.asset_factory import create_asset


@pytest.fixture
def people(make_user):
    """İTV (AZ) contributed the asset; TRT and ATV are Turkish broadcasters."""
    return {
        "producer": make_user("producer", "AZ", org="İTV"),
        "manager": make_user("rights_manager", "AZ", org="İTV"),
        "trt_manager": make_user("rights_manager", "TR", org="TRT"),
        "trt": make_user("broadcaster", "TR", org="TRT"),
        "atv": make_user("broadcaster", "TR", org="ATV"),
        "admin": make_user("admin", "TR", org="Ortak"),
    }


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


@pytest.fixture
def asset(app, people):
    return create_asset(app, people["producer"][0], filename="Şəki.mp4")


def grant(**over):
    body = {"kind": "grant", "licensees": {"organisations": ["TRT"], "countries": [], "all_members": False},
            "territories": ["TR"], "exclude_territories": [], "platforms": ["linear_tv"],
            "start": "2027-01-01", "end": "2027-12-31", "exclusive": False, "segment": None,
            "conditions": {"credit": {"tr": "Kaynak: İTV", "az": "Mənbə: İTV"}}}
    body.update(over)
    return body


def counts(app):
    with app.app_context():
        s = db.session()
        return (s.scalar(select(func.count()).select_from(RightsBlock)),
                s.scalar(select(func.count()).select_from(Event).where(Event.action.like("rights.%"))))


def avails(client, people, asset, who="trt", **params):
    q = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31", **params}
    return client.get(f"/api/v1/assets/{asset}/avails", query_string=q, headers=H(people, who))


def test_a_block_is_created_listed_in_the_api_shape_and_decides_avails(app, client, people, asset):
    resp = client.post(f"/api/v1/assets/{asset}/rights", json=grant(), headers=H(people, "manager"))
    assert resp.status_code == 201, resp.get_json()
    block_id = resp.get_json()["id"]
    items = client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "trt")).get_json()["items"]
    assert items == [{"id": block_id, "asset_id": asset, **grant(), "holdbacks": [], "contract": None,
                      "inherited_from": None}]
    body = avails(client, people, asset).get_json()
    assert body["decision"] == "allowed_with_conditions" and body["blocks"] == [block_id]
    assert body["conditions"] == {"credit": {"tr": "Kaynak: İTV", "az": "Mənbə: İTV"}}
    denied = avails(client, people, asset, who="atv").get_json()
    assert denied["decision"] == "denied" and denied["reasons"][0]["code"] == "not_covered"
    wide = avails(client, people, asset, to="2028-02-29").get_json()
    assert wide["reasons"][0]["scope"]["periods"] == [{"from": "2028-01-01", "to": "2028-02-29"}]
    # A rights manager of the asset's organisation may ask on behalf of another organisation.
    on_behalf = avails(client, people, asset, who="manager", org="ATV").get_json()
    assert on_behalf["decision"] == "denied"
    # Anyone else asking for another organisation is refused with docs/api.md's code, the
    # message saying the reason (whom they asked for), never contradicting their role.
    refused = avails(client, people, asset, who="trt", org="ATV")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_rights_manager"
    assert refused.get_json()["error"]["details"] == {"role": "broadcaster", "organisation": "ATV",
                                                      "action": "avails_other_organisation",
                                                      "roles": ["rights_manager", "admin"],
                                                      "asset_organisation": "İTV", "own_organisation": "TRT"}
    # A rights manager of another organisation may not ask for a third either; for its own, yes.
    other = avails(client, people, asset, who="trt_manager", org="ATV")
    error = other.get_json()["error"]
    assert other.status_code == 403 and error["code"] == "not_rights_manager"
    assert error["details"]["role"] == "rights_manager" and error["details"]["organisation"] == "ATV"
    assert "you are a rights manager" not in error["message"]
    assert "another organisation than their own" in error["message"] and "ATV" in error["message"] \
        and "TRT" in error["message"] and "İTV" in error["message"]
    assert avails(client, people, asset, who="trt_manager", org="TRT").get_json()["decision"] == "allowed_with_conditions"
    assert counts(app) == (1, 1)


def test_patch_and_delete_write_events(app, client, people, asset):
    block_id = client.post(f"/api/v1/assets/{asset}/rights", json=grant(), headers=H(people, "manager")).get_json()["id"]
    resp = client.patch(f"/api/v1/assets/{asset}/rights/{block_id}", json={"territories": ["TR", "AZ"]},
                        headers=H(people, "admin"))
    assert resp.status_code == 200 and resp.get_json()["territories"] == ["AZ", "TR"]
    assert avails(client, people, asset, territory="AZ").get_json()["decision"] == "allowed_with_conditions"
    assert client.delete(f"/api/v1/assets/{asset}/rights/{block_id}", headers=H(people, "manager")).status_code == 204
    assert avails(client, people, asset).get_json()["decision"] == "denied"
    history = client.get(f"/api/v1/assets/{asset}/history", headers=H(people, "manager")).get_json()["events"]
    actions = [e["action"] for e in history if e["action"].startswith("rights.")]
    assert sorted(actions) == ["rights.block_changed", "rights.block_created", "rights.block_deleted"]
    changed = next(e for e in history if e["action"] == "rights.block_changed")
    assert changed["before"]["territories"] == ["TR"] and changed["after"]["territories"] == ["AZ", "TR"]


def test_an_exclusive_grant_overlapping_another_licensees_is_409_naming_it(app, client, people, asset):
    first = client.post(f"/api/v1/assets/{asset}/rights", json=grant(exclusive=True),
                        headers=H(people, "manager")).get_json()["id"]
    resp = client.post(f"/api/v1/assets/{asset}/rights",
                       json=grant(exclusive=True, licensees={"organisations": ["ATV"]}, start="2027-06-01",
                                  end=None), headers=H(people, "manager"))
    assert resp.status_code == 409
    err = resp.get_json()["error"]
    assert err["code"] == "exclusive_conflict" and err["details"]["blocks"] == [first]
    assert str(first) in err["message"]
    assert counts(app) == (1, 1)
    # A later exclusive year for ATV is fine; moving it over TRT's by PATCH is refused too.
    later = client.post(f"/api/v1/assets/{asset}/rights",
                        json=grant(exclusive=True, licensees={"organisations": ["ATV"]}, start="2028-01-01",
                                   end=None), headers=H(people, "manager"))
    assert later.status_code == 201
    moved = client.patch(f"/api/v1/assets/{asset}/rights/{later.get_json()['id']}", json={"start": "2027-12-01"},
                         headers=H(people, "manager"))
    assert moved.status_code == 409 and moved.get_json()["error"]["details"]["blocks"] == [first]
    items = client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "manager")).get_json()["items"]
    assert [i["start"] for i in items] == ["2027-01-01", "2028-01-01"]
    assert counts(app) == (2, 2)


@pytest.mark.parametrize("over, field, code", [
    ({"end": "2026-12-31"}, "end", "window_reversed"),
    ({"territories": ["TR", "XX"]}, "territories[1]", "unknown_territory"),
    ({"territories": ["Türkiye"]}, "territories[0]", "unknown_territory"),
    ({"exclude_territories": ["ZZ"]}, "exclude_territories[0]", "unknown_territory"),
    ({"platforms": ["telepathy"]}, "platforms[0]", "unknown_platform"),
    ({"platforms": []}, "platforms", "required"),
    ({"kind": "maybe"}, "kind", "invalid_choice"),
    ({"licensees": {}}, "licensees", "no_licensees"),
    ({"licensees": {"organisations": ["Nobody TV"]}}, "licensees.organisations[0]", "unknown_organisation"),
    ({"licensees": {"countries": ["XX"]}}, "licensees.countries[0]", "unknown_country"),
    ({"segment": {"in": "00:00:01.000", "out": "00:00:09.000"}}, "segment.out", "segment_outside_asset"),
    ({"segment": {"in": "00:00:01:25", "out": "00:00:02:00"}}, "segment.in", "invalid_timecode"),  # frame 25 at 25
    ({"segment": {"in": "00:00:01;00", "out": "00:00:02:00"}}, "segment.in", "invalid_timecode"),  # ';' at 25
    ({"segment": {"in": "00:00:03.000", "out": "00:00:01.000"}}, "segment.out", "segment_reversed"),
    ({"segment": {"in": "1s", "out": "00:00:02.000"}}, "segment.in", "invalid_timecode"),
    ({"start": "2027-02-30"}, "start", "invalid_date"),
    ({"conditions": {"max_clip_seconds": -5}}, "conditions.max_clip_seconds", "out_of_range"),
    ({"conditions": {"credit": {"fr": "x"}}}, "conditions.credit.fr", "unknown_language"),
    ({"holdbacks": [{"platforms": ["vod"]}]}, "holdbacks[0].not_before", "required"),
    ({"contract": "no-such-contract"}, "contract", "unknown_contract"),
    ({"colour": "red"}, "colour", "unknown_field"),
    ({"exclusive": "yes"}, "exclusive", "not_a_boolean"),
    ({"exclusive": True, "kind": "restriction"}, "exclusive", "invalid_choice"),
    ({"territories": ["TR"] * 301}, "territories", "not_a_list"),  # oversized
    ({"platforms": "linear_tv"}, "platforms", "not_a_list"),
    ({"licensees": {"organisations": ["x" * 201]}}, "licensees.organisations[0]", "too_long"),
    ({"conditions": {"credit": {"tr": "\u202e" + "y" * 400}}}, "conditions.credit.tr", "too_long"),
])
def test_bad_blocks_are_422_and_store_nothing(app, client, people, asset, over, field, code):
    resp = client.post(f"/api/v1/assets/{asset}/rights", json=grant(**over), headers=H(people, "manager"))
    assert resp.status_code == 422, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_rights_block"
    assert (field, code) in [(e["field"], e["code"]) for e in err["details"]["errors"]]
    assert counts(app) == (0, 0)


def _technical(app, asset_id, technical):
    from archive.assets.models import Asset
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).technical = technical
        s.commit()


def _stored_segment(app, block_id):
    with app.app_context():
        row = db.session().get(RightsBlock, block_id)
        return row.segment_in, row.segment_out


def test_segments_are_timecodes_of_the_master_with_its_start_timecode(app, client, people, asset):
    # The segment reader is the markers' and clips' one: the master's start timecode counts.
    _technical(app, asset, {"duration": 60.0, "frame_rate": "25", "start_timecode": "10:00:00:00"})
    resp = client.post(f"/api/v1/assets/{asset}/rights", json=grant(segment={"in": "10:00:01:00", "out": "10:00:02:12"}),
                       headers=H(people, "manager"))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["segment"] == {"in": "10:00:01:00", "out": "10:00:02:12"}
    assert _stored_segment(app, resp.get_json()["id"]) == (pytest.approx(1.0), pytest.approx(2.48))
    # A label before the start timecode is outside the asset, as one past its end is (the rights code).
    early = client.post(f"/api/v1/assets/{asset}/rights", json=grant(segment={"in": "00:00:01:00", "out": "00:00:02:00"}),
                        headers=H(people, "manager"))
    err = early.get_json()["error"]
    assert early.status_code == 422 and (err["details"]["errors"][0]["field"], err["details"]["errors"][0]["code"]) == (
        "segment.in", "segment_outside_asset")
    assert "before the start of the asset (10:00:00:00)" in err["details"]["errors"][0]["message"]


def test_drop_frame_segments_on_a_29_97_drop_frame_master(app, client, people, asset):
    _technical(app, asset, {"duration": 120.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"})
    ok = client.post(f"/api/v1/assets/{asset}/rights", json=grant(segment={"in": "01:01:00;02", "out": "01:01:10;00"}),
                     headers=H(people, "manager"))
    assert ok.status_code == 201, ok.get_json()
    assert _stored_segment(app, ok.get_json()["id"])[0] == pytest.approx(1800 * 1001 / 30000)
    for seg, reason in (({"in": "01:01:00;01", "out": "01:01:10;00"}, "dropped_label"),
                        ({"in": "01:01:00:02", "out": "01:01:10;00"}, "drop_frame_mismatch")):
        resp = client.post(f"/api/v1/assets/{asset}/rights", json=grant(segment=seg), headers=H(people, "manager"))
        entry = resp.get_json()["error"]["details"]["errors"][0]
        assert resp.status_code == 422 and entry["code"] == "invalid_timecode" and entry["params"]["reason"] == reason
    assert counts(app) == (1, 1)


@pytest.mark.parametrize("body", [[], "grant", None, {"kind": "grant"}])
def test_bodies_that_are_no_block_are_4xx(app, client, people, asset, body):
    resp = client.post(f"/api/v1/assets/{asset}/rights", json=body, headers=H(people, "manager"))
    assert 400 <= resp.status_code < 500 and "error" in resp.get_json()
    assert counts(app) == (0, 0)


def test_a_bad_patch_changes_nothing(app, client, people, asset):
    block_id = client.post(f"/api/v1/assets/{asset}/rights", json=grant(), headers=H(people, "manager")).get_json()["id"]
    for body, status in (({"end": "2026-01-01"}, 422), ({"platforms": ["tv"]}, 422), (["x"], 400)):
        resp = client.patch(f"/api/v1/assets/{asset}/rights/{block_id}", json=body, headers=H(people, "manager"))
        assert resp.status_code == status and "error" in resp.get_json()
    [item] = client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "manager")).get_json()["items"]
    assert item["end"] == "2027-12-31" and item["platforms"] == ["linear_tv"]
    assert counts(app) == (1, 1)
    assert client.patch(f"/api/v1/assets/{asset}/rights/99999", json={}, headers=H(people, "manager")).status_code == 404


@pytest.mark.parametrize("who, status, code", [
    ("trt_manager", 403, "not_rights_manager"),  # a rights manager, of another organisation
    ("producer", 403, "wrong_role"),  # the asset's organisation, not its rights manager
    ("trt", 403, "wrong_role"),
])
def test_rights_edits_by_the_wrong_organisation_or_role_are_403(app, client, people, asset, who, status, code):
    block_id = client.post(f"/api/v1/assets/{asset}/rights", json=grant(), headers=H(people, "manager")).get_json()["id"]
    for method, url, body in (("post", f"/api/v1/assets/{asset}/rights", grant()),
                              ("patch", f"/api/v1/assets/{asset}/rights/{block_id}", {"end": None}),
                              ("delete", f"/api/v1/assets/{asset}/rights/{block_id}", None)):
        resp = getattr(client, method)(url, json=body, headers=H(people, who))
        assert resp.status_code == status and resp.get_json()["error"]["code"] == code
    assert client.post(f"/api/v1/assets/{asset}/rights", json=grant()).status_code == 401
    assert counts(app) == (1, 1)


@pytest.mark.parametrize("params, parameter", [
    ({"platform": "tv"}, "platform"),
    ({"territory": "Narnia"}, "territory"),
    ({"territory": "XX"}, "territory"),
    ({"from": "2027-3-1"}, "from"),
    ({"from": "2027-04-01", "to": "2027-03-01"}, "to"),
    ({"org": "Nobody TV"}, None),
])
def test_bad_avails_queries_are_4xx(client, people, asset, params, parameter):
    resp = avails(client, people, asset, **params)
    assert 400 <= resp.status_code < 500
    err = resp.get_json()["error"]
    if parameter:
        assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == parameter
    else:
        assert err["code"] == "organisation_not_found"


def test_the_avails_grid_shows_open_exclusive_and_restricted(client, people, asset):
    client.post(f"/api/v1/assets/{asset}/rights", json=grant(exclusive=True), headers=H(people, "manager"))
    client.post(f"/api/v1/assets/{asset}/rights",
                json=grant(licensees={"all_members": True}, territories=["WORLD"], start="2028-01-01", end=None),
                headers=H(people, "manager"))
    client.post(f"/api/v1/assets/{asset}/rights",
                json=grant(kind="restriction", licensees={"all_members": True}, territories=["WORLD"],
                           platforms=["social"], start="2000-01-01", end=None, conditions={}),
                headers=H(people, "manager"))
    g = client.get(f"/api/v1/assets/{asset}/avails/grid", headers=H(people, "atv")).get_json()
    assert g["platforms"] == ["linear_tv", "social"] and g["territories"] == ["TR", "WORLD"]
    assert g["periods"][-2:] == [{"from": "2027-01-01", "to": "2027-12-31"}, {"from": "2028-01-01", "to": None}]
    tr = g["cells"]["linear_tv"]["TR"]
    assert [c["state"] for c in tr[-2:]] == ["exclusive", "open"] and tr[-2]["licensees"] == ["TRT"]
    assert g["cells"]["linear_tv"]["WORLD"][-2]["state"] == "none"
    assert {c["state"] for c in g["cells"]["social"]["WORLD"]} == {"restricted"}


def test_contracts_keep_their_documents_as_blobs(app, client, people, asset):
    resp = client.post("/api/v1/contracts", json={"reference": "İTV-2027/14", "signed": "2026-10-01"},
                       headers=H(people, "manager"))
    assert resp.status_code == 201
    contract = resp.get_json()
    assert contract["licensor"] == "İTV"
    pdf = b"%PDF-1.4 signed contract\n" * 10
    up = client.post(f"/api/v1/contracts/{contract['id']}/documents", data=pdf,
                     headers={**H(people, "manager"), "Content-Type": "application/pdf",
                              "Ortak-Filename": "sözleşme.pdf"})
    assert up.status_code == 201
    doc = up.get_json()["documents"][0]
    got = client.get(doc["url"], headers=H(people, "manager"))
    assert got.status_code == 200 and got.data == pdf
    # A block cites it; another organisation sees neither the contract nor its documents.
    assert client.post(f"/api/v1/assets/{asset}/rights", json=grant(contract=contract["id"]),
                       headers=H(people, "manager")).status_code == 201
    assert client.get(doc["url"], headers=H(people, "trt_manager")).status_code == 404
    assert client.post("/api/v1/contracts", json={"reference": "İTV-2027/14"},
                       headers=H(people, "manager")).status_code == 409
    assert client.post("/api/v1/contracts", json={"reference": "X", "licensor": "İTV"},
                       headers=H(people, "trt_manager")).status_code == 403
    assert client.post("/api/v1/contracts", json={"reference": "X", "signed": "2999-01-01"},
                       headers=H(people, "manager")).status_code == 422
    # A block cites its asset's organisation's contracts only: TRT's is unknown on İTV's asset,
    # whoever asks (an admin too), on create and on change; nothing is stored.
    theirs = client.post("/api/v1/contracts", json={"reference": "TRT-2027/3"}, headers=H(people, "trt_manager"))
    assert theirs.status_code == 201
    blocks = counts(app)
    for who in ("manager", "admin"):
        refused = client.post(f"/api/v1/assets/{asset}/rights", json=grant(contract=theirs.get_json()["id"]),
                              headers=H(people, who))
        assert refused.status_code == 422, refused.get_json()
        assert [e["code"] for e in refused.get_json()["error"]["details"]["errors"]] == ["unknown_contract"]
    block_id = client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "manager")).get_json()["items"][0]["id"]
    changed = client.patch(f"/api/v1/assets/{asset}/rights/{block_id}", json={"contract": theirs.get_json()["id"]},
                           headers=H(people, "manager"))
    assert changed.status_code == 422 and counts(app) == blocks
    assert client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "manager")).get_json()["items"][0][
        "contract"] == contract["id"]
    bad = client.post(f"/api/v1/contracts/{contract['id']}/documents", data=b"<html>",
                      headers={**H(people, "manager"), "Content-Type": "text/html"})
    assert bad.status_code == 415
    with app.app_context():
        s = db.session()
        assert s.scalar(select(func.count()).select_from(Contract)) == 2  # İTV's and TRT's
        assert s.scalar(select(func.count()).select_from(ContractDocument)) == 1


@pytest.mark.parametrize("block_id", ["0", "2147483648", "99999999999999999999"])
def test_block_ids_past_the_column_are_404_not_a_database_error(app, client, people, asset, block_id):
    url = f"/api/v1/assets/{asset}/rights/{block_id}"
    for resp in (client.patch(url, json={"end": None}, headers=H(people, "manager")),
                 client.delete(url, headers=H(people, "manager"))):
        assert resp.status_code == 404, resp.get_data(as_text=True)
        assert resp.get_json()["error"]["code"] == "rights_block_not_found"
    assert counts(app) == (0, 0)


def test_avails_answer_for_a_segment_given_as_in_and_out_timecodes(app, client, people, asset):
    """Trial finding (LOW): the engine decides on a segment (README, "Rights and avails") but
    `GET .../avails` dropped `in`/`out` and answered for the whole asset, so a segment-only
    grant or a clip-length limit could not be asked about."""
    _technical(app, asset, {"duration": 600.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"})
    seg = {"in": "01:01:00;02", "out": "01:02:00;02"}
    assert client.post(f"/api/v1/assets/{asset}/rights", json=grant(segment=seg),
                       headers=H(people, "manager")).status_code == 201
    assert client.post(f"/api/v1/assets/{asset}/rights", json=grant(
        platforms=["vod"], conditions={"max_clip_seconds": 30}), headers=H(people, "manager")).status_code == 201
    whole = avails(client, people, asset).get_json()
    assert whole.get("decision") == "denied", whole  # the whole asset
    inside = avails(client, people, asset, **{"in": "01:01:10;00", "out": "01:01:20;00"}).get_json()
    assert inside["decision"] == "allowed_with_conditions", inside
    outside = avails(client, people, asset, **{"in": "01:03:00;02", "out": "01:03:10;00"}).get_json()
    assert outside["decision"] == "denied" and outside["reasons"][0]["scope"]["segments"], outside
    short = avails(client, people, asset, platform="vod", **{"in": "01:00:10;00", "out": "01:00:30;00"}).get_json()
    long = avails(client, people, asset, platform="vod", **{"in": "01:00:10;00", "out": "01:00:50;00"}).get_json()
    assert (short["decision"], long["decision"]) == ("allowed_with_conditions", "denied"), (short, long)
    for params, reason in (({"in": "01:01:10;00"}, "segment_incomplete"),
                           ({"out": "01:01:10;00"}, "segment_incomplete"),
                           ({"in": "01:01:20;00", "out": "01:01:10;00"}, "segment_reversed"),
                           ({"in": "01:01:00;00", "out": "01:01:10;00"}, "invalid_timecode"),  # a dropped label
                           ({"in": "01:01:10:00", "out": "01:01:20;00"}, "invalid_timecode"),  # not drop-frame
                           ({"in": "00:00:01;00", "out": "01:01:20;00"}, "segment_outside_asset"),
                           ({"in": "01:01:10;00", "out": "09:00:00;00"}, "segment_outside_asset"),
                           ({"in": "x" * 300, "out": "01:01:20;00"}, None)):
        resp = avails(client, people, asset, **params)
        err = resp.get_json()["error"]
        assert resp.status_code == 400 and err["code"] == "invalid_parameter", (params, err)
        assert err["details"]["parameter"] in ("in", "out"), (params, err)
        if reason:
            assert err["details"]["reason"] == reason, (params, err)
