"""A crashed zip build does not stay "building" forever: the sweeper (archive.ingest.recovery)
fails a build whose heartbeat stopped, with the reason, and the owner may ask again; a zip
only waiting is left alone, and one waiting past RESEND_QUEUED_AFTER is sent again."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from archive import db
from archive.baskets.models import Basket
from archive.db import utcnow
from archive.ingest.recovery import sweep_stuck
from tests.broker import clear, queued
from tests.functional.test_baskets_api import USE, _add, _basket, _build, assets, people  # noqa: F401 (fixtures)


def _set(app, basket_id, **values):
    with app.app_context():
        db.session().execute(update(Basket).where(Basket.id == basket_id).values(**values))
        db.session().commit()


def _stuck(app):
    with app.app_context():
        report = sweep_stuck(db.session(), app.config)
        db.session().commit()
        return report


def _zip(client, bid, h):
    return client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["zip"]


def test_a_silent_build_fails_with_its_reason_and_may_be_asked_again(app, client, people, assets):  # noqa: F811
    h = people["trt"]["h"]
    bid = _basket(client, h)
    assert _add(client, bid, {"asset_id": assets["video"]}, h).status_code == 201
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    # A worker took it, wrote some progress, and died: the heartbeat is as old as STUCK_AFTER.
    stuck_after = int(app.config["STUCK_AFTER"])
    _set(app, bid, zip_status="building", zip_progress=0.4, zip_updated_at=utcnow() - timedelta(seconds=stuck_after - 60))
    assert _stuck(app).failed == []  # a minute of silence short of STUCK_AFTER: still alive
    assert _zip(client, bid, h)["status"] == "building"
    _set(app, bid, zip_updated_at=utcnow() - timedelta(seconds=stuck_after + 1))
    report = _stuck(app)
    assert report.failed == [f"basket:{bid}"] and report.requeued == []
    state = _zip(client, bid, h)
    assert state["status"] == "failed" and "worker building the zip stopped" in state["error"]
    # The failure allows asking again, and that build completes.
    clear(app)
    again = client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h)
    assert again.status_code == 202 and again.get_json()["zip"]["status"] == "queued"
    assert queued(app, "media") == [("workers.tasks.build_basket_zip", (bid,))]
    assert _build(app, bid) == "ready" and _zip(client, bid, h)["status"] == "ready"
    assert _stuck(app).failed == []  # a ready zip is never the sweeper's


def test_a_zip_waiting_very_long_is_sent_again_and_never_failed(app, client, people, assets):  # noqa: F811
    h = people["trt"]["h"]
    bid = _basket(client, h)
    assert _add(client, bid, {"asset_id": assets["video"]}, h).status_code == 201
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    clear(app)  # its message is lost
    _set(app, bid, zip_updated_at=utcnow() - timedelta(seconds=int(app.config["STUCK_AFTER"]) + 60))
    assert _stuck(app).resent == []  # waiting (even past STUCK_AFTER) is not being stuck
    _set(app, bid, zip_updated_at=utcnow() - timedelta(seconds=int(app.config["RESEND_QUEUED_AFTER"]) + 60))
    report = _stuck(app)
    assert report.resent == [f"basket:{bid}"] and report.failed == []
    assert queued(app, "media") == [("workers.tasks.build_basket_zip", (bid,))]
    assert _stuck(app).resent == []  # the next resend waits another RESEND_QUEUED_AFTER
    assert _zip(client, bid, h)["status"] == "queued"
