"""The scheduled work of the audit: signed checkpoints on a timer, and the notification checks
(a broken usage log → every admin), delivered in the app and to a webhook on a real local
HTTP server, signed with HMAC-SHA256."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archive import db, task_entry_points
from archive.accounts.models import Organisation, User
from archive.assets.models import Asset
from archive.backends import storage
from archive.notifications import checks, services, webhooks
from archive.notifications.models import Notification, OrganisationWebhook
from archive.task_handles import AUDIT_CHECKPOINT, DELIVER_WEBHOOK, NOTIFICATION_CHECKS
from archive.usage import checkpoints
from archive.usage.services import record_usage
from tests.asset_factory import create_asset
from tests.broker import take
from tests.usage_tamper import tamper


@pytest.fixture
def app_config(app_config):
    """The receivers here listen on 127.0.0.1: an on-premises set-up."""
    return {**app_config, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


def deliver_sent(app) -> list[str]:
    """Run the DELIVER_WEBHOOK tasks the commits sent, as a worker would; their outcomes."""
    outcomes = []
    for (notification_id,) in take(app, DELIVER_WEBHOOK.queue, DELIVER_WEBHOOK.name):
        with app.app_context():
            outcomes.append(task_entry_points.deliver_webhook(notification_id))
            db.session().commit()
    return outcomes


class Receiver(BaseHTTPRequestHandler):
    status = 204

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.status = [], 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def broken_log(app, producer, make_user):
    """Three records, a checkpoint, then the last record deleted; two admins, one broadcaster."""
    asset_id = create_asset(app, producer[0])
    admins = [make_user("admin", "TR", org="Ortak")[0], make_user("admin", "AZ", org="İTV")[0]]
    with app.app_context():
        s = db.session()
        ids = [record_usage(s, s.get(User, producer[0]), s.get(Asset, asset_id), "download", "original").id
               for _ in range(3)]
        s.commit()
        checkpoints.checkpoint_now(s, storage(), app.config)
    make_user("broadcaster", "TR")
    tamper(app, ("DELETE FROM usage_records WHERE id = :id", {"id": ids[-1]}))
    return admins, ids


def _notifications(app):
    with app.app_context():
        return [(n.user_id, n.kind, n.subject) for n in db.session().query(Notification).order_by(Notification.id)]


def test_the_scheduler_signs_checkpoints_and_runs_the_checks(app):
    beat = app.extensions["ortak.celery"].conf.beat_schedule
    assert beat["ortak-audit-checkpoint"]["task"] == AUDIT_CHECKPOINT.name
    assert beat["ortak-audit-checkpoint"]["schedule"] == float(app.config["AUDIT_CHECKPOINT_SECONDS"])
    assert beat["ortak-notification-checks"]["task"] == NOTIFICATION_CHECKS.name
    assert beat["ortak-notification-checks"]["schedule"] == 86400.0


def test_the_checkpoint_task_signs_the_head(app, producer):
    asset_id = create_asset(app, producer[0])
    with app.app_context():
        s = db.session()
        record_usage(s, s.get(User, producer[0]), s.get(Asset, asset_id), "download", "original")
        s.commit()
        assert task_entry_points.audit_checkpoint() == 1
        stored = list(checkpoints.stored_checkpoints(storage()))
    assert len(stored) == 1 and json.loads(stored[0][1])["checkpoint"]["count"] == 1


def test_an_intact_log_raises_nothing(app, producer, make_user):
    make_user("admin", "TR", org="Ortak")
    with app.app_context():
        assert task_entry_points.notification_checks() == 0
    assert _notifications(app) == []


def test_a_broken_log_notifies_every_admin_once(app, broken_log):
    admins, ids = broken_log
    with app.app_context():
        report = checks.run_checks(db.session(), app.config)
        db.session().commit()
    assert report.raised == 2 and report.failed_checks == []
    assert _notifications(app) == [(admins[0], "usage_log_broken", str(ids[-1])),
                                   (admins[1], "usage_log_broken", str(ids[-1]))]
    with app.app_context():  # found again the next day: not raised again
        assert checks.run_checks(db.session(), app.config).raised == 0
        db.session().commit()
        n = db.session().query(Notification).first()
        assert "missing its tail" in n.message and n.params["problem"] == "missing_tail"


def test_the_webhook_gets_one_signed_request_per_organisation(app, broken_log, receiver):
    admins, ids = broken_log
    with app.app_context():
        s = db.session()
        org = s.get(User, admins[0]).organisation
        hook, secret = webhooks.set_webhook(s, org, {"url": f"http://127.0.0.1:{receiver.server_port}/hook"},
                                           allow_private=True)
        s.commit()
        report = checks.run_checks(s, app.config)
        assert receiver.received == [] and take(app, DELIVER_WEBHOOK.queue, DELIVER_WEBHOOK.name) == []
        s.commit()  # the delivery is sent by the commit, never from inside the transaction
        assert receiver.received == []
    assert report.deliveries_sent == 1
    assert deliver_sent(app) == ["delivered"]
    with app.app_context():
        assert db.session().get(OrganisationWebhook, hook.id).last_status == "204"
    assert len(receiver.received) == 1  # İTV's admin has no webhook
    headers, body = receiver.received[0]
    assert webhooks.signature_holds(secret, headers["Ortak-Signature"], body)
    assert not webhooks.signature_holds(secret, headers["Ortak-Signature"], body + b" ")
    assert not webhooks.signature_holds("another secret", headers["Ortak-Signature"], body)
    doc = json.loads(body)
    assert doc["organisation"] == "Ortak"
    assert [n["kind"] for n in doc["notifications"]] == ["usage_log_broken"]
    assert doc["notifications"][0]["subject"] == str(ids[-1])


def test_an_old_signature_is_refused_by_the_receiver_check():
    header = webhooks.signature("s", 1_000_000, b"{}")
    assert webhooks.signature_holds("s", header, b"{}", now=1_000_100)
    assert not webhooks.signature_holds("s", header, b"{}", now=1_000_000 + 301)
    for junk in ("", "t=x,v1=y", "v1=abc", "t=1", "garbage"):
        assert not webhooks.signature_holds("s", junk, b"{}")


@pytest.mark.parametrize("status", [500, 302])
def test_a_failing_receiver_is_recorded_and_the_notification_stays(app, broken_log, receiver, status):
    receiver.status = status
    admins, _ = broken_log
    with app.app_context():
        s = db.session()
        hook, _secret = webhooks.set_webhook(s, s.get(User, admins[0]).organisation,
                                             {"url": f"http://127.0.0.1:{receiver.server_port}/"}, allow_private=True)
        report = checks.run_checks(s, app.config)
        s.commit()
    assert deliver_sent(app) == ["failed"] and report.raised == 2
    with app.app_context():
        assert db.session().get(OrganisationWebhook, hook.id).last_status == str(status)
        assert db.session().query(Notification).count() == 2


def test_an_unreachable_receiver_is_recorded(app, broken_log):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    admins, _ = broken_log
    with app.app_context():
        s = db.session()
        hook, _secret = webhooks.set_webhook(s, s.get(User, admins[0]).organisation,
                                             {"url": f"http://127.0.0.1:{port}/"}, allow_private=True)
        checks.run_checks(s, app.config)
        s.commit()
    assert deliver_sent(app) == ["failed"]
    with app.app_context():
        assert db.session().get(OrganisationWebhook, hook.id).last_status == webhooks.NO_ANSWER  # no exception text


def test_a_host_that_resolves_inward_at_delivery_is_not_called(app, broken_log, receiver):
    """Set while allowed (as a name that resolved outward would pass), delivered with private
    addresses refused (the name now resolves to 127.0.0.1: DNS rebinding): nothing is sent."""
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    admins, _ = broken_log
    with app.app_context():
        s = db.session()
        hook, _secret = webhooks.set_webhook(s, s.get(User, admins[0]).organisation,
                                             {"url": f"http://localhost:{receiver.server_port}/"}, allow_private=True)
        checks.run_checks(s, app.config)
        s.commit()
    assert deliver_sent(app) == ["failed"] and receiver.received == []
    with app.app_context():
        assert db.session().get(OrganisationWebhook, hook.id).last_status == webhooks.REFUSED_ADDRESS


def test_a_rolled_back_run_delivers_nothing(app, broken_log, receiver):
    admins, _ = broken_log
    with app.app_context():
        s = db.session()
        hook, _secret = webhooks.set_webhook(s, s.get(User, admins[0]).organisation,
                                             {"url": f"http://127.0.0.1:{receiver.server_port}/"}, allow_private=True)
        s.commit()
        assert checks.run_checks(s, app.config).deliveries_sent == 1
        s.rollback()
    assert deliver_sent(app) == [] and receiver.received == []


def test_a_webhook_switched_off_before_the_worker_runs_is_skipped(app, broken_log, receiver):
    admins, _ = broken_log
    with app.app_context():
        s = db.session()
        hook, _secret = webhooks.set_webhook(s, s.get(User, admins[0]).organisation,
                                             {"url": f"http://127.0.0.1:{receiver.server_port}/"}, allow_private=True)
        s.commit()
        assert checks.run_checks(s, app.config).deliveries_sent == 1
        s.commit()
        s.get(OrganisationWebhook, hook.id).active = False  # switched off before a worker took the task
        s.commit()
    assert deliver_sent(app) == ["no_webhook"] and receiver.received == []


def test_a_failing_check_does_not_stop_the_others(app, broken_log, monkeypatch):
    def explodes(session, config, today):
        raise RuntimeError("boom")

    monkeypatch.setitem(checks.CHECKS, "explodes", explodes)
    with app.app_context():
        report = checks.run_checks(db.session(), app.config, names=["explodes", "usage_log"])
        db.session().commit()
    assert report.failed_checks == ["explodes"] and report.raised == 2


def test_a_check_name_is_registered_once():
    with pytest.raises(TypeError):
        checks.check("usage_log")(lambda s, c, t: [])


def test_a_plugged_in_check_raises_for_its_recipients(app, make_user, monkeypatch):
    """How the rights model's checks plug in: a registered function returning Findings."""
    uid, _ = make_user("rights_manager", "AZ", org="İTV")

    def expiring(session, config, today):
        rm = session.get(User, uid)
        yield checks.Finding(kind="rights_expiring", recipients=[rm], dedupe_key="rights_expiring:block-1",
                             message="Rights expire in 14 days.", subject="asset-1", params={"days": 14})

    monkeypatch.setitem(checks.CHECKS, "rights_expiring", expiring)
    with app.app_context():
        assert checks.run_checks(db.session(), app.config, names=["rights_expiring"]).raised == 1
        db.session().commit()
    assert _notifications(app) == [(uid, "rights_expiring", "asset-1")]


@pytest.mark.parametrize("url", ["", "ftp://example.org/", "http://", "javascript:alert(1)", "http://u:p@example.org/",
                                 "http://example.org/#frag", "http://exa mple.org/", "http://example.org:99999/",
                                 "http://example.org/" + "a" * 2000, 42, None, ["http://example.org/"]])
def test_bad_webhook_urls_are_refused(url):
    from archive.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        webhooks.clean_url(url)
    assert err.value.code == "invalid_webhook_url"


def test_marking_read_touches_only_the_users_own(app, make_user):
    a, _ = make_user("rights_manager", "TR", org="TRT")
    b, _ = make_user("rights_manager", "AZ", org="İTV")
    with app.app_context():
        s = db.session()
        ua, ub = s.get(User, a), s.get(User, b)
        na = services.raise_for(s, [ua], kind="k", message="m", dedupe_key="x")[0]
        nb = services.raise_for(s, [ub], kind="k", message="m", dedupe_key="x")[0]
        assert services.mark_read(s, ua, [na.id, nb.id]) == 1
        s.commit()
        assert s.get(Notification, nb.id).read_at is None and s.get(Notification, na.id).read_at is not None
        assert services.unread_count(s, ub) == 1
        assert s.query(Organisation).count() >= 2
