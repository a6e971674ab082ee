"""Masters with several audio tracks and HDR masters through the real pipeline (ffprobe, the
renderer, storage) and onto the asset page in tr, az and en."""
from __future__ import annotations

import json
import subprocess

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset, render_one
from archive.renditions.services import entry_file
from tests.unit.media.test_hdr import make_hdr_master, make_sdr_master
from tests.unit.web.conftest import log_in

SUBTITLES = "1\n00:00:00,000 --> 00:00:01,500\nMerhaba\n\n"


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def two_language_master(tmp_path_factory):
    """2 s MOV: H.264, AAC stereo 'tur' and AAC mono 'aze' (named in the handler box, as MP4/MOV
    keep track names), a mov_text subtitle and a tmcd timecode track."""
    d = tmp_path_factory.mktemp("multi")
    srt = d / "sub.srt"
    srt.write_text(SUBTITLES, "utf-8")
    out = d / "master.mov"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
            "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100:duration=2", "-i", str(srt),
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac:a:0", "2",
            "-ac:a:1", "1", "-c:s", "mov_text",
            "-metadata:s:a:0", "language=tur", "-metadata:s:a:0", "handler_name=Türkçe",
            "-metadata:s:a:1", "language=aze", "-metadata:s:a:1", "handler_name=Azərbaycanca dublaj",
            "-metadata:s:s:0", "language=tur", "-timecode", "10:00:00:00", str(out))
    return out


@pytest.fixture(scope="module")
def two_language_audio(tmp_path_factory):
    out = tmp_path_factory.mktemp("multi-audio") / "radio.mka"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=2", "-f", "lavfi", "-i", "sine=frequency=300:duration=2",
            "-map", "0:a", "-map", "1:a", "-c:a", "flac", "-metadata:s:a:0", "language=tur",
            "-metadata:s:a:1", "language=aze", "-metadata:s:a:1", "title=Xəbərlər", str(out))
    return out


@pytest.fixture(scope="module")
def pq_master(tmp_path_factory):
    d = tmp_path_factory.mktemp("pq")
    sdr, out = d / "sdr.mp4", d / "hdr10.mp4"
    make_sdr_master(sdr)
    make_hdr_master(sdr, out, "smpte2084")
    return out


def ffprobe_streams(path) -> list[dict]:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
                         check=True, capture_output=True).stdout
    return json.loads(out)["streams"]


def _process(app, asset_id):
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        asset = db.session().get(Asset, asset_id)
        rends = {r.name: storage().local_path(entry_file(db.session(), r).blob_key) for r in asset.renditions}
        return asset.technical, rends


@pytest.fixture
def viewer(client, make_user):
    make_user("producer", "AZ", email="viewer-az@example.org")
    assert log_in(client, "viewer-az@example.org").status_code == 302
    return client


def test_every_audio_track_reaches_the_proxy_and_the_page(app, register_file, viewer, two_language_master):
    asset_id = register_file(two_language_master)
    technical, rends = _process(app, asset_id)
    assert [s["type"] for s in technical["streams"]] == ["video", "audio", "audio", "subtitle", "data"]
    assert [(s["language"], s["language_code"]) for s in technical["streams"] if s["type"] == "audio"] == \
           [("tur", "tr"), ("aze", "az")]
    assert technical["audio_tracks"] == 2 and technical["start_timecode"] == "10:00:00:00"

    streams = ffprobe_streams(rends["proxy"])
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert [s["codec_type"] for s in streams] == ["video", "audio", "audio"]  # no subtitle, no tmcd
    assert [s["codec_name"] for s in audio] == ["aac", "aac"]
    assert [s["tags"]["language"] for s in audio] == ["tur", "aze"]
    assert [s["tags"].get("handler_name") for s in audio] == ["Türkçe", "Azərbaycanca dublaj"]
    assert [s["disposition"]["default"] for s in audio] == [1, 0]
    assert [s["channels"] for s in audio] == [2, 1]

    # A re-render rebuilds the probe from the stored record: every track again.
    with app.app_context():
        from archive.renditions.models import Rendition

        db.session().query(Rendition).filter_by(asset_id=asset_id, name="proxy").delete()
        db.session().commit()
        assert render_one(asset_id, "proxy") == "ready"
        row = db.session().query(Rendition).filter_by(asset_id=asset_id, name="proxy").one()
        again = storage().local_path(entry_file(db.session(), row).blob_key)
    assert [s["tags"]["language"] for s in ffprobe_streams(again) if s["codec_type"] == "audio"] == ["tur", "aze"]

    pages = {lang: viewer.get(f"/assets/{asset_id}?lang={lang}", headers={"Accept-Language": lang})
             .get_data(as_text=True) for lang in ("en", "tr", "az")}
    en, tr, az = pages["en"], pages["tr"], pages["az"]
    assert "Audio 1" in en and "Audio 2" in en and "Subtitles 1" in en and "Data 1" in en
    assert "AAC LC, 2 ch (stereo), 48 kHz, Turkish (tur), “Türkçe”, default" in en
    assert "AAC LC, 1 ch (mono), 44.1 kHz, Azerbaijani (aze), “Azərbaycanca dublaj”" in en
    assert "MOV_TEXT, Turkish (tur)" in en and "TMCD, timecode 10:00:00:00" in en
    assert "Ses 2" in tr and "44,1 kHz" in tr and "Azerbaycan dili (aze)" in tr and "varsayılan" in tr
    assert "Səs 2" in az and "azərbaycan (aze)" in az and "1 kanal (mono)" in az
    assert "Dynamic range" in en and "SDR" in en


def test_audio_only_master_keeps_every_track(app, register_file, viewer, two_language_audio):
    asset_id = register_file(two_language_audio)
    technical, rends = _process(app, asset_id)
    assert technical["kind"] == "audio" and set(rends) == {"proxy", "waveform"}
    audio = ffprobe_streams(rends["proxy"])
    assert [(s["codec_name"], s["tags"]["language"]) for s in audio] == [("aac", "tur"), ("aac", "aze")]
    html = viewer.get(f"/assets/{asset_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "FLAC, 1 ch (mono), 44.1 kHz, Turkish (tur), default" in html
    assert "Azerbaijani (aze), “Xəbərlər”" in html


def test_hdr_master_is_shown_as_hdr_and_its_previews_are_sdr(app, register_file, viewer, pq_master):
    asset_id = register_file(pq_master)
    technical, rends = _process(app, asset_id)
    assert (technical["hdr"], technical["color_transfer"], technical["bit_depth"]) == ("pq", "smpte2084", 10)
    (video,) = ffprobe_streams(rends["proxy"])
    assert (video["pix_fmt"], video["color_primaries"], video["color_transfer"], video["color_space"]) == \
           ("yuv420p", "bt709", "bt709", "bt709")
    html = viewer.get(f"/assets/{asset_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "HDR · PQ (SMPTE ST 2084)" in html and "BT.2020 · PQ · BT.2020 NCL · limited range" in html
    assert "HEVC Main 10, 320 × 180, 25 fps, 10-bit, HDR · PQ (SMPTE ST 2084), BT.2020" in html
    tr = viewer.get(f"/assets/{asset_id}", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert "Dinamik aralık" in tr and "sınırlı aralık" in tr and "10 bit" in tr
