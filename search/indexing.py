"""Keeping the search index in step with the database (which is the truth; the index is derived)."""
from __future__ import annotations

import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from search.interfaces import SearchBackend
from search.mapping import asset_document

BATCH = 200


def index_asset(session: Session, asset_id: str, backend: SearchBackend | None = None) -> bool:
    """Index the asset as it is now, or drop it from the index when it no longer exists.

    Returns True when a document was written. Safe to repeat (a task may run twice).
    """
    from archive.assets.models import Asset

    backend = backend or _backend()
    asset = session.get(Asset, asset_id)
    if asset is None:
        backend.delete(asset_id)
        return False
    backend.index([asset_document(asset)])
    return True


def reindex_all(progress: bool = False, session: Session | None = None,
                backend: SearchBackend | None = None) -> int:
    """Rebuild the whole index from the database in batches; return how many assets were indexed.

    Runs inside an app context (`ortak reindex`). Batches follow the primary key, so assets
    added meanwhile are not skipped or repeated; their own index task covers them anyway.
    """
    from archive import db
    from archive.assets.models import Asset

    session = session or db.session()
    backend = backend or _backend()
    total = session.scalar(select(func.count()).select_from(Asset)) or 0
    backend.clear()
    done = 0
    last_id = ""
    with tqdm(total=total, unit="asset", desc="reindex", file=sys.stderr, disable=not progress) as bar:
        while True:
            batch = session.scalars(select(Asset).where(Asset.id > last_id).order_by(Asset.id).limit(BATCH)).all()
            if not batch:
                break
            done += backend.index([asset_document(a) for a in batch])
            last_id = batch[-1].id
            bar.update(len(batch))
            for asset in batch:  # keep memory flat on a large archive
                session.expunge(asset)
    return done


def _backend() -> SearchBackend:
    from archive.services import search_backend

    return search_backend()
