"""The Celery app, made from the Flask app's config (no import-time settings)."""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask
from kombu.transport import resolve_transport
from kombu.utils.url import maybe_sanitize_url

from archive.config import ConfigError

from archive.tasks import DEFAULT_QUEUE, MEDIA_QUEUE


def make_celery(app: Flask) -> Celery:
    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery("ortak", task_cls=AppContextTask, set_as_current=False)
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
        task_routes={"workers.tasks.render": {"queue": MEDIA_QUEUE},
                     "workers.tasks.ingest": {"queue": MEDIA_QUEUE}},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        imports=("workers.tasks",),
        # One scheduler per archive, holding a lock (workers.beat).
        beat_scheduler="workers.beat:LockedScheduler",
        # The sweeper runs often enough to notice stuck work within ~STUCK_AFTER.
        beat_schedule={"ortak-sweep": {"task": "workers.tasks.sweep",
                                       "schedule": float(max(10, min(300, int(app.config["STUCK_AFTER"]) // 4))),
                                       "options": {"queue": DEFAULT_QUEUE}}},
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
