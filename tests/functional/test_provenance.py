"""An asset's provenance (`GET /api/v1/assets/{id}/provenance` and its page), its BagIt export
(`POST /api/v1/assets/{id}/bag`, validated with the `bagit` library) and the fixity report:
what each caller may see, and bad input answered 4xx, never 5xx."""
from __future__ import annotations

import io
import re
import tarfile
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.provenance import fixity
from archive.renditions.models import Rendition
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset
from tests.functional.test_rights_pages import csrf, login
from tests.http import bearer

PREMIS = "{http://www.loc.gov/premis/v3}"
EBU = "{urn:ebu:metadata-schema:ebucore}"
DC = "{http://purl.org/dc/elements/1.1/}"
MASTER_BYTES = b"\x00\x01master bytes of a film\n" * 4000


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "TR", org="TRT", email="p@trt.test"),
            "manager": make_user("rights_manager", "TR", org="TRT", email="m@trt.test"),
            "other": make_user("broadcaster", "AZ", org="AzTV", email="b@aztv.test"),
            "admin": make_user("admin", "TR", org="Ortak", email="a@ortak.test")}


def h(people, who):
    return bearer(people[who][1])


@pytest.fixture
def master(app, people):
    return create_asset(app, people["producer"][0], MASTER_BYTES, filename="Şəki toyu.mp4",
                        meta={"title": {"tr": "Şeki düğünü", "az": "Şəki toyu"}, "genre": "folklore",
                              "keywords": ["toy"], "places": ["Şəki"], "recorded": "1998-06-12",
                              "languages": ["az"]},
                        renditions={"proxy": {"data": b"proxy" * 300, "ext": ".mp4", "content_type": "video/mp4"}})


@pytest.fixture
def clip(app, people, master):
    """A clip of the master, as the clip pipeline leaves it (its own bytes, its lineage)."""
    clip_id = create_asset(app, people["producer"][0], b"clip bytes\n" * 300, filename="clip.mov")
    with app.app_context():
        s = db.session()
        c = s.get(Asset, clip_id)
        c.source_id = master
        c.lineage = {"source_id": master, "mode": "accurate", "in": "00:00:01:00", "out": "00:00:03:00",
                     "in_seconds": 1.0, "out_seconds": 3.0, "actual_in": "00:00:01:00", "actual_out": "00:00:03:00"}
        s.commit()
    return clip_id


def prov(client, people, who, asset_id):
    r = client.get(f"/api/v1/assets/{asset_id}/provenance", headers=h(people, who))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_clip_names_its_master_and_the_master_its_clip(client, people, master, clip):
    doc = prov(client, people, "other", clip)  # another organisation reads the lineage too
    assert [(s["id"], s["relation"], s["in"], s["out"]) for s in doc["sources"]] == \
        [(master, "clip_of", "00:00:01:00", "00:00:03:00")]
    assert doc["sources"][0]["asset"]["title"] == "Şeki düğünü"
    parent = prov(client, people, "producer", master)
    assert parent["sources"] == []
    assert [c["id"] for c in parent["derivatives"]["clips"]] == [clip]
    # Before the credentials step has read the master, its section is null.
    assert parent["content_credentials"] is None
    assert set(parent) >= {"asset", "sources", "derivatives", "holdings", "usage", "rights", "events", "fixity",
                           "content_credentials", "lookup"}


def test_the_content_credentials_section_is_the_asset_apis(app, client, people, master):
    from archive.provenance.credential_models import ContentCredential
    with app.app_context():
        s = db.session()
        s.add(ContentCredential(asset_id=master, sha256="0" * 64, state="invalid",
                                reason="assertion.bmffHash.mismatch", manifests=[]))
        s.commit()
    doc = prov(client, people, "other", master)
    assert doc["content_credentials"]["state"] == "invalid"
    assert doc["content_credentials"]["reason"] == "assertion.bmffHash.mismatch"
    assert doc["content_credentials"] == client.get(f"/api/v1/assets/{master}",
                                                    headers=h(people, "other")).get_json()["content_credentials"]


def test_baskets_share_links_and_usage_of_other_organisations_do_not_leak(client, people, master):
    def basket(who, name):
        r = client.post("/api/v1/baskets", headers=h(people, who), json={"name": name})
        assert r.status_code == 201, r.get_json()
        bid = r.get_json()["id"]
        r = client.post(f"/api/v1/baskets/{bid}/items", headers=h(people, who), json={"asset_id": master})
        assert r.status_code == 201, r.get_json()
        return bid

    def link(who, **body):
        r = client.post("/api/v1/shares", headers=h(people, who),
                        json={"expires": (date.today() + timedelta(days=7)).isoformat(), **body})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    trt_basket, az_basket = basket("producer", "TRT seçkisi"), basket("other", "AzTV seçimi")
    trt_link, az_link = link("producer", asset_id=master), link("other", basket_id=az_basket)
    r = client.get(f"/api/v1/assets/{master}/download", headers=h(people, "producer"))
    assert r.status_code in (200, 302)

    mine = prov(client, people, "producer", master)
    assert [b["id"] for b in mine["derivatives"]["baskets"]] == [trt_basket]
    assert [s["id"] for s in mine["derivatives"]["share_links"]] == [trt_link]
    theirs = prov(client, people, "other", master)
    assert [b["id"] for b in theirs["derivatives"]["baskets"]] == [az_basket]
    assert [s["id"] for s in theirs["derivatives"]["share_links"]] == [az_link]
    assert trt_basket not in str(theirs) and trt_link not in str(theirs)
    admin = prov(client, people, "admin", master)
    assert {s["id"] for s in admin["derivatives"]["share_links"]} == {trt_link, az_link}
    assert admin["derivatives"]["baskets"] == []  # baskets are their owners' (and their organisation's admins')

    # Usage: the asset's rights managers and admins see every use; others their own organisation's.
    assert theirs["usage"] == {"scope": "own_organisation", "total": 0, "items": []}
    manager = prov(client, people, "manager", master)
    assert manager["usage"]["scope"] == "all" and manager["usage"]["total"] == 1
    assert manager["usage"]["items"][0]["organisation"]["name"] == "TRT"
    assert prov(client, people, "producer", master)["usage"]["scope"] == "own_organisation"


@pytest.mark.parametrize("asset_id", ["no-such-asset", "00000000-0000-0000-0000-000000000000", "x" * 500,
                                      "%2e%2e", "ş"])
def test_unknown_and_malformed_ids_are_404(client, people, asset_id):
    for method, url in (("GET", f"/api/v1/assets/{asset_id}/provenance"), ("POST", f"/api/v1/assets/{asset_id}/bag")):
        r = client.open(url, method=method, headers=h(people, "producer"))
        assert r.status_code == 404, (url, r.status_code)
        assert r.get_json()["error"]["code"] == "asset_not_found"


def test_unauthenticated_is_401(client, master):
    for method, url in (("GET", f"/api/v1/assets/{master}/provenance"), ("POST", f"/api/v1/assets/{master}/bag"),
                        ("GET", "/api/v1/fixity")):
        r = client.open(url, method=method)
        assert r.status_code == 401


def _bag_dir(tmp_path, data: bytes):
    target = tmp_path / "bag"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    (top,) = list(target.iterdir())
    return top


def test_the_bag_holds_the_original_premis_and_ebucore_and_validates(app, client, people, master, tmp_path):
    with app.app_context():  # a fixity check first: it is one of the PREMIS events
        s = db.session()
        fixity.check_all(s, storage(), "test-agent", asset_id=master)
        s.commit()
    r = client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer"))
    assert r.status_code == 200, r.get_data()[:300]
    body = r.get_data()
    assert int(r.headers["Content-Length"]) == len(body)
    assert r.headers["Content-Type"] == "application/x-tar"
    assert f"ortak-{master}.tar" in r.headers["Content-Disposition"]
    top = _bag_dir(tmp_path, body)
    bag = bagit.Bag(str(top))
    bag.validate()  # every payload file against the manifest, the tag files against theirs, the Oxum
    assert bag.info["External-Identifier"] == master and bag.info["Source-Organization"] == "TRT"
    # The software that made it: the project's name and installed version, no made-up address.
    assert bag.info["Bag-Software-Agent"] == f"Ortak {version('ortak')}"
    assert "://" not in (top / "bag-info.txt").read_text(encoding="utf-8")
    (original,) = (top / "data" / "original").iterdir()
    assert original.read_bytes() == MASTER_BYTES

    premis = ET.parse(top / "data" / "metadata" / "premis.xml").getroot()
    assert premis.tag == f"{PREMIS}premis" and premis.get("version") == "3.0"
    kinds = [c.tag.removeprefix(PREMIS) for c in premis]
    assert kinds == sorted(kinds, key=["object", "event", "agent"].index)  # the schema's order
    digest = premis.find(f"{PREMIS}object/{PREMIS}objectCharacteristics/{PREMIS}fixity/{PREMIS}messageDigest")
    with app.app_context():
        assert digest.text == db.session().get(Asset, master).sha256
    events = {e.findtext(f"{PREMIS}eventType"): e.findtext(f"{PREMIS}eventOutcomeInformation/{PREMIS}eventOutcome")
              for e in premis.iter(f"{PREMIS}event")}
    assert events["fixity check"] == "pass" and "message digest calculation" in events
    [ours] = [a for a in premis.iter(f"{PREMIS}agent") if a.findtext(f"{PREMIS}agentType") == "software"
              and a.findtext(f"{PREMIS}agentName") == "Ortak"]
    assert ours.findtext(f"{PREMIS}agentVersion") == version("ortak")

    ebu = ET.parse(top / "data" / "metadata" / "ebucore.xml").getroot()
    assert ebu.tag == f"{EBU}ebuCoreMain"
    titles = {t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text for t in ebu.iter(f"{DC}title")}
    assert titles == {"tr": "Şeki düğünü", "az": "Şəki toyu"}
    assert ebu.find(f".//{EBU}hash/{EBU}hashValue").text == digest.text
    assert ebu.find(f".//{EBU}created").get("startDate") == "1998-06-12"

    with app.app_context():  # it handed out the master: one use in the usage log
        uses = db.session().scalars(select(UsageRecord).where(UsageRecord.asset_id == master)).all()
        assert [(u.action, u.rendition) for u in uses] == [("bag", "original")]


@pytest.mark.parametrize("order", [("bag", "download"), ("download", "bag")])
def test_a_bag_and_a_download_of_one_original_are_two_uses(app, client, people, master, order):
    calls = {"bag": lambda: client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer")),
             "download": lambda: client.get(f"/api/v1/assets/{master}/download?rendition=original",
                                            headers=h(people, "producer"))}
    for action in order:
        assert calls[action]().status_code == 200
    r = client.get(f"/api/v1/usage?asset={master}", headers=h(people, "manager"))
    assert r.status_code == 200, r.get_data()[:300]
    assert sorted(u["action"] for u in r.get_json()["items"]) == ["bag", "download"]


def test_a_bag_of_a_changed_original_does_not_validate(app, client, people, master, tmp_path):
    with app.app_context():
        path = storage().local_path(db.session().get(Asset, master).original_key)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"X")
    r = client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer"))
    assert r.status_code == 200
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(_bag_dir(tmp_path, r.get_data()))).validate()


def test_bag_bad_input(app, client, people, master):
    url = f"/api/v1/assets/{master}/bag"
    r = client.post(url, headers=h(people, "other"))  # another organisation's master: declare the use
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "declaration_required"
    r = client.post(url, headers=h(people, "other"), json={"declaration": {"platform": "carrier-pigeon"}})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_declaration"
    r = client.post(url, headers=h(people, "producer"), json={"declaration": {}, "extra": 1})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_body"
    r = client.post(url, headers=h(people, "producer"), json=[1, 2])
    assert r.status_code == 400
    r = client.post(url, headers={**h(people, "producer"), "Content-Type": "text/plain"}, data=b"hello")
    assert r.status_code == 415
    r = client.post(url, headers={**h(people, "producer"), "Content-Type": "application/json"}, data=b"{nope")
    assert r.status_code == 400
    with app.app_context():
        storage().delete(db.session().get(Asset, master).original_key)
    r = client.post(url, headers=h(people, "producer"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "blob_missing"


def test_fixity_report_api_is_for_admins(app, client, people, master):
    with app.app_context():
        storage().delete(db.session().get(Asset, master).original_key)
        s = db.session()
        fixity.check_all(s, storage(), "test-agent")
        s.commit()
    r = client.get("/api/v1/fixity", headers=h(people, "admin"))
    assert r.status_code == 200
    report = r.get_json()
    assert report["counts"] == {"pass": 1, "fail": 0, "missing": 1, "unchecked": 0}
    assert report["items"][0]["outcome"] == "missing" and report["items"][0]["asset_id"] == master
    r = client.get(f"/api/v1/fixity?asset={master}", headers=h(people, "admin"))
    assert r.status_code == 200 and r.get_json()["files"] == 2
    for bad in ("nope", "x" * 5000, ""):
        r = client.get(f"/api/v1/fixity?asset={bad}", headers=h(people, "admin"))
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter"
    r = client.get("/api/v1/fixity?asset=00000000-0000-4000-8000-000000000000", headers=h(people, "admin"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "asset_not_found"
    for who in ("producer", "manager", "other"):
        assert client.get("/api/v1/fixity", headers=h(people, who)).status_code == 403


def test_pages_in_every_language(app, client, people, master):
    login(client, "a@ortak.test")
    for lang, heading in (("en", "Provenance"), ("tr", "Köken"), ("az", "Mənşə")):
        client.get(f"/lang/{lang}")
        r = client.get(f"/assets/{master}/provenance")
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        assert heading in page, lang
        r = client.get("/fixity")
        assert r.status_code == 200
    r = client.get("/assets/no-such/provenance")
    assert r.status_code == 404


def test_the_bag_from_the_page_needs_a_declaration_from_another_organisation(app, client, people, master, tmp_path):
    login(client, "b@aztv.test")
    page = client.get(f"/assets/{master}/provenance").get_data(as_text=True)
    assert 'name="platform"' in page  # the declaration's fields
    r = client.post(f"/assets/{master}/provenance/bag", data={"csrf_token": csrf(page)})
    assert r.status_code in (403, 422)
    assert "bag-errors" in r.get_data(as_text=True)


def test_a_module_fills_a_reserved_section_by_registering_it(client, people, master, monkeypatch):
    from archive.provenance import lineage

    monkeypatch.setitem(lineage.SECTIONS, "content_credentials",
                        lambda session, asset, viewer, lang: {"status": "absent", "asset": asset.id})
    doc = prov(client, people, "producer", master)
    assert doc["content_credentials"] == {"status": "absent", "asset": master}
    assert doc["lookup"] == {"indexed": False}  # its module's own: the master has no fingerprints here
    monkeypatch.delitem(lineage.SECTIONS, "lookup")
    assert prov(client, people, "producer", master)["lookup"] is None  # a reserved key no module fills
    with pytest.raises(TypeError):
        lineage.section("sources")(lambda *a: None)  # a name is registered once


def _flip_a_byte(app, asset_id):
    with app.app_context():
        path = storage().local_path(db.session().get(Asset, asset_id).original_key)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"X")
    return Path(path)


def _check(app, asset_id):
    with app.app_context():
        s = db.session()
        result = fixity.check_all(s, storage(), "test-agent", asset_id=asset_id)
        s.commit()
    return result


def _fixity_detail_cell(page: str) -> str:
    row = re.search(r'<tr data-outcome="(?:fail|missing)">.*?</tr>', page, re.S).group(0)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[-1]


@pytest.mark.parametrize("lang, changed, missing", [
    ("tr", "kaydedilen", "depoda yok"),
    ("az", "qeydə alınan", "anbarda yoxdur"),
    ("en", "recorded when it was stored", "not in storage"),
])
def test_the_fixity_page_says_each_detail_in_its_language(app, client, people, master, lang, changed, missing):
    _flip_a_byte(app, master)
    _check(app, master)
    login(client, "a@ortak.test")
    client.get(f"/lang/{lang}")
    cell = _fixity_detail_cell(client.get("/fixity").get_data(as_text=True))
    assert changed in cell and 'lang="en"' not in cell, cell
    assert "store time" not in cell or lang == "en"
    with app.app_context():
        storage().delete(db.session().get(Asset, master).original_key)
    _check(app, master)
    cell = _fixity_detail_cell(client.get("/fixity").get_data(as_text=True))
    assert missing in cell and "no such blob" not in cell and 'lang="en"' not in cell, cell


@pytest.mark.parametrize("lang, said", [("tr", "3 denemede bitmedi"), ("az", "3 cəhddə başa çatmadı"),
                                         ("en", "did not finish after 3 attempts")])
def test_a_rendition_that_did_not_finish_says_so_in_the_page_language(app, client, people, lang, said):
    asset_id = create_asset(app, people["producer"][0], filename="f.mp4", renditions={
        "proxy": {"status": "failed"}, "poster": {"status": "failed"}})
    with app.app_context():
        s = db.session()
        rows = {r.name: r for r in s.scalars(select(Rendition).where(Rendition.asset_id == asset_id))}
        rows["proxy"].error = "Rendering did not finish after 3 attempts."
        rows["poster"].error = "ffmpeg exited with status 1"
        s.commit()
    login(client, "p@trt.test")
    client.get(f"/lang/{lang}")
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    errors = {text: in_lang for in_lang, text in re.findall(r'<p class="small error-text" lang="(\w+)">(.*?)</p>', page)}
    assert any(said in text and in_lang == lang for text, in_lang in errors.items()), errors
    assert errors.get("ffmpeg exited with status 1") == "en", errors


def test_an_original_whose_fixity_check_failed_is_served_flagged_and_never_bagged(app, client, people, master):
    url = f"/api/v1/assets/{master}/download?rendition=original"
    with app.app_context():
        recorded = db.session().get(Asset, master).sha256
    r = client.get(url, headers=h(people, "producer"))
    assert r.headers["ETag"] == f'"{recorded}"' and "Ortak-Fixity" not in r.headers
    path = _flip_a_byte(app, master)
    assert _check(app, master).counts["fail"] == 1
    changed = path.read_bytes()

    r = client.get(url, headers=h(people, "producer"))
    assert r.status_code == 200 and r.get_data() == changed  # the only copy, as it is stored...
    assert r.headers["Ortak-Fixity"] == "failed" and r.headers["Ortak-Fixity-Checked"]  # ...flagged
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "private, no-store"
    # No validator claims the recorded digest: no 304 for a copy cached before, no resume onto it.
    r = client.get(url, headers={**h(people, "producer"), "If-None-Match": f'"{recorded}"'})
    assert r.status_code == 200 and r.headers["Ortak-Fixity"] == "failed"
    r = client.get(url, headers={**h(people, "producer"), "Range": "bytes=0-9", "If-Range": f'"{recorded}"'})
    assert r.status_code == 200 and r.get_data() == changed
    r = client.head(url, headers=h(people, "producer"))
    assert r.headers["Ortak-Fixity"] == "failed" and "ETag" not in r.headers
    # The proxy passed its check: served as ever.
    r = client.get(f"/api/v1/assets/{master}/download?rendition=proxy", headers=h(people, "producer"))
    assert r.status_code == 200 and r.headers["ETag"] and "Ortak-Fixity" not in r.headers

    with app.app_context():
        uses_before = len(db.session().scalars(select(UsageRecord).where(UsageRecord.action == "bag")).all())
    r = client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer"))
    assert r.status_code == 409, r.get_data()[:300]
    error = r.get_json()["error"]
    assert error["code"] == "fixity_failed" and "Şəki toyu.mp4" in error["message"]
    assert error["details"]["file"] == "Şəki toyu.mp4" and error["details"]["expected_sha256"] == recorded
    assert error["details"]["actual_sha256"] == __import__("hashlib").sha256(changed).hexdigest()
    with app.app_context():  # refused before the gate: no use recorded
        assert len(db.session().scalars(select(UsageRecord).where(UsageRecord.action == "bag")).all()) == uses_before

    # The pages say it, in the page's language, naming the file.
    login(client, "p@trt.test")
    for lang, needle in (("en", "is not the file that was stored"), ("tr", "saklanan dosya değil"),
                         ("az", "saxlanılan fayl deyil")):
        client.get(f"/lang/{lang}")
        page = client.get(f"/assets/{master}/provenance").get_data(as_text=True)
        assert 'id="fixity-damage"' in page and 'data-fixity="fail"' in page
        assert 'id="fixity-damage"' in client.get(f"/assets/{master}").get_data(as_text=True)
        r = client.post(f"/assets/{master}/provenance/bag", data={"csrf_token": csrf(page)})
        assert r.status_code == 409
        text = r.get_data(as_text=True)
        assert "bag-errors" in text and needle in text and "Şəki toyu.mp4" in text, lang

    # Restored and checked intact again: served and bagged as before.
    path.write_bytes(MASTER_BYTES)
    assert _check(app, master).counts["pass"] == 2
    r = client.get(url, headers=h(people, "producer"))
    assert r.headers["ETag"] == f'"{recorded}"' and "Ortak-Fixity" not in r.headers
    assert client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer")).status_code == 200
    assert 'id="fixity-damage"' not in client.get(f"/assets/{master}/provenance").get_data(as_text=True)


def test_a_bag_of_an_original_of_another_length_is_refused_unchecked(app, client, people, master):
    with app.app_context():
        path = Path(storage().local_path(db.session().get(Asset, master).original_key))
    path.write_bytes(MASTER_BYTES[:-10])
    r = client.post(f"/api/v1/assets/{master}/bag", headers=h(people, "producer"))
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "fixity_failed" and error["details"]["size"] == len(MASTER_BYTES) - 10
    assert error["details"]["expected_size"] == len(MASTER_BYTES)


@pytest.mark.parametrize("lang, words", [
    ("tr", ["İzin", "Kısıtlama", "Doğrusal TV", "tüm üyeler"]),
    ("az", ["İcazə", "Məhdudiyyət", "Xətti TV", "bütün üzvlər"]),
])
def test_the_rights_summary_names_kinds_platforms_and_licensees_in_the_pages_language(
        app, client, people, master, lang, words):
    """Trial finding (LOW): the provenance page listed blocks as `grant · — · linear_tv, vod` on
    Turkish and Azerbaijani pages."""
    for body in ({"kind": "grant", "licensees": {"organisations": ["AzTV"]}, "territories": ["AZ"],
                  "platforms": ["linear_tv", "vod"], "start": "2027-01-01", "end": "2027-12-31"},
                 {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
                  "platforms": ["social"], "start": "2027-01-01"}):
        assert client.post(f"/api/v1/assets/{master}/rights", json=body, headers=h(people, "manager")).status_code == 201
    login(client, "b@aztv.test")
    client.get(f"/lang/{lang}")
    page = client.get(f"/assets/{master}/provenance").get_data(as_text=True)
    summary = page.split('id="rights-summary"', 1)[1].split("</section>", 1)[0]
    for word in words:
        assert word in summary, (lang, word, summary)
    for raw in ("grant", "restriction", "linear_tv", "social", " — "):
        assert raw not in summary, (lang, raw, summary)
