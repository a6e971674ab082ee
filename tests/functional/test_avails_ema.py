"""GET /api/v1/avails/ema: the avails of a search's assets in the EMA Avails column layout (CSV),
one row per asset × grant × territory × platform; the search page links to it."""
from __future__ import annotations

import csv
import io

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.indexing import index_asset
from archive.rights.avails import all_territories
from archive.rights.ema import EMA_COLUMNS, LICENSE_TYPES
from tests.asset_factory import create_asset
from tests.unit.web.conftest import log_in


def H(w, who):
    return {"Authorization": f"Bearer {w['users'][who][1]}"}


@pytest.fixture
def world(app, client, make_user):
    users = {"itv_prod": make_user("producer", "AZ", org="İTV"),
             "itv_rm": make_user("rights_manager", "AZ", org="İTV", email="rm@itv.example"),
             "trt_prod": make_user("producer", "TR", org="TRT"),
             "trt_rm": make_user("rights_manager", "TR", org="TRT"),
             "trt_bc": make_user("broadcaster", "TR", org="TRT", email="bc@trt.example"),
             "admin": make_user("admin", "TR", org="Ortak")}
    w = {"users": users}
    a = create_asset(app, users["itv_prod"][0], data=b"ema-a", meta={
        "title": {"az": "Şəki folkloru", "en": "Sheki folklore"}, "languages": ["az"], "genre": "folklore"})
    b = create_asset(app, users["trt_prod"][0], data=b"ema-b", meta={
        "title": {"tr": "Saz havası folklor"}, "genre": "folklore"})
    with app.app_context():
        s = db.session()
        s.get(Asset, a).technical = {"duration": 3000.0, "height": 1080, "width": 1920}
        s.commit()
    blocks = [(a, "itv_rm", {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR", "CY"],
                             "platforms": ["linear_tv", "vod"], "start": "2027-01-01", "end": "2027-12-31",
                             "exclusive": True, "conditions": {"credit": {"tr": "=Kaynak: İTV"}},
                             "holdbacks": [{"not_before": "2027-06-01", "platforms": ["vod"], "territories": ["CY"]}]}),
              (a, "itv_rm", {"kind": "grant", "licensees": {"countries": ["AZ"]}, "territories": ["WORLD"],
                             "exclude_territories": ["AM"], "platforms": ["social"], "start": "2026-01-01"}),
              (a, "itv_rm", {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
                             "platforms": ["radio"], "start": "2026-01-01"}),
              (b, "trt_rm", {"kind": "grant", "licensees": {"all_members": True}, "territories": ["TR"],
                             "platforms": ["online_news"], "start": "2026-01-01", "end": "2030-01-01"})]
    w["blocks"] = []
    for asset_id, who, body in blocks:
        r = client.post(f"/api/v1/assets/{asset_id}/rights", json=body, headers=H(w, who))
        assert r.status_code == 201, r.get_json()
        w["blocks"].append(r.get_json()["id"])
    with app.app_context():
        for asset_id in (a, b):
            index_asset(db.session(), search_backend(), asset_id)
    w.update(a=a, b=b)
    return w


def rows_of(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    reader = csv.reader(io.StringIO(resp.get_data(as_text=True)))
    header = next(reader)
    assert tuple(header) == EMA_COLUMNS  # the documented order
    return [dict(zip(header, r)) for r in reader]


def test_one_row_per_asset_grant_territory_and_platform(client, world):
    rows = rows_of(client.get("/api/v1/avails/ema?q=folklor", headers=H(world, "itv_rm")))
    assert {r["ContentID"] for r in rows} == {world["a"]}  # İTV's rights manager: İTV's asset only
    first = [r for r in rows if r["AvailID"].startswith(f"ortak:{world['blocks'][0]}:")]
    assert sorted((r["Territory"], r["LicenseRightsDescription"].split(";")[0]) for r in first) == [
        ("CY", "platform:linear_tv"), ("CY", "platform:vod"), ("TR", "platform:linear_tv"), ("TR", "platform:vod")]
    vod_cy = next(r for r in first if r["Territory"] == "CY" and "vod" in r["AvailID"])
    assert vod_cy["Start"] == "2027-06-01" and vod_cy["End"] == "2027-12-31"  # the holdback moves the start
    assert vod_cy["LicenseType"] == "VOD" and "exclusive" in vod_cy["LicenseRightsDescription"]
    assert "licensee:TRT" in vod_cy["LicenseRightsDescription"]
    assert vod_cy["OtherTerms"] == "credit[tr]: =Kaynak: İTV"
    assert vod_cy["DisplayName"] == "İTV" and vod_cy["StoreLanguage"] == "az" and vod_cy["WorkType"] == "Movie"
    assert vod_cy["TitleInternalAlias"] == "Sheki folklore" and vod_cy["TitleDisplayUnlimited"] == "Şəki folkloru"
    assert vod_cy["FormatProfile"] == "HD" and vod_cy["TotalRunTime"] == "00:50:00"
    assert vod_cy["EntryType"] == "Full Extract" and vod_cy["PriceType"] == ""
    tr_linear = next(r for r in first if r["Territory"] == "TR" and "linear_tv" in r["AvailID"])
    assert tr_linear["Start"] == "2027-01-01" and tr_linear["LicenseType"] == LICENSE_TYPES["linear_tv"]
    world_rows = [r for r in rows if r["AvailID"].startswith(f"ortak:{world['blocks'][1]}:")]
    assert {r["Territory"] for r in world_rows} == set(all_territories()) - {"AM"}
    assert all(r["End"] == "Open" and r["LicenseType"] == "AVOD" for r in world_rows)
    assert len(rows) == 4 + len(world_rows)  # no row for the restriction
    assert not any(r["AvailID"].startswith(f"ortak:{world['blocks'][2]}:") for r in rows)


def test_scope_admins_see_all_and_another_organisation_nothing_of_yours(client, world):
    admin = rows_of(client.get("/api/v1/avails/ema?q=folklor", headers=H(world, "admin")))
    assert {r["ContentID"] for r in admin} == {world["a"], world["b"]}
    trt = rows_of(client.get("/api/v1/avails/ema?q=folklor", headers=H(world, "trt_rm")))
    assert [(r["ContentID"], r["Territory"], r["LicenseType"], r["WorkType"]) for r in trt] == [
        (world["b"], "TR", "AVOD", "Short")]
    assert rows_of(client.get("/api/v1/avails/ema?q=nothingmatches", headers=H(world, "admin"))) == []


def test_the_search_parameters_select_the_assets(client, world):
    only_tr = rows_of(client.get("/api/v1/avails/ema?q=folklor&country=TR", headers=H(world, "admin")))
    assert {r["ContentID"] for r in only_tr} == {world["b"]}


@pytest.mark.parametrize("query", ["per_page=0", "per_page=10000", "page=0", "page=%EF%BC%91", "country=XX",
                                   "cleared=tv:TR", "cleared=vod:XX", "q=" + "x" * 501, "year=75"])
def test_bad_search_parameters_are_400(client, world, query):
    r = client.get("/api/v1/avails/ema?" + query, headers=H(world, "itv_rm"))
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert set(r.get_json()["error"]) == {"code", "message", "details"}


def test_broadcasters_and_producers_are_403_and_anonymous_401(client, world):
    for who in ("trt_bc", "itv_prod"):
        r = client.get("/api/v1/avails/ema?q=folklor", headers=H(world, who))
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_role"
    assert client.get("/api/v1/avails/ema?q=folklor").status_code == 401


def test_the_search_page_links_the_export_for_rights_managers(client, world):
    log_in(client, "rm@itv.example")
    html = client.get("/?q=folklor&country=AZ").get_data(as_text=True)
    assert 'href="/api/v1/avails/ema?q=folklor&amp;country=AZ&amp;page=1&amp;per_page=20' in html
    assert "(EMA)</a>" in html  # the link text, in the page's language


def test_broadcasters_get_no_export_link(client, world):
    log_in(client, "bc@trt.example")
    html = client.get("/?q=folklor").get_data(as_text=True)
    assert "/api/v1/avails/ema" not in html
