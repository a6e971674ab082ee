"""The ingest pipeline through a real `ortak worker` process: embedded file broker and Redis."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.db import utcnow
from archive.events.models import Event
from archive.renditions.services import entry_file
from tests.functional.conftest import REDIS_HOST, REDIS_PORT, redis_db_or_skip


@pytest.fixture(params=["embedded", "redis"])
def broker_url(request):
    if request.param == "embedded":
        yield ""
        return
    number = redis_db_or_skip()
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).flushdb()  # our messages only: it was empty


@pytest.fixture
def app_config(app_config, broker_url):
    return {**app_config, "BROKER_URL": broker_url, "STUCK_AFTER": 40}


def top_level_boxes(path) -> list[str]:
    """The order of an MP4's top-level boxes ('ftyp', 'moov', 'mdat', ...)."""
    boxes = []
    with open(path, "rb") as fh:
        size_total = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos + 8 <= size_total:
            fh.seek(pos)
            size, kind = struct.unpack(">I4s", fh.read(8))
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
            elif size == 0:
                size = size_total - pos
            boxes.append(kind.decode("latin-1"))
            if size < 8:
                break
            pos += size
    return boxes


def ffprobe_streams(path) -> list[dict]:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
                         check=True, capture_output=True).stdout
    return json.loads(out)["streams"]


def test_worker_processes_video_image_and_rejects_truncated(app, register_file, start_worker, wait_for_status,
                                                            sample_video, sample_image, truncated_video):
    worker = start_worker()
    video = register_file(sample_video)
    image = register_file(sample_image)
    broken = register_file(truncated_video)
    assets = wait_for_status([video, image, broken], timeout=180, worker=worker)

    v = assets[video]
    assert (v.status, v.kind, v.error) == ("ready", "video", None), v.error
    assert v.technical["start_timecode"] == "10:00:00:00" and v.technical["frame_rate"] == "25/1"
    rends = {r.name: r for r in v.renditions}
    assert {n: r.status for n, r in rends.items()} == {"poster": "ready", "proxy": "ready", "hls": "ready",
                                                        "storyboard": "ready", "waveform": "ready",
                                                        "fingerprints": "ready"}
    with app.app_context():
        proxy_path = storage().local_path(entry_file(db.session(), rends["proxy"]).blob_key)
        poster_path = storage().local_path(entry_file(db.session(), rends["poster"]).blob_key)
        assert storage().exists(v.original_key)
    streams = ffprobe_streams(proxy_path)
    video_stream = next(s for s in streams if s["codec_type"] == "video")
    assert video_stream["codec_name"] == "h264" and video_stream["pix_fmt"] == "yuv420p"
    assert video_stream["height"] <= 720 and video_stream["width"] % 2 == 0
    assert any(s["codec_type"] == "audio" and s["codec_name"] == "aac" for s in streams)
    boxes = top_level_boxes(proxy_path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # faststart
    with Image.open(poster_path) as im:
        assert im.format == "JPEG" and im.size == (640, 360)

    i = assets[image]
    assert (i.status, i.kind) == ("ready", "image")
    assert [r.name for r in i.renditions] == ["poster"] and i.renditions[0].status == "ready"

    b = assets[broken]
    assert b.status == "rejected" and b.renditions == []
    assert "incomplete" in b.error and "Upload the complete file again" in b.error
    with app.app_context():
        assert storage().exists(b.original_key)  # the original stays
        actions = db.session().scalars(select(Event.action).where(Event.subject_id == broken)).all()
    assert actions == ["asset.created", "asset.rejected"]

    # The ready assets went on to the index (the index_asset task ran on the default queue).
    with app.app_context():
        from archive.backends import search_backend
        from search.interfaces import SearchQuery

        backend = search_backend()
        deadline = time.monotonic() + 120  # the index step runs last, after the status is ready
        while True:
            if hasattr(backend, "reload"):
                backend.reload()
            found = {h.id for h in backend.search(SearchQuery(text="", per_page=50)).hits}
            if {video, image} <= found or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert {video, image} <= found


def test_sweeper_requeues_an_asset_whose_message_was_lost(app, broker_url, register_file, start_worker,
                                                          wait_for_status, sample_image):
    if broker_url:
        pytest.skip("the lost message is simulated on the embedded broker's files")
    asset_id = register_file(sample_image)
    queue_dir = os.path.join(app.config["DATA_DIR"], "broker", "queue")
    for name in os.listdir(queue_dir):  # the message is lost, as when a worker dies holding it
        os.remove(os.path.join(queue_dir, name))
    old = utcnow() - timedelta(seconds=app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(created_at=old, updated_at=old, processing_started_at=old))
        s.commit()
    worker = start_worker(beat=True)  # beat sends `sweep` every max(10, STUCK_AFTER/4) s
    a = wait_for_status([asset_id], timeout=120, worker=worker)[asset_id]
    assert a.status == "ready" and a.attempts == 1
    assert "workers.tasks.sweep" in worker.log()


def test_revoked_task_takes_its_ffmpeg_down(app, broker_url, register_file, start_worker, sample_video, tmp_path):
    """`revoke(terminate=True)` SIGTERMs the pool process; its ffmpeg (own session) must die too.

    billiard turns that SIGTERM into SystemExit inside the task, which unwinds through the
    runner's `finally` (group kill), the rendition service (the rendition waits again) and the
    pipeline (the claim is given back and the message sent again).
    """
    if not broker_url:
        pytest.skip("revoke needs worker remote control, which the embedded file broker does not offer")
    import re
    import time

    import psutil

    from archive.events.models import Event
    from archive.renditions.models import Rendition

    long_video = tmp_path / "long.mp4"  # ~2 min made by stream copy in well under a second
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "40", "-i", str(sample_video), "-c", "copy",
                    str(long_video)], check=True)
    worker = start_worker()
    asset_id = register_file(long_video)
    with app.app_context():
        original = storage().local_path(db.session().get(Asset, asset_id).original_key)

    ffmpeg = None
    deadline = time.monotonic() + 90
    while ffmpeg is None and time.monotonic() < deadline:
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmd = proc.info["cmdline"] or []
            if proc.info["name"] == "ffmpeg" and "file:" + original in cmd and "libx264" in cmd:
                ffmpeg = proc
        time.sleep(0.1)
    assert ffmpeg is not None, "the proxy transcode never started:\n" + worker.log()[-3000:]
    task_id = re.search(r"Task workers\.tasks\.ingest\[([0-9a-f-]+)\] received", worker.log()).group(1)

    app.extensions["ortak.celery"].control.revoke(task_id, terminate=True, signal="SIGTERM")
    ffmpeg.wait(timeout=30)  # raises TimeoutExpired if it outlives its task
    assert not ffmpeg.is_running() or ffmpeg.status() == psutil.STATUS_ZOMBIE
    deadline = time.monotonic() + 30  # the interruption is written just after ffmpeg is gone
    while True:
        with app.app_context():
            interrupted = db.session().scalars(select(Event).where(Event.subject_id == asset_id,
                                                                   Event.action == "asset.interrupted")).all()
            row = db.session().scalar(select(Rendition).where(Rendition.asset_id == asset_id,
                                                              Rendition.name == "proxy"))
            asset = db.session().get(Asset, asset_id)
        if interrupted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    # The interruption is recorded, not a failure: the rendition waits (or runs again), the
    # asset stays `processing` and is sent again at once, with no attempt counted.
    assert len(interrupted) == 1 and interrupted[0].after["step"] == "renditions"
    assert row.status in ("pending", "running") and row.error is None, (row.status, row.error)
    assert asset.status == "processing" and asset.attempts == 0
    assert worker.proc.poll() is None  # the worker lives on
    deadline = time.monotonic() + 30
    while worker.log().count(f"asset {asset_id} claimed") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert worker.log().count(f"asset {asset_id} claimed") == 2, worker.log()[-3000:]
