"""Clip export (issue 9 item 1): `POST /api/v1/assets/{id}/clips` through the rights gate, the
cut in the ingest pipeline, the clip's lineage, bytes, renditions and inherited rights."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset
from archive.media.probe import inspect_media
from archive.rights.models import RightsBlock
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset
from tests.clip_media import frame_hashes, make_master

USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "news", "programme": "Akşam Haberleri"}
GRANT = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"], "platforms": ["linear_tv"],
         "start": "2027-01-01", "end": "2027-12-31", "conditions": {"credit": {"tr": "Kaynak: İTV", "az": "Mənbə: İTV"}}}


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    d = tmp_path_factory.mktemp("clip-api-masters")
    return {"pal": make_master(d / "pal.mp4", rate="25", seconds=3, gop=12),
            "df": make_master(d / "df.mp4", rate="30000/1001", seconds=3, gop=15, timecode="00:59:59;28")}


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "atv": make_user("broadcaster", "TR", org="ATV")}


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


def make_source(app, people, path, status="ready", renditions=None):
    """The master as ingest leaves it: its real bytes and probed technical metadata."""
    asset_id = create_asset(app, people["producer"][0], data=path.read_bytes(), filename="halay.mp4", status=status,
                            renditions=renditions,
                            meta={"title": {"tr": "Halay", "az": "Halay", "en": "Halay"}, "genre": "folklore"})
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        asset.technical = inspect_media(str(path), timeout=60).to_dict()
        db.session().commit()
    return asset_id


@pytest.fixture
def pal(app, client, people, masters):
    asset_id = make_source(app, people, masters["pal"])
    for body in (GRANT,
                 # a restriction on 0-1 s, one on 2.5-3 s (timecodes of the master, which starts at 10:00:00:00):
                 # the first overlaps a clip of 0.68-2.12 s, the second not
                 {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
                  "platforms": ["social"], "start": "2000-01-01", "end": None,
                  "segment": {"in": "10:00:00:00", "out": "10:00:01:00"}},
                 {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
                  "platforms": ["vod"], "start": "2000-01-01", "end": None,
                  "segment": {"in": "10:00:02:12", "out": "10:00:03:00"}}):
        resp = client.post(f"/api/v1/assets/{asset_id}/rights", json=body, headers=H(people, "manager"))
        assert resp.status_code == 201, resp.get_json()
    return asset_id


def asset_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Asset))


def clip_post(client, asset_id, body, headers, query=""):
    return client.post(f"/api/v1/assets/{asset_id}/clips{query}", json=body, headers=headers)


def test_an_accurate_clip_is_a_derived_asset_with_lineage_exact_frames_renditions_and_the_rights_of_its_segment(
        app, client, people, pal, masters):
    resp = clip_post(client, pal, {"in": "10:00:00:17", "out": "10:00:02:03", "mode": "accurate",
                                   "declaration": USE}, H(people, "trt"))
    assert resp.status_code == 202, resp.get_json()
    clip_id = resp.get_json()["id"]
    doc = client.get(f"/api/v1/assets/{clip_id}", headers=H(people, "trt")).get_json()
    assert doc["status"] == "processing" and doc["sha256"] is None
    lineage = doc["lineage"]
    assert (lineage["source_id"], lineage["in"], lineage["out"], lineage["mode"]) == (pal, "10:00:00:17",
                                                                                      "10:00:02:03", "accurate")
    assert (lineage["in_seconds"], lineage["out_seconds"]) == (0.68, 2.12) and lineage["actual_in"] is None
    assert lineage["declaration"] == USE and lineage["decision"]["outcome"] == "allowed_with_conditions"
    assert lineage["decision"]["conditions"]["credit"]["tr"] == "Kaynak: İTV"
    assert lineage["by"] == people["trt"][0]
    with app.app_context():
        [rec] = db.session().scalars(select(UsageRecord)).all()
        assert (rec.action, rec.rendition, rec.segment, rec.declaration) == ("clip", "clip",
                                                                             {"in": 0.68, "out": 2.12}, USE)
        assert rec.id == lineage["decision"]["usage_record_id"]
        assert process_asset(clip_id) == "ready"
        clip = db.session().get(Asset, clip_id)
        path = storage().local_path(clip.original_key)
        with open(path, "rb") as fh:
            data = fh.read()
        assert hashlib.sha256(data).hexdigest() == clip.sha256 and len(data) == clip.size
        assert clip.technical["start_timecode"] == "10:00:00:17"
        assert {r.name for r in clip.renditions if r.status == "ready"} >= {"proxy", "poster"}
        blocks = db.session().scalars(select(RightsBlock).where(RightsBlock.asset_id == clip_id)
                                      .order_by(RightsBlock.id)).all()
        # The grant covers the whole master; the 0-1 s restriction is 0-0.32 s of the clip; the 2.5 s one is gone.
        assert [(b.kind, b.segment_in, b.segment_out) for b in blocks] == [("grant", None, None),
                                                                            ("restriction", 0.0, 0.32)]
        # Its labels are the master's timecode, which the clip carries as its start timecode.
        assert blocks[1].segment == {"in": "10:00:00:17", "out": "10:00:01:00"}
        assert clip.meta["title"]["tr"] == "Halay" and clip.organisation.name == "İTV" and clip.source_id == pal
    source_frames, clip_frames = frame_hashes(masters["pal"]), frame_hashes(path)
    assert clip_frames[0] == source_frames[17] and clip_frames[-1] == source_frames[52]
    assert len(clip_frames) == 36
    doc = client.get(f"/api/v1/assets/{clip_id}", headers=H(people, "trt")).get_json()
    assert (doc["lineage"]["actual_in"], doc["lineage"]["actual_out"]) == ("10:00:00:17", "10:00:02:03")
    assert (doc["lineage"]["actual_in_seconds"], doc["lineage"]["actual_out_seconds"]) == (0.68, 2.12)
    listed = client.get(f"/api/v1/assets/{pal}/clips", headers=H(people, "trt")).get_json()["items"]
    assert [(c["id"], c["status"], c["in"], c["mode"]) for c in listed] == [(clip_id, "ready", "10:00:00:17",
                                                                            "accurate")]


def test_a_fast_clip_starts_on_the_keyframe_before_in_given_in_seconds(app, client, people, masters):
    source = make_source(app, people, masters["pal"])  # own organisation: no declaration needed
    resp = clip_post(client, source, {"in": 0.7, "out": 2, "mode": "fast"}, H(people, "producer"))
    assert resp.status_code == 202, resp.get_json()
    clip_id = resp.get_json()["id"]
    with app.app_context():
        assert process_asset(clip_id) == "ready"
        clip = db.session().get(Asset, clip_id)
        lineage = clip.lineage
        path = storage().local_path(clip.original_key)
    # frame 17 (0.68 s) holds 0.7 s; the keyframe before it is frame 12 (a keyframe every 12 frames)
    assert (lineage["in"], lineage["actual_in"], lineage["actual_out"]) == ("10:00:00:17", "10:00:00:12",
                                                                            "10:00:02:00")
    assert (lineage["actual_in_seconds"], lineage["actual_out_seconds"]) == (0.48, 2.0)
    assert frame_hashes(path) == frame_hashes(masters["pal"])[12:50]


def test_drop_frame_timecodes_on_a_2997_master(app, client, people, masters):
    source = make_source(app, people, masters["df"])
    H_ = H(people, "producer")
    bad = clip_post(client, source, {"in": "01:00:00:02", "out": "01:00:01;00"}, H_)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"]["errors"][0]["reason"] == "drop_frame_mismatch"
    dropped = clip_post(client, source, {"in": "01:01:00;00", "out": "01:01:00;05"}, H_)
    assert dropped.get_json()["error"]["details"]["errors"][0]["reason"] in ("dropped_label", "out_of_range")
    resp = clip_post(client, source, {"in": "01:00:00;00", "out": "01:00:01;00", "mode": "accurate"}, H_)
    assert resp.status_code == 202, resp.get_json()
    with app.app_context():
        assert process_asset(resp.get_json()["id"]) == "ready"
        clip = db.session().get(Asset, resp.get_json()["id"])
        path = storage().local_path(clip.original_key)
        assert (clip.lineage["in_frame"], clip.lineage["out_frame"]) == (2, 32)
        assert clip.technical["start_timecode"] == "01:00:00;00"
    assert frame_hashes(path) == frame_hashes(masters["df"])[2:32]


@pytest.mark.parametrize("body,field,code", [
    ({"in": "10:00:02:00", "out": "10:00:01:00"}, "out", "out_before_in"),
    ({"in": "10:00:01:00", "out": "10:00:01:00"}, "out", "out_before_in"),
    ({"in": "10:00:01:00", "out": "10:00:03:01"}, "out", "out_of_range"),
    ({"in": 1, "out": 3.5}, "out", "out_of_range"),
    ({"in": "10:00:01:25", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "10:00:01;00", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "10:00:1:00", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "10:00:01:00:00", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "ten o'clock", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "1" * 10000, "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": "10:00:61:00", "out": "10:00:02:00"}, "in", "invalid_timecode"),
    ({"in": True, "out": 2}, "in", "invalid_timecode"),
    ({"in": [1], "out": 2}, "in", "invalid_timecode"),
    ({"in": -1, "out": 2}, "in", "invalid_seconds"),
    ({"in": 1e300, "out": 2}, "in", "invalid_seconds"),
    ({"out": 2}, "in", "required"),
    ({"in": 1, "out": 2, "mode": "slow"}, "mode", "invalid_choice"),
    ({"in": 1, "out": 2, "colour": "red"}, "body", "unknown_field"),
])
def test_bad_in_and_out_are_422_with_the_field_and_no_clip_is_made(app, client, people, masters, body, field, code):
    source = make_source(app, people, masters["pal"])
    before = asset_count(app)
    resp = clip_post(client, source, body, H(people, "producer"))
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_clip" and set(err) == {"code", "message", "details"}
    assert (err["details"]["errors"][0]["field"], err["details"]["errors"][0]["code"]) == (field, code)
    assert asset_count(app) == before


def test_hostile_and_oversized_bodies_are_4xx_and_make_nothing(app, client, people, masters):
    source = make_source(app, people, masters["pal"])
    before = asset_count(app)
    url, h = f"/api/v1/assets/{source}/clips", H(people, "producer")
    cases = [
        (client.post(url, data="[1, 2]", content_type="application/json", headers=h), 400, "malformed_json"),
        (client.post(url, data="{\"in\": 1,", content_type="application/json", headers=h), 400, "malformed_json"),
        (client.post(url, data="{\"in\": 1, \"in\": 2, \"out\": 3}", content_type="application/json", headers=h),
         400, "malformed_json"),
        (client.post(url, data="[" * 100000, content_type="application/json", headers=h), 400, "malformed_json"),
        (client.post(url, data=json.dumps({"in": 1, "out": 2, "x": "y" * 2_000_000}),
                     content_type="application/json", headers=h), 413, "body_too_large"),
        (client.post(url, data="in=1&out=2", content_type="application/x-www-form-urlencoded", headers=h),
         415, "unsupported_media_type"),
        (clip_post(client, source, {"in": 1, "out": 2, "declaration": "everything"}, h), 422, "invalid_declaration"),
        (clip_post(client, source, {"in": 1, "out": 2, "declaration": {**USE, "platform": "mars"}}, h),
         422, "invalid_declaration"),
        (clip_post(client, source, {"in": 1, "out": 2, "declaration": {**USE, "from": "2001-01-01"}}, h),
         422, "invalid_declaration"),
        (clip_post(client, source, {"in": 1, "out": 2, "declaration": USE}, h,
                   "?platform=vod&territory=TR"), 422, "invalid_declaration"),
    ]
    for resp, status, code in cases:
        assert resp.status_code == status, (code, resp.get_json())
        assert resp.get_json()["error"]["code"] == code
    assert asset_count(app) == before


@pytest.mark.parametrize("status", ["processing", "rejected", "failed"])
def test_a_clip_of_an_asset_that_is_not_ready_is_409(app, client, people, masters, status):
    source = make_source(app, people, masters["pal"], status=status)
    before = asset_count(app)
    resp = clip_post(client, source, {"in": 1, "out": 2}, H(people, "producer"))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "source_not_ready"
    assert resp.get_json()["error"]["details"]["status"] == status
    assert asset_count(app) == before


def test_an_image_or_an_unprobed_asset_cannot_be_clipped(app, client, people):
    image = create_asset(app, people["producer"][0], data=b"picture" * 10, kind="image")
    resp = clip_post(client, image, {"in": 1, "out": 2}, H(people, "producer"))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_clippable"


def test_an_export_the_rights_deny_is_403_with_reasons_recorded_and_makes_no_clip(app, client, people, pal):
    before = asset_count(app)
    body = {"in": "10:00:00:00", "out": "10:00:01:00", "declaration": {**USE, "territory": "AZ"}}
    resp = clip_post(client, pal, body, H(people, "trt"))
    assert resp.status_code == 403
    err = resp.get_json()["error"]
    assert err["code"] == "rights_denied" and err["details"]["reasons"][0]["code"] == "not_covered"
    other = clip_post(client, pal, {**body, "declaration": USE}, H(people, "atv"))  # not a licensee
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "rights_denied"
    undeclared = clip_post(client, pal, {"in": 0, "out": 1}, H(people, "trt"))
    assert undeclared.status_code == 403 and undeclared.get_json()["error"]["code"] == "declaration_required"
    assert asset_count(app) == before
    with app.app_context():
        recs = db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)).all()
        assert [(r.action, r.decision) for r in recs] == [("clip", "denied")] * 3
        assert recs[0].segment == {"in": 0.0, "out": 1.0} and recs[0].declaration["territory"] == "AZ"


def test_the_declaration_may_come_as_query_parameters(app, client, people, pal):
    from urllib.parse import urlencode

    resp = clip_post(client, pal, {"in": 0, "out": 1}, H(people, "trt"), "?" + urlencode(USE))
    assert resp.status_code == 202
    assert resp.get_json()["lineage"]["declaration"] == USE


def test_unauthorised_callers_and_unknown_assets(app, client, people, pal):
    before = asset_count(app)
    assert clip_post(client, pal, {"in": 0, "out": 1}, {}).status_code == 401
    assert clip_post(client, pal, {"in": 0, "out": 1}, {"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(f"/api/v1/assets/{pal}/clips").status_code == 401
    missing = clip_post(client, "no-such-asset", {"in": 0, "out": 1}, H(people, "trt"))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "asset_not_found"
    assert asset_count(app) == before


def test_a_clip_whose_cut_fails_ends_failed_never_ready(app, client, people, masters):
    source = make_source(app, people, masters["pal"])
    clip_id = clip_post(client, source, {"in": 0, "out": 1}, H(people, "producer")).get_json()["id"]
    with app.app_context():
        src = db.session().get(Asset, source)
        storage().delete(src.original_key)  # the master's bytes are gone when the worker comes
        assert process_asset(clip_id) == "failed"
        clip = db.session().get(Asset, clip_id)
        assert clip.status == "failed" and clip.steps["cut"]["status"] == "failed" and not clip.original_key
    download = client.get(f"/api/v1/assets/{clip_id}/download", headers=H(people, "producer"))
    assert download.status_code == 409 and download.get_json()["error"]["code"] == "original_not_ready"


def test_a_clips_usage_declaration_is_shown_only_to_who_may_read_its_usage_record(app, client, people, pal, make_user):
    """The declaration a clip was exported under (and the decision naming its usage record) is
    the usage record's: the exporter's organisation, the master's organisation's rights managers
    and admins read it (archive.provenance.lineage.usage); any other member sees the clip and its
    span, not another organisation's programme and air dates (trial finding, HIGH)."""
    resp = clip_post(client, pal, {"in": 0, "out": 1, "declaration": USE}, H(people, "trt"))
    assert resp.status_code == 202 and resp.get_json()["lineage"]["declaration"] == USE
    clip_id = resp.get_json()["id"]
    with app.app_context():
        assert process_asset(clip_id) == "ready"
    people["trt_colleague"] = make_user("producer", "TR", org="TRT")
    people["admin"] = make_user("admin", "AZ", org="İTV")
    for who in ("trt", "trt_colleague", "manager", "admin"):
        lineage = client.get(f"/api/v1/assets/{clip_id}", headers=H(people, who)).get_json()["lineage"]
        assert lineage["declaration"] == USE, who
        assert lineage["decision"]["usage_record_id"] is not None, who
    for who in ("atv", "producer"):  # another organisation; the master's producer (not a usage reader)
        doc = client.get(f"/api/v1/assets/{clip_id}", headers=H(people, who)).get_json()
        lineage = doc["lineage"]
        assert (lineage["source_id"], lineage["in_seconds"], lineage["out_seconds"]) == (pal, 0.0, 1.0), who
        assert lineage["declaration"] is None and lineage["decision"] is None, who
        assert "Akşam Haberleri" not in json.dumps(doc, ensure_ascii=False), who


def test_a_master_whose_keyframes_cannot_be_read_is_409_by_its_reason_not_ffprobes_words(app, client, people,
                                                                                         masters, caplog):
    # Stored bytes ffprobe cannot read under the technical metadata of a real master.
    source = create_asset(app, people["producer"][0], data=b"not a video any more\n" * 200, filename="halay.mp4")
    with app.app_context():
        db.session().get(Asset, source).technical = inspect_media(str(masters["pal"]), timeout=60).to_dict()
        db.session().commit()
    resp = clip_post(client, source, {"in": 0.7, "out": 2, "mode": "fast"}, H(people, "producer"))
    error = resp.get_json()["error"]
    assert (resp.status_code, error["code"]) == (409, "not_clippable"), error
    assert error["details"] == {"kind": "video", "reason": "keyframes_unreadable"}
    assert "keyframes cannot be read" in caplog.text  # ffprobe's words are logged for the operator
