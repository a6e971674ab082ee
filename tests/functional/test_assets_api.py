"""The assets JSON API, /me and /search, through the Flask test client (the OpenAPI document: test_openapi.py).

Assets are made with tests.asset_factory (real storage, rows as ingest leaves them), so these
tests do not depend on the upload endpoint or the media pipeline.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from archive import db
from archive.accounts import sessions
from archive.events.models import Event
from tests.asset_factory import create_asset
from tests.http import api_error as error
from tests.http import bearer

HOSTILE_IDS = ["..%2F..%2Fetc%2Fpasswd", "..", "x" * 5000, "%00", "abc%00def",
               "00000000-0000-0000-0000-000000000000", "1%20OR%201=1", "%C4%B0stanbul"]




@pytest.fixture
def asset(app, producer):
    return create_asset(app, producer[0], filename="Qız Qalası.mp4",
                        renditions={"proxy": {"data": b"p" * 300, "content_type": "video/mp4", "ext": ".mp4"},
                                    "poster": {"status": "running", "progress": 0.4}})


# ---- reading ---------------------------------------------------------------------------------

def test_get_asset_shape(client, auth, asset):
    resp = client.get(f"/api/v1/assets/{asset}", headers=auth)
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["id"] == asset and doc["status"] == "ready" and doc["error"] is None
    assert doc["title"] == "Qız Qalası.mp4"  # the filename until a title is given
    assert doc["metadata"]["organisation"] == "Org TR" and doc["metadata"]["country"] == "TR"
    assert set(doc["metadata"]) == {"title", "description", "genre", "keywords", "people", "places",
                                    "recorded", "languages", "organisation", "country"}
    renditions = {r["name"]: r for r in doc["renditions"]}
    assert renditions["proxy"]["status"] == "ready" and renditions["proxy"]["size"] == 300
    assert renditions["proxy"]["url"].endswith(f"/api/v1/assets/{asset}/download?rendition=proxy")
    assert renditions["poster"] == {**renditions["poster"], "status": "running", "progress": 0.4, "url": None}
    assert doc["technical"] == {"duration": 4.0} and doc["lineage"] is None


def test_any_role_may_read(client, make_user, asset):
    for role in ("broadcaster", "rights_manager", "admin"):
        _, tok = make_user(role, "AZ")
        assert client.get(f"/api/v1/assets/{asset}", headers=bearer(tok)).status_code == 200


def test_list_assets_pages(app, client, auth, producer):
    ids = [create_asset(app, producer[0], data=f"asset {i}".encode()) for i in range(3)]
    create_asset(app, producer[0], data=b"still processing", status="processing")
    body = client.get("/api/v1/assets?per_page=2&page=1", headers=auth).get_json()
    assert body["total"] == 4 and len(body["items"]) == 2 and body["per_page"] == 2
    page2 = client.get("/api/v1/assets?per_page=2&page=2", headers=auth).get_json()
    assert len(page2["items"]) == 2
    assert {i["id"] for i in body["items"]}.isdisjoint({i["id"] for i in page2["items"]})
    ready = client.get("/api/v1/assets?status=ready", headers=auth).get_json()
    assert ready["total"] == 3 and {i["id"] for i in ready["items"]} == set(ids)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "per_page=0", "per_page=101",
                                   "per_page=1e3", "status=deleted", "page=" + "9" * 50])
def test_list_assets_bad_parameters(client, auth, query):
    error(client.get(f"/api/v1/assets?{query}", headers=auth), 400, "invalid_parameter")


@pytest.mark.parametrize("bad_id", HOSTILE_IDS)
def test_unknown_or_malformed_ids_are_404(client, auth, bad_id):
    for suffix in ("", "/history", "/download"):
        resp = client.get(f"/api/v1/assets/{bad_id}{suffix}", headers=auth)
        assert resp.status_code == 404, (bad_id, suffix, resp.status_code)
        assert "error" in resp.get_json()
    resp = client.patch(f"/api/v1/assets/{bad_id}", headers=auth, json={"genre": "film"})
    assert resp.status_code == 404


def test_unknown_id_code(client, auth):
    error(client.get("/api/v1/assets/6f1c2b8e-0000-4000-8000-000000000000", headers=auth), 404, "asset_not_found")
    error(client.get("/api/v1/assets/not-an-id", headers=auth), 404, "asset_not_found")


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/assets/{id}", "/api/v1/assets/{id}/history",
                                  "/api/v1/assets/{id}/download", "/api/v1/search?q=x", "/api/v1/me"])
def test_unauthenticated_is_401(client, asset, path):
    error(client.get(path.format(id=asset)), 401, "unauthenticated")
    error(client.get(path.format(id=asset), headers=bearer("ortak_forged")), 401, "unauthenticated")


def test_unauthenticated_patch_is_401(client, asset):
    error(client.patch(f"/api/v1/assets/{asset}", json={"genre": "film"}), 401, "unauthenticated")


# ---- editing ---------------------------------------------------------------------------------

def test_patch_writes_one_event_with_changed_fields_and_reindexes(app, client, auth, asset, producer, sent):
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, json={
        "title": {"tr": "Kız Kulesi", "az": "Qız qalası"}, "genre": "folklore", "keywords": ["kule", "deniz"],
        "recorded": "1975-06", "languages": ["tr"]})
    assert resp.status_code == 200, resp.get_json()
    doc = resp.get_json()
    assert doc["metadata"]["title"] == {"tr": "Kız Kulesi", "az": "Qız qalası"}
    assert doc["metadata"]["recorded"] == "1975-06" and doc["metadata"]["genre"] == "folklore"
    assert ("workers.tasks.index_asset", (asset,)) in sent

    # A second edit touches one language only; the other stays.
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"title": {"tr": "Kız Kulesi (1975)"}})
    assert resp.get_json()["metadata"]["title"] == {"tr": "Kız Kulesi (1975)", "az": "Qız qalası"}

    history = client.get(f"/api/v1/assets/{asset}/history", headers=auth).get_json()["events"]
    assert [e["action"] for e in history] == ["asset.metadata_changed"] * 2
    latest, first = history
    assert latest["before"] == {"title": {"tr": "Kız Kulesi", "az": "Qız qalası"}}
    assert latest["after"] == {"title": {"tr": "Kız Kulesi (1975)", "az": "Qız qalası"}}
    assert set(first["after"]) == {"title", "genre", "keywords", "recorded", "languages"}
    assert first["before"]["genre"] is None
    assert latest["actor"]["id"] == producer[0]


def test_patch_without_a_change_writes_no_event(app, client, auth, asset, sent):
    client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"genre": "film"})
    sent.clear()
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth,
                        json={"genre": "film", "organisation": "Org TR", "country": "TR"})
    assert resp.status_code == 200
    assert sent == []
    with app.app_context():
        assert len(list(db.session().scalars(select(Event).where(Event.subject_id == asset)))) == 1


def test_sql_and_html_are_stored_verbatim(client, auth, asset):
    hostile = "<script>alert('x')</script>'; DROP TABLE assets; --"
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth,
                        json={"title": {"en": hostile}, "description": {"tr": "<img src=x onerror=alert(1)>"},
                              "keywords": ["1' OR '1'='1"]})
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    doc = client.get(f"/api/v1/assets/{asset}", headers=auth).get_json()
    assert doc["metadata"]["title"]["en"] == hostile and doc["title"] == hostile
    assert doc["metadata"]["keywords"] == ["1' OR '1'='1"]
    assert client.get("/api/v1/assets", headers=auth).get_json()["total"] == 1


def test_nul_bytes_are_dropped_from_text(client, auth, asset):
    resp = client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"title": {"tr": "Ba\x00ku"}})
    assert resp.get_json()["metadata"]["title"]["tr"] == "Baku"


def test_huge_title_is_422(app, client, auth, asset):
    e = error(client.patch(f"/api/v1/assets/{asset}", headers=auth, json={"title": {"tr": "a" * 100_000}}),
              422, "invalid_metadata")
    assert e["details"]["field"] == "title.tr"
    assert e["details"]["errors"] == [{"field": "title.tr", "code": "too_long", "message": e["message"],
                                       "params": {"limit": 500, "length": 100_000}}]
    assert client.get(f"/api/v1/assets/{asset}", headers=auth).get_json()["metadata"]["title"] == {}


@pytest.mark.parametrize("body, code", [
    ({"colour": "red"}, "unknown_field"),
    ({"genre": "opera"}, "invalid_choice"),
    ({"recorded": "1975-13"}, "invalid_date"),
    ({"recorded": "1975-02-30"}, "invalid_date"),
    ({"recorded": "2999"}, "date_out_of_range"),
    ({"title": "not an object"}, "not_an_object"),
    ({"title": {"de": "Titel"}}, "unknown_language"),
    ({"languages": ["turkish!"]}, "unknown_language_code"),
    ({"languages": ["xx"]}, "unknown_language_code"),
    ({"keywords": [1, 2]}, "not_text"),
    ({"keywords": ["k"] * 201}, "not_a_list"),
    ({"country": "DE"}, "invalid_choice"),
    # A JSON body gives each field its JSON type: nothing is converted.
    ({"keywords": "a"}, "not_a_list"),
    ({"people": "Ülvi, Ayşe"}, "not_a_list"),
    ({"places": {"x": 1}}, "not_a_list"),
    ({"languages": "az"}, "not_a_list"),
    ({"recorded": 1975}, "not_text"),
    ({"recorded": 1975.0}, "not_text"),
    ({"genre": 1}, "invalid_choice"),
    ({"organisation": 5}, "not_text"),
    ({"country": ["TR"]}, "invalid_choice"),
    ({"description": ["x"]}, "not_an_object"),
    ({"title": {"tr": 5}}, "not_text"),
])
def test_invalid_metadata_is_422(client, auth, asset, body, code):
    e = error(client.patch(f"/api/v1/assets/{asset}", headers=auth, json=body), 422, "invalid_metadata")
    assert [x["code"] for x in e["details"]["errors"]] == [code]


def test_patch_body_must_be_json(client, auth, asset):
    error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data="genre=film",
                       content_type="application/x-www-form-urlencoded"), 415, "unsupported_media_type")
    error(client.patch(f"/api/v1/assets/{asset}", headers=auth), 415, "unsupported_media_type")
    error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data="{not json",
                       content_type="application/json"), 400, "malformed_json")
    error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data=json.dumps(["genre", "film"]),
                       content_type="application/json"), 400, "malformed_json")
    error(client.patch(f"/api/v1/assets/{asset}", headers=auth, data=b"\xff\xfe\x00",
                       content_type="application/json"), 400, "malformed_json")


def test_who_may_edit(client, make_user, asset):
    """Producers and rights managers of the asset's organisation, and admins (issue 7: a
    rights manager of another organisation may not edit its metadata)."""
    for role, country, org in (("rights_manager", "TR", None), ("producer", "TR", None), ("admin", "AZ", "Ortak")):
        _, tok = make_user(role, country, org=org)
        assert client.patch(f"/api/v1/assets/{asset}", headers=bearer(tok),
                            json={"keywords": [role]}).status_code == 200
    _, broadcaster = make_user("broadcaster", "TR")
    error(client.patch(f"/api/v1/assets/{asset}", headers=bearer(broadcaster), json={"genre": "news"}),
          403, "not_allowed_to_edit")
    for role, country, org in (("rights_manager", "AZ", "İTV"), ("producer", "AZ", "İTV"),
                               ("rights_manager", "TR", "TV8")):
        _, other = make_user(role, country, org=org)
        error(client.patch(f"/api/v1/assets/{asset}", headers=bearer(other), json={"genre": "news"}),
              403, "not_allowed_to_edit")
    assert client.get(f"/api/v1/assets/{asset}", headers=bearer(other)).get_json()["metadata"]["genre"] != "news"


def test_organisation_and_country_are_admin_only(client, auth, make_user, asset):
    _, rights = make_user("rights_manager", "TR")
    for who in (auth, bearer(rights)):
        error(client.patch(f"/api/v1/assets/{asset}", headers=who, json={"country": "AZ"}), 403, "admin_only")
    _, admin = make_user("admin", "AZ", org="İctimai TV")
    error(client.patch(f"/api/v1/assets/{asset}", headers=bearer(admin), json={"organisation": "Nowhere"}),
          422, "organisation_not_found")
    resp = client.patch(f"/api/v1/assets/{asset}", headers=bearer(admin), json={"organisation": "İctimai TV"})
    assert resp.status_code == 200
    meta = resp.get_json()["metadata"]
    assert meta["organisation"] == "İctimai TV" and meta["country"] == "AZ"  # the country follows
    resp = client.patch(f"/api/v1/assets/{asset}", headers=bearer(admin), json={"country": "TR"})
    assert resp.get_json()["metadata"]["country"] == "TR"
    events = client.get(f"/api/v1/assets/{asset}/history", headers=auth).get_json()["events"]
    assert events[1]["before"] == {"organisation": "Org TR", "country": "TR"}
    assert events[1]["after"] == {"organisation": "İctimai TV", "country": "AZ"}


def _login(client, user_id):
    """A browser session as logging in makes one: a server-side row, its secret in the cookie."""
    with client.application.app_context():
        secret = sessions.start(db.session(), user_id, ip="127.0.0.1", user_agent="test")
        db.session().commit()
    with client.session_transaction() as s:
        s["_user_id"] = str(user_id)
        s["_fresh"] = True
        s[sessions.SESSION_KEY] = secret


def test_session_patch_without_csrf_token_is_refused(client, producer, asset):
    _login(client, producer[0])
    assert client.get("/api/v1/me").get_json()["id"] == producer[0]  # the session works for reads
    error(client.patch(f"/api/v1/assets/{asset}", json={"genre": "news"}), 400, "csrf_failed")
    error(client.patch(f"/api/v1/assets/{asset}", json={"genre": "news"}, headers={"X-CSRFToken": "forged"}),
          400, "csrf_failed")


def test_history_of_an_untouched_asset_is_empty(client, auth, asset):
    assert client.get(f"/api/v1/assets/{asset}/history", headers=auth).get_json() == {"id": asset, "events": []}


# ---- /me, /search -------------------------------------------------------------

def test_me(client, make_user):
    uid, tok = make_user("broadcaster", "AZ", org="İctimai TV", email="rauf@example.az")
    assert client.get("/api/v1/me", headers=bearer(tok)).get_json() == {
        "id": uid, "email": "rauf@example.az", "role": "broadcaster", "organisation": "İctimai TV",
        "country": "AZ", "locale": None}


@pytest.fixture
def indexed(app, producer, make_user):
    """Two assets indexed by the real search backend, as the index task would."""
    from archive.backends import search_backend
    from archive.indexing import index_asset

    az_user, _ = make_user("producer", "AZ", org="İctimai TV")
    a = create_asset(app, producer[0], data=b"one", meta={
        "title": {"tr": "İSTANBUL BOĞAZI"}, "genre": "documentary", "recorded": "1975", "languages": ["tr"]})
    b = create_asset(app, az_user, data=b"two", meta={
        "title": {"az": "Qız qalası"}, "genre": "folklore", "keywords": ["İstanbul"], "languages": ["az"]})
    with app.app_context():
        for asset_id in (a, b):
            index_asset(db.session(), search_backend(), asset_id)
    return a, b


def test_search_finds_folded_text_with_facets(client, auth, indexed):
    a, b = indexed
    body = client.get("/api/v1/search?q=istanbul", headers=auth).get_json()
    assert {h["id"] for h in body["hits"]} == {a, b}
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    hit = next(h for h in body["hits"] if h["id"] == a)
    assert hit["title"] == "İSTANBUL BOĞAZI" and isinstance(hit["score"], float)
    assert set(hit) == {"id", "title", "snippet", "score", "segments", "highlights"}
    assert body["facets"]["country"] == {"TR": 1, "AZ": 1}

    only_az = client.get("/api/v1/search?q=ISTANBUL&country=AZ&colour=red", headers=auth).get_json()
    assert [h["id"] for h in only_az["hits"]] == [b]  # unknown parameters are ignored
    either = client.get("/api/v1/search?genre=folklore&genre=documentary", headers=auth).get_json()
    assert either["total"] == 2
    assert client.get("/api/v1/search?year=1975", headers=auth).get_json()["total"] == 1
    paged = client.get("/api/v1/search?q=istanbul&per_page=1&page=2", headers=auth).get_json()
    assert len(paged["hits"]) == 1 and paged["total"] == 2


@pytest.mark.parametrize("query, code", [
    ("page=0", "invalid_parameter"), ("page=x", "invalid_parameter"), ("per_page=0", "invalid_parameter"),
    ("per_page=101", "invalid_parameter"), ("q=" + "a" * 501, "invalid_parameter"),
    ("country=" + "T" * 65, "invalid_parameter"), ("lang=de", "invalid_parameter"),
    ("&".join(["genre=g%d" % i for i in range(21)]), "invalid_parameter"),
    ("page=1000&per_page=100", "invalid_parameter"),  # past the deepest page the backend serves
])
def test_search_bad_parameters_are_400(client, auth, query, code):
    error(client.get(f"/api/v1/search?{query}", headers=auth), 400, code)


@pytest.mark.parametrize("q", ["title:(", "AND OR NOT", '"unterminated', "*", "\\", "%00", "'; DROP TABLE x; --",
                               "<script>"])
def test_hostile_search_text_never_fails(client, auth, q):
    resp = client.get(f"/api/v1/search?q={q}", headers=auth)
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:300]
    assert ("hits" in resp.get_json()) if resp.status_code == 200 else ("error" in resp.get_json())
