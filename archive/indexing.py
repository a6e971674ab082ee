"""Keeping the search index in step with the database (the truth; the index is derived).

Reading an asset's rows into the search document is archive work; `search` only knows the
document shape (`search.mapping.document`) and the backends, and imports nothing of ours.
"""
from __future__ import annotations

import logging
import sys
import time
from datetime import date, datetime, timezone

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session
from tqdm import tqdm

from archive.accounts.models import Organisation
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.coproduction.projects import project_ids_of_asset
from archive.index_now import take_held
from archive.markers.services import segments as marker_segments
from archive.transcripts.services import segments as transcript_segments
from archive.rights import avails
from archive.rights import cleared as rights_cleared
from archive.rights.services import asset_duration, assets_opening_or_closing, engine_blocks
from archive.task_handles import INDEX_ASSET
from search.cleared import document_tokens
from search.interfaces import SearchBackend, SearchBusy, SearchError
from search.mapping import document

log = logging.getLogger(__name__)
BATCH = 200


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def asset_document(asset: Asset, today: date | None = None) -> dict:
    """The search document of `asset` as it is now (see `search.mapping` for the shape), its
    rights as open on `today` (default: today, UTC)."""
    meta = asset.meta or {}
    segments = _segments(asset)
    return document(
        doc_id=asset.id, created=asset.created_at, filename=asset.filename,
        organisation=meta.get("organisation") or (asset.organisation.name if asset.organisation else None),
        country=meta.get("country") or asset.country, genre=meta.get("genre"), recorded=meta.get("recorded"),
        languages=meta.get("languages") or [], kind=asset.kind, status=asset.status,
        titles=meta.get("title") or {}, descriptions=meta.get("description") or {},
        keywords=meta.get("keywords") or [], people=meta.get("people") or [], places=meta.get("places") or [],
        projects=_projects(asset), segments=segments, cleared=_cleared(asset, today or today_utc()),
        owner=str(asset.organisation_id) if asset.organisation_id is not None else None,
        duration=asset_duration(asset), has_transcript=any(s.get("source") == "transcript" for s in segments))


def _projects(asset: Asset) -> list[str]:
    """The co-production projects the asset is footage of (a search filter)."""
    session = object_session(asset)
    return project_ids_of_asset(session, asset.id) if session is not None else []


def _segments(asset: Asset) -> list[dict]:
    """The asset's markers and transcript cues as timecoded segments `[{"in", "out",
    "in_seconds", "out_seconds", "text", "source", ...}]` (timecodes of the master)."""
    session = object_session(asset)
    if session is None:
        return []
    return marker_segments(session, asset) + transcript_segments(session, asset)


def _cleared(asset: Asset, today: date) -> list[str]:
    """The `cleared` tokens: what the avails engine opens on `today` for the whole asset, by
    platform × territory × licensee (`archive.rights.cleared`, `search.cleared`)."""
    session = object_session(asset)
    blocks = engine_blocks(session, asset.id) if session is not None else ()
    orgs = {o for b in blocks for o in b.licensees.organisations}
    country_of = ({o.id: o.country for o in session.scalars(select(Organisation).where(Organisation.id.in_(orgs)))}
                  if orgs else {})
    open_today, named = rights_cleared.open_today(blocks, owner=asset.organisation_id, duration=asset_duration(asset),
                                                  country_of=country_of, today=today)
    return document_tokens(owner=asset.organisation_id, open_today=open_today, named=named,
                           universe=avails.all_territories())


def index_asset(session: Session, backend: SearchBackend, asset_id: str, today: date | None = None) -> bool:
    """Index the asset as it is now, in any status, or drop it from the index when it no
    longer exists. An asset is findable at once: while it is not ready only its own
    organisation finds it (SearchQuery.viewer_organisation), with its status as a facet.

    Returns True when a document was written. Safe to repeat (a task may run twice).
    """
    asset = session.get(Asset, asset_id)
    if asset is None:
        backend.delete(asset_id)
        return False
    backend.index([asset_document(asset, today)])
    return True


def write_now(session: Session, backend: SearchBackend, asset_ids: list[str], *, wait: float) -> int:
    """Write the documents of `asset_ids` as the database holds them now, waiting at most `wait`
    seconds for the index to take them (`SearchBackend.index`); how many were written: 0 when
    the index was busy or failed (logged; the assets' index tasks write them instead). An id
    whose asset is gone is skipped: its task drops it from the index. Called after the
    session's commit: its objects are expired first, so each asset and what its document reads
    of it are read again, not taken from what the session loaded before another transaction
    (a worker, an admin) changed them and committed (a status that hides the asset, say)."""
    session.expire_all()
    assets = [a for a in (session.get(Asset, asset_id) for asset_id in asset_ids) if a is not None]
    if not assets:
        return 0
    started = time.monotonic()
    try:
        return backend.index([asset_document(a) for a in assets], wait=wait)
    except SearchBusy as exc:
        log.info("search index busy, %d document(s) left to their index task after %.2f s: %s",
                 len(assets), time.monotonic() - started, exc)
    except SearchError:
        log.warning("could not index %s at once; left to the index task", asset_ids, exc_info=True)
    return 0


def finish_request(session: Session, committed: bool) -> None:
    """The unit of work's last step in a request (`archive.db.init_unit_of_work`): the assets
    `archive.index_now.index_now` held are written to the index now when the request
    committed (`write_now`, waiting SEARCH_WRITE_WAIT_MS at most), then their index tasks are
    sent whatever happened (a rolled-back request may have committed a checkpoint before)."""
    held = take_held(session)
    if not held:
        return
    try:
        if committed:
            write_now(session, search_backend(), held, wait=current_app.config["SEARCH_WRITE_WAIT_MS"] / 1000)
    except Exception:  # noqa: BLE001 - the request committed; its answer stands and the tasks follow
        log.exception("indexing %s at once failed; left to the index task", held)
    finally:
        for asset_id in held:
            try:
                INDEX_ASSET.send_now(asset_id)
            except Exception:  # noqa: BLE001 - as after any commit (archive.task_handles): logged, answer stands
                log.exception("could not send task %s(%r)", INDEX_ASSET.name, asset_id)


def reindex_all(session: Session, backend: SearchBackend, *, progress: bool = False, today: date | None = None,
                jobs: int | None = None) -> int:
    """Rebuild the whole index of assets (every status) from the database in batches; return how many
    assets were indexed.

    Batches follow the primary key, so assets added meanwhile are neither skipped nor
    repeated; their own index task covers them anyway. A progress bar on stderr with `progress`.
    `jobs`: processes that analyse the text (SearchBackend.rebuild; None: the backend's default).
    """
    total = session.scalar(select(func.count()).select_from(Asset)) or 0

    def batches():
        last_id = ""
        with tqdm(total=total, unit="asset", desc="reindex", file=sys.stderr, disable=not progress) as bar:
            while True:
                batch = session.scalars(select(Asset).where(Asset.id > last_id)
                                        .order_by(Asset.id).limit(BATCH)).all()
                if not batch:
                    break
                yield [asset_document(a, today) for a in batch]
                last_id = batch[-1].id
                bar.update(len(batch))
                for asset in batch:  # keep memory flat on a large archive
                    session.expunge(asset)

    # The backend decides how: Elasticsearch fills a new index and swaps its alias (no downtime).
    return backend.rebuild(batches(), jobs=jobs)


def reindex_rights_day(session: Session, backend: SearchBackend, today: date | None = None) -> int:
    """Re-index the assets whose rights open or close on `today` (default: today, UTC): a
    window starting that day, one whose last day was the day before, a holdback ending that
    day (`archive.rights.services.assets_opening_or_closing`). Returns how many documents
    were written."""
    today = today or today_utc()
    done = 0
    for asset_id in assets_opening_or_closing(session, today):
        done += index_asset(session, backend, asset_id, today)
    return done
