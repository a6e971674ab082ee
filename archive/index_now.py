"""Search documents written by the request that made or changed them, before its answer leaves.

The index follows the database through the index task (INDEX_ASSET, sent after the commit),
which a worker runs a moment later, or never while no worker runs. Where the API promises a
search result at once (docs/api.md: an upload is findable by its title from its creation; a
metadata edit is what search finds next), the service calls `index_now` instead of sending the
task: in a request the asset is held, and the request's unit of work (`archive.db`), right after
its commit, writes the held assets' documents itself, as committed, waiting for the index at
most SEARCH_WRITE_WAIT_MS (`archive.indexing.finish_request`). Then it sends their index tasks
all the same. A busy index (tantivy's one writer held by a worker or `ortak reindex`) or a failing
one costs the request that wait and no more: the task writes the document a moment later. As the
tasks leave only after the request's own write, the document a worker writes after it is read
from the database after it: a request that waited for the writer never leaves an older
document behind. Outside a request's unit of work (CLI, tasks, a session a request opened
for itself) `index_now` is the task alone.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from archive.db import is_unit_of_work
from archive.task_handles import INDEX_ASSET

_HELD = "ortak.index_now"


def index_now(session: Session, asset_id: str) -> None:
    """Index the asset as committed by this unit of work: when `session` is a request's unit
    of work (`archive.db.is_unit_of_work`), before its answer leaves and then by its task (see
    the module); elsewhere (a CLI command, a task, a session a request opened for itself,
    which no request finishes) by its task, sent with the session's commit (INDEX_ASSET.send)."""
    if not is_unit_of_work(session):
        INDEX_ASSET.send(session, asset_id)
        return
    INDEX_ASSET.check((asset_id,))
    session.info.setdefault(_HELD, {})[asset_id] = None  # an ordered set


def take_held(session: Session) -> list[str]:
    """The asset ids `index_now` held in this session, in order; none are held afterwards."""
    return list(session.info.pop(_HELD, {}))
