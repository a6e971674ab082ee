"""An original's Content-Type follows what its bytes are (the container ffprobe found), not its
name: recorded on the asset, served with its downloads, used by C2PA, and said in its history
when the declared type was wrong."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from archive import db
from archive.assets.models import Asset
from archive.events.models import Event
from archive.ingest.pipeline import process_asset
from archive.provenance.credential_models import SignedRendition
from tests.c2pa_chain import make_chain


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("content-types")
    ts, mp4 = d / "big.ts", d / "mandel.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i",
            "sine=duration=2:sample_rate=48000", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-f", "mpegts", str(ts))
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25", "-t", "2", "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(mp4))
    return {"ts": ts, "mp4": mp4}


def _corrections(app, asset_id):
    with app.app_context():
        return [(e.before, e.after) for e in db.session().scalars(select(Event).where(
            Event.subject_id == asset_id, Event.action == "asset.content_type_corrected"))]


def test_an_mpeg_ts_original_is_served_as_video_mp2t(app, client, register_file, files, make_user):
    asset_id = register_file(files["ts"], "big.ts")
    with app.app_context():
        assert db.session().get(Asset, asset_id).content_type != "video/mp2t"  # the name's guess
        assert process_asset(asset_id) == "ready"
    _, token = make_user("producer", "TR")
    h = {"Authorization": f"Bearer {token}"}
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()
    assert doc["content_type"] == "video/mp2t" and doc["technical"]["content_type"] == "video/mp2t"
    got = client.get(f"/api/v1/assets/{asset_id}/download", headers=h)
    assert got.status_code == 200 and got.headers["Content-Type"] == "video/mp2t"
    [(before, after)] = _corrections(app, asset_id)
    assert before["content_type"] != "video/mp2t"
    assert after == {"content_type": "video/mp2t", "container": "mpegts"}


def test_a_correct_name_records_no_correction(app, register_file, files):
    asset_id = register_file(files["mp4"], "mandel.mp4")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        assert db.session().get(Asset, asset_id).content_type == "video/mp4"
    assert _corrections(app, asset_id) == []


def test_a_wav_named_wav_records_no_correction(app, register_file, tmp_path):
    """Python's `mimetypes` names a .wav `audio/x-wav`, the container table `audio/wav`: two
    names of one type (RFC 2361's audio/vnd.wave has more), not a wrong declaration. Nothing is
    corrected and the history says nothing."""
    wav = tmp_path / "ezan.wav"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-c:a", "pcm_s16le", str(wav))
    asset_id = register_file(wav, "ezan.wav")
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        asset = db.session().get(Asset, asset_id)
        assert asset.technical["content_type"] == "audio/wav"
        assert asset.content_type == "audio/x-wav"  # as declared: the same type
    assert _corrections(app, asset_id) == []


def test_a_wave64_file_is_not_taken_for_a_wav(app, client, register_file, tmp_path, make_user):
    """Sony Wave64 (ffprobe's `w64`) is not RIFF WAVE: served as audio/wav no player reads it,
    and C2PA reading it as WAV called its credentials `invalid` ('expected "RIFF"'). Nothing
    names its type: the declared one stays, and its credentials are `unsupported`."""
    w64 = tmp_path / "ezan.w64"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-c:a", "pcm_s16le", "-f", "w64", str(w64))
    asset_id = register_file(w64, "ezan.w64")
    with app.app_context():
        declared = db.session().get(Asset, asset_id).content_type
        assert process_asset(asset_id) == "ready"
        assert db.session().get(Asset, asset_id).content_type == declared != "audio/wav"
    assert _corrections(app, asset_id) == []
    _, token = make_user("producer", "TR")
    doc = client.get(f"/api/v1/assets/{asset_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert doc["technical"]["container"] == "w64"
    assert doc["content_credentials"]["state"] == "unsupported", doc["content_credentials"]


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return make_chain(tmp_path_factory.mktemp("ct-chain") / "ortak-chain", org="Ortak Test", cn="Ortak archive signer")


@pytest.fixture
def app_config(app_config, chain):
    return {**app_config, "C2PA_SIGN_CERT": str(chain.chain), "C2PA_SIGN_KEY": str(chain.key),
            "C2PA_TRUST_ANCHORS": str(chain.root)}


def test_an_mp4_named_wav_is_stored_served_and_signed_as_mp4(app, client, register_file, files, make_user):
    asset_id = register_file(files["mp4"], "mandel2.wav")
    with app.app_context():
        assert db.session().get(Asset, asset_id).content_type == "audio/x-wav"
        assert process_asset(asset_id) == "ready"
    _, token = make_user("producer", "TR")
    h = {"Authorization": f"Bearer {token}"}
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=h).get_json()
    assert doc["kind"] == "video" and doc["content_type"] == "video/mp4"
    assert client.get(f"/api/v1/assets/{asset_id}/download", headers=h).headers["Content-Type"] == "video/mp4"
    cc = doc["content_credentials"]
    assert cc["renditions"]["proxy"]["state"] == "signed", cc["renditions"]
    assert cc["renditions"]["poster"]["state"] == "signed", cc["renditions"]
    with app.app_context():
        assert len(db.session().scalars(select(SignedRendition).where(
            SignedRendition.asset_id == asset_id)).all()) == 2
    [(before, after)] = _corrections(app, asset_id)
    assert before == {"content_type": "audio/x-wav"} and after["content_type"] == "video/mp4"


@pytest.mark.s3
def test_on_s3_the_presigned_download_says_the_corrected_type(app_config, s3_config, make_user):
    """The original was stored under the type its name declared; once probed the asset says
    another (`follow_content`). A download on S3 is a redirect to a presigned URL: the store
    then answers, and must answer with the asset's type, not the one stored with the object."""
    import requests

    from archive import create_app
    from archive.accounts import services as accounts
    from archive.ingest.steps import follow_content
    from tests.asset_factory import create_asset

    app = create_app({**app_config, **s3_config, "PRESIGN_SECONDS": 60})
    try:
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "TRT", "TR")
            user = accounts.create_user(s, "s3-ct@example.org", "correct horse battery", "TRT", "producer")
            token = accounts.create_token(s, user)
            s.commit()
            uid = user.id
        asset_id = create_asset(app, uid, data=b"\x00\x00\x00\x18ftypisom" + b"x" * 4000, filename="film.wav",
                                content_type="audio/x-wav")
        with app.app_context():
            s = db.session()
            follow_content(s, s.get(Asset, asset_id), {"content_type": "video/mp4", "container": "mov,mp4"})
            s.commit()
        resp = app.test_client().get(f"/api/v1/assets/{asset_id}/download",
                                     headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 302
        fetched = requests.get(resp.headers["Location"], timeout=30)
        assert fetched.status_code == 200
        assert fetched.headers["Content-Type"] == "video/mp4"
    finally:
        app.extensions["ortak.db"].dispose()
