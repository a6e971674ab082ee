"""Rights and clips speak the master's timecode (newcomer trial: Azerbaijani broadcasters on
29.97 drop-frame masters starting 01:00:00;00 and 23.976 masters starting 10:00:00:00).

Refusals name segments as the master's timecodes, as the clip form, the rights table and the
player do; real lavfi masters, probed as ingest probes them."""
from __future__ import annotations

import html as html_lib
import subprocess
from urllib.parse import urlencode

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset
from tests.clip_media import make_master, streams
from tests.functional.test_clips_api import make_source
from tests.functional.test_rights_pages import login

USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "xəbərlər", "programme": "Axşam xəbərləri"}
GRANT = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"], "platforms": ["linear_tv"],
         "start": "2027-01-01", "end": "2027-12-31"}
# 8.008-10.01 s of the drop-frame master, written as its timecodes.
RESTRICTION = {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
               "platforms": ["linear_tv"], "start": "2000-01-01", "end": None,
               "segment": {"in": "01:00:08;00", "out": "01:00:10;00"}}


@pytest.fixture(scope="module")
def df_master(tmp_path_factory):
    return make_master(tmp_path_factory.mktemp("df-trial") / "df.mp4", rate="30000/1001", seconds=12, gop=30,
                       timecode="01:00:00;00", audio_tracks=1)


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İctimai TV", email="p@itv.test"),
            "manager": make_user("rights_manager", "AZ", org="İctimai TV", email="m@itv.test"),
            "trt": make_user("broadcaster", "TR", org="TRT", email="b@trt.test")}


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


@pytest.fixture
def df(app, client, people, df_master):
    asset_id = make_source(app, people, df_master)
    for body in (GRANT, RESTRICTION):
        r = client.post(f"/api/v1/assets/{asset_id}/rights", json=body, headers=H(people, "manager"))
        assert r.status_code == 201, r.get_json()
    return asset_id


def test_a_refusal_names_the_segment_in_the_masters_drop_frame_timecode(app, client, people, df):
    r = client.get(f"/api/v1/assets/{df}/avails", headers=H(people, "trt"),
                   query_string={**{k: USE[k] for k in ("platform", "territory", "from", "to")},
                                 "in": "01:00:00;00", "out": "01:00:09;00"})
    body = r.get_json()
    assert r.status_code == 200 and body["decision"] == "denied", body
    reason = body["reasons"][0]
    assert reason["code"] == "restricted"
    segment = reason["scope"]["segments"][0]
    # The seconds stay; the timecodes come beside them.
    assert segment["in"] == pytest.approx(8.008) and segment["out"] == pytest.approx(9.009)
    assert (segment["in_timecode"], segment["out_timecode"]) == ("01:00:08;00", "01:00:09;00")
    assert "01:00:08;00-01:00:09;00" in reason["message"] and "00:00:08" not in reason["message"]
    # A clip refused by the gate carries the same.
    clip = client.post(f"/api/v1/assets/{df}/clips", headers=H(people, "trt"),
                       json={"in": "01:00:00;00", "out": "01:00:09;00", "mode": "accurate", "declaration": USE})
    assert clip.status_code == 403, clip.get_json()
    reason = clip.get_json()["error"]["details"]["reasons"][0]
    assert reason["scope"]["segments"][0]["in_timecode"] == "01:00:08;00"
    assert "01:00:08;00-01:00:09;00" in reason["message"]


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_the_clip_page_names_the_refused_segment_in_the_masters_timecode(app, client, people, df, lang):
    login(client, "b@trt.test")
    page = client.get(f"/assets/{df}/clip?" + urlencode({"in": "01:00:00;00", "out": "01:00:09;00", "checked": "1",
                                                         **USE}), headers={"Accept-Language": lang})
    text = html_lib.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and 'data-outcome="denied"' in text
    assert "01:00:08;00 – 01:00:09;00" in text and "00:00:08 – 00:00:09" not in text


def test_one_instant_names_one_frame_whether_written_as_seconds_or_as_a_clock_time(app, client, people, df):
    # The trial: "in": 1.5 gave frame 44 (01:00:01;14), "in": "01:00:01.500" frame 45.
    ins = set()
    for body in ({"in": 1.5, "out": 3}, {"in": "01:00:01.500", "out": "01:00:03.000"},
                 {"in": "01:00:01;14", "out": "01:00:03;00"}):
        r = client.post(f"/api/v1/assets/{df}/clips", json={**body, "mode": "accurate"}, headers=H(people, "producer"))
        assert r.status_code == 202, r.get_json()
        lineage = r.get_json()["lineage"]
        ins.add((lineage["in"], lineage["out"], lineage["in_frame"]))
    assert ins == {("01:00:01;14", "01:00:03;00", 44)}
    # A rights block's segment and an avails question read clock times by the same rule.
    r = client.post(f"/api/v1/assets/{df}/rights", headers=H(people, "manager"),
                    json={**RESTRICTION, "platforms": ["vod"], "segment": {"in": "01:00:01.500", "out": "01:00:03.000"}})
    assert r.status_code == 201, r.get_json()
    q = {"platform": "vod", "territory": "TR", "from": "2027-03-01", "to": "2027-03-01", "in": "01:00:00.000",
         "out": "01:00:01.500"}
    reason = client.get(f"/api/v1/assets/{df}/avails", query_string=q, headers=H(people, "trt")).get_json()["reasons"]
    restricted = next(x for x in reason if x["code"] == "restricted")
    assert restricted["scope"]["segments"] == [{"in": pytest.approx(44 * 1001 / 30000),
                                                "out": pytest.approx(45 * 1001 / 30000),
                                                "in_timecode": "01:00:01;14", "out_timecode": "01:00:01;15"}]


@pytest.fixture(scope="module")
def film_master(tmp_path_factory):
    """A 23.976 master of 289 frames (00:00:00:00 to 00:00:12:00 inclusive) whose audio runs on
    past the last picture: the container's duration (12.054 s, the trial's) is the audio's."""
    out = tmp_path_factory.mktemp("film-trial") / "film.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24000/1001",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12.2",
                    "-map", "0:v", "-map", "1:a", "-frames:v", "289", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-g", "24", "-c:a", "aac", "-timecode", "00:00:00:00", str(out)],
                   check=True)
    return out


def test_a_clip_ends_at_the_masters_last_frame_not_at_its_containers_duration(app, client, people, film_master):
    probe = streams(film_master)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert int(video["nb_frames"]) == 289 and float(probe["format"]["duration"]) > 289 * 1001 / 24000 + 0.0002
    source = make_source(app, people, film_master)
    with app.app_context():
        technical = db.session().get(Asset, source).technical
    assert technical["video_frames"] == 289
    # The form says the range runs to the end of frame 288: 00:00:12:01 (exclusive).
    login(client, "p@itv.test")
    form = client.get(f"/assets/{source}/clip").get_data(as_text=True)
    assert "00:00:12:01" in form and "00:00:12:02" not in form and "00:00:12:04" not in form
    # Validation: one past the last frame's end is refused, naming that end.
    H_ = H(people, "producer")
    past = client.post(f"/api/v1/assets/{source}/clips", json={"in": "00:00:11:00", "out": "00:00:12:02"}, headers=H_)
    assert past.status_code == 422, past.get_json()
    error = past.get_json()["error"]["details"]["errors"][0]
    assert error["code"] == "out_of_range" and error["params"]["max"] == "00:00:12:01"
    # Seconds past the last picture's end (12.0537 s) are refused the same way.
    assert client.post(f"/api/v1/assets/{source}/clips", json={"in": 11, "out": 12.06},
                       headers=H_).status_code == 422
    # The lineage and the cut agree with the form.
    ok = client.post(f"/api/v1/assets/{source}/clips", json={"in": "00:00:11:00", "out": "00:00:12:01",
                                                            "mode": "accurate"}, headers=H_)
    assert ok.status_code == 202, ok.get_json()
    lineage = ok.get_json()["lineage"]
    assert lineage["out_frame"] == 289 and lineage["cleared"]["out_frame"] == 289
    with app.app_context():
        assert process_asset(ok.get_json()["id"]) == "ready"
        clip = db.session().get(Asset, ok.get_json()["id"])
        assert clip.lineage["actual_out"] == "00:00:12:01"
        path = storage().local_path(clip.original_key)
    assert int(next(s for s in streams(path)["streams"] if s["codec_type"] == "video")["nb_frames"]) == 289 - 264
