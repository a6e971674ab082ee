"""The calendar's edges are a client's input like any other: 9999-12-31 (and an offset that
carries a date-time past it or before 0001-01-01 in UTC) is a valid ISO date, and the day after
it does not exist. Every path that adds or subtracts a day on a client's date answers a 4xx or
a decision, never a 500 (a newcomer found three: share expiry, avails, an original's declaration)."""
from __future__ import annotations

import pytest

from tests.functional.test_share_links import asset, people  # noqa: F401  (fixtures)

FAR = "9999-12-31"


@pytest.mark.parametrize("expires", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", FAR,
                                     "9999-12-31T23:59:59.999999-00:01"])
def test_a_share_expiry_past_the_calendar_is_refused(client, people, asset, expires):
    r = client.post("/api/v1/shares", json={"asset_id": asset, "expires": expires}, headers=people["trt"]["h"])
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    err = r.get_json()["error"]
    assert err["code"] == "invalid_share"
    assert [e["field"] for e in err["details"]["errors"]] == ["expires"]


def test_avails_to_the_last_day_of_the_calendar(client, people, asset):
    r = client.get(f"/api/v1/assets/{asset}/avails?platform=linear_tv&territory=TR&from=2027-01-01&to={FAR}",
                   headers=people["trt"]["h"])
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body["decision"] != "allowed"  # the grant ends 2027-12-31: the rest of the window is not covered
    r = client.get(f"/api/v1/assets/{asset}/avails?platform=linear_tv&territory=TR&from={FAR}&to={FAR}",
                   headers=people["trt"]["h"])
    assert r.status_code == 200 and r.get_json()["decision"] != "allowed"


def test_an_original_declared_for_the_last_day_is_decided_not_crashed(client, people, asset):
    r = client.get(f"/api/v1/assets/{asset}/download?platform=linear_tv&territory=TR&from={FAR}&to={FAR}"
                   "&purpose=broadcast&programme=Gece", headers=people["trt"]["h"])
    assert r.status_code == 403, r.get_data(as_text=True)[:300]
    assert r.get_json()["error"]["code"] == "rights_denied"


def test_usage_reports_to_the_last_day(client, people, asset):
    h = people["manager"]["h"]
    for path in (f"/api/v1/usage?from=2020-01-01&to={FAR}", f"/api/v1/usage?from=0001-01-01&to={FAR}&format=csv",
                 f"/api/v1/usage/summary?from=0001-01-01&to={FAR}", f"/api/v1/usage/outside-rights?to={FAR}"):
        r = client.get(path, headers=h)
        assert r.status_code in (200, 400), (path, r.status_code, r.get_data(as_text=True)[:300])


def test_a_rights_window_to_the_last_day_is_kept_and_audited(client, people, asset):
    grant = {"kind": "grant", "licensees": {"organisations": ["ATV"]}, "territories": ["TR"],
             "platforms": ["vod"], "start": "2027-01-01", "end": FAR}
    r = client.post(f"/api/v1/assets/{asset}/rights", json=grant, headers=people["manager"]["h"])
    assert r.status_code in (201, 422), r.get_data(as_text=True)[:300]
    r = client.get(f"/api/v1/assets/{asset}/avails?platform=vod&territory=TR&from=2030-01-01&to={FAR}",
                   headers=people["atv"]["h"])
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    r = client.get(f"/api/v1/rights/expiring?days=36500", headers=people["manager"]["h"])
    assert r.status_code in (200, 400), r.get_data(as_text=True)[:300]
