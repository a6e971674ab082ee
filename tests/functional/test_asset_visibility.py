"""An asset that is not ready (uploading, processing, rejected, failed) is another
organisation's business until it is: the assets API answers for it as it answers for no asset,
as search does (search.fields.HIDDEN_STATUSES). Its own organisation, its uploader and admins
see it in every status; everyone sees it once ready."""
from __future__ import annotations

import pytest

from archive import db
from archive.assets.models import Asset
from tests.asset_factory import create_asset
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
             "/download?rendition=original", "/renditions/hls/master.m3u8"]


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
