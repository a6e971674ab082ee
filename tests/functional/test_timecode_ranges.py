"""A timecode of the right shape with a field out of its range (seconds 99, minutes 60, frame
25 at 25 fps) is named with the field and its range on every path that takes a timecode: markers,
clips, basket items, rights segments and co-production footage (archive.markers.timeline.read_position
and archive.validation.timecode_problem), never called "malformed"."""
from __future__ import annotations

import pytest

from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)
from tests.functional.test_coproduction_api import footage_asset
from tests.functional.test_error_entries import ctx  # noqa: F401  (the fixture: an İTV asset, its producer and rights manager)

SECONDS_99 = {"reason": "seconds_out_of_range", "part": "seconds", "value": 99, "min": 0, "max": 59}


def _entry(resp, code, field):
    assert resp.status_code == 422, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == code
    entry = next(e for e in err["details"]["errors"] if e["field"] == field)
    assert entry["code"] == "invalid_timecode", entry
    assert "malformed" not in entry["message"]
    return entry


def test_every_timecode_path_names_the_field_out_of_range(client, ctx):
    a, h = ctx["asset"], ctx["producer"]
    basket = client.post("/api/v1/baskets", json={"name": "Sepet"}, headers=h).get_json()["id"]
    cases = [
        (client.post(f"/api/v1/assets/{a}/markers", json={"in": "00:00:99:00", "text": "x"}, headers=h),
         "invalid_marker", "in"),
        (client.post(f"/api/v1/assets/{a}/clips", json={"in": "00:00:99:00", "out": "00:00:02:00"}, headers=h),
         "invalid_clip", "in"),
        (client.post(f"/api/v1/baskets/{basket}/items", json={"asset_id": a, "in": "00:00:99:00", "out": 2},
                     headers=h), "invalid_basket_item", "in"),
        (client.post(f"/api/v1/assets/{a}/rights", headers=ctx["manager"], json={
            "kind": "grant", "licensees": {"all_members": True}, "territories": ["AZ"], "platforms": ["vod"],
            "start": "2027-01-01", "segment": {"in": "00:00:99:00", "out": "00:00:02:00"}}),
         "invalid_rights_block", "segment.in"),
    ]
    for resp, code, field in cases:
        entry = _entry(resp, code, field)
        assert {k: entry["params"][k] for k in SECONDS_99} == SECONDS_99, (code, entry)
        assert "seconds 99 is out of range: seconds run from 00 to 59" in entry["message"], entry


@pytest.mark.parametrize("label, reason, part, top", [
    ("00:00:99:00", "seconds_out_of_range", "seconds", 59),
    ("00:61:00:00", "minutes_out_of_range", "minutes", 59),
    ("00:00:01:30", "frame_out_of_range", "frame", 24),  # 25 fps: frames 00-24
])
def test_co_production_footage_names_the_field_out_of_range(app, coprod, label, reason, part, top):
    mine = footage_asset(app, coprod.tr.user_id, duration=30.0)
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": mine, "date": "2026-01-04",
                              "in": label})
    entry = _entry(resp, "invalid_contribution", "in")
    assert entry["params"]["reason"] == reason
    assert entry["params"]["part"] == part and entry["params"]["max"] == top


def test_a_page_says_the_field_and_its_range_in_the_page_language(app):
    from archive.web import messages

    entry = {"field": "in", "code": "invalid_timecode", "message": "in: seconds 99 is out of range",
             "params": SECONDS_99}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "seconds are 99; seconds run from 00 to 59" in messages.field_error(entry)
    for lang in ("tr", "az"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            text = messages.field_error(entry)
            assert "99" in text and "59" in text and "seconds run" not in text, (lang, text)
