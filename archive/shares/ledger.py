"""The bytes a share link has given, file by file: what bounds a continued download.

Every read through a link that is a download (`services.counts_as_download`, the zip) and
sends bytes is written down as an event `share.read` on the link (subject "share", its id;
no actor: the visitor has no account), `after` = {"file", "asset_id", "rendition", "first",
"last", "bytes", "charged" (what an uncounted read was accounted at, below), "size",
"counted"}: who took what, byte by byte. `file` is
"<asset id>/<rendition>" for a file of an asset, "zip:<sha256>" for a basket's zip (a zip
built again is another file).

A read that continues a file (`services.resumes`: a Range whose first byte is not 0) is served
uncounted only when the link has counted a download of that same file and the bytes it has
served of that file uncounted, this read's included, stay within

    (the file's counted downloads) × (its size) + slack (a tenth of its size, at least 1 MiB)

which lets a download that broke off be resumed, more than once and with retried ranges. Any
other continuation is a new download: counted, or 410 `share_exhausted` when the link has
none left. So a visitor takes at most about 2 × max_downloads × size (+ slack) of a file
through a link, whatever Range headers they send, where an unbounded continuation let them
take every byte but the first without end. A range is accounted at what the answer sends: an
open range (`bytes=N-`) to the end of the file, whether or not the client reads it all (the
answer streams after the request's unit of work commits, so what reached the client is not
known), and at least MIN_CHARGE (64 KiB; the event's `charged`, beside the `bytes` sent). A
link without `max_downloads` follows the same rule: a continuation past it counts, which only
adds to its `downloads`.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.events import services as events
from archive.events.models import Event
from archive.shares.models import ShareLink
from archive.shares.services import count_download

READ = "share.read"
MIN_SLACK = 1 << 20
MIN_CHARGE = 64 << 10


def slack(size: int) -> int:
    """The bytes above (counted downloads × size) a file's continuations may take: retried and
    overlapping ranges of a resumed download."""
    return max(MIN_SLACK, size // 10)


def file_key(asset_id: str, rendition: str) -> str:
    return f"{asset_id}/{rendition}"


def zip_key(sha256: str) -> str:
    return f"zip:{sha256}"


def _lock(session: Session, link: ShareLink) -> None:
    # Two parallel continuations must not both fit in the same remaining bytes (PostgreSQL
    # row lock; SQLite serialises writers anyway).
    session.execute(select(ShareLink.id).where(ShareLink.id == link.id).with_for_update())


def taken(session: Session, link: ShareLink, file: str) -> tuple[int, int]:
    """(counted downloads, bytes charged to continuations) of `file` through `link`."""
    counted = Event.after["counted"].as_boolean()
    row = session.execute(
        select(func.count().filter(counted.is_(True)),
               func.coalesce(func.sum(Event.after["charged"].as_integer()).filter(counted.is_(False)), 0))
        .where(Event.subject_type == "share", Event.subject_id == link.id, Event.action == READ,
               Event.after["file"].as_string() == file)).one()
    return int(row[0] or 0), int(row[1] or 0)


def charge(length: int) -> int:
    """The bytes a continuation of `length` bytes is accounted at: at least MIN_CHARGE, so a
    visitor cannot write down the ledger in one-byte ranges (each lookup reads the link's
    ledger, so its length is what a continuation costs)."""
    return max(MIN_CHARGE, length)


def continuation_fits(session: Session, link: ShareLink, file: str, size: int, length: int) -> bool:
    """Whether `length` more uncounted bytes of `file` (of `size` bytes) through `link` stay
    within the rule above. Locks the link's row until the unit of work ends."""
    _lock(session, link)
    counted, uncounted = taken(session, link, file)
    return counted > 0 and uncounted + charge(length) <= counted * size + slack(size)


def record_read(session: Session, link: ShareLink, file: str, *, asset_id: str | None, rendition: str,
                span: tuple[int, int], size: int, counted: bool) -> None:
    """Write down one read of `file` through `link` (bytes `span`, inclusive). Flushes."""
    first, last = span
    events.record(session, actor_id=None, action=READ, subject_type="share", subject_id=link.id,
                  after={"file": file, "asset_id": asset_id, "rendition": rendition, "first": first, "last": last,
                         "bytes": last - first + 1, "charged": 0 if counted else charge(last - first + 1),
                         "size": size, "counted": counted})
    session.flush()


def settle(session: Session, link: ShareLink, file: str, *, asset_id: str | None, rendition: str,
           span: tuple[int, int], size: int, continuing: bool) -> bool:
    """After the gate let a download through `link` send the bytes `span` of `file`: serve it
    uncounted when it continues the file (`continuing`: the request asked to, per
    `services.resumes`; and its answer does not start at byte 0, which an If-Range that failed
    makes it) within the rule above, else count it (`services.count_download`: 410
    `share_exhausted` when none is left); write it down either way. True when it was counted.
    Flushes; the caller commits."""
    first, last = span
    counted = not (continuing and first > 0 and continuation_fits(session, link, file, size, last - first + 1))
    if counted:
        count_download(session, link)
    record_read(session, link, file, asset_id=asset_id, rendition=rendition, span=span, size=size, counted=counted)
    return counted
