"""The sweeper re-queues started-and-silent work through the real (embedded) broker and gives up
in the end; work that is only waiting in the queue is left alone, and re-sent only when it
waited so long that its message may be lost. It flushes; what it sends leaves at the commit."""
import os
import time
from datetime import timedelta

from sqlalchemy import select, update

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.ingest import staging
from archive.ingest.models import Upload
from archive.ingest.recovery import sweep, sweep_stuck
from archive.renditions.models import Rendition
from archive.renditions.services import get_or_create
from archive.scratch import Owner
from tests.broker import clear, queued


def _age(app, asset_id, seconds, **values):
    old = utcnow() - timedelta(seconds=seconds)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(updated_at=old, created_at=old, processing_started_at=old, **values))
        s.execute(update(Rendition).where(Rendition.asset_id == asset_id).values(updated_at=old))
        s.commit()


def _stuck(app):
    """One sweep_stuck as the sweep task runs it: in its own unit of work, committed."""
    with app.app_context():
        session = db.session()
        report = sweep_stuck(session, app.config)
        session.commit()
        return report


def _sweep(app):
    return _stuck(app).sent


def test_stuck_asset_is_requeued_then_failed(app, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)  # the upload's own ingest message
    assert _sweep(app) == 0  # fresh work is left alone

    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    assert _sweep(app) == 1
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert (a.status, a.attempts, a.processing_started_at) == ("processing", 1, None)
    assert _sweep(app) == 0  # the re-queue itself counts as activity

    for _ in range(2):
        _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
        _sweep(app)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    assert _sweep(app) == 0
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert a.status == "failed" and a.attempts == 3 and "did not finish after 3 attempts" in a.error
        assert a.error_code == "attempts_exhausted"


def test_a_transcode_that_reports_progress_is_not_stuck(app, register_file, sample_video):
    asset_id = register_file(sample_video)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "proxy")
        row.status, row.progress = "running", 0.4  # written a moment ago by the worker
        s.commit()
    assert _sweep(app) == 0


def test_running_rendition_of_ready_asset_is_requeued(app, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "poster")
        row.status, row.attempts = "running", 1
        s.commit()
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60, status="ready")
    assert _sweep(app) == 1
    assert queued(app, "media") == [("workers.tasks.render", (asset_id, "poster"))]
    with app.app_context():
        assert db.session().get(Rendition, row.id).status == "pending"


def test_what_a_dead_make_published_is_no_longer_served(app, register_file, sample_video):
    """A worker died while its make published HLS segments (`archive.renditions.live`): the
    sweeper withdraws them (no row to serve), keeping the prefix for the next make to delete."""
    from archive.renditions.models import RenditionLiveFile

    asset_id = register_file(sample_video)
    clear(app)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "hls")
        row.status, row.attempts = "running", 1
        row.live_prefix, row.live_entry = f"renditions/{asset_id}/hls/x-live", "master.m3u8"
        s.flush()
        s.add(RenditionLiveFile(rendition_id=row.id, path="master.m3u8", blob_key=f"{row.live_prefix}/v1/master.m3u8",
                                size=1, sha256="0" * 64, content_type="application/vnd.apple.mpegurl"))
        s.commit()
        assert row.live
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60, status="ready")
    assert _sweep(app) == 1
    with app.app_context():
        s = db.session()
        after = s.get(Rendition, row.id)
        assert (after.status, after.live, after.live_entry) == ("pending", False, None)
        assert after.live_prefix == f"renditions/{asset_id}/hls/x-live"
        assert s.scalars(select(RenditionLiveFile)).all() == []


def _wait_in_queue(app, asset_id, seconds):
    """The asset was queued `seconds` ago and no worker has claimed it yet."""
    old = utcnow() - timedelta(seconds=seconds)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(created_at=old, updated_at=old, processing_started_at=None))
        s.commit()


def test_work_waiting_in_the_queue_is_not_stuck(app, register_file, sample_image):
    """A backlog longer than STUCK_AFTER re-queues nothing and fails nothing, sweep after sweep."""
    asset_id = register_file(sample_image)
    clear(app)
    _wait_in_queue(app, asset_id, app.config["RESEND_QUEUED_AFTER"] - 60)
    assert app.config["RESEND_QUEUED_AFTER"] - 60 > app.config["STUCK_AFTER"]
    for _ in range(app.config["MAX_ATTEMPTS"] + 2):
        assert _sweep(app) == 0
    assert queued(app, "media") == []
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert (a.status, a.attempts, a.error, a.error_code) == ("processing", 0, None, None)


def test_work_waiting_very_long_is_sent_again_without_an_attempt(app, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)  # its message is lost
    _wait_in_queue(app, asset_id, app.config["RESEND_QUEUED_AFTER"] + 60)
    report = _stuck(app)
    assert (report.resent, report.requeued, report.failed) == ([asset_id], [], [])
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
    assert _sweep(app) == 0  # the next resend waits another RESEND_QUEUED_AFTER
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert (a.status, a.attempts, a.processing_started_at) == ("processing", 0, None)
    # However often it is re-sent, waiting never fails the asset.
    for _ in range(app.config["MAX_ATTEMPTS"] + 1):
        _wait_in_queue(app, asset_id, app.config["RESEND_QUEUED_AFTER"] + 60)
        assert _sweep(app) == 1
    with app.app_context():
        assert db.session().get(Asset, asset_id).status == "processing"


def test_max_attempts_is_a_setting(app_config, register_file, sample_image):
    from archive import create_app

    other = create_app({**app_config, "MAX_ATTEMPTS": 1})
    try:
        asset_id = register_file(sample_image)
        _age(other, asset_id, other.config["STUCK_AFTER"] + 60)
        assert _sweep(other) == 1
        _age(other, asset_id, other.config["STUCK_AFTER"] + 60)
        report = _stuck(other)
        assert report.failed == [asset_id]
        with other.app_context():
            assert db.session().get(Asset, asset_id).error_code == "attempts_exhausted"
    finally:
        other.extensions["ortak.db"].dispose()


def test_a_duplicate_message_is_skipped_by_the_claim(app, register_file, sample_image):
    """Two deliveries of one queued run: the first claims the asset, the second skips."""
    from archive.ingest.pipeline import claim, process_asset

    asset_id = register_file(sample_image)
    with app.app_context():
        assert claim(db.session(), asset_id) is True
        assert claim(db.session(), asset_id) is False
        assert process_asset(asset_id) == "skipped"
        a = db.session().get(Asset, asset_id)
        assert a.status == "processing" and a.processing_started_at is not None and a.renditions == []
    # Started and then silent: the sweeper clears the claim, so the re-sent message may take it.
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    assert _sweep(app) == 1
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        assert process_asset(asset_id) == "skipped"


def test_giving_up_is_a_status_change_like_the_pipelines(app, register_file, sample_image):
    """One status-change function: the sweeper's failure has the pipeline's Event shape."""
    from archive.events.models import Event

    asset_id = register_file(sample_image)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60, attempts=app.config["MAX_ATTEMPTS"])
    assert _stuck(app).failed == [asset_id]
    with app.app_context():
        s = db.session()
        a = s.get(Asset, asset_id)
        ev = s.scalar(select(Event).where(Event.subject_id == asset_id, Event.action == "asset.failed"))
        assert (ev.actor_id, ev.before) == (None, {"status": "processing"})
        assert ev.after == {"status": "failed", "error": a.error, "reason_code": "attempts_exhausted",
                            "attempts": app.config["MAX_ATTEMPTS"]}


def test_a_sweep_sends_at_the_commit_and_a_rollback_undoes_it(app, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        assert sweep_stuck(s, app.config).requeued == [asset_id]
        assert queued(app, "media") == []  # nothing leaves before the commit ...
        s.rollback()                        # ... and nothing at all without one
    assert queued(app, "media") == []
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert a.attempts == 0 and a.processing_started_at is not None
    assert _sweep(app) == 1
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]


def test_one_sweep_frees_abandoned_uploads_and_orphaned_scratch_too(app, make_user, register_file, sample_image):
    """`sweep` is what the timer and `ortak sweep` run: uploads, scratch and stuck work, one commit."""
    user_id, _ = make_user("producer", "AZ")
    asset_id = register_file(sample_image)
    clear(app)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        expired = Upload(user_id=user_id, length=10, expires_at=utcnow() - timedelta(hours=1))
        current = Upload(user_id=user_id, length=10, expires_at=utcnow() + timedelta(hours=1))
        s.add_all([expired, current])
        s.commit()
        for upload in (expired, current):
            staging.staged_path(upload.id).parent.mkdir(parents=True, exist_ok=True)
            staging.staged_path(upload.id).write_bytes(b"12345")
    other_host = Owner(4242, 100, "gone-worker.example").folder_name  # silent for longer than SCRATCH_MAX_AGE
    scratch = os.path.join(app.config["DATA_DIR"], "tmp", other_host)
    os.makedirs(scratch)
    old = time.time() - app.config["SCRATCH_MAX_AGE"] - 60
    os.utime(scratch, (old, old))

    with app.app_context():
        s = db.session()
        report = sweep(s, app.config)
        assert (report.uploads_purged, report.scratch_removed, report.requeued) == (1, [other_host], [asset_id])
        s.commit()
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
    assert not os.path.exists(scratch)
    with app.app_context():
        s = db.session()
        assert (s.get(Upload, expired.id).status, s.get(Upload, current.id).status) == ("aborted", "open")
        assert not staging.staged_path(expired.id).exists() and staging.staged_path(current.id).exists()


def test_a_make_recorded_as_interrupted_is_requeued_at_once(app, register_file, sample_video):
    """A claimed asset whose run recorded its renditions as interrupted (the worker was stopped
    and said so, the claim stayed set) is sent again by the next sweep, without waiting
    STUCK_AFTER and without counting an attempt; its renditions wait again."""
    asset_id = register_file(sample_video)
    clear(app)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.processing_started_at = utcnow() - timedelta(seconds=30)  # claimed half a minute ago
        for name in ("proxy", "hls"):
            row = get_or_create(s, asset_id, name)
            row.status = "failed"
            row.error = (f"{name} failed: interrupted: the worker process was stopped (task revoked or worker "
                         "shut down); the sweeper will retry")
        poster = get_or_create(s, asset_id, "poster")
        poster.status, poster.error = "failed", "poster failed: ffmpeg exited with 1"  # a real failure stays
        s.commit()
    assert _stuck(app).requeued == [asset_id]
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
    with app.app_context():
        s = db.session()
        a = s.get(Asset, asset_id)
        assert (a.status, a.attempts, a.processing_started_at) == ("processing", 0, None)
        rows = {r.name: (r.status, r.error) for r in a.renditions}
        assert rows["proxy"] == ("pending", None) and rows["hls"] == ("pending", None)
        assert rows["poster"] == ("failed", "poster failed: ffmpeg exited with 1")
    clear(app)
    assert _sweep(app) == 0  # unclaimed now: only waiting


def test_an_interruption_of_an_earlier_run_does_not_requeue_the_current_one(app, register_file, sample_video):
    asset_id = register_file(sample_video)
    clear(app)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "proxy")
        row.status = "failed"
        row.error = "proxy failed: interrupted: the worker process was stopped (task revoked or worker shut down)"
        s.commit()
        s.execute(update(Rendition).where(Rendition.asset_id == asset_id)
                  .values(updated_at=utcnow() - timedelta(seconds=60)))
        s.execute(update(Asset).where(Asset.id == asset_id).values(processing_started_at=utcnow()))  # claimed since
        s.commit()
    assert _sweep(app) == 0
