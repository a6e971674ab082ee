"""Transcripts API (`/api/v1/assets/{id}/transcripts/{lang}`): SRT and WebVTT read into
timecoded segments, bad files refused with their line, size limit, who may change them,
Events, and search hits inside a cue with its timecodes."""
from __future__ import annotations

import json

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.events.models import Event
from archive.indexing import index_asset
from archive.transcripts.models import Transcript, TranscriptSegment
from archive.transcripts.services import MAX_BYTES
from search.interfaces import SearchQuery
from tests.asset_factory import create_asset
from tests.functional.test_rights_pages import login

PAL = {"duration": 600.0, "frame_rate": "25/1", "start_timecode": "10:00:00:00"}
SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Qarabağ xalçaları</i> toxunur

2
00:01:12,400 --> 00:01:15,000
Aşıq sazını kökləyir
""".encode()
VTT = """WEBVTT

intro
00:00:02.000 --> 00:00:04.000 align:start
<v Anlatıcı>Dede Korkut'un hikâyeleri

00:02:00.000 --> 00:02:05.500
Düğün alayı köye giriyor
""".encode()


@pytest.fixture
def people(make_user):
    made = {"producer": make_user("producer", "AZ", org="AzTV"), "rights": make_user("rights_manager", "AZ", org="AzTV"),
            "broadcaster": make_user("broadcaster", "AZ", org="AzTV"), "other": make_user("producer", "TR", org="TRT"),
            "admin": make_user("admin", "TR", org="TRT")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


@pytest.fixture
def asset(app, people):
    asset_id = create_asset(app, people["producer"]["id"], data=b"transcript test " + json.dumps(PAL).encode(),
                            meta={"title": {"az": "Xalçaçılar"}})
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).technical = PAL
        s.commit()
    return asset_id


def _put(client, asset_id, lang, data, headers, **kw):
    return client.put(f"/api/v1/assets/{asset_id}/transcripts/{lang}", data=data, headers=headers,
                      content_type=kw.pop("content_type", "application/x-subrip"), **kw)


def test_put_srt_and_vtt_then_read_them(client, app, asset, people):
    h = people["producer"]["h"]
    r = _put(client, asset, "az", SRT, h)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["lang"], r.get_json()["format"], r.get_json()["segment_count"]) == ("az", "srt", 2)
    r = _put(client, asset, "tur", VTT, h, content_type="text/vtt")  # ISO 639-2 → its 639-1 form
    assert r.status_code == 201 and r.get_json()["lang"] == "tr" and r.get_json()["format"] == "vtt"
    one = client.get(f"/api/v1/assets/{asset}/transcripts/az", headers=people["other"]["h"]).get_json()
    assert one["segments"][0] == {"in": "10:00:01:00", "out": "10:00:03:12", "in_seconds": 1.0, "out_seconds": 3.5,
                                  "text": "Qarabağ xalçaları toxunur"}  # markup dropped, master timecode
    vtt = client.get(f"/api/v1/assets/{asset}/transcripts/tr", headers=h).get_json()
    assert [s["text"] for s in vtt["segments"]] == ["Dede Korkut'un hikâyeleri", "Düğün alayı köye giriyor"]
    listed = client.get(f"/api/v1/assets/{asset}/transcripts", headers=h).get_json()["transcripts"]
    assert [(t["lang"], t["segment_count"]) for t in listed] == [("az", 2), ("tr", 2)]


def test_replacing_and_removing_write_events(client, app, asset, people):
    h = people["rights"]["h"]  # a rights manager of the organisation edits its metadata too
    assert _put(client, asset, "az", SRT, h).status_code == 201
    assert _put(client, asset, "az", SRT.replace(b"toxunur", b"hazirdir"), h).status_code == 200
    assert client.delete(f"/api/v1/assets/{asset}/transcripts/az", headers=people["admin"]["h"]).status_code == 204
    with app.app_context():
        s = db.session()
        actions = [e.action for e in s.query(Event).filter_by(subject_id=asset).order_by(Event.id)]
        assert actions[-3:] == ["transcript.added", "transcript.replaced", "transcript.removed"]
        assert s.query(Transcript).count() == 0 and s.query(TranscriptSegment).count() == 0
    r = client.get(f"/api/v1/assets/{asset}/transcripts/az", headers=h)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "transcript_not_found"


@pytest.mark.parametrize("who", ["broadcaster", "other"])
def test_only_editors_of_the_asset_change_transcripts(client, asset, people, who):
    r = _put(client, asset, "az", SRT, people[who]["h"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    # The refusal names who may, as can_edit decides (README: producers and rights managers).
    assert r.get_json()["error"]["message"] == ("Only the producers and rights managers of the asset's organisation, "
                                                "or an administrator, may change its transcripts.")
    removed = client.delete(f"/api/v1/assets/{asset}/transcripts/az", headers=people[who]["h"])
    assert removed.status_code == 403 and "rights managers" in removed.get_json()["error"]["message"]


@pytest.mark.parametrize("body, line, reason", [
    (b"1\n00:00:01,000 --> 00:00:02,000\nbir\n\n2\n00:00:0x,000 --> 00:00:03,000\niki\n", 6, "srt_cue"),
    (b"1\n00:00:01,000 --> 00:00:02,000\nbir\n\n2\n00:00:05,000 --> 00:00:03,000\niki\n", 6, "cue_reversed"),
    (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbir\n\n00:00:xx.000 --> 00:00:03.000\niki\n", 6, "vtt_cue"),
    (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbir\n00:00:02.000 --> 00:00:03.000\niki\n", 5, "vtt_cue"),
    (b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe bad bytes\n", 3, "not_utf8"),
    (b"just some words, no cue", 1, "srt_cue"),
    (b"", None, "no_cues"),
    (b"WEBVTT\n\n", None, "no_cues"),
])
def test_malformed_files_are_400_with_the_line_and_the_reason(client, asset, people, body, line, reason):
    r = _put(client, asset, "az", body, people["producer"]["h"])
    assert r.status_code == 400, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "invalid_subtitles" and err["details"]["line"] == line
    # The reason travels as a code, so the pages say each in their language (SUBTITLE_REASONS).
    assert err["details"]["reason"] == reason, err
    if reason == "cue_reversed":
        assert err["details"]["cue"] == 2


def test_a_cue_starting_after_the_recording_ends_is_refused_with_its_line(client, asset, people):
    """The asset is 600 s long (PAL): a cue at 600 s or later belongs to another cut (and its
    search hit would link past the end); a last cue that starts before the end and runs on is kept."""
    h = people["producer"]["h"]
    late = b"1\n00:00:01,000 --> 00:00:02,000\nbir\n\n2\n00:10:00,000 --> 00:10:02,000\niki\n"
    r = _put(client, asset, "az", late, h)
    assert r.status_code == 400, r.get_json()
    err = r.get_json()["error"]
    assert (err["code"], err["details"]["reason"], err["details"]["line"]) == ("invalid_subtitles", "cue_past_end", 6)
    assert err["details"]["cue"] == 2 and err["details"]["seconds"] == 600.0
    running_on = b"1\n00:09:59,000 --> 00:10:30,000\nson\n"
    assert _put(client, asset, "az", running_on, h).status_code in (200, 201)


def test_a_50_mb_file_is_413_and_bad_languages_400(client, asset, people):
    h = people["producer"]["h"]
    big = SRT * (50 * 1024 * 1024 // len(SRT) + 1)
    r = _put(client, asset, "az", big, h)
    assert r.status_code == 413 and r.get_json()["error"]["details"]["limit"] == MAX_BYTES
    for lang in ("xx", "azerbaijani", "../etc"):
        r = _put(client, asset, lang, SRT, h)
        assert r.status_code in (400, 404), r.get_data()
        if r.status_code == 400:
            assert r.get_json()["error"]["code"] == "invalid_language"


def test_a_hit_inside_a_cue_returns_its_timecodes(client, app, asset, people):
    h = people["producer"]["h"]
    assert _put(client, asset, "az", SRT, h).status_code == 201
    with app.app_context():
        assert index_asset(db.session(), search_backend(), asset)
        result = search_backend().search(SearchQuery(text="aşıq"))
    assert [hit.id for hit in result.hits] == [asset]
    seg = result.hits[0].segments[0]
    assert (seg["in"], seg["out"], seg["in_seconds"], seg["out_seconds"], seg["lang"], seg["source"]) == \
        ("10:01:12:10", "10:01:15:00", 72.4, 75.0, "az", "transcript")
    assert seg["highlight"] == "<mark>Aşıq</mark> sazını kökləyir"
    api = client.get("/api/v1/search?q=AŞIQ&transcript=yes", headers=people["other"]["h"]).get_json()
    assert api["total"] == 1 and api["hits"][0]["segments"][0]["in_seconds"] == 72.4
    assert api["facets"]["transcript"] == {"yes": 1}


@pytest.mark.parametrize("q", ["kale", "türkü", "şehir"])
def test_a_bare_word_lists_the_turkish_cue_with_its_inflection(client, app, asset, people, q):
    """The newcomer's repro: a Turkish cue "Şuşa şehrinin kalesi görünüyor." is listed by `kale`,
    `şehir` (and `türkü` its `türküsü`), not only by the inflected word."""
    srt = "1\n00:00:05,000 --> 00:00:08,000\nŞuşa şehrinin kalesi görünüyor.\n\n" \
          "2\n00:00:09,000 --> 00:00:11,000\nBir türküsü var.\n".encode()
    assert _put(client, asset, "tr", srt, people["producer"]["h"]).status_code == 201
    with app.app_context():
        assert index_asset(db.session(), search_backend(), asset)
    body = client.get("/api/v1/search", query_string={"q": q}, headers=people["other"]["h"]).get_json()
    assert [h["id"] for h in body["hits"]] == [asset]
    assert [s["in_seconds"] for s in body["hits"][0]["segments"]] == [9.0 if q == "türkü" else 5.0]


@pytest.mark.parametrize("query, parameter", [
    ({"sort": "nonsense"}, "sort"), ({"recorded_from": "75"}, "recorded_from"),
    ({"recorded_to": "1975-13-99x"}, "recorded_to"), ({"duration": "2-3"}, "duration"),
    ({"decade": "1975"}, "decade"), ({"status": "deleted"}, "status"), ({"transcript": "maybe"}, "transcript"),
    ({"per_page": "-5"}, "per_page"), ({"per_page": "100000"}, "per_page"), ({"page": "99999"}, "page"),
])
def test_bad_search_parameters_are_400_with_the_parameter(client, people, query, parameter):
    r = client.get("/api/v1/search", query_string=query, headers=people["producer"]["h"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["details"]["parameter"] == parameter


def test_a_reversed_date_range_is_an_invalid_query_and_a_page_past_the_end_is_empty(client, people):
    h = people["producer"]["h"]
    r = client.get("/api/v1/search", query_string={"recorded_from": "1990", "recorded_to": "1980"}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_query"
    r = client.get("/api/v1/search", query_string={"page": "40", "unknown_facet": "x"}, headers=h)
    assert r.status_code == 200 and r.get_json()["hits"] == []


PAST_END = b"1\n00:00:01,000 --> 00:00:02,000\nbir\n\n2\n00:05:01,000 --> 00:05:03,000\niki\n"


def test_a_transcript_put_before_the_length_was_known_is_checked_once_it_is(app, client, register_file,
                                                                             sample_video, make_user):
    from archive.ingest.pipeline import process_asset

    asset_id = register_file(sample_video, "toy.mp4")  # 4 s; `processing`, its length not known yet
    _, token = make_user("producer", "TR", email="late-cue@example.org")
    h = {"Authorization": f"Bearer {token}"}
    assert _put(client, asset_id, "en", PAST_END, h).status_code == 201
    assert _put(client, asset_id, "tr", SRT.split(b"\n\n")[0] + b"\n", h).status_code == 201  # 1 s in: fits
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    listed = client.get(f"/api/v1/assets/{asset_id}/transcripts", headers=h).get_json()
    assert [t["lang"] for t in listed["transcripts"]] == ["tr"]
    [rejected] = listed["rejected"]
    assert {k: rejected[k] for k in ("lang", "reason", "cue")} == {"lang": "en", "reason": "cue_past_end", "cue": 2}
    assert 4.0 <= rejected["seconds"] < 4.1  # the recording's length as its timeline counts it
    with app.app_context():
        s = db.session()
        assert s.query(Transcript).filter_by(asset_id=asset_id, lang="en").count() == 0
        [event] = s.query(Event).filter_by(subject_id=asset_id, action="transcript.rejected").all()
        assert event.after["reason"] == "cue_past_end" and event.before["lang"] == "en"
    # The same file PUT now is refused as it always was.
    r = _put(client, asset_id, "en", PAST_END, h)
    assert r.status_code == 400 and r.get_json()["error"]["details"]["reason"] == "cue_past_end"
    # The asset page's history says why the transcript went, in the reader's language.
    login(client, "late-cue@example.org")
    client.get("/lang/tr")
    page = client.get(f"/assets/{asset_id}")
    assert page.status_code == 200
    assert "Altyazı kaldırıldı: bir altyazı satırı kaydın bitişinden sonra başlıyor" in page.get_data(as_text=True)
