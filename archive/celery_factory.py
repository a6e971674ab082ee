"""The Celery app of an archive, made from the Flask app's config (no import-time settings).

`create_app` calls `make_celery`; a worker process gets it through the `workers.celery_app`
shim. Queues and task names are not configured here: each task names its own, with its
handle (`archive.task_handles`).
"""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask
from kombu.transport import resolve_transport
from kombu.utils.url import maybe_sanitize_url

from archive import db
from archive.config import ConfigError
from archive.task_handles import (AUDIT_CHECKPOINT, DEFAULT_QUEUE, FIXITY_CHECKS, NOTIFICATION_CHECKS, REINDEX_RIGHTS_DAY,
                                  SWEEP)


def make_celery(app: Flask) -> Celery:
    class UnitOfWorkTask(Task):
        """Each run of a task body is one unit of work in the app's context: what the body
        leaves pending in the context's session is committed when it returns (and the tasks
        it sent leave then), and rolled back when it raises (the context's teardown closes
        the session). Warehouse's WarehouseTask does the same."""

        def __call__(self, *args, **kwargs):
            with app.app_context():
                result = self.run(*args, **kwargs)
                db.session().commit()
                return result

    celery = Celery("ortak", task_cls=UnitOfWorkTask, set_as_current=False)
    broker = app.config["BROKER_URL"]
    _check_broker_url(broker)
    conf = dict(
        broker_url=broker,
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=DEFAULT_QUEUE,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # The task bodies, bound to their handles: named, never imported here, so the web
        # service and the CLI run without the workers package.
        imports=("workers.tasks",),
        # One scheduler per archive, holding archive.scheduler_lock.
        beat_scheduler="workers.beat:LockedScheduler",
        # The sweeper runs often enough to notice stuck work within ~STUCK_AFTER.
        beat_schedule={"ortak-sweep": {"task": SWEEP.name,
                                       "schedule": float(max(10, min(300, int(app.config["STUCK_AFTER"]) // 4))),
                                       "options": {"queue": SWEEP.queue}},
                        # Rights windows open and close with the calendar (UTC days).
                        "ortak-rights-day": {"task": REINDEX_RIGHTS_DAY.name, "schedule": crontab(minute=5, hour=0),
                                             "options": {"queue": REINDEX_RIGHTS_DAY.queue}},
                        # The usage log's head, signed outside the table (archive.usage.checkpoints).
                        "ortak-audit-checkpoint": {"task": AUDIT_CHECKPOINT.name,
                                                   "schedule": float(app.config["AUDIT_CHECKPOINT_SECONDS"]),
                                                   "options": {"queue": AUDIT_CHECKPOINT.queue}},
                        # Expiries, violations, a broken log... (archive.notifications.checks).
                        "ortak-notification-checks": {"task": NOTIFICATION_CHECKS.name,
                                                      "schedule": float(app.config["NOTIFICATION_CHECK_SECONDS"]),
                                                      "options": {"queue": NOTIFICATION_CHECKS.queue}},
                        # Every stored file re-hashed once per FIXITY_CYCLE_DAYS, a share each run
                        # (archive.provenance.fixity).
                        "ortak-fixity": {"task": FIXITY_CHECKS.name,
                                         "schedule": float(app.config["FIXITY_RUN_SECONDS"]),
                                         "options": {"queue": FIXITY_CHECKS.queue}}},
        timezone="UTC",
    )
    if broker.startswith("filesystem://"):
        # The embedded broker: message files in DATA_DIR/broker, no server needed.
        folder = Path(app.config["DATA_DIR"]) / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "control_folder": str(folder / "control"),
        }
        conf["worker_enable_remote_control"] = False
        # kombu's own filesystem transport loses messages between processes (see broker_fs).
        conf["broker_transport"] = "archive.broker_fs:Transport"
        conf["broker_url"] = "filesystem://localhost/"  # a host silences kombu's warning on each send
    celery.conf.update(conf)
    celery.flask_app = app
    return celery


def _check_broker_url(url: str) -> None:
    """A broker URL kombu cannot use fails at start-up, naming the setting."""
    scheme = url.partition("://")[0]
    if not scheme or "://" not in url:
        raise ConfigError(f"ORTAK_BROKER_URL: {maybe_sanitize_url(url)!r} is not a URL "
                          "(redis://host:6379/0 or amqp://user:password@host//)")
    try:
        resolve_transport(scheme)
    except KeyError as exc:
        raise ConfigError(f"ORTAK_BROKER_URL: no broker transport {scheme!r} "
                          "(use redis://, rediss://, amqp:// or leave it empty for the embedded broker)") from exc
    except ImportError as exc:
        raise ConfigError(f"ORTAK_BROKER_URL: the {scheme!r} transport needs a package that is not "
                          f"installed ({exc.name})") from exc
