"""Tasks are registered on the Celery app create_app builds, run in its app context, on the right queues."""
from archive.tasks import DEFAULT_QUEUE, MEDIA_QUEUE

NAMES = ("workers.tasks.ingest", "workers.tasks.render", "workers.tasks.index_asset", "workers.tasks.sweep")


def test_tasks_bind_to_the_app_made_by_create_app(app):
    celery = app.extensions["ortak.celery"]
    celery.loader.import_default_modules()  # what a worker does at start-up (conf.imports)
    for name in NAMES:
        task = celery.tasks[name]
        assert task.app is celery
        assert "AppContextTask" in [c.__name__ for c in type(task).__mro__]
    assert celery.conf.task_acks_late and celery.conf.worker_prefetch_multiplier == 1
    routes = celery.conf.task_routes
    assert routes["workers.tasks.ingest"]["queue"] == MEDIA_QUEUE
    assert routes["workers.tasks.render"]["queue"] == MEDIA_QUEUE
    assert celery.conf.beat_schedule["ortak-sweep"]["task"] == "workers.tasks.sweep"
    assert celery.conf.task_default_queue == DEFAULT_QUEUE


def test_task_body_runs_in_the_flask_app_context(app, add_asset, sample_image):
    from archive import db
    from archive.assets.models import Asset

    asset_id = add_asset(sample_image)
    celery = app.extensions["ortak.celery"]
    celery.loader.import_default_modules()
    # Called directly (not through a broker), outside any app context: the base pushes one.
    assert celery.tasks["workers.tasks.ingest"](asset_id) == "ready"
    assert celery.tasks["workers.tasks.ingest"](asset_id) == "skipped"
    with app.app_context():
        assert db.session().get(Asset, asset_id).status == "ready"


def test_embedded_broker_uses_the_safe_filesystem_transport(app):
    from archive.broker_fs import Transport

    celery = app.extensions["ortak.celery"]
    with celery.connection_for_write() as conn:
        assert isinstance(conn.transport, Transport)
