"""An asset that is not ready (uploading, processing, rejected, failed) is another
organisation's business until it is: the assets API answers for it as it answers for no asset,
as search does (search.fields.PUBLIC_STATUSES). Its own organisation, its uploader and admins
see it in every status; everyone sees it once ready."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from tests.asset_factory import create_asset
from tests.coproduction_fixtures import TR_ORG, coprod, sides  # noqa: F401  (fixtures)
from tests.functional.test_rights_pages import login


@pytest.fixture
def people(make_user):
    made = {"producer": make_user("producer", "AZ", org="AzTV"), "colleague": make_user("broadcaster", "AZ", org="AzTV"),
            "trt": make_user("broadcaster", "TR", org="TRT", email="b@trt.test"),
            "admin": make_user("admin", "TR", org="TRT")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


def _status(app, asset_id, status):
    with app.app_context():
        s = db.session()
        s.get(Asset, asset_id).status = status
        s.commit()


def _listed(client, headers, **params):
    doc = client.get("/api/v1/assets", query_string={"per_page": 100, **params}, headers=headers).get_json()
    return doc["total"], {item["id"] for item in doc["items"]}


PER_ASSET = ["", "/history", "/markers", "/transcripts", "/rights", "/renditions/proxy", "/provenance", "/download",
             "/download?rendition=original", "/renditions/hls/master.m3u8", "/clips", "/projects"]


@pytest.mark.parametrize("status", ["uploading", "processing", "rejected", "failed"])
def test_an_asset_not_ready_is_hidden_from_other_organisations(app, client, people, status):
    ready = create_asset(app, people["producer"]["id"], data=b"ready " * 50, filename="Bakı.mp4")
    hidden = create_asset(app, people["producer"]["id"], data=b"secret " * 50, filename="Gizli Şuşa.mp4",
                          status=status)
    total, ids = _listed(client, people["trt"]["h"])
    assert (total, ids) == (1, {ready})
    assert _listed(client, people["trt"]["h"], status=status) == (0, set())
    for path in PER_ASSET:
        r = client.get(f"/api/v1/assets/{hidden}{path}", headers=people["trt"]["h"])
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "asset_not_found", (path, r.get_json())
    r = client.patch(f"/api/v1/assets/{hidden}", json={"title": {"tr": "x"}}, headers=people["trt"]["h"])
    assert r.status_code == 404
    # Its organisation, its uploader and an admin see it.
    for who in ("producer", "colleague", "admin"):
        assert _listed(client, people[who]["h"])[1] == {ready, hidden}, who
        assert client.get(f"/api/v1/assets/{hidden}", headers=people[who]["h"]).status_code == 200, who
    login(client, "b@trt.test")
    for page in ("", "/provenance", "/declare", "/clip?in=00:00:00:00&out=00:00:01:00"):
        assert client.get(f"/assets/{hidden}{page}").status_code == 404, page
    assert client.get(f"/assets/{ready}").status_code == 200


def test_once_ready_every_member_sees_it(app, client, people):
    asset_id = create_asset(app, people["producer"]["id"], status="processing")
    assert client.get(f"/api/v1/assets/{asset_id}", headers=people["trt"]["h"]).status_code == 404
    _status(app, asset_id, "ready")
    assert client.get(f"/api/v1/assets/{asset_id}", headers=people["trt"]["h"]).status_code == 200
    assert asset_id in _listed(client, people["trt"]["h"])[1]


def _not_found(r):
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "asset_not_found", (r.status_code, r.get_json())


def test_routes_that_are_given_an_asset_id_in_their_body_answer_as_for_no_asset(app, client, people):
    """A basket item, a share link and a provenance bag name the asset in their body or path: another
    organisation's asset not ready yet is not found there (it was added, shared or asked to declare)."""
    hidden = create_asset(app, people["producer"]["id"], data=b"secret " * 50, filename="Gizli.mp4",
                          status="processing")
    soon = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()
    for who, expected in (("trt", 404), ("colleague", 201)):
        h = people[who]["h"]
        basket = client.post("/api/v1/baskets", json={"name": f"sepet {who}"}, headers=h).get_json()["id"]
        for r in (client.post(f"/api/v1/baskets/{basket}/items", json={"asset_id": hidden}, headers=h),
                  client.post("/api/v1/shares", json={"asset_id": hidden, "expires": soon}, headers=h)):
            if expected == 404:
                _not_found(r)
            else:
                assert r.status_code == expected, (who, r.get_json())
    _not_found(client.post(f"/api/v1/assets/{hidden}/bag", headers=people["trt"]["h"]))


def test_a_basket_shared_with_another_organisation_shows_its_hidden_items_as_unavailable(app, client, people):
    """A basket member who may not see an item's asset (another organisation's, not ready yet:
    archive.assets.services.visible_to) gets the item without its title, as `unavailable`, on the
    API and on the page; the basket's owner sees it whole, and so does everyone once it is ready."""
    ready = create_asset(app, people["producer"]["id"], data=b"ready " * 50, filename="Bakı.mp4")
    hidden = create_asset(app, people["producer"]["id"], data=b"secret " * 50, filename="Gizli Şuşa.mp4",
                          status="processing")
    owner = people["colleague"]["h"]
    basket = client.post("/api/v1/baskets", json={"name": "sepet"}, headers=owner).get_json()["id"]
    for asset_id in (ready, hidden):
        assert client.post(f"/api/v1/baskets/{basket}/items", json={"asset_id": asset_id}, headers=owner).status_code == 201
    assert client.post(f"/api/v1/baskets/{basket}/members", json={"user": people["trt"]["id"], "access": "read"},
                       headers=owner).status_code in (200, 201)

    def items(headers):
        doc = client.get(f"/api/v1/baskets/{basket}", headers=headers).get_json()
        return {i["asset_id"]: (i["title"], i["status"]) for i in doc["items"]}

    assert items(people["trt"]["h"]) == {ready: ("Bakı.mp4", "ready"), hidden: (None, "unavailable")}
    assert items(owner)[hidden] == ("Gizli Şuşa.mp4", "processing")
    login(client, "b@trt.test")
    html = client.get(f"/baskets/{basket}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bakı.mp4" in html and "Gizli" not in html and "Not available to you" in html
    _status(app, hidden, "ready")
    assert items(people["trt"]["h"])[hidden] == ("Gizli Şuşa.mp4", "ready")


def test_a_clip_being_cut_is_listed_to_who_may_see_it(app, client, people):
    """A clip is its source's organisation's asset, processing until cut: the source's clip lists
    (API, asset page, provenance derivatives) leave it out for another organisation."""
    master = create_asset(app, people["producer"]["id"], data=b"master " * 50, filename="Usta.mp4")
    clip = create_asset(app, people["producer"]["id"], data=b"clip " * 50, filename="Kesit.mp4", status="processing")
    with app.app_context():
        s = db.session()
        s.get(Asset, clip).source_id = master
        s.commit()

    def listed(who):
        items = client.get(f"/api/v1/assets/{master}/clips", headers=people[who]["h"]).get_json()["items"]
        prov = client.get(f"/api/v1/assets/{master}/provenance", headers=people[who]["h"]).get_json()
        return {c["id"] for c in items}, {c["id"] for c in prov["derivatives"]["clips"]}

    assert listed("trt") == (set(), set())
    assert listed("colleague") == ({clip}, {clip}) and listed("admin") == ({clip}, {clip})
    _status(app, clip, "ready")
    assert listed("trt") == ({clip}, {clip})


def _footage_asset(app, user_id, title, status):
    asset_id = create_asset(app, user_id, data=f"footage {title}".encode() * 50, filename=f"{title}.mp4", status=status)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.technical = {"duration": 120.0, "frame_rate": "25/1"}
        asset.meta = {**(asset.meta or {}), "title": {"az": title}}
        s.commit()
    return asset_id


def test_a_project_does_not_name_a_partys_asset_not_ready_to_the_other_party(app, client, coprod):
    """İTV's asset being processed: TRT (the other party of the project) cannot link it, value it
    as footage or list its projects, and does not see it in the project's footage; İTV does."""
    hidden = _footage_asset(app, coprod.az.user_id, "Gizli Qarabağ kadrları", "processing")
    _not_found(coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": hidden}))
    r = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": hidden, "date": "2026-01-10"})
    assert r.status_code == 422, r.get_json()
    assert [e["code"] for e in r.get_json()["error"]["details"]["errors"] if e["field"] == "asset_id"] == \
        ["asset_not_found"], r.get_json()
    # Its own organisation links it; the other party's listing and page leave it out.
    r = coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": hidden}, side=coprod.az)
    assert r.status_code == 201, r.get_json()
    assert [f["id"] for f in coprod.get(f"/api/v1/projects/{coprod.project_id}", coprod.az).get_json()["footage"]] \
        == [hidden]
    assert coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["footage"] == []
    _not_found(coprod.get(f"/api/v1/assets/{hidden}/projects"))
    assert coprod.get(f"/api/v1/assets/{hidden}/projects", coprod.az).status_code == 200
    with app.app_context():
        tr_email = db.session().get(User, coprod.tr.user_id).email
    login(client, tr_email)
    page = client.get(f"/projects/{coprod.project_id}")
    assert page.status_code == 200 and "Gizli Qarabağ" not in page.get_data(as_text=True)
    _status(app, hidden, "ready")
    assert [f["id"] for f in coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["footage"]] == [hidden]
    assert "Gizli Qarabağ" in client.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
