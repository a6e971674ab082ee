"""Bytes the archive already holds, uploaded again: stored once, a second organisation recorded
as also holding a copy (its filename and metadata kept), and the client told clearly."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive import db
from archive.accounts import services as accounts
from archive.accounts.models import User
from archive.assets.models import Asset, AssetHolding
from archive.events.models import Event
from archive.ingest.models import Upload

DATA = b"the same recording, byte for byte\n" * 100


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def upload(client, token, data=DATA, **meta):
    """One tus creation-with-upload request; returns the response."""
    header = ",".join(f"{k} {b64(v)}" for k, v in meta.items())
    return client.post("/api/v1/uploads", data=data, headers={
        "Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", "Upload-Length": str(len(data)),
        "Upload-Metadata": header, "Content-Type": "application/offset+octet-stream"})


def upload_json(client, token, resp):
    return client.get(resp.headers["Location"], headers={"Authorization": f"Bearer {token}"}).get_json()


@pytest.fixture
def orgs(make_user):
    return {"trt": make_user("producer", "TR", org="TRT", email="ayse@trt.example"),
            "trt2": make_user("producer", "TR", org="TRT", email="mehmet@trt.example"),
            "aztv": make_user("producer", "AZ", org="AzTV", email="rauf@aztv.example"),
            "itv": make_user("producer", "AZ", org="İTV", email="leyla@itv.example"),
            "viewer_az": make_user("broadcaster", "AZ", org="AzTV", email="nigar@aztv.example"),
            "viewer_other": make_user("broadcaster", "TR", org="TRT Arşiv", email="can@arsiv.example")}


def test_second_organisation_is_recorded_as_holding_a_copy(app, client, orgs):
    first = upload(client, orgs["trt"][1], filename="halay.mp4", title="Halay", language="tr")
    assert first.status_code == 201 and first.headers["Ortak-Upload-Status"] == "complete"
    assert "Ortak-Duplicate-Of" not in first.headers
    asset_id = first.headers["Ortak-Asset-Id"]

    second = upload(client, orgs["aztv"][1], filename="yallı.mp4", title="Yallı", language="az", genre="folklore")
    assert second.status_code == 201
    assert second.headers["Ortak-Upload-Status"] == "duplicate"
    assert second.headers["Ortak-Asset-Id"] == second.headers["Ortak-Duplicate-Of"] == asset_id
    assert second.headers["Ortak-Holding"] == "added"
    doc = upload_json(client, orgs["aztv"][1], second)
    assert (doc["status"], doc["asset_id"], doc["holding"]) == ("duplicate", asset_id, "added")

    with app.app_context():
        s = db.session()
        assert s.scalar(select(func.count()).select_from(Asset)) == 1
        asset = s.get(Asset, asset_id)
        assert asset.meta["title"] == {"tr": "Halay"} and asset.filename == "halay.mp4"  # untouched
        holding = s.scalars(select(AssetHolding)).one()
        assert holding.organisation.name == "AzTV" and holding.filename == "yallı.mp4"
        assert holding.meta == {"title": {"az": "Yallı"}, "genre": "folklore"}
        ev = s.scalars(select(Event).where(Event.action == "asset.holding_added")).one()
        assert ev.subject_id == asset_id and ev.after["organisation"] == "AzTV" and ev.after["filename"] == "yallı.mp4"
    blobs = [p for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file()]
    assert [p.name for p in blobs] == [hashlib.sha256(DATA).hexdigest()]  # stored once


def test_repeats_are_told_apart(app, client, orgs):
    asset_id = upload(client, orgs["trt"][1], filename="a.mp4").headers["Ortak-Asset-Id"]
    cases = [("trt", "own_asset"), ("trt2", "own_asset"), ("aztv", "added"), ("viewer_az", None),
             ("aztv", "already_held"), ("itv", "added")]
    for who, holding in cases:
        resp = upload(client, orgs[who][1], filename=f"{who}.mp4")
        if holding is None:  # a broadcaster cannot upload at all
            assert resp.status_code == 403
            continue
        assert resp.status_code == 201, resp.get_data(as_text=True)
        assert resp.headers["Ortak-Duplicate-Of"] == asset_id and resp.headers["Ortak-Holding"] == holding, who
        assert upload_json(client, orgs[who][1], resp)["holding"] == holding
    with app.app_context():
        s = db.session()
        assert sorted(h.organisation.name for h in s.scalars(select(AssetHolding))) == ["AzTV", "İTV"]
        actions = [e.action for e in s.scalars(select(Event).where(Event.subject_id == asset_id).order_by(Event.id))]
        assert actions == ["asset.upload_started", "asset.created", "asset.duplicate_upload", "asset.duplicate_upload", "asset.holding_added",
                           "asset.duplicate_upload", "asset.holding_added"]
        statuses = {u.holding for u in s.scalars(select(Upload).where(Upload.status == "duplicate"))}
        assert statuses == {"own_asset", "added", "already_held"}


def test_asset_json_lists_holdings_with_emails_only_where_allowed(app, client, orgs):
    asset_id = upload(client, orgs["trt"][1], filename="a.mp4", title="Halay", language="tr").headers["Ortak-Asset-Id"]
    upload(client, orgs["aztv"][1], filename="yallı.mp4", title="Yallı", language="az")
    with app.app_context():
        s = db.session()
        accounts.set_user_name(s, s.get(User, orgs["aztv"][0]), "Rauf Əliyev")
        s.get(Asset, asset_id).status = "ready"  # processed: a third organisation sees it too
        s.commit()
    seen = {}
    for who in ("viewer_az", "viewer_other", "trt"):
        doc = client.get(f"/api/v1/assets/{asset_id}", headers={"Authorization": f"Bearer {orgs[who][1]}"}).get_json()
        assert len(doc["holdings"]) == 1
        h = doc["holdings"][0]
        assert h["organisation"] == {"id": h["organisation"]["id"], "name": "AzTV", "country": "AZ"}
        assert h["filename"] == "yallı.mp4" and h["metadata"] == {"title": {"az": "Yallı"}} and h["created"]
        assert h["uploader"]["name"] == "Rauf Əliyev"
        seen[who] = h["uploader"]["email"]
    assert seen == {"viewer_az": "rauf@aztv.example", "viewer_other": None, "trt": None}
    summary = client.get("/api/v1/assets", headers={"Authorization": f"Bearer {orgs['trt'][1]}"}).get_json()
    assert "holdings" not in summary["items"][0]


def test_import_says_whose_asset_a_duplicate_is(ortak_cli, app, orgs, tmp_path):
    path = tmp_path / "halay.mp4"
    path.write_bytes(DATA)
    r = ortak_cli("import", str(path), "--as", "ayse@trt.example")
    assert r.exit_code == 0 and "created 1, duplicates 0" in r.output
    r = ortak_cli("import", str(path), "--as", "rauf@aztv.example")
    assert r.exit_code == 0 and "created 0, duplicates 1" in r.output
    with app.app_context():
        asset_id = db.session().scalar(select(Asset.id))
    assert f"duplicate {path}: the archive holds these bytes as asset {asset_id} of TRT" in r.output
    assert "now recorded as also holding a copy" in r.output
    r = ortak_cli("import", str(path), "--as", "rauf@aztv.example")
    assert "already holds a copy" in r.output
    r = ortak_cli("import", str(path), "--as", "mehmet@trt.example")
    assert "already your organisation's" in r.output
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(AssetHolding)) == 1


def test_import_of_an_own_duplicate_adds_what_its_metadata_gives_and_says_what_not(ortak_cli, app, orgs, tmp_path):
    """A repeat import of the organisation's own file used to drop its metadata row: the asset
    gains what it lacks (a title in another language, keywords), keeps what it has (its Turkish
    title), and the import says both under the duplicate."""
    path = tmp_path / "halay.mp4"
    path.write_bytes(DATA)
    first = tmp_path / "first.csv"
    first.write_text("filename,title,language\nhalay.mp4,Halay,tr\n", encoding="utf-8")
    assert ortak_cli("import", str(path), "--metadata", str(first), "--as", "ayse@trt.example").exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text("filename,title_tr,title_en,keywords\nhalay.mp4,Başka Halay,Halay dance,\"davul,zurna\"\n",
                     encoding="utf-8")
    r = ortak_cli("import", str(path), "--metadata", str(again), "--as", "mehmet@trt.example")
    assert r.exit_code == 0 and "already your organisation's" in r.output, r.output
    assert "added to the asset: title (en) 'Halay dance', keywords ['davul', 'zurna']" in r.output, r.output
    assert "not applied: title (tr) 'Başka Halay' (conflict)" in r.output, r.output
    with app.app_context():
        asset = db.session().scalar(select(Asset))
        assert asset.meta["title"] == {"tr": "Halay", "en": "Halay dance"} and asset.meta["keywords"] == ["davul", "zurna"]
        merged = db.session().scalar(select(Event).where(Event.action == "asset.upload_merged"))
        assert merged.subject_id == asset.id and merged.after["not_applied"][0]["value"] == "Başka Halay"


def test_a_lost_race_for_the_same_holding_is_already_held(app, orgs, monkeypatch):
    """Two uploads of one organisation finish together: one adds the holding, the other,
    whose check came before the first commit, is told it is already held."""
    from archive.ingest import services, staging

    def stage(name):
        path = staging.upload_dir() / name
        path.write_bytes(DATA)
        return path

    sha = hashlib.sha256(DATA).hexdigest()
    with app.app_context():
        s = db.session()
        owner, other = s.get(User, orgs["trt"][0]), s.get(User, orgs["aztv"][0])
        services.register_original(s, staged=stage("a"), sha256=sha, size=len(DATA), filename="a", meta={},
                                   uploader=owner)
        s.commit()
        assert services.register_original(s, staged=stage("b"), sha256=sha, size=len(DATA), filename="b", meta={},
                                          uploader=other).holding == "added"
        s.commit()
        real, calls = s.scalar, []

        def blind_second(statement, *args, **kwargs):  # the holding check misses the committed row
            calls.append(statement)
            return None if len(calls) == 2 else real(statement, *args, **kwargs)

        monkeypatch.setattr(s, "scalar", blind_second)
        late = services.register_original(s, staged=stage("c"), sha256=sha, size=len(DATA), filename="c", meta={},
                                          uploader=other)
        s.commit()
        assert late.holding == "already_held" and not late.created
        assert real(select(func.count()).select_from(AssetHolding)) == 1
        assert not (staging.upload_dir() / "c").exists()


def test_the_second_uploader_finds_the_asset_in_my_uploads(app, client, orgs):
    first = upload(client, orgs["trt"][1], filename="halay.mp4", title="Halay", language="tr")
    upload(client, orgs["aztv"][1], filename="yallı.mp4", title="Yallı", language="az")
    mine = client.get("/api/v1/assets?mine=1", headers={"Authorization": f"Bearer {orgs['aztv'][1]}"}).get_json()
    assert [a["id"] for a in mine["items"]] == [first.headers["Ortak-Asset-Id"]] and mine["total"] == 1
    others = client.get("/api/v1/assets?mine=1", headers={"Authorization": f"Bearer {orgs['itv'][1]}"}).get_json()
    assert others["total"] == 0
