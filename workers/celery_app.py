"""Celery entry point: `celery -A workers.celery_app worker` (or `ortak worker`)."""
from celery.signals import worker_process_init

from archive import create_app

flask_app = create_app()
celery = flask_app.extensions["ortak.celery"]


@worker_process_init.connect
def _fresh_connections(**_kwargs):
    # Forked pool processes must not share the parent's database connections.
    flask_app.extensions["ortak.db"].dispose()
