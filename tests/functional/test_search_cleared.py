"""Rights in the search index over HTTP: `GET /api/v1/search?cleared=PLATFORM:TERRITORY`, the
re-index a rights change sends, and the daily re-index of windows that open or close."""
from __future__ import annotations

from datetime import timedelta

import pytest

from archive import db, task_entry_points
from archive.backends import search_backend
from archive.indexing import index_asset, today_utc
from tests.asset_factory import create_asset

TODAY = today_utc()


@pytest.fixture
def people(make_user):
    return {"itv": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "atv": make_user("broadcaster", "TR", org="ATV"),
            "aztv": make_user("broadcaster", "AZ", org="AzTV")}


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


def grant(**over):
    body = {"kind": "grant", "licensees": {"organisations": ["TRT"], "countries": [], "all_members": False},
            "territories": ["TR"], "exclude_territories": [], "platforms": ["linear_tv"],
            "start": (TODAY - timedelta(days=10)).isoformat(), "end": None}
    body.update(over)
    return body


def add_block(client, people, asset, body):
    resp = client.post(f"/api/v1/assets/{asset}/rights", json=body, headers=H(people, "manager"))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def reindex(app, *assets, today=None):
    with app.app_context():
        for asset in assets:
            index_asset(db.session(), search_backend(), asset, today)


def found(client, people, who, cleared, **params):
    resp = client.get("/api/v1/search", query_string={"cleared": cleared, **params}, headers=H(people, who))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


@pytest.fixture
def archive(app, client, people, sent):
    owner = people["itv"][0]
    made = {name: create_asset(app, owner, data=name.encode() * 40, meta={"title": {"en": f"Folk {name}"}})
            for name in ("trt_tv", "world_vod", "nothing")}
    add_block(client, people, made["trt_tv"], grant())
    add_block(client, people, made["world_vod"], grant(licensees={"organisations": [], "countries": [],
                                                                  "all_members": True},
                                                       territories=["WORLD"], exclude_territories=["AZ"],
                                                       platforms=["vod"]))
    reindex(app, *made.values())
    return made


def test_cleared_for_me_filters_and_counts(client, people, archive):
    def ids(who, cleared):
        return {h["id"] for h in found(client, people, who, cleared)["hits"]}

    assert ids("trt", "linear_tv:TR") == {archive["trt_tv"]}
    assert ids("atv", "linear_tv:TR") == set()
    assert ids("itv", "linear_tv:TR") == set(archive.values())  # its own assets are always cleared for it
    assert ids("trt", "vod:TR") == ids("aztv", "vod:DE") == {archive["world_vod"]}
    assert ids("aztv", "vod:AZ") == set() and ids("trt", "vod:WORLD") == set()
    body = found(client, people, "trt", "linear_tv:TR", q="folk")
    assert body["total"] == 1 and body["facets"]["cleared"] == {"linear_tv": 1}
    body = found(client, people, "atv", "social:TR")
    assert body["total"] == 0 and body["facets"]["cleared"] == {}
    assert "cleared" not in client.get("/api/v1/search", headers=H(people, "trt")).get_json()["facets"]


def test_a_rights_change_reindexes_the_asset(app, client, people, archive, sent):
    sent.clear()
    block = add_block(client, people, archive["nothing"], grant(platforms=["radio"]))
    assert ("workers.tasks.index_asset", (archive["nothing"],)) in sent
    reindex(app, archive["nothing"])
    assert found(client, people, "trt", "radio:TR")["total"] == 1
    sent.clear()
    resp = client.patch(f"/api/v1/assets/{archive['nothing']}/rights/{block}", json={"territories": ["AZ"]},
                        headers=H(people, "manager"))
    assert resp.status_code == 200 and ("workers.tasks.index_asset", (archive["nothing"],)) in sent
    sent.clear()
    assert client.delete(f"/api/v1/assets/{archive['nothing']}/rights/{block}",
                         headers=H(people, "manager")).status_code in (200, 204)
    assert ("workers.tasks.index_asset", (archive["nothing"],)) in sent
    reindex(app, archive["nothing"])
    assert found(client, people, "trt", "radio:TR")["total"] == 0


def test_a_refused_rights_change_sends_nothing(client, people, archive, sent):
    sent.clear()
    resp = client.post(f"/api/v1/assets/{archive['nothing']}/rights", json=grant(platforms=["cinema"]),
                       headers=H(people, "manager"))
    assert resp.status_code == 422 and sent == []


def test_the_daily_task_opens_and_closes_windows(app, client, people, sent):
    asset = create_asset(app, people["itv"][0], data=b"window" * 50, meta={"title": {"en": "Tomorrow"}})
    tomorrow = TODAY + timedelta(days=1)
    add_block(client, people, asset, grant(start=tomorrow.isoformat(), end=(tomorrow + timedelta(days=1)).isoformat()))
    reindex(app, asset)
    assert found(client, people, "trt", "linear_tv:TR")["total"] == 0
    with app.app_context():
        assert task_entry_points.reindex_rights_day(TODAY) == 0  # nothing opens or closes today
        assert task_entry_points.reindex_rights_day(tomorrow) == 1
        db.session().commit()
    assert [h["id"] for h in found(client, people, "trt", "linear_tv:TR")["hits"]] == [asset]
    with app.app_context():
        assert task_entry_points.reindex_rights_day(tomorrow + timedelta(days=1)) == 0  # its last day
        assert task_entry_points.reindex_rights_day(tomorrow + timedelta(days=2)) == 1  # closed
    assert found(client, people, "trt", "linear_tv:TR")["total"] == 0


def test_the_daily_task_follows_holdbacks(app, client, people):
    asset = create_asset(app, people["itv"][0], data=b"held" * 50)
    until = TODAY + timedelta(days=3)
    add_block(client, people, asset, grant(holdbacks=[{"not_before": until.isoformat(), "platforms": ["linear_tv"],
                                                        "territories": ["TR"]}]))
    with app.app_context():
        assert task_entry_points.reindex_rights_day(TODAY) == 0
        assert task_entry_points.reindex_rights_day(until - timedelta(days=1)) == 0
    assert found(client, people, "trt", "linear_tv:TR")["total"] == 0
    with app.app_context():
        assert task_entry_points.reindex_rights_day(until) == 1
    assert found(client, people, "trt", "linear_tv:TR")["total"] == 1


@pytest.mark.parametrize("value", ["", "linear_tv", "tv:TR", "linear_tv:XX", "linear_tv:tr", "linear_tv:TR:x",
                                   ":TR", "linear_tv:", "LINEAR_TV:TR", "vod:" + "A" * 5000,
                                   "vod:TR OR 1=1", "vod:*", "vod:%", "vod:TÜ", "vod:WORLD,TR"])
def test_bad_cleared_values_are_400(client, people, archive, value):
    resp = client.get("/api/v1/search", query_string={"cleared": value}, headers=H(people, "trt"))
    assert resp.status_code == 400, value
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["details"]["parameter"] == "cleared"


def test_anonymous_is_refused(client):
    resp = client.get("/api/v1/search", query_string={"cleared": "vod:TR"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"]


# ---- the search page -------------------------------------------------------------------------

def login(client, make_user, role="broadcaster", country="TR", org="TRT"):
    import re

    email = f"{role}-{country.lower()}-page@example.org"
    make_user(role, country, org=org, email=email)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": "correct horse battery",
                                       "csrf_token": token}).status_code == 302


def test_search_page_cleared_selects_and_facet(client, make_user, archive):
    login(client, make_user)
    client.get("/lang/en")
    html = client.get("/").get_data(as_text=True)
    assert '<option value="TR" selected>Türkiye</option>' in html  # the user's country by default
    assert "Cleared for us today in Türkiye" in html
    assert 'data-facet="cleared" data-value="linear_tv"' in html and 'data-facet="cleared" data-value="vod"' in html
    assert archive["nothing"] in html  # no platform chosen: no filter
    html = client.get("/?platform=linear_tv").get_data(as_text=True)
    assert archive["trt_tv"] in html and archive["world_vod"] not in html and archive["nothing"] not in html
    html = client.get("/?platform=vod&territory=AZ").get_data(as_text=True)
    assert "1 asset" not in html and archive["world_vod"] not in html and "Nothing found." in html
    # Values that are not choices fall back to the defaults, never a 500.
    for query in ("?platform=cinema&territory=XX", "?platform=%00&territory=" + "A" * 3000, "?territory=world"):
        resp = client.get("/" + query)
        assert resp.status_code == 200 and '<option value="TR" selected>' in resp.get_data(as_text=True)


@pytest.mark.parametrize("code,heading,country", [("tr", "Bugün bizim için", "Türkiye"),
                                                  ("az", "Bu gün bizim üçün", "Azərbaycan")])
def test_search_page_in_turkish_and_azerbaijani(client, make_user, archive, code, heading, country):
    login(client, make_user, country="AZ", org="AzTV")
    client.get(f"/lang/{code}")
    html = client.get("/?platform=vod&territory=DE").get_data(as_text=True)
    assert heading in html and f">{country}</option>" in html
    assert archive["world_vod"] in html and archive["trt_tv"] not in html
