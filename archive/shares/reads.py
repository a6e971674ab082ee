"""What a visitor of a share link sees and takes: the page's contents, one file, the basket's zip.

Every read goes through the access gate as the link's creator (`Reader.for_share_link`) and
is recorded with the link's id. A download (`services.counts_as_download`: the original, a
rendition asked for with `?download=1` or that is no preview, the zip) counts against the
link's `max_downloads`, unless it continues a counted one within SHARE_CONTINUATION_SECONDS
of the last counted download (`services.continues`) and the bytes that allows
(`archive.shares.ledger`); the page's previews never count.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from archive.access.policies import Reader
from archive.assets.download import ORIGINAL, Download, prepare_download, prepare_rendition_file
from archive.assets.models import Asset
from archive.assets.services import get_asset
from archive.baskets.models import Basket, BasketItem
from archive.baskets.services import PER_PAGE, item_json, require_cleared, zip_blob
from archive.baskets.zip_answer import ZipAnswer, zip_answer
from archive.errors import Forbidden, NotFound
from archive.shares import ledger
from archive.shares.models import ShareLink
from archive.shares.services import check_downloads_left, continues, counts_as_download, downloads_left


def page_contents(session: Session, link: ShareLink, page: int = 1, lang: str | None = None) -> dict[str, Any]:
    """{"asset": Asset | None, "basket": Basket | None, "items": [item_json], "total", "page",
    "pages", "renditions", "zip": bool (the basket's zip may be taken here: ready, shared, and
    the link has downloads left), "first": the
    Asset the player shows first (None for an empty basket)}."""
    out: dict[str, Any] = {"asset": None, "basket": None, "items": [], "total": 0, "page": page, "pages": 1,
                           "renditions": link.renditions, "zip": False, "first": None}
    if link.asset_id:
        asset = session.get(Asset, link.asset_id)
        out.update(asset=asset, first=asset, items=[{"id": None, "asset_id": asset.id, "title": asset.title(lang), "in": None,
                                        "out": None, "status": asset.status}], total=1)
        return out
    basket = session.get(Basket, link.basket_id)
    total = session.scalar(select(func.count()).select_from(BasketItem).where(BasketItem.basket_id == basket.id))
    items = list(session.scalars(select(BasketItem).where(BasketItem.basket_id == basket.id).order_by(BasketItem.id)
                                 .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    out.update(basket=basket, items=[item_json(i, lang) for i in items], total=total or 0,
               first=items[0].asset if items else None,
               pages=max(1, -(-(total or 0) // PER_PAGE)),
               zip=ORIGINAL in link.renditions and basket.zip_status == "ready" and downloads_left(link) != 0)
    return out


def playable(asset: Asset, link: ShareLink) -> dict[str, bool]:
    """Which permitted renditions of `asset` are there to take: {name: ready}."""
    out = {}
    for name in link.renditions:
        if name == ORIGINAL:
            out[name] = asset.status == "ready"
        else:
            r = next((r for r in asset.renditions if r.name == name), None)
            out[name] = r is not None and bool(r.file_count)
    return out


def _check_asset(session: Session, link: ShareLink, asset_id: str) -> None:
    if link.asset_id is not None:
        ok = asset_id == link.asset_id
    else:
        ok = session.scalar(select(exists().where(BasketItem.basket_id == link.basket_id,
                                                  BasketItem.asset_id == asset_id)))
    if not ok:
        raise NotFound("This link does not share that asset.", code="asset_not_found")


def prepare_shared_file(session: Session, link: ShareLink, asset_id: str, rendition: str, *,
                        declaration: dict | None, range_header: str | None, if_none_match: str | None,
                        head: bool, download: bool = False) -> Download:
    """One file of a shared asset (`rendition` one the link permits: 403
    `rendition_not_shared`), through the gate as the link's creator; 404 `rendition_not_found`
    (`details.rendition` only: a visitor is not told what else the asset has) when the asset
    has no such file. For a basket link, an item that is a segment still gives its whole
    original here: the segment as the basket cuts it is in the zip. `download`: asked for as a
    download (`?download=1`), served as an attachment. A read that is a download
    (`counts_as_download`) and does not continue one (`services.continues`) is 410
    `share_exhausted` once the link has given its downloads; one that sends bytes counts, unless
    it continues a counted download of the file within the bytes that allows (`ledger`: 410
    `share_exhausted` past them on an exhausted link), and is written down in the link's
    ledger. A preview never counts. The caller commits."""
    get_asset(session, asset_id)
    _check_asset(session, link, asset_id)
    if rendition not in link.renditions:
        raise Forbidden("This link does not share that rendition.", code="rendition_not_shared",
                        details={"renditions": link.renditions})
    counts = counts_as_download(rendition, download)
    continuing = continues(link, range_header)
    if counts and not continuing:
        check_downloads_left(link, range_header)  # before the gate: no use is recorded for a refused download
    try:
        d = prepare_download(session, Reader.for_share_link(link), asset_id, rendition, declaration=declaration,
                             range_header=range_header, if_none_match=if_none_match,
                             inline=not download and rendition != ORIGINAL, head=head)
    except NotFound as exc:
        if exc.code != "rendition_not_found":
            raise
        # The visitor has no account: the asset's other renditions are not theirs to list.
        raise NotFound("This shared asset has no such file.", code="rendition_not_found",
                       details={"rendition": rendition[:40]}) from None
    if counts and d.span is not None and d.decision is not None and d.decision.allowed:
        ledger.settle(session, link, ledger.file_key(asset_id, rendition), asset_id=asset_id, rendition=rendition,
                      span=d.span, size=d.size, continuing=continuing)
    return d


# The files the player streams: a link that shares the viewing copy (`proxy`) lets its visitor
# play the same preview as HLS, with the storyboard over the timeline and the waveform under it.
STREAM_RENDITIONS = ("hls", "storyboard", "waveform")


def streams(link: ShareLink) -> bool:
    return "proxy" in link.renditions


def prepare_shared_rendition_file(session: Session, link: ShareLink, asset_id: str, name: str, path: str, *,
                                  encoded_separator: bool, range_header: str | None, if_none_match: str | None,
                                  if_range: str | None, head: bool) -> Download:
    """One file of a shared asset's HLS, storyboard or waveform (STREAM_RENDITIONS), for the
    player on the link's page: through the gate as the link's creator (a refusal is recorded
    with the link's id), never counted as a download. 403 `rendition_not_shared` when the link
    does not share the viewing copy or `name` is not a stream; otherwise as
    `archive.assets.download.prepare_rendition_file`. The caller commits."""
    get_asset(session, asset_id)
    _check_asset(session, link, asset_id)
    if name not in STREAM_RENDITIONS or not streams(link):
        raise Forbidden("This link does not share that rendition.", code="rendition_not_shared",
                        details={"renditions": link.renditions})
    return prepare_rendition_file(session, Reader.for_share_link(link), asset_id, name, path,
                                  encoded_separator=encoded_separator, range_header=range_header,
                                  if_none_match=if_none_match, if_range=if_range, head=head)


def prepare_shared_zip(session: Session, link: ShareLink, declaration: dict | None, *, range_header: str | None = None,
                       if_range: str | None = None, head: bool = False) -> ZipAnswer:
    """The shared basket's ready zip, when the link shares originals, whole or one `Range`
    (`bytes=a-b`, `bytes=a-`, `bytes=-n`; If-Range against its ETag, the SHA-256), as files
    are. Each item passes the gate as the link's creator with `declaration`: the one
    recorded when the link was made, else the visitor's (`services.read_declaration_of`), never
    the declaration the zip was built with (a rights manager reads a link's uses under what its
    creator declared for it). Every item is recorded against the link; a refusal refuses the
    whole zip: 403 `rights_denied` with `details.items` (`declaration_required` among the
    reasons when nothing was declared). 403 `rendition_not_shared`; 409 `zip_not_ready`; 416
    `range_not_satisfiable` (`archive.baskets.zip_answer`). The zip is always a download: it
    counts as a file does (`ledger`: a Range that continues a counted download of this zip
    within its bytes does not), 410 `share_exhausted` when the link has given its downloads. A
    `head` answers as the GET would (410 included) but sends no bytes: it neither counts nor is
    recorded as a use (refusals are). The caller commits."""
    if link.basket_id is None:
        raise NotFound("This link shares an asset, not a basket.", code="basket_not_found")
    if ORIGINAL not in link.renditions:
        raise Forbidden("This link does not share originals, so not the zip.", code="rendition_not_shared",
                        details={"renditions": link.renditions})
    basket = session.get(Basket, link.basket_id)
    z = zip_answer(*zip_blob(basket), f"{basket.name}.zip", range_header=range_header, if_range=if_range)
    continuing = continues(link, range_header) and z.span[0] > 0
    if not continuing:
        check_downloads_left(link, range_header)  # before the gate: no use is recorded for a refused download
    require_cleared(session, Reader.for_share_link(link), basket, declaration, sends_bytes=not head,
                    refusal="The rights refuse {count} item(s) of this basket.")
    if not head:
        ledger.settle(session, link, ledger.zip_key(z.sha256), asset_id=None, rendition="zip", span=z.span,
                      size=z.size, continuing=continuing)
    return z
