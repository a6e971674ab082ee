"""C2PA content credentials (issue 12 item 2) end to end: read on ingest, signed on export
(proxy download, clip, basket item), not written where it cannot be, verified on upload."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from importlib.metadata import version

import pytest
from sqlalchemy import select

from archive import db
from archive.accounts.models import User
from archive.accounts.services import create_token
from archive.assets.models import Asset
from archive.backends import storage
from archive.baskets import zips
from archive.events.models import Event
from archive.ingest.pipeline import process_asset, run_one_step
from archive.ingest.services import register_original
from archive.media import credentials as media
from archive.provenance import credential_pages, credentials
from archive.provenance.credential_models import ContentCredential, SignedRendition
from tests.asset_factory import create_asset
from tests.c2pa_chain import make_chain
from tests.functional.test_rights_pages import csrf, login

GRANT = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"],
         "platforms": ["linear_tv"], "start": "2027-01-01", "end": "2027-12-31"}
USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "Haberler"}


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def media_files(tmp_path_factory):
    """A camera's signed MP4 master (its own chain), the same tampered, a JPEG and an MXF."""
    d = tmp_path_factory.mktemp("cc-media")
    plain = d / "plain.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i",
            "sine=duration=3:sample_rate=48000", "-c:v", "libx264", "-preset", "ultrafast", "-g", "12",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-timecode", "10:00:00:00", str(plain))
    camera = make_chain(d / "camera", org="Kamera A.Ş.", cn="Field camera 7")
    identity = media.load_identity(str(camera.chain), str(camera.key))
    signed = d / "camera.mp4"
    media.sign_file(str(plain), str(signed), identity=identity, manifest={
        "claim_generator_info": [{"name": "CameraFirmware", "version": "2.1"}], "title": "camera.mp4",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}]})
    data = bytearray(signed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = d / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    jpeg, mxf = d / "still.jpg", d / "master.mxf"
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240", "-frames:v", "1", str(jpeg))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "mpeg2video", str(mxf))
    junk = d / "notes.mp4"
    junk.write_bytes(b"not a video at all\n" * 500)
    return {"plain": plain, "camera": signed, "tampered": tampered, "jpeg": jpeg, "mxf": mxf, "junk": junk}


@pytest.fixture
def chain(tmp_path):
    return make_chain(tmp_path / "ortak-chain", org="Ortak Test", cn="Ortak archive signer")


@pytest.fixture
def app_config(app_config, chain):
    return {**app_config, "C2PA_SIGN_CERT": str(chain.chain), "C2PA_SIGN_KEY": str(chain.key),
            "C2PA_TRUST_ANCHORS": str(chain.root)}


def _bearer(make_user, role="producer", country="TR", org=None):
    user_id, token = make_user(role, country, org=org) if org else make_user(role, country)
    return user_id, {"Authorization": f"Bearer {token}"}


def _read_blob(app, key, tmp_path, name):
    out = tmp_path / name
    with app.app_context():
        out.write_bytes(b"".join(storage().open_range(key)))
    return out


def _unsigned_events(app, asset_id):
    with app.app_context():
        return [e.after for e in db.session().scalars(select(Event).where(
            Event.subject_id == asset_id, Event.action == "credentials.not_signed"))]


def test_ingest_reads_the_masters_manifest_and_the_proxy_download_is_signed_with_it_as_parent(
        app, client, register_file, media_files, chain, make_user, tmp_path):
    asset_id = register_file(media_files["camera"], "camera.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    _, h = _bearer(make_user)
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()
    cc = doc["content_credentials"]
    assert cc["state"] == "valid" and cc["reason"] is None  # the camera's CA is not our trust anchor
    [camera] = cc["manifests"]
    assert camera["claim_generator"] == "CameraFirmware 2.1" and camera["signer"]["common_name"] == "Field camera 7"
    assert [a["action"] for a in camera["actions"]] == ["c2pa.created"]

    first = client.get(f"/api/v1/assets/{asset_id}/download?rendition=proxy", headers=h)
    assert first.status_code == 200 and first.headers["Ortak-Content-Credentials"] == "signed"
    again = client.get(f"/api/v1/assets/{asset_id}/download?rendition=proxy", headers=h)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]  # signed once, kept
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    proxy = tmp_path / "proxy.mp4"
    proxy.write_bytes(first.data)
    report = media.read_file(str(proxy), trust_anchors=chain.root.read_text())
    assert report.state == "trusted", report.reason
    ours, parent = report.manifests
    assert ours.claim_generator == f"Ortak {version('ortak')}" and ours.signer["common_name"] == "Ortak archive signer"
    assert [a["action"] for a in ours.actions] == ["c2pa.opened", "c2pa.transcoded"]
    assert ours.ingredients[0]["relationship"] == "parentOf" and ours.ingredients[0]["title"] == "camera.mp4"
    assert ours.ortak["source_id"] == asset_id and ours.ortak["rendition"] == "proxy"
    assert parent.claim_generator == "CameraFirmware 2.1" and parent.state == "valid"
    # A partial read of the signed copy is answered from the same bytes.
    part = client.get(f"/api/v1/assets/{asset_id}/download?rendition=proxy", headers={**h, "Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == first.data[:100]
    # The HLS ladder cannot carry C2PA: said on the asset.
    assert cc["renditions"]["hls"]["state"] == "not_writable" and "HLS" in cc["renditions"]["hls"]["reason"]
    assert cc["renditions"]["proxy"]["state"] == cc["renditions"]["poster"]["state"] == "signed"
    page = client.get(f"/assets/{asset_id}", headers=h)
    assert page.status_code in (200, 302)


def test_a_tampered_master_is_shown_invalid_with_the_reason_and_ingest_goes_on(app, client, register_file,
                                                                                 media_files, make_user):
    asset_id = register_file(media_files["tampered"], "tampered.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    _, h = _bearer(make_user)
    cc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()["content_credentials"]
    assert cc["state"] == "invalid" and "assertion.bmffHash.mismatch" in cc["reason"]


def test_a_clip_is_signed_with_its_master_as_parent_and_both_validate(app, client, register_file, media_files,
                                                                       chain, tmp_path):
    asset_id = register_file(media_files["camera"], "camera.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        uploader = db.session().get(Asset, asset_id).uploader_id
    with app.app_context():  # the master's uploader exports the clip
        s = db.session()
        token = create_token(s, s.get(User, uploader), "t")
        s.commit()
    h = {"Authorization": f"Bearer {token}"}
    resp = client.post(f"/api/v1/assets/{asset_id}/clips", json={"in": "10:00:00:12", "out": "10:00:02:00",
                                                                 "mode": "accurate"}, headers=h)
    assert resp.status_code == 202, resp.get_json()
    clip_id = resp.get_json()["id"]
    with app.app_context():
        assert process_asset(clip_id) == "ready"
        clip = db.session().get(Asset, clip_id)
        key, sha256 = clip.original_key, clip.sha256
    clip_file = _read_blob(app, key, tmp_path, "clip.mov")
    assert hashlib.sha256(clip_file.read_bytes()).hexdigest() == sha256  # the checksum is of the signed bytes
    report = media.read_file(str(clip_file), trust_anchors=chain.root.read_text())
    assert report.state == "trusted", report.reason
    ours, parent = report.manifests
    assert [a["action"] for a in ours.actions] == ["c2pa.opened", "c2pa.trimmed", "c2pa.transcoded"]
    assert ours.ortak["in"] == "10:00:00:12" and ours.ortak["out"] == "10:00:02:00"
    assert ours.ortak["source_id"] == asset_id and ours.author
    assert parent.state in ("valid", "trusted") and parent.claim_generator == "CameraFirmware 2.1"
    # The clip's own ingest reads what it carries.
    doc = client.get(f"/api/v1/assets/{clip_id}", headers=h).get_json()["content_credentials"]
    assert doc["state"] == "trusted" and len(doc["manifests"]) == 2


def test_an_mxf_basket_item_goes_out_unsigned_with_the_reason_and_a_segment_is_signed(
        app, client, make_user, media_files, chain, tmp_path):
    producer, _ = make_user("producer", "AZ", org="İTV")
    _, manager = _bearer(make_user, "rights_manager", "AZ", org="İTV")
    _, trt = _bearer(make_user, "broadcaster", "TR", org="TRT")
    mxf = create_asset(app, producer, data=media_files["mxf"].read_bytes(), filename="master.mxf",
                       content_type="application/mxf")
    mp4 = create_asset(app, producer, data=media_files["plain"].read_bytes(), filename="halay.mp4")
    with app.app_context():
        for a in (mxf, mp4):
            db.session().get(Asset, a).technical = {"duration": 3.0, "frame_rate": "25/1",
                                                    "start_timecode": "10:00:00:00"}
        db.session().commit()
    for a in (mxf, mp4):
        assert client.post(f"/api/v1/assets/{a}/rights", json=GRANT, headers=manager).status_code == 201
    bid = client.post("/api/v1/baskets", json={"name": "C2PA"}, headers=trt).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": mxf}, headers=trt).status_code == 201
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": mp4, "in": "10:00:00:00",
                                                            "out": "10:00:02:00"}, headers=trt).status_code == 201
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=trt).status_code == 202
    with app.app_context():
        assert zips.build_zip(db.session(), bid) == "ready"
        db.session().commit()
    data = client.get(f"/api/v1/baskets/{bid}/zip", headers=trt).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rows = json.loads(z.read("manifest.json"))["items"]
        assert [r["credentials"] for r in rows] == ["unsigned", "signed"]
        assert z.read(rows[0]["file"]) == media_files["mxf"].read_bytes()  # unchanged, never failed
        seg = tmp_path / "seg.mp4"
        seg.write_bytes(z.read(rows[1]["file"]))
    report = media.read_file(str(seg), trust_anchors=chain.root.read_text())
    assert report.state == "trusted" and report.manifests[0].ortak["in"] == "10:00:00:00"
    assert [a["action"] for a in report.manifests[0].actions] == ["c2pa.opened", "c2pa.trimmed", "c2pa.published"]
    [why] = _unsigned_events(app, mxf)
    assert why["export"] == f"basket:{bid}" and why["reason_code"] == "not_writable" and "application/mxf" in why["reason"]  # by its bytes, not its name


def test_verify_endpoint_shows_the_chain_and_refuses_bad_input(app, client, make_user, media_files, tmp_path):
    _, h = _bearer(make_user)

    def post(path, name=None, headers=h):
        with open(path, "rb") as fh:
            return client.post("/api/v1/provenance/verify", data={"file": (fh, name or path.name)},
                               headers=headers, content_type="multipart/form-data")

    ok = post(media_files["camera"])
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert body["state"] == "valid" and body["manifests"][0]["claim_generator"] == "CameraFirmware 2.1"
    assert body["size"] == media_files["camera"].stat().st_size
    bad = post(media_files["tampered"]).get_json()
    assert bad["state"] == "invalid" and "bmffHash.mismatch" in bad["reason"]
    assert post(media_files["jpeg"]).get_json()["state"] == "absent"
    junk = post(media_files["junk"], "notes.txt")
    assert junk.status_code == 422 and junk.get_json()["error"]["code"] == "unsupported_format"
    # Our code, not the library's words ("NotSupported: type is unsupported"); pages say it in
    # the reader's language by it.
    assert junk.get_json()["error"]["details"] == {"reason": credentials.FORMAT_NOT_SUPPORTED}
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        from archive.web import messages
        said = messages.ERROR_REASONS["unsupported_format"][credentials.FORMAT_NOT_SUPPORTED]
        assert "okunamaz" in str(said) and "NotSupported" not in str(said)
    # Named as a video, the same bytes are still no file the library reads: not "invalid".
    for name in ("clip.mp4", "clip.mov", "photo.jpg"):
        named = post(media_files["junk"], name)
        assert named.status_code == 422 and named.get_json()["error"]["code"] == "unsupported_format", name
        assert named.get_json()["error"]["details"]["reason"] == "format_not_supported", name
    assert post(media_files["camera"], headers={}).status_code == 401
    none = client.post("/api/v1/provenance/verify", data={}, headers=h, content_type="multipart/form-data")
    # A missing field of the body is 422, as in provenance/lookup and a JSON body.
    assert none.status_code == 422 and none.get_json()["error"]["code"] == "file_required"
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert post(empty).get_json()["error"]["code"] == "empty_file"
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"], C2PA_VERIFY_MAX_BYTES=1000)
    big = post(media_files["camera"])
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "file_too_large"
    page = client.get("/provenance/verify", headers=h)
    assert page.status_code in (200, 302)


def test_missing_key_exports_go_on_unsigned_with_a_health_warning(app, client, register_file, media_files,
                                                                   make_user, caplog):
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"],
                                                           C2PA_SIGN_KEY="/nonexistent/key.pem")
    health = client.get("/healthz").get_json()
    warning = health["warnings"]["content_credentials"]
    assert warning["ok"] is False and "/nonexistent/key.pem" in warning["warning"]
    asset_id = register_file(media_files["plain"], "plain.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        assert db.session().scalars(select(SignedRendition)).all() == []
    _, h = _bearer(make_user)
    resp = client.get(f"/api/v1/assets/{asset_id}/download?rendition=proxy", headers=h)
    assert resp.status_code == 200 and resp.headers["Ortak-Content-Credentials"] == "unsigned"
    assert media.read_file(str(media_files["plain"])).state == "absent"
    renditions = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()["content_credentials"]["renditions"]
    assert renditions["proxy"]["state"] == renditions["poster"]["state"] == "no_signer"
    assert "/nonexistent/key.pem" in renditions["proxy"]["reason"]
    assert any("exports are not signed" in r.getMessage() for r in caplog.records)


def test_pages_show_the_credentials_in_each_language(app, client, make_user, media_files):
    user_id, _ = make_user("producer", "TR", org="TRT", email="cc@trt.test")
    staged = media_files["tampered"].parent / "staged-tampered.mp4"
    shutil.copyfile(media_files["tampered"], staged)
    with app.app_context():
        s = db.session()
        data = staged.read_bytes()
        asset_id = register_original(s, staged=staged, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                     filename="tampered.mp4", meta={}, uploader=s.get(User, user_id)).asset.id
        s.commit()
        assert process_asset(asset_id) == "ready"
    login(client, "cc@trt.test")
    pages = {lang: client.get(f"/assets/{asset_id}", headers={"Accept-Language": lang}).get_data(as_text=True)
             for lang in ("tr", "az", "en")}
    assert "İçerik kimlik bilgileri" in pages["tr"] and "Geçersiz içerik kimlik bilgileri" in pages["tr"]
    # The HLS ladder is named as a viewing copy without credentials, with the reason in the page's
    # language (the service's English sentence was appended after the Turkish one).
    assert "İçerik kimlik bilgisi olmayan izleme kopyaları" in pages["tr"]
    assert "HLS parçaları imzalı değil" in pages["tr"] and "HLS segments are not signed" not in pages["tr"]
    assert "HLS seqmentləri imzalanmayıb" in pages["az"] and "HLS segments are not signed" not in pages["az"]
    assert "HLS segments are not, as content credentials are written into whole files" in pages["en"]
    assert "Məzmun etimadnaməsi" in pages["az"] and "Etibarsız məzmun etimadnaməsi" in pages["az"]
    assert "Invalid content credentials" in pages["en"] and "bmffHash.mismatch" in pages["en"]
    # The failure and the chain's actions in the page's language, not c2pa-rs's English ("asset
    # hash error, name: jumbf manifest, ...") and the specification's codes (`c2pa.created`).
    assert "Videonun baytları imzalandıktan sonra değişti." in pages["tr"], pages["tr"]
    assert "Videonun baytları imzalandıqdan sonra dəyişib." in pages["az"]
    assert "bytes changed after it was signed." in pages["en"]
    assert "asset hash error" not in pages["tr"] and "asset hash error" not in pages["az"]
    assert "Oluşturuldu" in pages["tr"] and "Yaradıldı" in pages["az"] and "<code>c2pa.created</code>" not in pages["tr"]
    form = client.get("/provenance/verify", headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert "Məzmun etimadnaməsini yoxla" in form
    with open(media_files["camera"], "rb") as fh:
        shown = client.post("/provenance/verify", data={"csrf_token": csrf(form), "file": (fh, "camera.mp4")},
                            headers={"Accept-Language": "tr"}, content_type="multipart/form-data")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "CameraFirmware 2.1" in html and "Field camera 7" in html
    assert "Geçerli içerik kimlik bilgileri" in html
    missing = client.post("/provenance/verify", data={"csrf_token": csrf(form)}, headers={"Accept-Language": "tr"},
                          content_type="multipart/form-data")
    # 422 as the API answers it: a missing field of the form.
    assert missing.status_code == 422 and "Doğrulanacak bir dosya seçin." in missing.get_data(as_text=True)
    # The lookup page shows the dropped clip's chain too (a fragment its script puts beside the matches).
    lookup = client.get("/provenance/lookup", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    url = re.search(r'id="lookup-credentials"[^>]*data-url="([^"]+)"', lookup).group(1)
    token = re.search(r'name="csrf-token" content="([^"]+)"', lookup).group(1)

    def fragment(path, name, lang="tr"):
        with open(path, "rb") as fh:
            return client.post(url, data={"file": (fh, name)}, content_type="multipart/form-data",
                               headers={"Accept-Language": lang, "X-CSRFToken": token})

    chain = fragment(media_files["camera"], "camera.mp4")
    html = chain.get_data(as_text=True)
    assert chain.status_code == 200 and "CameraFirmware 2.1" in html and "Geçerli içerik kimlik bilgileri" in html
    assert "<html" not in html  # a fragment, not a page
    junk = fragment(media_files["junk"], "clip.mp4", "az")
    assert junk.status_code == 422 and 'id="lookup-credentials-error"' in junk.get_data(as_text=True)
    refused = client.post(url, data={"file": (io.BytesIO(b"x"), "x.mp4")}, content_type="multipart/form-data")
    assert refused.status_code in (400, 403)  # no CSRF token: refused before anything is read


def test_files_over_the_size_bound_are_shown_unverified_and_go_out_unsigned(app, client, register_file, media_files,
                                                                             make_user):
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"], C2PA_MAX_BYTES=1000)
    asset_id = register_file(media_files["tampered"], "tampered.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    _, h = _bearer(make_user)
    cc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()["content_credentials"]
    assert cc["state"] == "unverified" and "ORTAK_C2PA_MAX_BYTES" in cc["reason"]
    assert cc["manifests"][0]["claim_generator"] == "CameraFirmware 2.1"
    assert cc["renditions"]["proxy"]["state"] == "too_large" and cc["renditions"]["proxy"]["detail"] == "over_limit"
    resp = client.get(f"/api/v1/assets/{asset_id}/download?rendition=proxy", headers=h)
    assert resp.status_code == 200 and resp.headers["Ortak-Content-Credentials"] == "unsigned"


def test_a_new_signing_key_re_signs_the_renditions_when_the_step_runs_again(app, client, register_file, media_files,
                                                                             make_user, tmp_path):
    asset_id = register_file(media_files["plain"], "plain.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        assert run_one_step(asset_id, "credentials") == "current"  # nothing changed: nothing signed again
    _, h = _bearer(make_user)
    before = client.get(f"/api/v1/assets/{asset_id}/download?rendition=poster", headers=h)
    assert before.headers["Ortak-Content-Credentials"] == "signed"
    new = make_chain(tmp_path / "rotated", org="Ortak Test", cn="Ortak signer 2027")
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"],
                                                           C2PA_SIGN_CERT=str(new.chain), C2PA_SIGN_KEY=str(new.key))
    stale = client.get(f"/api/v1/assets/{asset_id}/download?rendition=poster", headers=h)
    assert stale.headers["Ortak-Content-Credentials"] == "unsigned"  # no copy for this signer yet: the plain file
    with app.app_context():
        assert run_one_step(asset_id, "credentials") == "done"
        assert len(db.session().scalars(select(SignedRendition).where(SignedRendition.asset_id == asset_id)).all()) == 4
    after = client.get(f"/api/v1/assets/{asset_id}/download?rendition=poster", headers=h)
    assert after.headers["Ortak-Content-Credentials"] == "signed" and after.data != before.data
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(after.data)
    report = media.read_file(str(poster))
    assert report.manifests[0].signer["common_name"] == "Ortak signer 2027"
    assert [a["action"] for a in report.manifests[0].actions] == ["c2pa.opened", "c2pa.transcoded"]
    signer = client.get("/healthz").get_json()["warnings"]["content_credentials"]
    assert "CN=Ortak signer 2027" in signer["signer"]
    # A key others may read still signs, with a warning that says how to fix it.
    os.chmod(new.key, 0o600)
    assert "warning" not in client.get("/healthz").get_json()["warnings"]["content_credentials"]
    os.chmod(new.key, 0o644)
    exposed = client.get("/healthz").get_json()["warnings"]["content_credentials"]
    assert exposed["ok"] is True and "mode 0644" in exposed["warning"] and "0600" in exposed["warning"]


def test_a_rendition_file_missing_from_storage_is_named_and_the_others_are_signed(app, client, register_file,
                                                                                 media_files, tmp_path, caplog):
    asset_id = register_file(media_files["plain"], "plain.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        s = db.session()
        poster = next(r for r in s.get(Asset, asset_id).renditions if r.name == "poster")
        storage().delete(poster.files[0].blob_key)  # gone behind the archive's back
    new = make_chain(tmp_path / "rotated", org="Ortak Test", cn="Ortak signer 2028")
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"],
                                                           C2PA_SIGN_CERT=str(new.chain), C2PA_SIGN_KEY=str(new.key))
    with app.app_context():
        assert run_one_step(asset_id, "credentials") == "done"  # not "failed" with a traceback
        kept = db.session().scalar(select(ContentCredential).where(ContentCredential.asset_id == asset_id)).renditions
        states = {name: doc["state"] for name, doc in kept.items()}
    assert states["poster"] == "signing_failed" and states["proxy"] == "signed"
    assert kept["poster"]["detail"] == "file_missing" and kept["hls"]["detail"] == "hls_segments"
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        # The page says a fixed detail by its code, in its language; no code: the English as recorded.
        assert credential_pages.unsigned_detail("file_missing", "anything") == {
            "text": "Dosya depolamada bulunamıyor.", "lang": "tr"}
        assert credential_pages.unsigned_detail(None, credentials.MISSING_REASON) == {
            "text": credentials.MISSING_REASON, "lang": "en"}
        assert credential_pages.unsigned_detail("over_limit", "larger than ORTAK_C2PA_MAX_BYTES (9 bytes)") is None
    assert "is missing from storage" in caplog.text and "Traceback" not in caplog.text


def test_the_asset_describes_the_signed_bytes_its_downloads_serve_and_fixity_checks_both(
        app, client, register_file, media_files, make_user):
    from archive.provenance import fixity
    from archive.provenance.models import FixityCheck

    asset_id = register_file(media_files["plain"], "plain.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    _, h = _bearer(make_user)
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()
    renditions = {r["name"]: r for r in doc["renditions"]}
    for name in ("proxy", "poster"):
        got = client.get(f"/api/v1/assets/{asset_id}/download?rendition={name}", headers=h)
        assert got.status_code == 200 and got.headers["Ortak-Content-Credentials"] == "signed"
        entry = renditions[name]
        # What a client checks the download against is what it downloaded.
        assert entry["sha256"] == hashlib.sha256(got.data).hexdigest() and entry["size"] == len(got.data)
        assert got.headers["ETag"] == f'"{entry["sha256"]}"' and entry["credentials"] == "signed"
        # The rendition file as made: its file route and the manifest's `files` still say it.
        manifest = client.get(f"/api/v1/assets/{asset_id}/renditions/{name}", headers=h).get_json()
        [file] = manifest["files"]
        assert (entry["unsigned_sha256"], entry["unsigned_size"]) == (file["sha256"], file["size"])
        assert file["sha256"] != entry["sha256"]
        plain = client.get(file["url"], headers=h)
        assert hashlib.sha256(plain.data).hexdigest() == file["sha256"]
    assert renditions["hls"]["credentials"] is None
    with app.app_context():
        s = db.session()
        result = fixity.check_all(s, storage(), "test", asset_id=asset_id)
        assert result.counts["pass"] == result.checked and not result.failures
        checked = {(c.rendition, c.path) for c in s.scalars(select(FixityCheck).where(FixityCheck.asset_id == asset_id))}
        signed = [p for r, p in checked if r == "proxy" and p and p.startswith("signed/")]
        assert len(signed) == 1 and ("proxy", "proxy.mp4") in checked


def _register_as(app, user_id, path, filename):
    """Register `path` as uploaded by `user_id` (another organisation than the master's)."""
    data = path.read_bytes()
    staged = path.with_name(f"staged-{hashlib.sha256(data).hexdigest()[:12]}-{filename}")
    shutil.copyfile(path, staged)
    with app.app_context():
        s = db.session()
        got = register_original(s, staged=staged, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                filename=filename, meta={}, uploader=s.get(User, user_id))
        s.commit()
        asset_id = got.asset.id
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    return asset_id


def test_an_exported_file_uploaded_again_names_its_source_as_declared_by_its_credentials(
        app, client, register_file, media_files, chain, make_user, tmp_path):
    master = register_file(media_files["camera"], "camera.mp4")
    with app.app_context():
        assert process_asset(master) == "ready"
        s = db.session()
        uploader = s.get(Asset, master).uploader_id
        token = create_token(s, s.get(User, uploader), "t")
        s.commit()
    owner = {"Authorization": f"Bearer {token}"}
    itv_id, token = make_user("producer", "AZ", org="İTV", email="again@itv.test")
    itv = {"Authorization": f"Bearer {token}"}
    proxy = tmp_path / "proxy.mp4"
    proxy.write_bytes(client.get(f"/api/v1/assets/{master}/download?rendition=proxy", headers=owner).data)
    resp = client.post(f"/api/v1/assets/{master}/clips", json={"in": "10:00:00:12", "out": "10:00:02:00",
                                                              "mode": "accurate"}, headers=owner)
    clip_id = resp.get_json()["id"]
    with app.app_context():
        assert process_asset(clip_id) == "ready"
        clip_key = db.session().get(Asset, clip_id).original_key
    clip_file = _read_blob(app, clip_key, tmp_path, "clip.mov")

    # Another organisation uploads the proxy it was sent: its provenance names the master.
    again = _register_as(app, itv_id, proxy, "from-trt.mp4")
    doc = client.get(f"/api/v1/assets/{again}/provenance", headers=itv).get_json()
    [src] = doc["sources"]
    assert src["relation"] == "exported_from" and src["declared_by"] == "content_credentials"
    assert src["id"] == master and src["of"] == again and src["asset"]["id"] == master
    assert src["export"] == "rendition" and src["rendition"] == "proxy" and src["signer"] == "Ortak archive signer"
    # The clip's own bytes uploaded again are a holding of the clip (same SHA-256), not a new
    # asset; an excerpt signed as a clip is (its in/out as its assertion says).
    with app.app_context():
        excerpt = tmp_path / "excerpt.mp4"
        manifest = credentials.export_manifest(
            db.session().get(Asset, master), title="excerpt.mp4", actions=[{"action": "c2pa.trimmed"}],
            details={"asset_id": clip_id, "mode": "accurate", "in": "10:00:00:12", "out": "10:00:02:00"})
        media.sign_file(str(media_files["plain"]), str(excerpt), manifest=manifest,
                        identity=media.load_identity(str(chain.chain), str(chain.key)),
                        parent=(str(clip_file), "clip.mov"), trust_anchors=chain.root.read_text())
    clip_again = _register_as(app, itv_id, excerpt, "excerpt.mp4")
    [src] = client.get(f"/api/v1/assets/{clip_again}/provenance", headers=itv).get_json()["sources"]
    assert src["id"] == master and src["export"] == "clip" and src["in"] == "10:00:00:12" \
        and src["out"] == "10:00:02:00" and src["mode"] == "accurate"
    # A clip's own lineage is not doubled by the credentials it carries.
    own = client.get(f"/api/v1/assets/{clip_id}/provenance", headers=owner).get_json()["sources"]
    assert [s["relation"] for s in own] == ["clip_of"]

    # A tampered copy, a manifest from a signer that is trusted but not this archive's, and one
    # naming an asset that is not here: no link (the manifest is still shown, with its state).
    data = bytearray(proxy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = tmp_path / "tampered-proxy.mp4"
    tampered.write_bytes(bytes(data))
    other = make_chain(tmp_path / "other", org="Başqa TV", cn="Another archive")
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(chain.root.read_text() + other.root.read_text())
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"],
                                                           C2PA_TRUST_ANCHORS=str(anchors))
    with app.app_context():
        m = db.session().get(Asset, master)
        foreign, unknown = tmp_path / "foreign.mp4", tmp_path / "unknown.mp4"
        for dst, identity, source_id in (
                (foreign, media.load_identity(str(other.chain), str(other.key)), m.id),
                (unknown, media.load_identity(str(chain.chain), str(chain.key)), "00000000-0000-0000-0000-000000000000")):
            manifest = credentials.export_manifest(m, title=dst.name, actions=[{"action": "c2pa.transcoded"}],
                                                   details={"rendition": "proxy"})
            manifest["assertions"][1]["data"]["source_id"] = source_id
            media.sign_file(str(media_files["plain"]), str(dst), identity=identity, manifest=manifest,
                            parent=(str(media_files["plain"]), "plain.mp4"), trust_anchors=anchors.read_text())
    for path, state in ((tampered, "invalid"), (foreign, "trusted"), (unknown, "trusted")):
        asset_id = _register_as(app, itv_id, path, path.name)
        doc = client.get(f"/api/v1/assets/{asset_id}/provenance", headers=itv).get_json()
        assert doc["sources"] == [], path.name
        assert doc["content_credentials"]["state"] == state, path.name

    # Only a source the viewer may see: the master withdrawn from view (not ready) is not listed
    # to another organisation; its own organisation still sees the link.
    with app.app_context():
        db.session().get(Asset, master).status = "rejected"
        db.session().commit()
    assert client.get(f"/api/v1/assets/{again}/provenance", headers=itv).get_json()["sources"] == []
    assert [s["id"] for s in client.get(f"/api/v1/assets/{again}/provenance", headers=owner)
            .get_json()["sources"]] == [master]

    # The page says it in each language (the master made visible again).
    with app.app_context():
        db.session().get(Asset, master).status = "ready"
        db.session().commit()
    login(client, "again@itv.test")
    for lang, words in (("en", "declared by its content credentials, signed by this archive"),
                        ("tr", "içerik kimlik bilgileri beyan ediyor"), ("az", "məzmun etimadnaməsi bəyan edir")):
        page = client.get(f"/assets/{again}/provenance", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert words in page and 'data-relation="exported_from"' in page, lang


def test_an_export_signed_with_an_earlier_key_still_names_its_source(app, client, register_file, media_files,
                                                                      chain, make_user, tmp_path):
    """A key rotation does not cut the link: the archive keeps each certificate it signed with
    (credentials.remember_signer), so the proxy signed before the rotation, uploaded again
    after it, still names its master; a certificate never used here still does not."""
    from archive.provenance.credential_models import SignerCertificate

    master = register_file(media_files["camera"], "camera.mp4")
    with app.app_context():
        assert process_asset(master) == "ready"
        s = db.session()
        token = create_token(s, s.get(User, s.get(Asset, master).uploader_id), "t")
        s.commit()
    owner = {"Authorization": f"Bearer {token}"}
    proxy = tmp_path / "proxy.mp4"
    proxy.write_bytes(client.get(f"/api/v1/assets/{master}/download?rendition=proxy", headers=owner).data)
    with app.app_context():
        kept = {row.common_name for row in db.session().scalars(select(SignerCertificate))}
    assert kept == {"Ortak archive signer"}

    new = make_chain(tmp_path / "rotated", org="Ortak Test", cn="Ortak signer 2027")
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(chain.root.read_text() + new.root.read_text())
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"], C2PA_SIGN_CERT=str(new.chain),
                                                           C2PA_SIGN_KEY=str(new.key), C2PA_TRUST_ANCHORS=str(anchors))
    itv_id, itv_token = make_user("producer", "AZ", org="İTV", email="rotated@itv.test")
    again = _register_as(app, itv_id, proxy, "from-trt.mp4")
    [src] = client.get(f"/api/v1/assets/{again}/provenance",
                       headers={"Authorization": f"Bearer {itv_token}"}).get_json()["sources"]
    assert src["id"] == master and src["export"] == "rendition" and src["signer"] == "Ortak archive signer"

    # Without the earlier certificate kept (as before it was), the link is read as cut: the
    # source is derived at read time.
    with app.app_context():
        s = db.session()
        s.query(SignerCertificate).delete()
        s.commit()
    assert client.get(f"/api/v1/assets/{again}/provenance",
                      headers={"Authorization": f"Bearer {itv_token}"}).get_json()["sources"] == []
