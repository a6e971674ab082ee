"""The usage log for rights managers: GET /api/v1/usage (filters, paging, CSV), its summary,
the audit page with its charts, and the notifications API and page. Scope: a rights manager
sees the uses of their own organisation's assets, an admin every use, nobody else any."""
from __future__ import annotations

import csv
import io
import socket
import threading
from datetime import datetime, timezone

import pytest

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.notifications import services as notifications
from archive.usage.models import UsageRecord
from archive.usage.services import record_usage, verify_chain
from tests.asset_factory import create_asset
from tests.unit.web.conftest import log_in


@pytest.fixture
def world(app, make_user):
    """İTV (AZ) owns asset A, TRT (TR) owns asset B; four uses; a token per role."""
    itv_prod = make_user("producer", "AZ", org="İTV")
    trt_prod = make_user("producer", "TR", org="TRT")
    users = {"itv_rm": make_user("rights_manager", "AZ", org="İTV", email="rm@itv.example"),
             "trt_rm": make_user("rights_manager", "TR", org="TRT", email="rm@trt.example"),
             "trt_bc": make_user("broadcaster", "TR", org="TRT", email="bc@trt.example"),
             "itv_bc": make_user("broadcaster", "AZ", org="İTV", email="bc@itv.example"),
             "admin": make_user("admin", "TR", org="Ortak", email="admin@ortak.example")}
    a = create_asset(app, itv_prod[0], data=b"A" * 100, meta={"title": {"az": "Şəki folkloru"}})
    b = create_asset(app, trt_prod[0], data=b"B" * 100, meta={"title": {"tr": "Saz havası"}})
    uses = [("trt_bc", a, {"platform": "linear_tv", "territory": "TR", "purpose": "=HYPERLINK(\"http://evil\")"}),
            ("trt_bc", a, {"platform": "linear_tv", "territory": "TR", "purpose": "haber"}),
            ("itv_bc", a, {"platform": "online_news", "territory": "AZ", "purpose": "xəbər"}),
            ("itv_bc", b, {"platform": "vod", "territory": "AZ", "purpose": "arxiv"})]
    with app.app_context():
        s = db.session()
        ids = []
        for who, asset_id, declaration in uses:
            ids.append(record_usage(s, s.get(User, users[who][0]), s.get(Asset, asset_id), "download", "original",
                                    declaration, decision="allowed").id)
        s.commit()
    return {"users": users, "a": a, "b": b, "ids": ids}


def get(client, world, who, url):
    r = client.get(url, headers={"Authorization": f"Bearer {world['users'][who][1]}"})
    r.get_data()
    r.close()  # as a WSGI server does: a streamed answer's context ends here
    return r


def test_a_rights_manager_sees_the_uses_of_their_organisations_assets(client, world):
    r = get(client, world, "itv_rm", "/api/v1/usage")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 3 and {i["asset"]["id"] for i in body["items"]} == {world["a"]}
    assert [i["id"] for i in body["items"]] == sorted(world["ids"][:3], reverse=True)
    item = body["items"][0]
    assert item["organisation"]["name"] == "İTV" and item["declaration"]["platform"] == "online_news"
    assert item["user"]["email"] == "bc@itv.example"  # their own organisation's user
    trt_use = body["items"][-1]
    assert trt_use["user"]["email"] is None  # another organisation's user: no e-mail address
    r = get(client, world, "trt_rm", "/api/v1/usage")
    assert r.get_json()["total"] == 1 and r.get_json()["items"][0]["asset"]["id"] == world["b"]


@pytest.mark.parametrize("scope,expected", [(None, {3}), ("assets", {3}), ("organisation", {0, 1}),
                                            ("both", {0, 1, 3})])
def test_a_rights_manager_audits_the_uses_their_organisation_made(client, world, app, make_user, scope, expected):
    """`scope=organisation` adds what a rights manager audits beside their own catalogue: who of
    their organisation took what, when, for which programme, of any organisation's assets; a
    third organisation's uses of those assets stay out, whatever the scope."""
    from archive.usage.services import may_read_usage
    atv = make_user("broadcaster", "TR", org="ATV")
    with app.app_context():
        s = db.session()
        third = record_usage(s, s.get(User, atv[0]), s.get(Asset, world["a"]), "download", "original",
                             {"platform": "vod", "territory": "TR"}, decision="allowed").id
        s.commit()
    query = f"?scope={scope}" if scope else ""
    body = get(client, world, "trt_rm", "/api/v1/usage" + query).get_json()
    assert {i["id"] for i in body["items"]} == {world["ids"][n] for n in expected} and third not in body["items"]
    assert body["total"] == len(expected)
    summary = get(client, world, "trt_rm", "/api/v1/usage/summary" + query).get_json()
    assert summary["total"] == len(expected)
    rows = list(csv.DictReader(io.StringIO(get(client, world, "trt_rm", "/api/v1/usage?format=csv&" + query[1:])
                                           .get_data(as_text=True))))
    assert {int(r["id"]) for r in rows} == {world["ids"][n] for n in expected}
    with app.app_context():
        s = db.session()
        viewer = s.get(User, world["users"]["trt_rm"][0])
        for item in body["items"]:
            rec = s.get(UsageRecord, item["id"])
            assert may_read_usage(viewer, s.get(Asset, rec.asset_id).organisation_id, rec.organisation_id)
        assert verify_chain(s) is None


def test_an_admin_may_narrow_the_log_to_their_own_organisation(client, world):
    assert get(client, world, "admin", "/api/v1/usage?scope=organisation").get_json()["total"] == 0
    assert get(client, world, "admin", "/api/v1/usage?scope=both").get_json()["total"] == 0
    r = get(client, world, "itv_rm", "/api/v1/usage?scope=everyone")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter"


def test_an_admin_sees_every_use(client, world):
    assert get(client, world, "admin", "/api/v1/usage").get_json()["total"] == 4


@pytest.mark.parametrize("who,status", [("trt_bc", 403), ("itv_bc", 403)])
def test_others_may_not_read_the_log(client, world, who, status):
    r = get(client, world, who, "/api/v1/usage")
    assert r.status_code == status and r.get_json()["error"]["code"] == "wrong_role"
    assert get(client, world, who, "/api/v1/usage/summary").status_code == 403


def test_anonymous_is_401(client, world):
    assert client.get("/api/v1/usage").status_code == 401
    assert client.get("/api/v1/usage?format=csv").status_code == 401


@pytest.mark.parametrize("query,expected", [
    ("org=TRT", 2), ("org=%C4%B0TV", 1), ("country=TR", 2), ("country=AZ", 1), ("platform=linear_tv", 2),
    ("platform=vod", 0), ("from=2000-01-01&to=2999-12-31", 3), ("to=2000-01-01", 0), ("asset={a}", 3),
    ("asset={b}", 0), ("asset=00000000-0000-4000-8000-000000000000", 0), ("org=TRT&platform=online_news", 0)])
def test_filters(client, world, query, expected):
    r = get(client, world, "itv_rm", "/api/v1/usage?" + query.format(**world))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["total"] == expected


def test_an_organisation_may_be_named_by_id(client, world, app):
    with app.app_context():
        org_id = db.session().get(User, world["users"]["trt_bc"][0]).organisation_id
    assert get(client, world, "itv_rm", f"/api/v1/usage?org={org_id}").get_json()["total"] == 2


def test_paging(client, world):
    r = get(client, world, "admin", "/api/v1/usage?per_page=3&page=2").get_json()
    assert r["total"] == 4 and len(r["items"]) == 1 and r["items"][0]["id"] == world["ids"][0]


@pytest.mark.parametrize("query,code", [
    ("page=0", "invalid_parameter"), ("per_page=501", "invalid_parameter"), ("page=%EF%BC%91", "invalid_parameter"),
    ("country=XX", "invalid_parameter"), ("country=", "invalid_parameter"), ("platform=tv", "invalid_parameter"),
    ("from=2026-13-01", "invalid_parameter"), ("from=20260101", "invalid_parameter"),
    ("from=2026-02-01&to=2026-01-01", "invalid_parameter"), ("format=xml", "invalid_parameter"),
    ("asset=" + "a" * 65, "invalid_parameter"), ("asset=not-a-uuid", "invalid_parameter"),
    ("asset=", "invalid_parameter"), ("asset=1", "invalid_parameter"), ("org=" + "x" * 201, "invalid_parameter"),
    ("from=2026-01-01%00x", "invalid_parameter"), ("to=%E2%80%AE2026-01-01", "invalid_parameter")])
def test_bad_parameters_are_400(client, world, query, code):
    r = get(client, world, "itv_rm", "/api/v1/usage?" + query)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == code
    if "format" not in query:
        assert get(client, world, "itv_rm", "/api/v1/usage?format=csv&" + query).status_code == 400


def test_an_unknown_organisation_is_404(client, world):
    for name in ("Nobody", "99999", "' OR 1=1 --"):
        r = get(client, world, "itv_rm", f"/api/v1/usage?org={name}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "organisation_not_found"


def test_csv_export_streams_the_same_records_without_formulas(client, world):
    r = get(client, world, "itv_rm", "/api/v1/usage?format=csv&lang=az")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [int(row["id"]) for row in rows] == world["ids"][:3]
    assert rows[0]["asset_title"] == "Şəki folkloru" and rows[0]["platform"] == "linear_tv"
    assert rows[0]["purpose"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert rows[2]["purpose"] == "xəbər" and rows[2]["country"] == "AZ"
    filtered = get(client, world, "itv_rm", "/api/v1/usage?format=csv&country=AZ").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 1


def test_summary_figures(client, world):
    s = get(client, world, "itv_rm", "/api/v1/usage/summary?lang=az").get_json()
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    assert s["total"] == 3
    assert s["by_month_country"] == [{"month": month, "country": "AZ", "uses": 1},
                                     {"month": month, "country": "TR", "uses": 2}]
    assert s["top_assets"] == [{"id": world["a"], "title": "Şəki folkloru", "uses": 3}]
    assert {p["platform"]: p["uses"] for p in s["platforms"]} == {"linear_tv": 2, "online_news": 1}
    assert [(o["name"], o["uses"]) for o in s["organisations"]] == [("TRT", 2), ("İTV", 1)]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/usage", "/api/v1/usage/{id}", "/api/v1/usage/summary"])
def test_no_route_changes_or_deletes_a_usage_record(client, world, app, method, path):
    headers = {"Authorization": f"Bearer {world['users']['admin'][1]}", "Content-Type": "application/json"}
    r = getattr(client, method)(path.format(id=world["ids"][0]), headers=headers, data=b'{"action": "clip"}')
    assert r.status_code in (404, 405)
    assert r.get_json()["error"]["code"] in ("not_found", "method_not_allowed")
    with app.app_context():
        s = db.session()
        assert s.query(UsageRecord).count() == 4 and verify_chain(s) is None


# ---- the audit page --------------------------------------------------------------------

@pytest.mark.parametrize("lang,heading", [("tr", "Kullanım denetimi"), ("az", "İstifadə auditi"),
                                          ("en", "Usage audit")])
def test_the_audit_page_in_three_languages(client, world, lang, heading):
    assert log_in(client, "rm@itv.example").status_code == 302
    client.get(f"/lang/{lang}")
    r = client.get("/audit")
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert heading in html
    assert "Şəki folkloru" in html and 'id="audit-charts"' in html and "chart.umd.min.js" in html
    assert "/api/v1/usage?" in html and "format=csv" in html
    assert "Saz havası" not in html  # TRT's asset is not İTV's to audit


def test_the_audit_page_filters_and_keeps_the_filters_in_the_csv_link(client, world):
    log_in(client, "rm@itv.example")
    r = client.get("/audit?country=AZ&platform=&org=")
    assert r.status_code == 302 and r.headers["Location"].endswith("/audit?country=AZ")
    html = client.get("/audit?country=AZ").get_data(as_text=True)
    assert "country=AZ&amp;format=csv" in html
    assert client.get("/audit?from=2026-99-01").status_code == 400
    assert client.get("/audit?org=Nobody").status_code == 404


@pytest.mark.parametrize("lang,label", [("tr", "Kurumumuzun yaptığı"), ("az", "Təşkilatımızın etdiyi"),
                                        ("en", "Made by our organisation")])
def test_the_audit_page_shows_the_uses_the_organisation_made(client, world, lang, label):
    log_in(client, "rm@trt.example")
    client.get(f"/lang/{lang}")
    html = client.get("/audit").get_data(as_text=True)
    assert label in html and "Şəki folkloru" not in html
    html = client.get("/audit?scope=organisation").get_data(as_text=True)
    assert "Şəki folkloru" in html and "Saz havası" not in html and "scope=organisation&amp;format=csv" in html


@pytest.mark.parametrize("email,status", [("bc@trt.example", 403), ("admin@ortak.example", 200)])
def test_the_audit_page_is_for_rights_managers_and_admins(client, world, email, status):
    log_in(client, email)
    assert client.get("/audit").status_code == status


def test_the_audit_page_needs_a_login(client, world):
    r = client.get("/audit")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# ---- notifications ---------------------------------------------------------------------

def _notify(app, user_id, n=2):
    with app.app_context():
        s = db.session()
        made = []
        for i in range(n):
            made += notifications.raise_for(s, [s.get(User, user_id)], kind="usage_log_broken",
                                            message=f"The usage log does not verify ({i}).", dedupe_key=f"k{i}",
                                            params={"problem": "missing_tail", "record": 7})
        s.commit()
        return [m.id for m in made]


def test_notifications_api_lists_and_marks_read(client, world, app):
    ids = _notify(app, world["users"]["admin"][0])
    other = _notify(app, world["users"]["itv_rm"][0], 1)
    h = {"Authorization": f"Bearer {world['users']['admin'][1]}"}
    body = client.get("/api/v1/notifications", headers=h).get_json()
    assert body["total"] == 2 and body["unread"] == 2 and [i["id"] for i in body["items"]] == ids[::-1]
    r = client.post("/api/v1/notifications/read", headers=h, json={"ids": [ids[0], other[0], 123456]})
    assert r.status_code == 200 and r.get_json() == {"marked": 1, "unread": 1}
    assert client.get("/api/v1/notifications?unread=1", headers=h).get_json()["total"] == 1
    assert client.post("/api/v1/notifications/read", headers=h, json={"all": True}).get_json()["unread"] == 0
    h2 = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    assert client.get("/api/v1/notifications?unread=1", headers=h2).get_json()["total"] == 1  # untouched


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"ids": "1"}', b'{"ids": [1.5]}', b'{"ids": [-1]}',
                                  b'{"ids": [true]}', b'{"all": false}', b'{"all": true, "ids": [1]}', b"{}",
                                  b'{"ids": [1], "evil": 1}', b'{"ids": [' + b"1," * 600 + b"1]}",
                                  b'{"ids": [99999999999999999999999]}'])
def test_bad_mark_read_bodies_are_4xx(client, world, app, body):
    _notify(app, world["users"]["admin"][0], 1)
    h = {"Authorization": f"Bearer {world['users']['admin'][1]}", "Content-Type": "application/json"}
    r = client.post("/api/v1/notifications/read", headers=h, data=body)
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] in ("malformed_json", "invalid_notification_ids")
    assert client.get("/api/v1/notifications?unread=1", headers=h).get_json()["total"] == 1


def test_notifications_need_a_login(client, world):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read", json={"all": True}).status_code == 401


def test_webhook_set_read_and_removed_by_a_rights_manager(client, world):
    h = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    assert client.get("/api/v1/notifications/webhook", headers=h).status_code == 404
    r = client.put("/api/v1/notifications/webhook", headers=h, json={"url": "https://hooks.itv.example/ortak"})
    assert r.status_code == 200 and len(r.get_json()["secret"]) == 64
    got = client.get("/api/v1/notifications/webhook", headers=h).get_json()
    assert got["url"] == "https://hooks.itv.example/ortak" and "secret" not in got
    assert client.delete("/api/v1/notifications/webhook", headers=h).status_code == 204
    assert client.delete("/api/v1/notifications/webhook", headers=h).status_code == 404


@pytest.mark.parametrize("body", [{"url": "file:///etc/passwd"}, {"url": "http://a:b@x.example/"}, {"url": ""},
                                  {"url": "https://x.example/" + "a" * 3000}, {"url": 5}, {}, {"url": "x", "y": 1}])
def test_bad_webhooks_are_422_and_nothing_is_stored(client, world, body):
    h = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    r = client.put("/api/v1/notifications/webhook", headers=h, json=body)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_webhook_url"
    assert client.get("/api/v1/notifications/webhook", headers=h).status_code == 404


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8790/api/v1/me", "http://[::1]:22/",
    "http://localhost/", "http://10.1.2.3/", "http://172.16.0.9/", "https://192.168.1.1/hook",
    "http://[fe80::1]/", "http://[fd00::5]/", "http://224.0.0.1/", "http://0.0.0.0:8080/",
    "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://2130706433/"])
def test_webhooks_to_addresses_that_are_not_public_are_422(client, world, url):
    h = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    r = client.put("/api/v1/notifications/webhook", headers=h, json={"url": url})
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "invalid_webhook_url" and error["details"] == {"field": "url", "reason": "private_address"}
    assert client.get("/api/v1/notifications/webhook", headers=h).status_code == 404


def test_a_webhook_host_that_does_not_resolve_in_time_is_422_without_waiting_for_it(app, client, world, monkeypatch):
    """The PUT waits WEBHOOK_RESOLVE_SECONDS for the name, not as long as the resolver takes."""
    app.config["WEBHOOK_RESOLVE_SECONDS"] = 1
    resolving, release = threading.Event(), threading.Event()
    real = socket.getaddrinfo

    def slow_resolver(host, *args, **kwargs):
        if host != "slow.example":
            return real(host, *args, **kwargs)
        resolving.set()
        release.wait(60)
        return real("93.184.215.14", *args, **kwargs)  # a public address, had it answered

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    h = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    try:
        r = client.put("/api/v1/notifications/webhook", headers=h, json={"url": "https://slow.example/hook"})
        assert resolving.is_set()  # the lookup began (and still hangs: released below)
    finally:
        release.set()
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "invalid_webhook_url" and error["details"] == {"field": "url", "reason": "resolve_timeout"}
    assert client.get("/api/v1/notifications/webhook", headers=h).status_code == 404


def test_private_webhook_addresses_are_allowed_when_the_operator_says_so(app, client, world):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    h = {"Authorization": f"Bearer {world['users']['itv_rm'][1]}"}
    r = client.put("/api/v1/notifications/webhook", headers=h, json={"url": "http://10.1.2.3:8080/hook"})
    assert r.status_code == 200 and r.get_json()["url"] == "http://10.1.2.3:8080/hook"


def test_a_broadcaster_may_not_set_a_webhook(client, world):
    h = {"Authorization": f"Bearer {world['users']['trt_bc'][1]}"}
    assert client.put("/api/v1/notifications/webhook", headers=h, json={"url": "https://x.example/"}).status_code == 403


@pytest.mark.parametrize("lang,text", [("tr", "Bildirimler"), ("az", "Bildirişlər"), ("en", "Notifications")])
def test_the_notifications_page(client, world, app, lang, text):
    ids = _notify(app, world["users"]["admin"][0])
    log_in(client, "admin@ortak.example")
    client.get(f"/lang/{lang}")
    html = client.get("/notifications").get_data(as_text=True)
    assert text in html and f'data-id="{ids[0]}"' in html
    from tests.unit.web.conftest import csrf_from
    token = csrf_from(html)
    r = client.post("/notifications/read", data={"id": str(ids[0]), "csrf_token": token})
    assert r.status_code == 302
    assert client.post("/notifications/read", data={"id": "'; DROP TABLE x", "csrf_token": token}).status_code == 302
    assert client.post("/notifications/read", data={"id": "all"}).status_code == 400  # no CSRF token
    with app.app_context():
        assert notifications.unread_count(db.session(), db.session().get(User, world["users"]["admin"][0])) == 1


@pytest.mark.parametrize("lang,world_word", [("tr", "Dünya"), ("az", "Dünya"), ("en", "World")])
def test_the_audit_page_names_the_whole_world_in_words(client, world, app, lang, world_word):
    """A use declared for WORLD shows the page's word for it, as the rights pages do
    (archive.web.present.show), not the token."""
    with app.app_context():
        s = db.session()
        record_usage(s, s.get(User, world["users"]["itv_bc"][0]), s.get(Asset, world["a"]), "download", "original",
                     {"platform": "social", "territory": "WORLD", "purpose": "paylaşım"}, decision="allowed")
        s.commit()
    log_in(client, "rm@itv.example")
    client.get(f"/lang/{lang}")
    html = client.get("/audit").get_data(as_text=True)
    row = next(r for r in html.split("<tr>") if "paylaşım" in r)
    assert f"<td>{world_word}</td>" in row and "WORLD" not in row, row
