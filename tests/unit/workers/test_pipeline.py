"""process_asset in this process, on real files with real ffmpeg and the configured storage."""
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.events.models import Event
from archive.ingest.pipeline import process_asset, render_one
from archive.renditions.models import Rendition
from archive.task_handles import INDEX_ASSET


def _asset(app, asset_id):
    with app.app_context():
        s = db.session()
        a = s.get(Asset, asset_id)
        for r in a.renditions:
            r.files  # loaded while the session is open
        return a, {r.name: r for r in a.renditions}, [e.action for e in s.scalars(
            select(Event).where(Event.subject_id == asset_id).order_by(Event.id))]


def entry_key(rendition) -> str:
    return next(f.blob_key for f in rendition.files if f.path == rendition.entry)


def _run(app, asset_id):
    with app.app_context():
        return process_asset(asset_id)


def test_video_becomes_ready_with_proxy_and_poster(app, add_asset, sample_video, tmp_path):
    asset_id = add_asset(sample_video)
    assert _run(app, asset_id) == "ready"
    asset, rends, actions = _asset(app, asset_id)
    assert (asset.status, asset.kind, asset.error) == ("ready", "video", None)
    assert asset.technical["start_timecode"] == "10:00:00:00" and asset.technical["width"] == 640
    assert set(rends) == {"proxy", "poster", "hls", "storyboard", "waveform", "fingerprints"}
    assert {r.status for r in rends.values()} == {"ready"}
    assert (rends["hls"].entry, rends["storyboard"].entry, rends["waveform"].entry) == \
           ("master.m3u8", "storyboard.vtt", "waveform.json")
    assert "360p/seg_00000.m4s" in [f.path for f in rends["hls"].files]
    proxy, poster = rends["proxy"], rends["poster"]
    assert proxy.status == "ready" and proxy.progress == 1.0 and proxy.content_type == "video/mp4"
    assert proxy.entry == "proxy.mp4" and [f.path for f in proxy.files] == ["proxy.mp4"]
    [proxy_file] = proxy.files
    assert proxy.prefix.startswith(f"renditions/{asset_id}/proxy/{proxy.spec_hash[:12]}-")
    assert proxy_file.blob_key == f"{proxy.prefix}/proxy.mp4"
    assert (proxy_file.size, proxy_file.sha256, proxy_file.content_type) == (proxy.size, proxy.sha256, "video/mp4")
    assert (proxy.width, proxy.height) == (640, 360) and proxy.size > 0
    assert poster.content_type == "image/jpeg" and entry_key(poster).endswith("/poster.jpg")
    with app.app_context():
        assert storage().exists(entry_key(proxy)) and storage().exists(asset.original_key)
        with Image.open(storage().local_path(entry_key(poster))) as im:
            assert im.format == "JPEG" and im.size == (640, 360)
    assert actions == ["asset.created", "asset.ready"]
    assert {name: step["status"] for name, step in asset.steps.items()} == \
           {"probe": "done", "renditions": "done", "fingerprints": "done", "credentials": "done", "index": "done"}

    # Idempotent: a second run of the task does nothing; a re-render of a ready rendition neither.
    assert _run(app, asset_id) == "skipped"
    with app.app_context():
        assert render_one(asset_id, "proxy") == "ready"
    again, rends2, _ = _asset(app, asset_id)
    assert entry_key(rends2["proxy"]) == entry_key(proxy) and rends2["proxy"].attempts == 1


def test_audio_gets_an_m4a_proxy_and_a_waveform_only(app, add_asset, tmp_path):
    tone = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=2", str(tone)], check=True)
    asset_id = add_asset(tone)
    assert _run(app, asset_id) == "ready"
    asset, rends, _ = _asset(app, asset_id)
    assert asset.kind == "audio" and set(rends) == {"proxy", "waveform"}
    assert rends["proxy"].content_type == "audio/mp4" and entry_key(rends["proxy"]).endswith("/proxy.m4a")
    assert rends["proxy"].files[0].content_type == "audio/mp4"


def test_image_gets_a_poster(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    assert _run(app, asset_id) == "ready"
    asset, rends, _ = _asset(app, asset_id)
    assert asset.kind == "image" and asset.technical["width"] == 800
    assert set(rends) == {"poster"} and rends["poster"].width == 800


@pytest.mark.parametrize("fixture, code", [("truncated_video", "index_missing"), ("not_media", "not_media")])
def test_bad_files_are_rejected_and_kept(app, add_asset, request, fixture, code, monkeypatch):
    asset_id = add_asset(request.getfixturevalue(fixture))
    sent = []
    monkeypatch.setattr("archive.task_handles.publish", lambda handle, ids: sent.append((handle.name, ids)))
    assert _run(app, asset_id) == "rejected"
    # The index is told (it held the asset as processing since its upload: a newcomer's status
    # facet said "Processing" for a rejected upload).
    assert (INDEX_ASSET.name, (asset_id,)) in sent
    asset, rends, actions = _asset(app, asset_id)
    assert asset.status == "rejected" and asset.error and "nothing" not in asset.error.lower()
    assert rends == {}
    with app.app_context():
        assert storage().exists(asset.original_key)  # the original is never deleted
        ev = db.session().scalar(select(Event).where(Event.subject_id == asset_id, Event.action == "asset.rejected"))
        assert ev.before == {"status": "processing"} and ev.after["reason_code"] == code
        assert ev.after["error"] == asset.error


def test_zero_byte_file_is_rejected(app, add_asset, tmp_path):
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    asset_id = add_asset(empty)
    assert _run(app, asset_id) == "rejected"
    assert _asset(app, asset_id)[0].error == "The file is empty (0 bytes)."


def test_ffmpeg_failure_on_a_good_file_marks_failed(app, add_asset, sample_video, monkeypatch):
    """Proxy and poster come from one decode: an encoder failure (the poster's; the proxy shares the
    720p rung's encode) fails both, with ffmpeg's reason, and leaves no file in storage."""
    import dataclasses

    from archive.media import commands
    from archive.media.profiles import PosterProfile

    asset_id = add_asset(sample_video)
    proxy_part = commands.OUTPUT_BUILDERS[PosterProfile]

    def broken(profile, probe, dst):
        part = proxy_part(profile, probe, dst)
        args = list(part.args)
        args[args.index("-c:v") + 1] = "no-such-encoder"
        return dataclasses.replace(part, args=tuple(args))

    monkeypatch.setitem(commands.OUTPUT_BUILDERS, PosterProfile, broken)
    sent = []
    monkeypatch.setattr("archive.task_handles.publish", lambda handle, ids: sent.append((handle.name, ids)))
    assert _run(app, asset_id) == "failed"
    assert (INDEX_ASSET.name, (asset_id,)) in sent  # the index learns the status
    asset, rends, actions = _asset(app, asset_id)
    assert asset.status == "failed" and "Processing failed" in asset.error and "no-such-encoder" in asset.error
    assert asset.error_code == "processing_error"
    for name in ("proxy", "poster"):
        assert rends[name].status == "failed" and "no-such-encoder" in rends[name].error
        assert rends[name].files == [] and rends[name].entry is None
    assert asset.steps["probe"]["status"] == "done"
    assert asset.steps["renditions"]["status"] == "failed" and "no-such-encoder" in asset.steps["renditions"]["error"]
    assert "index" not in asset.steps
    assert actions[-1] == "asset.failed"
    with app.app_context():
        assert list(storage().list_prefix(f"renditions/{asset_id}")) == []


def test_missing_and_unknown_assets_are_skipped(app):
    assert _run(app, "00000000-0000-0000-0000-000000000000") == "missing"


def test_rendition_rows_are_unique_per_asset_and_name(app, add_asset, sample_image):
    from archive.renditions.services import get_or_create

    asset_id = add_asset(sample_image)
    with app.app_context():
        s = db.session()
        a = get_or_create(s, asset_id, "poster")
        b = get_or_create(s, asset_id, "poster")
        s.commit()
        assert a.id == b.id
        assert len(s.scalars(select(Rendition).where(Rendition.asset_id == asset_id)).all()) == 1


def test_missing_original_fails_with_a_clear_error(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    with app.app_context():
        storage().delete(db.session().get(Asset, asset_id).original_key)
    assert _run(app, asset_id) == "failed"
    assert _asset(app, asset_id)[0].error == "Processing failed: the original file is missing from storage."
