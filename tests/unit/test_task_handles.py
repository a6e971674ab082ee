"""Tasks by handle: a send goes to the handle's queue, after the commit only, with ids only.

Messages are read back from the embedded broker's queue folder: the real transport, no fake.
"""
from __future__ import annotations

import logging

import pytest

from archive import db, task_handles
from archive.assets.models import Asset
from archive.task_handles import (HANDLES, INDEX_ASSET, INGEST, MEDIA_QUEUE, QUEUES, RENDER, RENDER_CHUNK, RUN_STEP,
                                  TaskHandle)
from tests.broker import clear, queued

IDS = {"asset_id": "0b7c6c5e-3d7a-4d43-9a43-6f0c7c1f2a10", "name": "proxy", "step": "renditions", "chunk_id": 7,
       "basket_id": "5f0e7a2c-9d1b-4c8e-8a7f-2b6d3e4c5a10", "notification_id": 42}


def _all_queued(app):
    return {queue: queued(app, queue) for queue in QUEUES}


@pytest.mark.parametrize("handle", HANDLES, ids=lambda h: h.name)
def test_a_send_leaves_at_the_commit_on_the_handles_queue(app, handle):
    ids = tuple(IDS[p] for p in handle.params)
    with app.app_context():
        session = db.session()
        handle.send(session, *ids)
        assert _all_queued(app) == {q: [] for q in QUEUES}  # held until the commit
        session.commit()
    assert _all_queued(app) == {q: [(handle.name, ids)] if q == handle.queue else [] for q in QUEUES}


def test_long_media_work_runs_on_the_media_queue():
    assert (INGEST.queue, RENDER.queue, RUN_STEP.queue, RENDER_CHUNK.queue) == (MEDIA_QUEUE,) * 4
    assert INDEX_ASSET.queue != MEDIA_QUEUE


def test_a_rollback_drops_what_was_sent(app):
    with app.app_context():
        session = db.session()
        INGEST.send(session, IDS["asset_id"])
        session.rollback()
        session.commit()  # a later commit of the same session does not resurrect it
    assert _all_queued(app) == {q: [] for q in QUEUES}


def test_a_closed_session_drops_what_was_sent(app):
    with app.app_context():
        session = db.session()
        INGEST.send(session, "a")
        session.close()  # the end of a request or task that never committed
        session.commit()
    assert _all_queued(app) == {q: [] for q in QUEUES}


def test_savepoints_neither_send_early_nor_drop_the_outer_sends(app, register_file, sample_image):
    """A released savepoint is not the commit; a rolled-back one drops only what it sent."""
    asset_id = register_file(sample_image)
    clear(app)
    with app.app_context():
        session = db.session()
        session.get(Asset, asset_id)  # the outer transaction has begun
        INGEST.send(session, "outer")
        with session.begin_nested():
            RENDER.send(session, "released", "proxy")
        assert _all_queued(app) == {q: [] for q in QUEUES}
        savepoint = session.begin_nested()
        INGEST.send(session, "rolled-back")
        with session.begin_nested():
            INGEST.send(session, "inside-rolled-back")
        savepoint.rollback()
        session.commit()
    # Which messages survive (their order: test_sends_are_published_in_order_after_one_commit).
    assert sorted(queued(app, MEDIA_QUEUE)) == sorted([(INGEST.name, ("outer",)), (RENDER.name, ("released", "proxy"))])


def test_sends_are_published_in_order_after_one_commit(app, monkeypatch):
    """Published in the order sent, after the commit. The order is read from the publish calls:
    the file broker names a message by its millisecond and a random uuid, so two sent within one
    millisecond lie in its folder in either order."""
    published = []
    real = task_handles.publish

    def recorded(handle, ids):
        published.append((handle.name, tuple(ids)))
        real(handle, ids)

    monkeypatch.setattr(task_handles, "publish", recorded)
    with app.app_context():
        session = db.session()
        INGEST.send(session, "a")
        RENDER.send(session, "a", "poster")
        INGEST.send(session, "b")
        assert published == []
        session.commit()
    sent = [(INGEST.name, ("a",)), (RENDER.name, ("a", "poster")), (INGEST.name, ("b",))]
    assert published == sent
    assert sorted(queued(app, MEDIA_QUEUE)) == sorted(sent)


@pytest.mark.parametrize("args, message", [
    ((), "takes 1 argument"),
    (("a", "b"), "takes 1 argument"),
    ((None,), "not NoneType"),
    ((1.5,), "not float"),
    ((True,), "not bool"),
    ((["a"],), "not list"),
    (({"id": "a"},), "not dict"),
    ((b"a",), "not bytes"),
])
def test_a_send_takes_ids_and_exactly_the_handles_parameters(app, args, message):
    with app.app_context():
        session = db.session()
        with pytest.raises(TypeError, match=message):
            INGEST.send(session, *args)
        with pytest.raises(TypeError, match=message):
            INGEST.send_now(*args)
        session.commit()
    assert _all_queued(app) == {q: [] for q in QUEUES}


def test_an_object_is_refused_even_where_its_id_would_do(app, register_file, sample_image):
    asset_id = register_file(sample_image)
    clear(app)
    with app.app_context():
        session = db.session()
        asset = session.get(Asset, asset_id)
        with pytest.raises(TypeError, match="tasks take ids, never objects"):
            INGEST.send(session, asset)
        session.commit()
    assert queued(app, MEDIA_QUEUE) == []


def test_int_ids_are_ids():
    assert INGEST.check((7,)) == (7,)


def test_a_handle_names_a_known_queue():
    with pytest.raises(ValueError, match="unknown queue 'transcode'"):
        TaskHandle("workers.tasks.other", "transcode", ("asset_id",))


def test_a_broker_that_fails_after_the_commit_loses_nothing_committed(app, monkeypatch, caplog):
    """The row is committed; the lost message is the sweeper's to re-send (it is logged)."""
    def down(handle, ids):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task_handles, "publish", down)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="archive.task_handles"):
        session = db.session()
        INGEST.send(session, IDS["asset_id"])
        session.commit()
    assert "could not send task workers.tasks.ingest" in caplog.text and "the sweeper will retry" in caplog.text


def test_send_now_publishes_at_once(app):
    with app.app_context():
        RENDER.send_now(IDS["asset_id"], "proxy")
    assert queued(app, MEDIA_QUEUE) == [(RENDER.name, (IDS["asset_id"], "proxy"))]
