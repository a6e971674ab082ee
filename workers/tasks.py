"""Thin Celery tasks, one per handle of `archive.task_handles`: take the ids, call the archive.

`@runs(HANDLE)` makes the function the task of that handle, with the handle's name and
queue; its parameters must be the handle's, or the worker fails at start-up. Each body calls
the function of the same name in `archive.task_entry_points` and nothing else of the
archive. The task class (`archive.celery_factory`) runs each body in the Flask app context
as one unit of work and commits when it returns. `shared_task` binds every task to each
Celery app `make_celery` creates.
"""
from __future__ import annotations

import inspect
from typing import Callable

from celery import shared_task

from archive import task_entry_points as entry
from archive.task_handles import (AUDIT_CHECKPOINT, BUILD_BASKET_ZIP, DELIVER_WEBHOOK, FIXITY_CHECKS, INDEX_ASSET,
                                  INGEST, NOTIFICATION_CHECKS, REINDEX_RIGHTS_DAY, RENDER, RENDER_CHUNK, RUN_STEP,
                                  SWEEP, TaskHandle)


def runs(handle: TaskHandle) -> Callable:
    """Bind the decorated function as the Celery task of `handle`.

    Raises TypeError when the function's parameters are not the handle's `params`.
    """
    def bind(body: Callable):
        params = tuple(inspect.signature(body).parameters)
        if params != handle.params:
            raise TypeError(f"{body.__module__}.{body.__name__}{params} does not take the ids of "
                            f"{handle.name}{handle.params}")
        return shared_task(name=handle.name, queue=handle.queue, ignore_result=True)(body)

    return bind


@runs(INGEST)
def ingest(asset_id: str) -> str:
    return entry.ingest(asset_id)


@runs(RENDER)
def render(asset_id: str, name: str) -> str:
    return entry.render(asset_id, name)


@runs(RENDER_CHUNK)
def render_chunk(chunk_id: int) -> str:
    return entry.render_chunk(chunk_id)


@runs(RUN_STEP)
def run_step(asset_id: str, step: str) -> str:
    return entry.run_step(asset_id, step)


@runs(INDEX_ASSET)
def index_asset(asset_id: str) -> bool:
    return entry.index_asset(asset_id)


@runs(SWEEP)
def sweep() -> int:
    return entry.sweep().sent


@runs(REINDEX_RIGHTS_DAY)
def reindex_rights_day() -> int:
    return entry.reindex_rights_day()


@runs(AUDIT_CHECKPOINT)
def audit_checkpoint() -> int:
    return entry.audit_checkpoint()


@runs(NOTIFICATION_CHECKS)
def notification_checks() -> int:
    return entry.notification_checks()


@runs(DELIVER_WEBHOOK)
def deliver_webhook(notification_id: int) -> str:
    return entry.deliver_webhook(notification_id)


@runs(BUILD_BASKET_ZIP)
def build_basket_zip(basket_id: str) -> str:
    return entry.build_basket_zip(basket_id)


@runs(FIXITY_CHECKS)
def fixity_checks() -> int:
    return entry.fixity_checks()
