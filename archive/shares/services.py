"""Share links: make, revoke, open, and the reads a visitor makes through one.

A link is `/s/<token>`: 32 random bytes (`secrets.token_urlsafe`), of which only the SHA-256
is stored. It opens without an account until it expires or is revoked; after that it answers
410 (`share_expired`, `share_revoked`); an unknown token is 404 `share_not_found`. Once it has
given its `max_downloads` downloads (`counts_as_download`), its page and previews still open and
a download is 410 `share_exhausted`. A visitor reads as the link's
creator through the access gate (`Reader.for_share_link`): the rights decide as for the
creator's organisation, and every use is recorded with the link's id. Services flush; the
caller commits.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.accounts.passwords import hash_password, verify_password
from archive.accounts.throttle import check_share_password, share_password_failed
from archive.assets.download import ORIGINAL
from archive.assets.services import get_asset, refuse_uploading
from archive.baskets.models import Basket
from archive.baskets.services import get_basket
from archive.db import utcnow
from archive.access.declarations import clean_declaration
from archive.errors import ApiError, NotFound, ValidationError
from archive.events import services as events
from archive.events.models import Event
from archive.media.profiles import RENDITIONS
from archive.shares.models import ShareLink
from archive.validation import entry, raise_entries

PREVIEWS = ["proxy", "poster"]  # what a link lets a visitor take unless it names more
MAX_LIFETIME = timedelta(days=365)
MAX_DOWNLOADS = 1_000_000
MIN_PASSWORD, MAX_PASSWORD = 8, 200
MAX_RENDITIONS = 12
_NAME = re.compile(r"[a-z0-9_]{1,32}")
# What a basket link may name: the original and every rendition an asset of some kind gets
# (archive.media.profiles.RENDITIONS); an asset link, the original and the asset's own.
SHAREABLE = frozenset({ORIGINAL} | {p.name for profiles in RENDITIONS.values() for p in profiles})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_ID = re.compile(r"[0-9a-f-]{36}")
FIELDS = ("basket_id", "asset_id", "expires", "password", "max_downloads", "renditions", "declaration")


class Gone(ApiError):
    status = 410
    code = "share_gone"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _error(field: str, code: str, message: str, **extra) -> dict:
    return entry(field, code, message, **extra)


def parse_expiry(value: Any, now: datetime, errors: list[dict]) -> datetime | None:
    """ISO 8601: a date (the link lasts to the end of that day, UTC) or a date-time with its
    UTC offset (`Z` or `+03:00`); after now and at most MAX_LIFETIME ahead."""
    if not isinstance(value, str) or len(value) > 40:
        errors.append(_error("expires", "required" if value is None else "invalid_datetime",
                             "expires must be an ISO 8601 date or date-time with an offset"))
        return None
    try:
        if len(value) == 10:
            at = datetime.combine(date.fromisoformat(value), time.max, tzinfo=timezone.utc)
        else:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if at.tzinfo is None:
                errors.append(_error("expires", "no_offset", "expires must carry a UTC offset (Z or +03:00)"))
                return None
        at = at.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # 9999-12-31T23:59:59-12:00 is past the calendar's end in UTC
        errors.append(_error("expires", "invalid_datetime", "expires must be an ISO 8601 date or date-time"))
        return None
    if at <= now:
        errors.append(_error("expires", "in_the_past", "expires is not in the future"))
    elif at > now + MAX_LIFETIME:
        errors.append(_error("expires", "too_far", f"a link lasts at most {MAX_LIFETIME.days} days",
                             limit_days=MAX_LIFETIME.days))
    return at


def clean_share(body: dict, now: datetime) -> dict:
    """The checked body of `POST /api/v1/shares`; 422 `invalid_share` with details.errors."""
    errors: list[dict] = []
    unknown = sorted(str(k)[:40] for k in body if k not in FIELDS)
    if unknown:
        errors.append(_error("body", "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown))
    basket_id, asset_id = body.get("basket_id"), body.get("asset_id")
    if (basket_id is None) == (asset_id is None):
        errors.append(_error("basket_id", "one_subject", "give exactly one of basket_id and asset_id"))
    for name, value in (("basket_id", basket_id), ("asset_id", asset_id)):
        if value is not None and not isinstance(value, str):
            errors.append(_error(name, "not_text", f"{name} must be text"))
    out: dict[str, Any] = {"basket_id": basket_id, "asset_id": asset_id,
                           "expires": parse_expiry(body.get("expires"), now, errors)}
    password = body.get("password")
    if password is not None and (not isinstance(password, str)
                                 or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        errors.append(_error("password", "invalid_password",
                             f"password must be text of {MIN_PASSWORD} to {MAX_PASSWORD} characters"))
    out["password"] = password
    limit = body.get("max_downloads")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or not 1 <= limit <= MAX_DOWNLOADS):
        errors.append(_error("max_downloads", "invalid_number", f"max_downloads must be 1 to {MAX_DOWNLOADS}"))
    out["max_downloads"] = limit
    out["renditions_given"] = "renditions" in body
    names = body.get("renditions", PREVIEWS)
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_RENDITIONS \
            or not all(isinstance(n, str) and _NAME.fullmatch(n) for n in names):
        errors.append(_error("renditions", "invalid_renditions",
                             f"renditions must be 1 to {MAX_RENDITIONS} names such as proxy, poster, original"))
        names = []
    out["renditions"] = sorted(set(names))
    unknown_names = [n for n in out["renditions"] if n not in SHAREABLE]
    if unknown_names:
        errors.append(_error("renditions", "unknown_rendition",
                             f"not renditions Ortak makes: {', '.join(unknown_names)}",
                             names=unknown_names, choices=sorted(SHAREABLE)))
    if body.get("declaration") is not None and ORIGINAL not in out["renditions"]:
        errors.append(_error("declaration", "declaration_without_original",
                             "a usage declaration goes with a link that shares originals (renditions: original)"))
    raise_entries("invalid_share", "share link", errors)
    # 422 `invalid_declaration` (details.errors), as everywhere a declaration is read.
    out["declaration"] = clean_declaration(body.get("declaration"))
    return out


def asset_renditions(asset) -> frozenset[str]:
    """The names an asset link may share: the original, the renditions the asset has, and
    those its kind gets (archive.media.profiles.RENDITIONS: a link made while it is processing)."""
    return frozenset({ORIGINAL} | {r.name for r in asset.renditions}
                     | {p.name for p in RENDITIONS.get(asset.kind, ())})


def create_share(session: Session, body: dict, actor: User) -> tuple[ShareLink, str]:
    """(link, token): the token is shown once, here; only its digest is kept. A basket is
    shared by its owner (or an administrator of its organisation); an asset by any member who
    may see it (`archive.assets.services.may_see`). `renditions` names the original or
    renditions: of the asset for an asset link (`asset_renditions`; without `renditions`, the
    PREVIEWS it has), any of SHAREABLE for a basket link. 404 `basket_not_found` /
    `asset_not_found`; 403 `basket_read_only`; 422 `invalid_share` (entry `unknown_rendition`
    with `details` `names` and `choices` for a name that is not one); 409
    `asset_uploading` for an asset whose upload has not finished (a link would serve an original
    that is not there yet)."""
    clean = clean_share(body, utcnow())
    if clean["basket_id"] is not None:
        subject = {"basket_id": get_basket(session, clean["basket_id"], actor, need="share").id}
    else:
        asset = get_asset(session, clean["asset_id"], viewer=actor)
        refuse_uploading(asset, "share it")
        subject = {"asset_id": asset.id}
        allowed = asset_renditions(asset)
        if not clean["renditions_given"]:
            clean["renditions"] = sorted(n for n in PREVIEWS if n in allowed) or sorted(PREVIEWS)  # none: refused below
        missing = [n for n in clean["renditions"] if n not in allowed]
        if missing:
            raise_entries("invalid_share", "share link", [_error(
                "renditions", "unknown_rendition", f"the asset has no rendition {', '.join(missing)}",
                names=missing, choices=sorted(allowed))])
    token = secrets.token_urlsafe(32)
    link = ShareLink(token_hash=token_digest(token), creator_id=actor.id, creator=actor, expires_at=clean["expires"],
                     password_hash=hash_password(clean["password"]) if clean["password"] else None,
                     max_downloads=clean["max_downloads"], downloads=0, renditions=clean["renditions"], **subject)
    session.add(link)
    session.flush()
    events.record(session, actor_id=actor.id, action="share.created", subject_type="share", subject_id=link.id,
                  after={**subject, "expires": link.expires_at.isoformat(), "password": link.password_hash is not None,
                         "max_downloads": link.max_downloads, "renditions": link.renditions,
                         "declaration": clean["declaration"]})
    return link, token


def link_declaration(session: Session, link: ShareLink) -> dict | None:
    """The usage declaration recorded when `link` was made (its `share.created` event), or None
    when it was made without one. Once recorded it cannot change: the link's creator declared
    the use of every master-quality read through the link, whoever opens it."""
    after = session.scalar(select(Event.after).where(Event.subject_type == "share", Event.subject_id == link.id,
                                                     Event.action == "share.created").order_by(Event.id).limit(1))
    return (after or {}).get("declaration") or None


def read_declaration_of(session: Session, link: ShareLink, visitor: dict | None) -> dict | None:
    """The declaration a master-quality read through `link` is checked and recorded with: the
    one recorded at the link's creation when there is one (a visitor's own is then refused, 422
    `invalid_declaration` with the entry `declared_by_link`), else the visitor's (`visitor`,
    from the query; None: undeclared, and the gate refuses with `declaration_required`)."""
    recorded = link_declaration(session, link)
    if recorded is None:
        return visitor
    if visitor is not None and visitor != recorded:
        raise ValidationError("This link's use was declared when it was made; a visitor declares no other.",
                              code="invalid_declaration",
                              details={"field": "declaration", "errors": [entry(
                                  "declaration", "declared_by_link",
                                  "the link's creator declared its use when making it; send no declaration",
                                  declaration=recorded)]})
    return recorded


def share_url(token: str) -> str:
    return f"/s/{token}"


def share_json(link: ShareLink, declaration: dict | None = None) -> dict[str, Any]:
    """The link as the API shows it; `declaration`: the one recorded at its creation."""
    return {"id": link.id, "basket_id": link.basket_id, "asset_id": link.asset_id, "declaration": declaration,
            "expires": link.expires_at.isoformat(), "revoked": link.revoked_at.isoformat() if link.revoked_at else None,
            "password": link.password_hash is not None, "max_downloads": link.max_downloads,
            "downloads": link.downloads, "renditions": link.renditions}


def revoke(session: Session, share_id: str, actor: User) -> None:
    """Revoke (its creator, or an administrator of the creator's organisation); revoking twice
    is no error. 404 `share_not_found` for anyone else."""
    link = session.get(ShareLink, share_id) if isinstance(share_id, str) and _ID.fullmatch(share_id) else None
    if link is None or not (link.creator_id == actor.id or (actor.role == "admin" and
                                                            actor.organisation_id == link.creator.organisation_id)):
        raise NotFound(f"No share link {share_id[:80]!r}.", code="share_not_found")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.flush()
        events.record(session, actor_id=actor.id, action="share.revoked", subject_type="share", subject_id=link.id)


def open_link(session: Session, token: str) -> ShareLink:
    """The live link for `token`: 404 `share_not_found`; 410 `share_revoked`, `share_expired`.
    A link that has given its `max_downloads` still opens: its page and the previews the page
    shows are no downloads; each download refuses itself (`check_downloads_left`)."""
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_digest(token))) \
        if isinstance(token, str) and _TOKEN.fullmatch(token) else None
    if link is None:
        raise NotFound("There is no such share link.", code="share_not_found")
    if link.revoked_at is not None:
        raise Gone("This share link was revoked.", code="share_revoked")
    if link.expires_at <= utcnow():
        raise Gone("This share link has expired.", code="share_expired",
                   details={"expired": link.expires_at.isoformat()})
    return link


def downloads_left(link: ShareLink) -> int | None:
    """How many downloads the link still gives (None: no limit)."""
    return None if link.max_downloads is None else max(0, link.max_downloads - link.downloads)


def check_downloads_left(link: ShareLink, range_header: str | None = None) -> None:
    """410 `share_exhausted` (`details.max_downloads`; `details.continuation_ended`, ISO 8601,
    for a Range that `resumes` a file once the window of `continues` has closed) when the link
    has given all its downloads: asked before a read that would count passes the gate."""
    if downloads_left(link) == 0:
        details: dict[str, Any] = {"max_downloads": link.max_downloads}
        if resumes(range_header) and link.last_download_at is not None:
            details["continuation_ended"] = (link.last_download_at + continuation_window()).isoformat()
        raise Gone("This share link has given all its downloads.", code="share_exhausted", details=details)


def counts_as_download(rendition: str, download: bool) -> bool:
    """Whether a read of `rendition` through a link's file route is a download, which counts
    against `max_downloads`: the original always, any rendition asked for as a download
    (`?download=1`, served as an attachment), and every rendition but the PREVIEWS. The
    previews the link's page shows (its poster, the player's proxy, read inline) are looking,
    not taking, as are the player's HLS, storyboard and waveform files (their own route)."""
    return download or rendition == ORIGINAL or rendition not in PREVIEWS


_RESUME = re.compile(r"bytes=\s*(\d+)\s*-\s*\d*\s*")


def resumes(range_header: str | None) -> bool:
    """Whether a request's `Range` continues a file rather than starting one: a single range
    `bytes=N-` or `bytes=N-M` with N > 0 (RFC 9110 section 14.1.2)."""
    match = _RESUME.fullmatch(range_header or "")
    return match is not None and int(match.group(1)) > 0


def continuation_window() -> timedelta:
    """SHARE_CONTINUATION_SECONDS (default 86400: a day) as a timedelta."""
    return timedelta(seconds=int(current_app.config["SHARE_CONTINUATION_SECONDS"]))


def continues(link: ShareLink, range_header: str | None) -> bool:
    """Whether a read through `link` with `range_header` continues its last counted download: it
    `resumes` a file and that download started at most SHARE_CONTINUATION_SECONDS ago. Such a
    read is served uncounted (`reads.prepare_shared_file`), also once the link has given its
    `max_downloads`; any other read that sends bytes counts as a download."""
    return (resumes(range_header) and link.last_download_at is not None
            and utcnow() - link.last_download_at <= continuation_window())


def check_password(link: ShareLink, password: str | None) -> bool:
    """Whether `password` opens the link (always, for a link without one). Wrong passwords are
    throttled per link and per address (`archive.accounts.throttle`): 429 `too_many_attempts`."""
    if link.password_hash is None:
        return True
    check_share_password(link.id)
    if isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD and verify_password(link.password_hash,
                                                                                            password):
        return True
    if password is not None:
        share_password_failed(link.id)
    return False


def count_download(session: Session, link: ShareLink) -> None:
    """One more download, atomically, and its time (`last_download_at`, which opens the window
    of uncounted continuations): 410 `share_exhausted` when another request took the last."""
    now = utcnow()
    if link.max_downloads is None:
        link.downloads += 1
        link.last_download_at = now
        session.flush()
        return
    done = session.execute(update(ShareLink).where(ShareLink.id == link.id,
                                                   ShareLink.downloads < ShareLink.max_downloads)
                           .values(downloads=ShareLink.downloads + 1, last_download_at=now)).rowcount
    if not done:
        raise Gone("This share link has given all its downloads.", code="share_exhausted",
                   details={"max_downloads": link.max_downloads})
    session.refresh(link)


def shared_basket(session: Session, link: ShareLink) -> Basket | None:
    return session.get(Basket, link.basket_id) if link.basket_id else None
