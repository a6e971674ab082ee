"""Thin Celery tasks: take an id, call archive code, let it record the outcome on the row.

`shared_task` binds each task to every Celery app `archive.queue.make_celery` creates, with
that app's AppContextTask base, so each task body runs inside the Flask app context of the
app the worker was built from. Every task is idempotent: the services check the row's state.
"""
from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="workers.tasks.ingest", ignore_result=True)
def ingest(asset_id: str) -> str:
    from archive.ingest.pipeline import process_asset

    return process_asset(asset_id)


@shared_task(name="workers.tasks.render", ignore_result=True)
def render(asset_id: str, name: str) -> str:
    from archive.ingest.pipeline import render_one

    return render_one(asset_id, name)


@shared_task(name="workers.tasks.index_asset", ignore_result=True)
def index_asset(asset_id: str) -> None:
    from archive import db
    from archive.indexing import index_asset as index
    from archive.services import search_backend

    index(db.session(), search_backend(), asset_id)


@shared_task(name="workers.tasks.sweep", ignore_result=True)
def sweep() -> int:
    from flask import current_app

    from archive import db
    from archive.ingest.services import purge_expired
    from archive.scratch import sweep_orphans
    from workers.sweeper import sweep_stuck

    purge_expired(db.session())  # abandoned tus uploads free their staged bytes
    sweep_orphans(current_app.config["DATA_DIR"], float(current_app.config["SCRATCH_MAX_AGE"]))
    return sweep_stuck().sent
