"""The lineage of an asset, as one document: `GET /api/v1/assets/{id}/provenance` and its page.

    {"id", "asset": {...}, "sources": [...], "derivatives": {"clips", "baskets", "share_links"},
     "holdings": [...], "usage": {...}, "rights": [...], "events": [...], "fixity": {...},
     "content_credentials": null, "lookup": null}

Every key but the first two is a *section*, made by a function registered in SECTIONS
(`@section("name")`). The C2PA credentials (`content_credentials`: the manifest the master
carries, valid/invalid/absent, and what was signed on export) and the reverse-lookup matches
(`lookup`) are reserved and are null until a module registers a section of that name with
`archive.provenance.sections.section`; this module imports each such module by name (today
`archive.provenance.c2pa` and `archive.provenance.lookup_section`), so import-linter sees the dependency. A client reads a null section
as "not known here".

Access is the asset's: every member of the platform reads an asset and its lineage, but each
section shows only what the viewer may see elsewhere (issue 7, "who may do what"):
- baskets: those the viewer may read (`archive.baskets.services.access_of`); nothing of any
  other basket, not even that it exists;
- share links: those made by a user of the viewer's organisation (admins: all);
- usage: every record for admins and the rights managers of the asset's organisation (the
  usage audit's readers); the viewer's own organisation's records for anyone else;
- e-mail addresses: `archive.assets.services.person_json`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.assets import services as assets
from archive.assets.models import Asset
from archive.baskets.models import Basket, BasketItem, BasketMember
from archive.baskets.services import segment_of
from archive.clips.services import clip_json, clips_of
from archive.provenance import c2pa  # noqa: F401  (registers the content_credentials section)
from archive.provenance import lookup_section  # noqa: F401  (registers the lookup section)
from archive.provenance import credentials, fixity
from archive.provenance.sections import RESERVED, SECTIONS, section
from archive.rights.services import blocks_json, list_blocks
from archive.shares.models import ShareLink
from archive.usage import services as usage_services
from archive.usage.models import UsageRecord

MAX_SOURCES = 20  # a clip of a clip of ...: the chain is walked this far up
MAX_LISTED = 100  # items per list (the totals count them all)

__all__ = ["RESERVED", "SECTIONS", "provenance", "section"]


def provenance(session: Session, asset: Asset, viewer: User, lang: str | None = None) -> dict[str, Any]:
    """The provenance document of `asset` as `viewer` may see it (module docstring)."""
    doc: dict[str, Any] = {"id": asset.id, "asset": _asset_json(asset, lang)}
    for name in RESERVED:
        doc[name] = None
    for name, fn in SECTIONS.items():
        doc[name] = fn(session, asset, viewer, lang)
    return doc


def _asset_json(asset: Asset, lang: str | None) -> dict[str, Any]:
    return {"id": asset.id, "title": asset.title(lang), "status": asset.status, "filename": asset.filename,
            "kind": asset.kind, "content_type": asset.content_type, "size": asset.size,
            "sha256": asset.sha256 if asset.original_key else None,
            "organisation": assets.organisation_json(asset.organisation), "country": asset.country,
            "created": asset.created_at.isoformat() if asset.created_at else None}


@section("sources")
def sources(session: Session, asset: Asset, viewer: User, lang: str | None) -> list[dict[str, Any]]:
    """Where the asset came from, nearest first: for a clip, its master with the in/out asked for
    and the actual in/out of the cut ("relation": "clip_of"), then the master's own source...
    [] for an original upload. A source deleted since is {"asset": null, "id": its id}.

    An upload that is a file this archive handed out and got back (its content credentials,
    signed by this archive's own signer, trusted and unaltered, name the asset it was exported
    from: `archive.provenance.credentials.declared_source`) first lists that asset:
    {"relation": "exported_from", "declared_by": "content_credentials", "id", "of", "asset",
    "export" ("rendition" | "clip" | "basket_item" | null), "rendition", "in", "out",
    "in_seconds", "out_seconds", "actual_in", "actual_out", "actual_in_seconds",
    "actual_out_seconds", "mode", "signed_at", "manifest", "signer"}, then that asset's own
    sources. Only when the viewer may see that asset (`archive.assets.services.may_see`, as the
    clips listed in `derivatives`); a clip's own lineage is never doubled by its credentials."""
    out: list[dict[str, Any]] = []
    seen = {asset.id}
    current = asset
    if not (asset.source_id or (asset.lineage or {}).get("source_id")):
        declared = credentials.declared_source(session, asset)
        source = session.get(Asset, declared["id"]) if declared else None
        if declared and source is not None and assets.may_see(session, viewer, source):
            seen.add(source.id)
            out.append({"relation": "exported_from", "declared_by": "content_credentials", "id": source.id,
                        "of": asset.id, "asset": _asset_json(source, lang),
                        **{k: v for k, v in declared.items() if k != "id"}})
            current = source
    while len(out) < MAX_SOURCES:
        lineage = current.lineage or {}
        source_id = current.source_id or lineage.get("source_id")
        if not source_id or source_id in seen:
            break
        seen.add(source_id)
        source = session.get(Asset, source_id)
        out.append({"relation": "clip_of", "id": source_id, "of": current.id,
                    "asset": _asset_json(source, lang) if source is not None else None,
                    **{k: lineage.get(k) for k in ("in", "out", "in_seconds", "out_seconds", "actual_in",
                                                   "actual_out", "actual_in_seconds", "actual_out_seconds",
                                                   "mode", "rate", "at")}})
        if source is None:
            break
        current = source
    return out


def _visible_baskets(session: Session, viewer: User):
    """A condition on Basket: the baskets `viewer` may read (`archive.baskets.services.access_of`)."""
    member = select(BasketMember.basket_id).where(BasketMember.user_id == viewer.id)
    cond = or_(Basket.owner_id == viewer.id, Basket.id.in_(member))
    if viewer.role == "admin":
        cond = or_(cond, Basket.organisation_id == viewer.organisation_id)
    return cond


def _share_visible(viewer: User):
    if viewer.role == "admin":
        return None
    return ShareLink.creator_id.in_(select(User.id).where(User.organisation_id == viewer.organisation_id))


@section("derivatives")
def derivatives(session: Session, asset: Asset, viewer: User, lang: str | None) -> dict[str, Any]:
    """What came of the asset: {"clips": [clip JSON, newest first], "baskets": [{"id", "name",
    "organisation", "items": [{"id", "segment", "added"}]}], "share_links": [{"id", "basket_id",
    "asset_id", "created", "expires", "revoked", "downloads", "max_downloads", "renditions",
    "creator"}]} — baskets and share links as the viewer may see them (module docstring)."""
    clips = [clip_json(c, lang) for c in clips_of(session, asset, MAX_LISTED, viewer=viewer)]
    rows = session.execute(select(Basket, BasketItem).join(BasketItem, BasketItem.basket_id == Basket.id)
                           .where(BasketItem.asset_id == asset.id, _visible_baskets(session, viewer))
                           .order_by(Basket.created_at.desc(), Basket.id, BasketItem.id)).all()
    baskets: dict[str, dict[str, Any]] = {}
    for basket, item in rows:
        entry = baskets.setdefault(basket.id, {"id": basket.id, "name": basket.name,
                                               "organisation_id": basket.organisation_id,
                                               "created": basket.created_at.isoformat(), "items": []})
        entry["items"].append({"id": item.id, "segment": segment_of(item), "added": item.created_at.isoformat()})
    names = _org_names(session, {b["organisation_id"] for b in baskets.values()})
    for b in baskets.values():
        b["organisation"] = names.get(b.pop("organisation_id"))
    in_baskets = select(BasketItem.basket_id).where(BasketItem.asset_id == asset.id)
    q = select(ShareLink).where(or_(ShareLink.asset_id == asset.id, ShareLink.basket_id.in_(in_baskets)))
    visible = _share_visible(viewer)
    if visible is not None:
        q = q.where(visible)
    links = list(session.scalars(q.order_by(ShareLink.created_at.desc(), ShareLink.id).limit(MAX_LISTED)))
    creators = _users(session, {link.creator_id for link in links})
    return {"clips": clips, "baskets": list(baskets.values())[:MAX_LISTED],
            "share_links": [{"id": link.id, "basket_id": link.basket_id, "asset_id": link.asset_id,
                             "created": link.created_at.isoformat(), "expires": link.expires_at.isoformat(),
                             "revoked": link.revoked_at.isoformat() if link.revoked_at else None,
                             "downloads": link.downloads, "max_downloads": link.max_downloads,
                             "renditions": list(link.renditions or []),
                             "creator": assets.person_json(creators.get(link.creator_id), viewer)}
                            for link in links]}


@section("holdings")
def holdings(session: Session, asset: Asset, viewer: User, lang: str | None) -> list[dict[str, Any]]:
    """Other organisations that uploaded the same bytes (`archive.assets.services.holdings_json`)."""
    return assets.holdings_json(asset, viewer)


def sees_all_usage(viewer: User, asset: Asset) -> bool:
    return usage_services.may_read_usage(viewer, asset.organisation_id, None)


@section("usage")
def usage(session: Session, asset: Asset, viewer: User, lang: str | None) -> dict[str, Any]:
    """The asset's usage records: {"scope": "all" | "own_organisation", "total", "items": [{"id",
    "at", "organisation", "user", "action", "rendition", "declaration", "decision", "segment",
    "share_link_id", "hash"}], newest first, at most MAX_LISTED}."""
    everything = sees_all_usage(viewer, asset)
    cond = [UsageRecord.asset_id == asset.id]
    if not everything:
        cond.append(UsageRecord.organisation_id == viewer.organisation_id)
    total = session.scalar(select(func.count()).select_from(UsageRecord).where(*cond)) or 0
    rows = list(session.scalars(select(UsageRecord).where(*cond)
                                .order_by(UsageRecord.id.desc()).limit(MAX_LISTED)))
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(
        Organisation.id.in_({r.organisation_id for r in rows})))} if rows else {}
    users = _users(session, {r.user_id for r in rows})
    return {"scope": "all" if everything else "own_organisation", "total": total,
            "items": [{"id": r.id, "at": r.at.isoformat(), "organisation": assets.organisation_json(orgs.get(r.organisation_id)),
                       "user": assets.person_json(users.get(r.user_id), viewer), "action": r.action,
                       "rendition": r.rendition, "declaration": r.declaration, "decision": r.decision,
                       "segment": r.segment, "share_link_id": r.share_link_id, "hash": r.hash}
                      for r in rows]}


@section("rights")
def rights(session: Session, asset: Asset, viewer: User, lang: str | None) -> list[dict[str, Any]]:
    """The asset's rights blocks (`archive.rights.services.blocks_json`; every member reads them)."""
    return blocks_json(session, list_blocks(session, asset))


@section("events")
def events(session: Session, asset: Asset, viewer: User, lang: str | None) -> list[dict[str, Any]]:
    """The asset's events (`archive.assets.services.history`), newest first."""
    return assets.history(session, asset, viewer=viewer)


@section("fixity")
def fixity_section(session: Session, asset: Asset, viewer: User, lang: str | None) -> dict[str, Any]:
    """{"files", "counts": {"pass", "fail", "missing", "unchecked"}, "items": [the latest check of
    each of the asset's stored files, failures first]} (`archive.provenance.fixity`)."""
    files, _bytes = fixity.totals(session, asset.id)
    checks = fixity.latest_checks(session, asset_id=asset.id)
    items = [fixity.check_json(r) for r in checks[:MAX_LISTED]]
    counts = {k: 0 for k in ("pass", "fail", "missing")}
    for r in checks:
        counts[r.outcome] += 1
    counts["unchecked"] = max(0, files - sum(counts.values()))
    return {"files": files, "counts": counts, "items": items}


def _users(session: Session, ids: set) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids))).unique()}


def _org_names(session: Session, ids: set) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
