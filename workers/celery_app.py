"""Celery entry point: `celery -A workers.celery_app worker` (or `ortak worker`, `ortak beat`)."""
import logging
import os

from celery.signals import beat_embedded_init, worker_init, worker_process_init

from archive import create_app
from archive.scratch import sweep_orphans
from workers.beat import watch_parent

log = logging.getLogger(__name__)
flask_app = create_app()
celery = flask_app.extensions["ortak.celery"]
_worker_pid: int | None = None


@worker_init.connect
def _worker_starting(**_kwargs):
    # Scratch files a killed worker left behind on this host go before new work starts.
    global _worker_pid
    _worker_pid = os.getpid()
    sweep_orphans(flask_app.config["DATA_DIR"], float(flask_app.config["SCRATCH_MAX_AGE"]))


@worker_process_init.connect
def _fresh_connections(**_kwargs):
    # Forked pool processes must not share the parent's database connections.
    flask_app.extensions["ortak.db"].dispose()


@beat_embedded_init.connect
def _embedded_beat(**_kwargs):
    # An embedded beat is a child of the worker: it must not outlive it (see workers.beat).
    flask_app.extensions["ortak.db"].dispose()
    parent = _worker_pid or os.getppid()
    watch_parent(parent)
    log.info("embedded beat started (pid %s); it stops with its worker (pid %s)", os.getpid(), parent)
