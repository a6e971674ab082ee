"""Every handle has its task on the Celery app create_app builds: its queue, its ids, one unit of work."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.task_handles import DEFAULT_QUEUE, HANDLES, INDEX_ASSET, INGEST, MEDIA_QUEUE, SWEEP
from tests.broker import clear, queued


@pytest.fixture
def celery(app):
    celery = app.extensions["ortak.celery"]
    celery.loader.import_default_modules()  # what a worker does at start-up (conf.imports)
    return celery


def test_every_handle_has_its_task_and_nothing_else_is_registered(celery):
    ours = {name for name in celery.tasks if not name.startswith("celery.")}
    assert ours == {h.name for h in HANDLES}
    for handle in HANDLES:
        task = celery.tasks[handle.name]
        assert task.app is celery and task.queue == handle.queue
        assert "UnitOfWorkTask" in [c.__name__ for c in type(task).__mro__]
    assert celery.conf.task_acks_late and celery.conf.worker_prefetch_multiplier == 1
    assert celery.conf.task_default_queue == DEFAULT_QUEUE
    sweep = celery.conf.beat_schedule["ortak-sweep"]
    assert (sweep["task"], sweep["options"]["queue"]) == (SWEEP.name, SWEEP.queue)


def test_celerys_own_send_also_goes_to_the_handles_queue(app, celery):
    """`apply_async` without a queue (a shell, a retry) routes by the task's queue, set from its handle."""
    with app.app_context():
        celery.tasks[INGEST.name].apply_async(args=["a"])
        celery.tasks[INDEX_ASSET.name].apply_async(args=["a"])
    assert queued(app, MEDIA_QUEUE) == [(INGEST.name, ("a",))]
    assert queued(app, DEFAULT_QUEUE) == [(INDEX_ASSET.name, ("a",))]


def test_a_body_must_take_the_ids_of_its_handle():
    from workers.tasks import runs

    with pytest.raises(TypeError, match=r"does not take the ids of workers\.tasks\.ingest\('asset_id',\)"):
        @runs(INGEST)
        def ingest(asset_id, name):  # pragma: no cover - never bound
            return asset_id


def test_task_body_runs_in_the_flask_app_context(app, celery, register_file, sample_image):
    asset_id = register_file(sample_image)
    # Called directly (not through a broker), outside any app context: the base pushes one.
    assert celery.tasks[INGEST.name](asset_id) == "ready"
    assert celery.tasks[INGEST.name](asset_id) == "skipped"
    with app.app_context():
        assert db.session().get(Asset, asset_id).status == "ready"


def test_the_task_commits_what_the_archive_code_flushed(app, celery, register_file, sample_image):
    """The sweeper only flushes: the sweep task's return commits it and sends what it re-queued."""
    asset_id = register_file(sample_image)
    clear(app)
    old = utcnow() - timedelta(seconds=app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(updated_at=old, created_at=old, processing_started_at=old))
        s.commit()
    assert celery.tasks[SWEEP.name]() == 1
    assert queued(app, MEDIA_QUEUE) == [(INGEST.name, (asset_id,))]
    with app.app_context():
        assert db.session().get(Asset, asset_id).attempts == 1


def test_a_body_that_raises_commits_nothing(app, celery, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)

    @celery.task(name="tests.half_done", shared=False)
    def half_done(asset_id: str) -> None:
        session = db.session()
        session.get(Asset, asset_id).attempts = 9
        INGEST.send(session, asset_id)
        session.flush()
        raise RuntimeError("the task died half-way")

    try:
        with pytest.raises(RuntimeError, match="half-way"):
            half_done(asset_id)
    finally:
        del celery.tasks["tests.half_done"]
    assert queued(app, MEDIA_QUEUE) == []
    with app.app_context():
        assert db.session().get(Asset, asset_id).attempts == 0


def test_embedded_broker_uses_the_safe_filesystem_transport(app):
    from archive.broker_fs import Transport

    celery = app.extensions["ortak.celery"]
    with celery.connection_for_write() as conn:
        assert isinstance(conn.transport, Transport)
