"""Baskets: create, list, add and remove items, share with users, ask for the zip.

Who sees a basket: its owner, the users it is shared with (`BasketMember`), the
administrators of the owner's organisation, and, for audit, the administrators of the
platform's own organisation (PLATFORM_ORGANISATION) whatever the owner's: access "audit",
which reads the basket, its items, members and zip state, and nothing more (no change, no
zip asked or downloaded: 403 `basket_read_only`). Anyone else gets 404 `basket_not_found`, as
for a basket that does not exist (a private basket's existence is not told). The owner,
`edit` members and the owner's organisation's administrators change its items; only the
owner (or an administrator of the organisation) shares it. Services flush; the caller commits.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.access.declarations import clean_declaration, require_complete
from archive.access.gate import check_reads
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import get_asset, may_see_email, person_json, refuse_uploading, visible_to
from archive.baskets.models import Basket, BasketItem, BasketMember
from archive.baskets.schemas import clean_item, clean_member, clean_name, item_asset_id
from archive.baskets.zip_answer import ZipAnswer, zip_answer
from archive.db import keep_work, utcnow
from archive.errors import ApiError, Conflict, Forbidden, NotFound
from archive.events import services as events
from archive.markers.timeline import Timeline
from archive.provenance.fixity import DERIVATIVE_DAMAGED, failed_checks_of, fixity_failed
from archive.task_handles import BUILD_BASKET_ZIP

MAX_ITEMS = 10_000  # per basket
MAX_MEMBERS = 200
PER_PAGE = 100
MAX_PER_PAGE = 1000
MAX_REFUSALS_SHOWN = 100  # reasons per item in a 403, for the first items refused
_BASKET_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f-]{36}")


# ---- reading -----------------------------------------------------------------------------------

def get_basket(session: Session, basket_id: object, viewer: User, *, need: str = "read") -> Basket:
    """The basket `basket_id` as `viewer` may use it: `need` "read", "zip" (ask for or download
    its zip: a master read), "edit" or "share".

    404 `basket_not_found` for a malformed id, a basket that does not exist and one the viewer
    may not see; 403 `basket_read_only` when the viewer sees it but may not do `need`."""
    basket = session.get(Basket, basket_id) if isinstance(basket_id, str) and _BASKET_ID.fullmatch(basket_id) \
        else None
    access = access_of(session, basket, viewer) if basket is not None else None
    if access is None:
        shown = basket_id[:80] if isinstance(basket_id, str) else basket_id
        raise NotFound(f"No basket {shown!r}.", code="basket_not_found")
    allowed = {"read": ("audit", "read", "edit", "owner"), "zip": ("read", "edit", "owner"), "edit": ("edit", "owner"),
               "share": ("owner",)}[need]
    if access not in allowed:
        message = {"edit": "You may see this basket but not change it.",
                   "zip": "An audit of a basket reads its list, not its originals: only its owner and the users "
                          "it is shared with ask for its zip.",
                   "share": "Only the basket's owner may share it."}[need]
        raise Forbidden(message, code="basket_read_only", details={"access": access})
    return basket  # type: ignore[return-value]


def access_of(session: Session, basket: Basket, viewer: User) -> str | None:
    """"owner", "edit", "read", "audit" (an administrator of the platform's organisation), or
    None (the viewer may not see the basket)."""
    if basket.owner_id == viewer.id or (viewer.role == "admin" and viewer.organisation_id == basket.organisation_id):
        return "owner"
    member = session.scalar(select(BasketMember).where(BasketMember.basket_id == basket.id,
                                                       BasketMember.user_id == viewer.id))
    if member is not None:
        return member.access
    if viewer.role == "admin" and viewer.organisation is not None \
            and viewer.organisation.name == current_app.config["PLATFORM_ORGANISATION"]:
        return "audit"
    return None


def _count(session: Session, basket: Basket) -> int:
    return session.scalar(select(func.count()).select_from(BasketItem).where(BasketItem.basket_id == basket.id)) or 0


def timeline_for_item(item: BasketItem) -> Timeline | None:
    timeline = Timeline.of(item.asset.technical, item.asset.kind)
    if item.rate is None or timeline is None:
        return timeline
    if item.rate == timeline.rate_text:
        return timeline
    rate = Fraction(item.rate)
    return Timeline(rate, int(timeline.start * rate / timeline.rate), False, None)


def segment_of(item: BasketItem) -> dict | None:
    """{"in", "out", "in_seconds", "out_seconds"} of a segment item (timecodes of the master);
    None for a whole asset."""
    if item.in_frame is None:
        return None
    t = timeline_for_item(item) or Timeline(Fraction(item.rate or "25"), 0, False, None)
    return {"in": t.label(item.in_frame), "out": t.label(item.out_frame),
            "in_seconds": round(t.seconds(item.in_frame), 6), "out_seconds": round(t.seconds(item.out_frame), 6)}


# The status of an item whose asset the viewer may not see (archive.assets.services.visible_to).
UNAVAILABLE = "unavailable"


def item_json(item: BasketItem, lang: str | None = None, *, visible: bool = True) -> dict[str, Any]:
    """{"id", "asset_id", "title", "status", "in", "out", "in_seconds", "out_seconds", "added"};
    an item whose asset the viewer may not see (not `visible`) says nothing of it: title None,
    status UNAVAILABLE."""
    seg = segment_of(item) or {"in": None, "out": None, "in_seconds": None, "out_seconds": None}
    title, status = (item.asset.title(lang), item.asset.status) if visible else (None, UNAVAILABLE)
    return {"id": item.id, "asset_id": item.asset_id, "title": title, "status": status,
            **seg, "added": item.created_at.isoformat() if item.created_at else None}


def hidden_assets(session: Session, viewer: User, asset_ids: set[str]) -> set[str]:
    """Those of `asset_ids` that `viewer` may not see (the rule of archive.assets.services.visible_to:
    another organisation's asset that is not ready yet), in one query."""
    seen = visible_to(viewer)
    if seen is None or not asset_ids:
        return set()
    return asset_ids - set(session.scalars(select(Asset.id).where(Asset.id.in_(asset_ids), seen)))


def zip_json(basket: Basket, viewer: User | None = None) -> dict[str, Any] | None:
    """{"status", "progress", "error", "size", "sha256", "requested", "download", "yours"} or
    None (never asked). `yours`: whether `viewer` asked for it (downloads it under the
    declaration it was built with); anyone else declares their own use to download it
    (`prepare_member_zip`)."""
    if basket.zip_status is None:
        return None
    ready = basket.zip_status == "ready"
    return {"status": basket.zip_status, "progress": round(basket.zip_progress or 0.0, 4),
            "error": basket.zip_error, "size": basket.zip_size if ready else None,
            "sha256": basket.zip_sha256 if ready else None,
            "requested": basket.zip_requested_at.isoformat() if basket.zip_requested_at else None,
            "download": f"/api/v1/baskets/{basket.id}/zip" if ready else None,
            "yours": viewer is not None and basket.zip_requester_id == viewer.id}


def basket_json(session: Session, basket: Basket, viewer: User, *, page: int = 1, per_page: int = PER_PAGE,
                lang: str | None = None) -> dict[str, Any]:
    """The basket with one page of its items (in the order they were added):
    {"id", "name", "owner", "access", "created", "total", "page", "per_page", "pages",
    "items": [item_json], "members": [...], "zip": zip_json}; an item of an asset `viewer` may
    not see shows as UNAVAILABLE, without its title (`hidden_assets`)."""
    total = _count(session, basket)
    items = list(session.scalars(select(BasketItem).where(BasketItem.basket_id == basket.id).order_by(BasketItem.id)
                                 .offset((page - 1) * per_page).limit(per_page)))
    hidden = hidden_assets(session, viewer, {i.asset_id for i in items})
    access = access_of(session, basket, viewer)
    members = session.scalars(select(BasketMember).where(BasketMember.basket_id == basket.id)
                              .order_by(BasketMember.id))
    return {"id": basket.id, "name": basket.name, "owner": person_json(basket.owner, viewer), "access": access,
            "created": basket.created_at.isoformat() if basket.created_at else None,
            "total": total, "page": page, "per_page": per_page, "pages": max(1, -(-total // per_page)),
            "items": [item_json(i, lang, visible=i.asset_id not in hidden) for i in items],
            "members": [{"user": person_json(m.user, viewer), "access": m.access} for m in members],
            "zip": zip_json(basket, viewer)}


def list_baskets(session: Session, viewer: User) -> list[dict[str, Any]]:
    """The baskets the viewer owns or that are shared with them, newest first:
    [{"id", "name", "access", "items", "created", "zip"}]."""
    shared = select(BasketMember.basket_id).where(BasketMember.user_id == viewer.id)
    rows = session.scalars(select(Basket).where((Basket.owner_id == viewer.id) | Basket.id.in_(shared))
                           .order_by(Basket.created_at.desc(), Basket.id).limit(500))
    counts = dict(session.execute(select(BasketItem.basket_id, func.count()).group_by(BasketItem.basket_id)
                                  .where(BasketItem.basket_id.in_(
                                      select(Basket.id).where((Basket.owner_id == viewer.id)
                                                              | Basket.id.in_(shared))))).all())
    return [{"id": b.id, "name": b.name, "access": "owner" if b.owner_id == viewer.id else access_of(session, b, viewer),
             "items": counts.get(b.id, 0), "created": b.created_at.isoformat() if b.created_at else None,
             "zip": zip_json(b, viewer)} for b in rows]


# ---- changing ----------------------------------------------------------------------------------

def create_basket(session: Session, body: dict, actor: User) -> Basket:
    basket = Basket(name=clean_name(body), owner_id=actor.id, owner=actor, organisation_id=actor.organisation_id)
    session.add(basket)
    session.flush()
    events.record(session, actor_id=actor.id, action="basket.created", subject_type="basket", subject_id=basket.id,
                  after={"name": basket.name})
    return basket


def add_item(session: Session, basket: Basket, body: Any, actor: User) -> BasketItem:
    """Add a whole asset or a segment of it (`archive.baskets.schemas.clean_item`).

    404 `asset_not_found` (also for an asset `actor` may not see: another organisation's asset
    not ready yet, `archive.assets.services.may_see`); 422 `invalid_basket_item`; 409
    `basket_full` past MAX_ITEMS, `asset_uploading` for an asset whose upload has not finished
    (it has no original to put in a zip yet)."""
    asset = get_asset(session, item_asset_id(body), viewer=actor)
    refuse_uploading(asset, "add it to a basket")
    timeline = Timeline.of(asset.technical, asset.kind)
    clean = clean_item(body, timeline)
    if _count(session, basket) >= MAX_ITEMS:
        raise Conflict(f"This basket has {MAX_ITEMS} items, the most it may have.", code="basket_full",
                       details={"limit": MAX_ITEMS})
    item = BasketItem(basket_id=basket.id, asset_id=asset.id, asset=asset, added_by_id=actor.id,
                      in_frame=clean["in_frame"], out_frame=clean["out_frame"],
                      rate=timeline.rate_text if clean["in_frame"] is not None and timeline else None)
    session.add(item)
    session.flush()
    events.record(session, actor_id=actor.id, action="basket.item_added", subject_type="basket",
                  subject_id=basket.id, after={"item": item.id, "asset": asset.id, **(segment_of(item) or {})})
    return item


MAX_ID = 2**31 - 1


def get_item(session: Session, basket: Basket, item_id: int) -> BasketItem:
    item = session.get(BasketItem, item_id) if 0 < item_id <= MAX_ID else None
    if item is None or item.basket_id != basket.id:
        raise NotFound(f"No item {item_id} in this basket.", code="basket_item_not_found")
    return item


def remove_item(session: Session, basket: Basket, item: BasketItem, actor: User) -> None:
    events.record(session, actor_id=actor.id, action="basket.item_removed", subject_type="basket",
                  subject_id=basket.id, before={"item": item.id, "asset": item.asset_id, **(segment_of(item) or {})})
    session.delete(item)
    session.flush()


def nameable_user(session: Session, who: str, actor: User) -> User | None:
    """The active user (of an active organisation) that `who` names for `actor`, else None.

    `who` is a user id (digits) or an e-mail address. An e-mail names only a user whose
    address `actor` may see (`archive.assets.services.may_see_email`: their own organisation,
    admins), as `person_json` shows it; an id names any active user, ids being the public handle
    `person_json` gives everyone with the name and organisation (display names are public by
    design). So an unknown address, another organisation's address and a disabled account are
    one answer, None, and an e-mail's existence is not told across organisations."""
    if who.isdigit() and len(who) < 10:
        user = session.get(User, int(who))
    else:
        user = session.scalar(select(User).where(func.lower(User.email) == who.lower()))
        if user is not None and not may_see_email(actor, user):
            return None
    return user if user is not None and user.is_active else None


def share_with(session: Session, basket: Basket, body: dict, actor: User) -> BasketMember:
    """Share with a user (by e-mail or id) for `read` or `edit`; sharing again changes the access.

    422 `invalid_basket_member`; 404 `user_not_found`; 409 `basket_owner` for the owner
    themselves; 409 `too_many_members` past MAX_MEMBERS. Who may be named is `nameable_user`'s
    rule; anyone else is 404 `user_not_found`, the answer for no such user."""
    who, access = clean_member(body)
    user = nameable_user(session, who, actor)
    if user is None:
        raise NotFound("No user you may share with has that e-mail address or id.", code="user_not_found")
    if user.id == basket.owner_id:
        raise Conflict("The owner has the basket already.", code="basket_owner")
    member = session.scalar(select(BasketMember).where(BasketMember.basket_id == basket.id,
                                                       BasketMember.user_id == user.id))
    if member is None:
        count = session.scalar(select(func.count()).select_from(BasketMember)
                               .where(BasketMember.basket_id == basket.id)) or 0
        if count >= MAX_MEMBERS:
            raise Conflict(f"This basket is shared with {MAX_MEMBERS} users, the most it may be.",
                           code="too_many_members", details={"limit": MAX_MEMBERS})
        member = BasketMember(basket_id=basket.id, user_id=user.id, user=user, access=access)
        session.add(member)
    member.access = access
    session.flush()
    events.record(session, actor_id=actor.id, action="basket.shared", subject_type="basket", subject_id=basket.id,
                  after={"user": user.id, "access": access})
    return member


def unshare(session: Session, basket: Basket, user_id: int, actor: User) -> None:
    member = session.scalar(select(BasketMember).where(BasketMember.basket_id == basket.id,
                                                       BasketMember.user_id == user_id)) \
        if 0 < user_id <= MAX_ID else None
    if member is None:
        raise NotFound("The basket is not shared with this user.", code="basket_member_not_found")
    events.record(session, actor_id=actor.id, action="basket.unshared", subject_type="basket", subject_id=basket.id,
                  before={"user": user_id, "access": member.access})
    session.delete(member)
    session.flush()


# ---- the zip -----------------------------------------------------------------------------------

def item_read_request(item: BasketItem, declaration: dict | None) -> ReadRequest:
    """The master-quality read one item of a zip is: the original, or its segment in seconds."""
    seg = segment_of(item)
    return ReadRequest(asset=item.asset, what="original", quality=MASTER, action="download",
                       segment={"in": seg["in_seconds"], "out": seg["out_seconds"]} if seg else None,
                       declaration=declaration)


def item_batches(session: Session, basket_id: str, batch: int = 500):
    """The basket's items in the order added, as lists of at most `batch` (keyset paging, so a
    basket of 10,000 items is never one query result in memory)."""
    last = 0
    while True:
        rows = list(session.scalars(select(BasketItem).where(BasketItem.basket_id == basket_id, BasketItem.id > last)
                                    .order_by(BasketItem.id).limit(batch)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def items_in_order(session: Session, basket_id: str, batch: int = 500):
    """Every item of the basket in the order added, read `batch` rows at a time."""
    for rows in item_batches(session, basket_id, batch):
        yield from rows


def request_zip(session: Session, basket: Basket, raw_declaration: Any, actor: User) -> Basket:
    """Ask for the basket's zip of originals: a master-quality read of every item.

    Every item passes the access gate with the declaration (complete, air dates not past:
    422 `invalid_declaration`); when the rights deny any, nothing is built and the whole
    request is refused: 403 `rights_denied` with `details.items` [{"item", "asset_id",
    "reasons"}] (the first MAX_REFUSALS_SHOWN) and `details.refused` (how many); the refusals
    are kept in the usage log. 409 `basket_empty`; 409 `zip_in_progress` while one is queued or
    building; 409 `fixity_failed` (details as `archive.provenance.fixity.fixity_failed`, plus
    `item`) when the latest fixity check of an item's original found it changed, before the
    rights are asked. The uses themselves are recorded when the worker reads each item.
    """
    declaration = clean_declaration(raw_declaration)
    if declaration is None:
        raise ApiError("A zip of originals is a master-quality read: declare the use (platform, territory, "
                       "from, to, purpose, programme).", code="declaration_required", status=403,
                       details={"reasons": [{"code": "declaration_required",
                                             "message": "A usage declaration is required."}]})
    require_complete(declaration)
    if basket.zip_status in ("queued", "building"):
        raise Conflict("A zip of this basket is being built already.", code="zip_in_progress",
                       details={"zip": zip_json(basket)})
    items = list(items_in_order(session, basket.id))  # read once: the fixity and the rights checks walk it
    if not items:
        raise Conflict("The basket is empty.", code="basket_empty")
    damaged = failed_checks_of(session, (i.asset.original_key for i in items))
    for item in items:
        check = damaged.get(item.asset.original_key)
        if check is not None:
            error = fixity_failed(item.asset, check.at.isoformat(), check.expected_sha256, check.actual_sha256,
                                  consequence=DERIVATIVE_DAMAGED)
            error.details["item"] = item.id
            raise error
    require_cleared(session, Reader.for_user(actor), basket, declaration, sends_bytes=False,
                    refusal="The rights refuse {count} item(s) of this basket; nothing was built.", items=items)
    basket.zip_status, basket.zip_progress, basket.zip_error = "queued", 0.0, None
    basket.zip_declaration, basket.zip_requester_id, basket.zip_requested_at = declaration, actor.id, utcnow()
    basket.zip_updated_at = basket.zip_requested_at
    session.flush()
    events.record(session, actor_id=actor.id, action="basket.zip_requested", subject_type="basket",
                  subject_id=basket.id, after={"declaration": declaration})
    BUILD_BASKET_ZIP.send(session, basket.id)
    session.flush()
    return basket


def prepare_member_zip(session: Session, basket: Basket, actor: User, raw_declaration: Any, *,
                       range_header: str | None = None, if_range: str | None = None,
                       head: bool = False) -> ZipAnswer:
    """The basket's ready zip for `actor`, a member who may read it (`get_basket(need="zip")`),
    whole or one Range (`archive.baskets.zip_answer`: 416 `range_not_satisfiable` past its end):
    a zip of originals is a master-quality read of every item, so it passes the access gate
    again, item by item, in bulk (`check_reads`), as when it was asked for. A `head` sends no
    bytes: no use is recorded for it (refusals are).

    - The user who asked for it, declaring nothing new: with the declaration it was built under,
      nothing recorded again (each use was recorded when the worker read the item); a grant
      revoked or ended since refuses it.
    - Anyone else (another member, of this organisation or another), or the one who asked
      declaring another use: with their own declaration (`raw_declaration`, the query's
      `platform`, `territory`, `from`, `to`, `purpose`, `programme`), each item recorded as their
      use. 403 `declaration_required` without one; 422 `invalid_declaration`.

    Any item refused refuses the whole zip: 403 `rights_denied` with `details.refused` and
    `details.items` [{"item", "asset_id", "reasons"}] (the refusals stay in the usage log).
    409 `zip_not_ready`."""
    declaration = clean_declaration(raw_declaration)  # a malformed one is 422 whatever the zip's state
    answer = zip_answer(*zip_blob(basket), f"{basket.name}.zip", range_header=range_header, if_range=if_range)
    own = declaration is None and actor.id == basket.zip_requester_id
    if own:
        declaration = basket.zip_declaration
    elif declaration is not None:
        require_complete(declaration)
    # Nothing declared, and only that refused (another organisation's originals need a declared
    # use): said as a single download says it, the refusals in the usage log.
    undeclared = None if declaration is not None else (
        "This zip was asked for by another user, under their declared use: declare yours "
        "(platform, territory, from, to, purpose, programme) to download it.")
    require_cleared(session, Reader.for_user(actor), basket, declaration, sends_bytes=not own and not head,
                    refusal="The rights refuse {count} item(s) of this basket's zip.", undeclared=undeclared)
    return answer


def require_cleared(session: Session, reader: Reader, basket: Basket, declaration: dict | None, *,
                    sends_bytes: bool, refusal: str, items: list[BasketItem] | None = None,
                    undeclared: str | None = None) -> None:
    """Every item of `basket` through the access gate as `reader` with `declaration`, decided in
    bulk (`check_reads`: one rights query per batch of items, the engine pure; a 10,000-item
    basket would otherwise cost 10,000 queries in one request), all or nothing: a refused item
    is recorded as refused, and the cleared ones are recorded as uses (`sends_bytes`) only when
    every item is cleared, so a refused zip leaves no use behind. Any item refused: 403
    `rights_denied` (`refusal`, its `{count}` filled in) with `details.refused` and
    `details.items` [{"item", "asset_id", "reasons"}] (the first MAX_REFUSALS_SHOWN); the
    refusals stay in the usage log. `items`: the basket's items in order when the caller has
    read them already (`items_in_order`). `undeclared`: when given and every refusal of every
    item (not only those shown) is `declaration_required`, the 403 is `declaration_required`
    with that sentence instead, the same details."""
    if items is None:
        items = list(items_in_order(session, basket.id))
    decisions = check_reads(session, reader, [item_read_request(i, declaration) for i in items],
                            sends_bytes=sends_bytes, all_or_nothing=True)
    refused = [{"item": item.id, "asset_id": item.asset_id, "reasons": decision.reasons}
               for item, decision in zip(items, decisions) if not decision.allowed]
    if refused:
        keep_work()  # the refused reads stay in the usage log
        message, code = refusal.format(count=len(refused)), "rights_denied"
        if undeclared is not None and all(r.get("code") == "declaration_required"
                                          for item in refused for r in item["reasons"]):
            message, code = undeclared, "declaration_required"
        raise ApiError(message, code=code, status=403,
                       details={"refused": len(refused), "items": refused[:MAX_REFUSALS_SHOWN],
                                "reasons": refused[0]["reasons"]})


def zip_blob(basket: Basket) -> tuple[str, int, str]:
    """(key, size, sha256) of the basket's ready zip; 409 `zip_not_ready` otherwise."""
    if basket.zip_status != "ready" or not basket.zip_key:
        raise Conflict("The basket's zip is not ready.", code="zip_not_ready", details={"zip": zip_json(basket)})
    return basket.zip_key, basket.zip_size or 0, basket.zip_sha256 or ""

