"""Rights audit for rights managers: grants expiring in N days and uses outside rights (API,
CSV, the audit page), and their notification checks, delivered in the app and to a webhook
on a real local HTTP server. Scope: a rights manager sees their organisation's assets, an
admin all; broadcasters and producers 403, anonymous 401."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.db import utcnow
from archive.notifications import checks, webhooks
from archive.notifications.models import Notification
from archive.rights.audit import EXPIRING_CSV_COLUMNS, OUTSIDE_CSV_COLUMNS
from archive.usage.services import record_usage
from tests.asset_factory import create_asset
from tests.unit.notifications.test_checks import deliver_sent, receiver  # noqa: F401 (receiver: a fixture)
from tests.unit.web.conftest import log_in

USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "Halk Müziği Saati"}


def H(world, who):
    return {"Authorization": f"Bearer {world['users'][who][1]}"}


@pytest.fixture
def app_config(app_config):
    """The webhook receiver listens on 127.0.0.1: an on-premises set-up."""
    return {**app_config, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


@pytest.fixture
def world(app, client, make_user):
    """İTV owns asset A (grants to TRT: a year in 2027, one ending in 10 days, one in 100; a
    restriction ending in 5 days), TRT owns asset B (a grant to İTV ending in 5 days)."""
    users = {"itv_prod": make_user("producer", "AZ", org="İTV"),
             "itv_rm": make_user("rights_manager", "AZ", org="İTV", email="rm@itv.example"),
             "itv_rm2": make_user("rights_manager", "AZ", org="İTV", email="rm2@itv.example"),
             "trt_prod": make_user("producer", "TR", org="TRT"),
             "trt_rm": make_user("rights_manager", "TR", org="TRT", email="rm@trt.example"),
             "trt_bc": make_user("broadcaster", "TR", org="TRT", email="bc@trt.example"),
             "admin": make_user("admin", "TR", org="Ortak")}
    w = {"users": users}
    a = create_asset(app, users["itv_prod"][0], data=b"A" * 100, meta={"title": {"az": "Şəki folkloru"}})
    b = create_asset(app, users["trt_prod"][0], data=b"B" * 100, meta={"title": {"tr": "Saz havası"}})
    today = utcnow().date()
    in_days = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    trt = {"organisations": ["TRT"]}
    bodies = {"year": (a, "itv_rm", {"kind": "grant", "licensees": trt, "territories": ["TR"],
                                     "platforms": ["linear_tv"], "start": "2027-01-01", "end": "2027-12-31"}),
              "soon": (a, "itv_rm", {"kind": "grant", "licensees": trt, "territories": ["TR", "CY"],
                                     "platforms": ["vod", "online_news"], "start": "2020-01-01", "end": in_days(10)}),
              "later": (a, "itv_rm", {"kind": "grant", "licensees": {"countries": ["TR"]}, "territories": ["WORLD"],
                                      "exclude_territories": ["AM"], "platforms": ["radio"], "start": "2020-01-01",
                                      "end": in_days(100)}),
              "restriction": (a, "itv_rm", {"kind": "restriction", "licensees": {"all_members": True},
                                            "territories": ["WORLD"], "platforms": ["social"],
                                            "start": "2020-01-01", "end": in_days(5)}),
              "b_soon": (b, "trt_rm", {"kind": "grant", "licensees": {"organisations": ["İTV"]},
                                       "territories": ["AZ"], "platforms": ["vod"], "start": "2020-01-01",
                                       "end": in_days(5)})}
    w["blocks"] = {}
    for name, (asset_id, who, body) in bodies.items():
        r = client.post(f"/api/v1/assets/{asset_id}/rights", json=body, headers=H(w, who))
        assert r.status_code == 201, r.get_json()
        w["blocks"][name] = r.get_json()["id"]
    w.update(a=a, b=b, today=today)
    return w


def get(client, world, who, url):
    r = client.get(url, headers=H(world, who) if who else {})
    r.get_data()
    r.close()
    return r


# ---- rights expiring in N days -----------------------------------------------------------------

def test_a_rights_manager_sees_their_organisations_grants_ending_within_n_days(client, world):
    body = get(client, world, "itv_rm", "/api/v1/rights/expiring").get_json()  # 30 days by default
    assert body["days"] == 30 and body["today"] == world["today"].isoformat()
    [item] = body["items"]  # not the restriction, not the grant ending in 100 days, not TRT's asset
    assert item["block"] == world["blocks"]["soon"] and item["asset"] == {"id": world["a"], "title": "Şəki folkloru"}
    assert item["licensees"] == ["TRT"] and item["platforms"] == ["online_news", "vod"]
    assert item["territories"] == ["CY", "TR"] and item["days_left"] == 10
    assert item["end"] == (world["today"] + timedelta(days=10)).isoformat()
    wide = get(client, world, "itv_rm", "/api/v1/rights/expiring?days=100").get_json()["items"]
    assert [i["block"] for i in wide] == [world["blocks"]["soon"], world["blocks"]["later"]]
    assert wide[1]["licensees"] == ["country:TR"] and wide[1]["exclude_territories"] == ["AM"]
    assert get(client, world, "itv_rm", "/api/v1/rights/expiring?days=9").get_json()["items"] == []
    assert [i["block"] for i in get(client, world, "itv_rm", "/api/v1/rights/expiring?days=10").get_json()["items"]] \
        == [world["blocks"]["soon"]]


def test_other_organisations_see_nothing_of_yours_and_admins_see_all(client, world):
    trt = get(client, world, "trt_rm", "/api/v1/rights/expiring?days=3650").get_json()["items"]
    assert [i["block"] for i in trt] == [world["blocks"]["b_soon"]]
    admin = get(client, world, "admin", "/api/v1/rights/expiring?days=3650").get_json()["items"]
    assert [i["block"] for i in admin] == [world["blocks"][n] for n in ("b_soon", "soon", "later", "year")]


def test_the_expiring_csv_has_its_header_and_a_row_per_grant(client, world):
    r = get(client, world, "itv_rm", "/api/v1/rights/expiring?days=100&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert tuple(rows[0]) == EXPIRING_CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == [str(world["blocks"]["soon"]), str(world["blocks"]["later"])]
    row = dict(zip(rows[0], rows[1]))
    assert row["asset_title"] == "Şəki folkloru" and row["platforms"] == "online_news vod" and row["days_left"] == "10"


@pytest.mark.parametrize("query", ["days=-1", "days=3651", "days=abc", "days=", "days=%EF%BC%91", "days=1e3",
                                   "days=99999999999999999999999", "format=xml", "days=1%00"])
def test_bad_expiring_parameters_are_400(client, world, query):
    r = get(client, world, "itv_rm", "/api/v1/rights/expiring?" + query)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize("url", ["/api/v1/rights/expiring", "/api/v1/rights/expiring?format=csv",
                                 "/api/v1/usage/outside-rights", "/api/v1/usage/outside-rights?format=csv"])
def test_broadcasters_and_producers_are_403_and_anonymous_401(client, world, url):
    for who in ("trt_bc", "itv_prod"):
        r = get(client, world, who, url)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_role"
    r = get(client, world, None, url)
    assert r.status_code == 401 and set(r.get_json()["error"]) == {"code", "message", "details"}


# ---- use outside rights ------------------------------------------------------------------------

def _download(client, world, **declaration):
    r = client.get(f"/api/v1/assets/{world['a']}/download?" + "&".join(f"{k}={v}" for k, v in declaration.items()),
                   headers=H(world, "trt_bc"))
    r.get_data()
    r.close()
    return r


def _record(app, world, declaration, reasons, decision="allowed", who="trt_bc"):
    with app.app_context():
        s = db.session()
        rec = record_usage(s, s.get(User, world["users"][who][0]), s.get(Asset, world["a"]), "download", "original",
                           declaration, decision=decision, reasons=reasons)
        s.commit()
        return rec.id


def test_uses_inside_their_rights_are_not_listed(app, client, world):
    assert _download(client, world, **USE).status_code == 200  # cleared by "year", through the gate
    _record(app, world, USE, [{"code": "own_asset"}], who="itv_prod")
    _record(app, world, {**USE, "from": "2029-01-01", "to": "2029-01-02"}, [{"code": "not_covered"}],
            decision="denied")
    body = get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()
    assert body == {"total": 0, "page": 1, "per_page": 50, "items": []}


def test_air_dates_outside_the_clearing_window_are_listed_with_the_days_uncovered(app, client, world):
    year = world["blocks"]["year"]
    rid = _record(app, world, {**USE, "from": "2027-12-20", "to": "2028-01-10"},
                  [{"code": "cleared", "blocks": [year]}])
    [item] = get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()["items"]
    assert item["usage_id"] == rid and item["problems"] == ["outside_window"] and item["blocks"] == [year]
    assert item["uncovered"] == [["2028-01-01", "2028-01-10"]]
    assert item["organisation"]["name"] == "TRT" and item["declaration"]["platform"] == "linear_tv"
    # İTV's asset: TRT's rights manager sees nothing of it; the admin does.
    assert get(client, world, "trt_rm", "/api/v1/usage/outside-rights").get_json()["total"] == 0
    assert get(client, world, "admin", "/api/v1/usage/outside-rights").get_json()["total"] == 1


def test_uses_against_blocks_since_changed_or_deleted_are_listed(app, client, world):
    assert _download(client, world, **USE).status_code == 200
    year = world["blocks"]["year"]
    r = client.patch(f"/api/v1/assets/{world['a']}/rights/{year}", json={"end": "2027-03-15"},
                     headers=H(world, "itv_rm"))
    assert r.status_code == 200, r.get_json()
    [item] = get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()["items"]
    assert item["problems"] == ["outside_window", "block_changed"] and item["changed_blocks"] == [year]
    assert item["uncovered"] == [["2027-03-16", "2027-03-31"]]
    assert client.delete(f"/api/v1/assets/{world['a']}/rights/{year}",
                         headers=H(world, "itv_rm")).status_code == 204
    [item] = get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()["items"]
    assert item["problems"] == ["outside_window", "block_deleted"] and item["deleted_blocks"] == [year]
    assert item["uncovered"] == [["2027-03-01", "2027-03-31"]]
    r = get(client, world, "itv_rm", "/api/v1/usage/outside-rights?format=csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert tuple(rows[0]) == OUTSIDE_CSV_COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["problems"] == "outside_window block_deleted" and row["uncovered"] == "2027-03-01..2027-03-31"


def test_a_restriction_added_after_an_allowed_use_over_its_air_dates_lists_it(app, client, world):
    assert _download(client, world, **USE).status_code == 200  # cleared by "year", through the gate
    # A restriction on another platform, and one on other days: the use is still inside its rights.
    for body in ({"platforms": ["vod"], "start": "2027-03-01", "end": "2027-03-31"},
                 {"platforms": ["linear_tv"], "start": "2027-05-01", "end": "2027-05-31"},
                 {"platforms": ["linear_tv"], "start": "2027-03-01", "end": "2027-03-31", "territories": ["AZ"]}):
        r = client.post(f"/api/v1/assets/{world['a']}/rights", headers=H(world, "itv_rm"),
                        json={"kind": "restriction", "licensees": {"all_members": True}, "territories": ["TR"], **body})
        assert r.status_code == 201, r.get_json()
    assert get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()["total"] == 0
    # A restriction over part of its declared air dates: listed, though no block that cleared it changed.
    r = client.post(f"/api/v1/assets/{world['a']}/rights", headers=H(world, "itv_rm"),
                    json={"kind": "restriction", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"],
                          "platforms": ["linear_tv"], "start": "2027-03-20", "end": "2027-04-30"})
    assert r.status_code == 201, r.get_json()
    restriction = r.get_json()["id"]
    [item] = get(client, world, "itv_rm", "/api/v1/usage/outside-rights").get_json()["items"]
    assert item["problems"] == ["restricted"] and item["blocks"] == [world["blocks"]["year"]]
    assert item["restricting_blocks"] == [restriction] and item["restricted"] == [["2027-03-20", "2027-03-31"]]
    assert item["uncovered"] == [] and item["changed_blocks"] == []
    rows = list(csv.reader(io.StringIO(get(client, world, "itv_rm",
                                           "/api/v1/usage/outside-rights?format=csv").get_data(as_text=True))))
    row = dict(zip(rows[0], rows[1]))
    assert row["problems"] == "restricted" and row["restricting_blocks"] == str(restriction)
    assert row["restricted"] == "2027-03-20..2027-03-31"
    log_in(client, "rm@itv.example")
    html = client.get("/audit", headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert html.count("data-outside-use") == 1 and "2027-03-20 – 2027-03-31" in html


def test_outside_rights_paging_and_bad_parameters(app, client, world):
    year = world["blocks"]["year"]
    ids = [_record(app, world, {**USE, "from": f"2028-0{m}-01", "to": f"2028-0{m}-02"},
                   [{"code": "cleared", "blocks": [year]}]) for m in (1, 2, 3)]
    body = get(client, world, "itv_rm", "/api/v1/usage/outside-rights?per_page=2&page=2").get_json()
    assert body["total"] == 3 and [i["usage_id"] for i in body["items"]] == [ids[0]]
    for query in ("page=0", "per_page=501", "per_page=x", "format=pdf", "page=%EF%BC%92"):
        r = get(client, world, "itv_rm", "/api/v1/usage/outside-rights?" + query)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter", query


def test_hostile_reasons_in_a_record_are_ignored_not_a_500(app, client, world):
    _record(app, world, {**USE, "from": "not a date"}, [{"code": "cleared", "blocks": ["1; DROP", None, 2**70]}])
    _record(app, world, None, [{"code": "cleared", "blocks": [world["blocks"]["year"]]}, "junk"])
    r = get(client, world, "itv_rm", "/api/v1/usage/outside-rights")
    assert r.status_code == 200 and r.get_json()["total"] == 0


# ---- the audit page ----------------------------------------------------------------------------

def test_the_audit_page_lists_expiring_grants_and_uses_outside_rights(app, client, world):
    _record(app, world, {**USE, "from": "2028-02-01", "to": "2028-02-03"},
            [{"code": "cleared", "blocks": [world["blocks"]["year"]]}])
    log_in(client, "rm@itv.example")
    html = client.get("/audit?days=100").get_data(as_text=True)
    assert 'id="rights-expiring"' in html and 'id="outside-rights"' in html
    assert "/api/v1/rights/expiring?days=100&amp;format=csv" in html
    assert "/api/v1/usage/outside-rights?format=csv" in html
    assert html.count("data-expiring-block") == 2 and html.count("data-outside-use") == 1
    assert "2028-02-01" in html
    assert client.get("/audit?days=-4").status_code == 400


# ---- notifications -----------------------------------------------------------------------------

def _notes(app, kind):
    with app.app_context():
        return [(n.user_id, n.subject, n.params) for n in db.session().query(Notification)
                .filter(Notification.kind == kind).order_by(Notification.id)]


def test_expiry_notifies_the_assets_rights_managers_once_per_block_and_threshold(app, world, receiver):  # noqa: F811
    with app.app_context():
        s = db.session()
        itv = s.get(User, world["users"]["itv_rm"][0]).organisation
        _hook, secret = webhooks.set_webhook(s, itv, {"url": f"http://127.0.0.1:{receiver.server_port}/hook"},
                                             allow_private=True)
        s.commit()
        report = checks.run_checks(s, app.config, world["today"], names=["rights_expiring"])
        s.commit()
    assert deliver_sent(app) == ["delivered"]
    # 30 days: İTV's "soon" grant (two rights managers), TRT's "b_soon" (one); no restriction.
    assert report.raised == 3 and report.failed_checks == []
    notes = _notes(app, "rights_expiring")
    assert sorted((uid, p["block"]) for uid, _s, p in notes) == sorted([
        (world["users"]["itv_rm"][0], world["blocks"]["soon"]), (world["users"]["itv_rm2"][0], world["blocks"]["soon"]),
        (world["users"]["trt_rm"][0], world["blocks"]["b_soon"])])
    assert all(p["days_left"] in (10, 5) for _u, _s, p in notes)
    [(headers, body)] = receiver.received  # İTV's webhook; TRT has none
    assert webhooks.signature_holds(secret, headers["Ortak-Signature"], body)
    doc = json.loads(body)
    assert doc["organisation"] == "İTV" and {n["kind"] for n in doc["notifications"]} == {"rights_expiring"}
    with app.app_context():  # the next day: nothing new, nothing delivered again
        report = checks.run_checks(db.session(), app.config, world["today"] + timedelta(days=1),
                                   names=["rights_expiring"])
        db.session().commit()
    assert report.raised == 0 and deliver_sent(app) == [] and len(receiver.received) == 1
    with app.app_context():  # a longer threshold is another notice
        config = {**app.config, "RIGHTS_EXPIRY_NOTICE_DAYS": 100}
        assert checks.run_checks(db.session(), config, world["today"], names=["rights_expiring"]).raised == 2 + 2 + 1
        db.session().commit()


def test_violation_notifies_the_assets_rights_managers_once_per_record(app, client, world, receiver):  # noqa: F811
    assert _download(client, world, **USE).status_code == 200
    with app.app_context():
        s = db.session()
        itv = s.get(User, world["users"]["itv_rm"][0]).organisation
        _hook, secret = webhooks.set_webhook(s, itv, {"url": f"http://127.0.0.1:{receiver.server_port}/hook"},
                                             allow_private=True)
        s.commit()
        assert checks.run_checks(s, app.config, world["today"], names=["use_outside_rights"]).raised == 0
        s.commit()
    client.patch(f"/api/v1/assets/{world['a']}/rights/{world['blocks']['year']}", json={"end": "2027-03-10"},
                 headers=H(world, "itv_rm"))
    with app.app_context():
        s = db.session()
        report = checks.run_checks(s, app.config, world["today"], names=["use_outside_rights"])
        s.commit()
        assert checks.run_checks(s, app.config, world["today"], names=["use_outside_rights"]).raised == 0
        s.commit()
    assert report.raised == 2 and report.deliveries_sent == 1 and deliver_sent(app) == ["delivered"]
    notes = _notes(app, "use_outside_rights")
    assert {uid for uid, _s, _p in notes} == {world["users"]["itv_rm"][0], world["users"]["itv_rm2"][0]}
    assert all(subject == world["a"] and p["organisation"] == "TRT" for _u, subject, p in notes)
    [(headers, body)] = receiver.received
    assert webhooks.signature_holds(secret, headers["Ortak-Signature"], body)
    assert [n["kind"] for n in json.loads(body)["notifications"]] == ["use_outside_rights"]  # one per organisation and dedupe key
    log_in(client, "rm@itv.example")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Şəki folkloru" in page
