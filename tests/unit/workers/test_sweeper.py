"""The sweeper re-queues stuck work through the real (embedded) broker, and gives up in the end."""
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
        return sweep_stuck()


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
