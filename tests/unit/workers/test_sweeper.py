"""The sweeper re-queues started-and-silent work through the real (embedded) broker and gives up
in the end; work that is only waiting in the queue is left alone, and re-sent only when it
waited so long that its message may be lost."""
import base64
import json
import os
from datetime import timedelta

from sqlalchemy import update

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.renditions.models import Rendition
from archive.renditions.services import get_or_create
from workers.sweeper import sweep_stuck


def _age(app, asset_id, seconds, **values):
    old = utcnow() - timedelta(seconds=seconds)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(updated_at=old, created_at=old, processing_started_at=old, **values))
        s.execute(update(Rendition).where(Rendition.asset_id == asset_id).values(updated_at=old))
        s.commit()


def _queued(app, queue):
    """Task messages waiting in the embedded broker's folder for `queue`: [(task, args)]."""
    folder = os.path.join(app.config["DATA_DIR"], "broker", "queue")
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(f".{queue}.msg"):
            with open(os.path.join(folder, name)) as fh:
                msg = json.load(fh)
            args = json.loads(base64.b64decode(msg["body"]))[0]
            out.append((msg["headers"]["task"], tuple(args)))
    return out


def _sweep(app):
    with app.app_context():
        return sweep_stuck().sent


def _clear(app):
    folder = os.path.join(app.config["DATA_DIR"], "broker", "queue")
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))


def test_stuck_asset_is_requeued_then_failed(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    _clear(app)  # the upload's own ingest message
    assert _sweep(app) == 0  # fresh work is left alone

    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    assert _sweep(app) == 1
    assert _queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
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


def test_a_transcode_that_reports_progress_is_not_stuck(app, add_asset, sample_video):
    asset_id = add_asset(sample_video)
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "proxy")
        row.status, row.progress = "running", 0.4  # written a moment ago by the worker
        s.commit()
    assert _sweep(app) == 0


def test_running_rendition_of_ready_asset_is_requeued(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    _clear(app)
    with app.app_context():
        s = db.session()
        row = get_or_create(s, asset_id, "poster")
        row.status, row.attempts = "running", 1
        s.commit()
    _age(app, asset_id, app.config["STUCK_AFTER"] + 60, status="ready")
    assert _sweep(app) == 1
    assert _queued(app, "media") == [("workers.tasks.render", (asset_id, "poster"))]
    with app.app_context():
        assert db.session().get(Rendition, row.id).status == "pending"


def _wait_in_queue(app, asset_id, seconds):
    """The asset was queued `seconds` ago and no worker has claimed it yet."""
    old = utcnow() - timedelta(seconds=seconds)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(created_at=old, updated_at=old, processing_started_at=None))
        s.commit()


def test_work_waiting_in_the_queue_is_not_stuck(app, add_asset, sample_image):
    """A backlog longer than STUCK_AFTER re-queues nothing and fails nothing, sweep after sweep."""
    asset_id = add_asset(sample_image)
    _clear(app)
    _wait_in_queue(app, asset_id, app.config["RESEND_QUEUED_AFTER"] - 60)
    assert app.config["RESEND_QUEUED_AFTER"] - 60 > app.config["STUCK_AFTER"]
    for _ in range(app.config["MAX_ATTEMPTS"] + 2):
        assert _sweep(app) == 0
    assert _queued(app, "media") == []
    with app.app_context():
        a = db.session().get(Asset, asset_id)
        assert (a.status, a.attempts, a.error, a.error_code) == ("processing", 0, None, None)


def test_work_waiting_very_long_is_sent_again_without_an_attempt(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    _clear(app)  # its message is lost
    _wait_in_queue(app, asset_id, app.config["RESEND_QUEUED_AFTER"] + 60)
    with app.app_context():
        report = sweep_stuck()
    assert (report.resent, report.requeued, report.failed) == ([asset_id], [], [])
    assert _queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
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


def test_max_attempts_is_a_setting(app_config, add_asset, sample_image):
    from archive import create_app

    other = create_app({**app_config, "MAX_ATTEMPTS": 1})
    try:
        asset_id = add_asset(sample_image)
        _age(other, asset_id, other.config["STUCK_AFTER"] + 60)
        assert _sweep(other) == 1
        _age(other, asset_id, other.config["STUCK_AFTER"] + 60)
        with other.app_context():
            report = sweep_stuck()
            assert report.failed == [asset_id]
            assert db.session().get(Asset, asset_id).error_code == "attempts_exhausted"
    finally:
        other.extensions["ortak.db"].dispose()


def test_a_duplicate_message_is_skipped_by_the_claim(app, add_asset, sample_image):
    """Two deliveries of one queued run: the first claims the asset, the second skips."""
    from archive.ingest.pipeline import claim, process_asset

    asset_id = add_asset(sample_image)
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
