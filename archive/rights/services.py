"""Rights blocks of an asset: create, list, edit, delete (each an Event), and the avails.

Who may change them: rights managers of the asset's organisation, and admins (403
`not_rights_manager` otherwise). Every change is checked as a whole (`schemas.block_errors`
plus what only the database knows) before anything is written: a refused change stores
nothing. Services flush; the caller commits.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.assets.models import Asset
from archive.assets.schemas import FieldError
from archive.validation import day_before, raise_errors
from archive.errors import Conflict, Forbidden, NotFound, ValidationError
from archive.events import services as events
from archive.markers.timeline import PositionError, Timeline, media_seconds, read_position
from archive.rights import avails, inherited
from archive.rights.grid import avails_grid
from archive.rights.models import Contract, RightsBlock
from archive.rights.schemas import block_errors
from archive.task_handles import INDEX_ASSET

MANAGER_ROLES = ("rights_manager",)  # of the asset's organisation; admins pass every check
MAX_BLOCKS_PER_ASSET = 2000


def can_manage(user: User, asset: Asset) -> bool:
    return user.role == "admin" or (user.role in MANAGER_ROLES and user.organisation_id == asset.organisation_id)


def _require_manager(user: User, asset: Asset) -> None:
    if not can_manage(user, asset):
        raise Forbidden("Only a rights manager of the asset's organisation or an administrator may change its rights.",
                        code="not_rights_manager",
                        details={"organisation": asset.organisation.name if asset.organisation else None})


def list_blocks(session: Session, asset: Asset) -> list[RightsBlock]:
    return list(session.scalars(select(RightsBlock).where(RightsBlock.asset_id == asset.id)
                                .order_by(RightsBlock.id)))


def _org_names(session: Session, ids: set) -> dict[int, str]:
    if not ids:
        return {}
    return {o.id: o.name for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def block_json(block: RightsBlock, names: dict[int, str]) -> dict[str, Any]:
    """A block in API.md's shape, with its `id`, `asset_id`, `contract` and `holdbacks`."""
    return {
        "id": block.id, "asset_id": block.asset_id, "kind": block.kind,
        "licensees": {"organisations": sorted(names.get(i, str(i)) for i in block.licensee_organisations),
                      "countries": list(block.licensee_countries), "all_members": block.all_members},
        "territories": list(block.territories), "exclude_territories": list(block.exclude_territories),
        "platforms": list(block.platforms), "start": block.start_date.isoformat(),
        "end": block.end_date.isoformat() if block.end_date else None, "exclusive": block.exclusive,
        "segment": block.segment, "holdbacks": list(block.holdbacks), "conditions": dict(block.conditions),
        "contract": block.contract_id,
    }


def blocks_json(session: Session, blocks: list[RightsBlock]) -> list[dict[str, Any]]:
    names = _org_names(session, {i for b in blocks for i in b.licensee_organisations})
    return [block_json(b, names) for b in blocks]


def listed_json(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """The blocks of `asset` as `GET /api/v1/assets/{id}/rights` lists them: `blocks_json`, each
    with `inherited_from` {"asset", "block"} when it is the copy of a block of the master the
    clip was cut from (`archive.rights.inherited`: it follows that block and is edited there),
    else null."""
    links = inherited.sources(session, asset.id)
    return [{**b, "inherited_from": links.get(b["id"])} for b in blocks_json(session, list_blocks(session, asset))]


def engine_block(row: RightsBlock) -> avails.Block:
    c = row.conditions or {}
    return avails.Block(
        id=row.id, kind=row.kind,
        licensees=avails.Licensees(frozenset(row.licensee_organisations), frozenset(row.licensee_countries),
                                   bool(row.all_members)),
        territories=frozenset(row.territories), platforms=frozenset(row.platforms), start=row.start_date,
        end=row.end_date, exclude_territories=frozenset(row.exclude_territories), exclusive=bool(row.exclusive),
        segment=(row.segment_in, row.segment_out) if row.segment_in is not None else None,
        holdbacks=tuple(avails.Holdback(date.fromisoformat(h["not_before"]), frozenset(h.get("platforms") or ()),
                                        frozenset(h.get("territories") or ())) for h in row.holdbacks or ()),
        conditions=avails.Conditions(tuple(sorted((c.get("credit") or {}).items())), c.get("max_clip_seconds"),
                                     bool(c.get("no_modification")), bool(c.get("preview_only"))))


def engine_blocks(session: Session, asset_id: str) -> tuple[avails.Block, ...]:
    rows = session.scalars(select(RightsBlock).where(RightsBlock.asset_id == asset_id).order_by(RightsBlock.id))
    return tuple(engine_block(r) for r in rows)


def engine_blocks_of(session: Session, asset_ids: Iterable[str], batch: int = 500) -> dict[str, tuple[avails.Block, ...]]:
    """`engine_blocks` of many assets in one query per `batch` of them: {asset id: blocks}
    (every id given is a key; an asset without blocks has ())."""
    ids = sorted(set(asset_ids))
    found: dict[str, list[avails.Block]] = {i: [] for i in ids}
    for start in range(0, len(ids), batch):
        rows = session.scalars(select(RightsBlock).where(RightsBlock.asset_id.in_(ids[start:start + batch]))
                               .order_by(RightsBlock.asset_id, RightsBlock.id))
        for row in rows:
            found[row.asset_id].append(engine_block(row))
    return {i: tuple(blocks) for i, blocks in found.items()}


def asset_duration(asset: Asset) -> float | None:
    """The asset's length in seconds as its timeline counts it (`media_seconds`: a video's
    last frame, not a longer audio track's end), None when unknown."""
    return media_seconds(asset.technical, asset.kind)


def segment_seconds(asset: Asset, segment: dict, errors: list, path: str = "segment") -> tuple[float, float] | None:
    """{"in", "out"} timecodes of the master → seconds from its first frame, read by
    `archive.markers.timeline.read_position` (the master's start timecode and drop-frame
    counting apply, as for markers and clips); appends FieldErrors: `invalid_timecode`
    {reason}, `segment_reversed`, `duration_unknown`, `segment_outside_asset` {duration} (before the
    start timecode or past the end)."""
    timeline = Timeline.of(asset.technical, asset.kind)
    if timeline is None or timeline.frames is None:
        errors.append(FieldError(path, "duration_unknown", "The asset's duration is not known: a segment cannot be "
                                 "checked against it."))
        return None
    points = []
    for name in ("in", "out"):
        try:
            points.append(read_position(timeline, name, segment[name], seconds=False))
        except PositionError as exc:
            if exc.code in ("out_of_range", "before_start"):
                # One code for both sides of the asset in a rights block (docs/api.md, rights):
                # before its start timecode or past its end.
                duration = asset_duration(asset)
                where = (f"before the start of the asset ({exc.params['min']})" if exc.code == "before_start"
                         else f"past the end of the asset ({exc.params['max']})")
                errors.append(FieldError(f"{path}.{name}", "segment_outside_asset", f"{path}.{name} is {where}.",
                                         {"duration": duration, **exc.params}))
            else:
                errors.append(FieldError(f"{path}.{name}", exc.code, f"{path}.{exc.message}", dict(exc.params)))
            return None
    lo, hi = points
    if hi <= lo:
        errors.append(FieldError(f"{path}.out", "segment_reversed", f"{path}.out must be after {path}.in."))
        return None
    return timeline.seconds(lo), timeline.seconds(hi)


def _resolve(session: Session, asset: Asset, clean: dict, errors: list) -> dict[str, Any]:
    """The column values of a cleaned block, organisation names and the contract resolved."""
    orgs = []
    names = clean["licensees"]["organisations"]
    if names:
        found = {o.name: o.id for o in session.scalars(select(Organisation).where(Organisation.name.in_(names)))}
        for i, name in enumerate(names):
            if name not in found:
                errors.append(FieldError(f"licensees.organisations[{i}]", "unknown_organisation",
                                         f"No organisation named {name[:100]!r}.", {"name": name[:100]}))
            else:
                orgs.append(found[name])
    if clean.get("contract"):
        # A block is its asset's organisation's grant or restriction: it cites that
        # organisation's contracts only (another's is unknown here, as it is in the API).
        contract = session.get(Contract, clean["contract"])
        if contract is None or contract.licensor_id != asset.organisation_id:
            errors.append(FieldError("contract", "unknown_contract",
                                     f"No contract {clean['contract'][:64]!r} of the asset's organisation."))
    seconds = segment_seconds(asset, clean["segment"], errors) if clean.get("segment") else None
    return dict(kind=clean["kind"], licensee_organisations=sorted(orgs),
                licensee_countries=clean["licensees"]["countries"], all_members=clean["licensees"]["all_members"],
                territories=clean["territories"], exclude_territories=clean["exclude_territories"],
                platforms=clean["platforms"], start_date=clean["start"], end_date=clean["end"],
                exclusive=clean["exclusive"], segment=clean["segment"],
                segment_in=seconds[0] if seconds else None, segment_out=seconds[1] if seconds else None,
                holdbacks=clean["holdbacks"], conditions=clean["conditions"], contract_id=clean.get("contract"))


def _check_exclusivity(session: Session, asset: Asset, row: RightsBlock) -> None:
    others = [engine_block(b) for b in list_blocks(session, asset) if b.id != row.id]
    country_of = {o.id: o.country for o in session.scalars(select(Organisation))}
    conflicts = avails.exclusivity_conflicts(engine_block(row), others, country_of)
    if conflicts:
        ids = [b.id for b in conflicts]
        raise Conflict(f"This exclusive grant overlaps the exclusive grant {ids[0]} to another licensee.",
                       code="exclusive_conflict", details={"blocks": ids})


def _validated(session: Session, asset: Asset, data: Any) -> dict[str, Any]:
    clean, errors = block_errors(data)
    values = _resolve(session, asset, clean, errors) if not errors else {}
    raise_errors("invalid_rights_block", errors)
    return values


def create_block(session: Session, asset: Asset, data: Any, actor: User) -> RightsBlock:
    """A new block from API.md's shape. 403 `not_rights_manager`; 422 `invalid_rights_block`
    (details.errors); 409 `exclusive_conflict` (details.blocks: the conflicting ids);
    409 `too_many_blocks` past MAX_BLOCKS_PER_ASSET. Writes Event `rights.block_created`."""
    _require_manager(actor, asset)
    values = _validated(session, asset, data)
    count = len(list_blocks(session, asset))
    if count >= MAX_BLOCKS_PER_ASSET:
        raise Conflict(f"An asset has at most {MAX_BLOCKS_PER_ASSET} rights blocks.", code="too_many_blocks",
                       details={"limit": MAX_BLOCKS_PER_ASSET})
    row = RightsBlock(asset_id=asset.id, created_by=actor.id, **values)
    with session.no_autoflush:
        session.add(row)
        session.flush()  # its id, for the conflict check and the Event
        _check_exclusivity(session, asset, row)
    events.record(session, actor_id=actor.id, action="rights.block_created", subject_type="asset",
                  subject_id=asset.id, after=blocks_json(session, [row])[0])
    INDEX_ASSET.send(session, asset.id)  # what is open today is in the search document
    inherited.follow_created(session, asset, row, actor.id)  # the clips cut from it get it too
    session.flush()
    return row


MAX_BLOCK_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def get_block(session: Session, asset: Asset, block_id: int) -> RightsBlock:
    """The block `block_id` of `asset`; 404 `rights_block_not_found` for any other number
    (one past the column included)."""
    row = session.get(RightsBlock, block_id) if 0 < block_id <= MAX_BLOCK_ID else None
    if row is None or row.asset_id != asset.id:
        raise NotFound(f"Asset {asset.id} has no rights block {block_id}.", code="rights_block_not_found")
    return row


def update_block(session: Session, asset: Asset, block_id: int, changes: Any, actor: User) -> RightsBlock:
    """PATCH: the keys given replace the block's (the whole result is checked again, as on
    create). Errors as `create_block`, plus 404 `rights_block_not_found` and 409
    `inherited_block` for a clip's copy of its master's block (`archive.rights.inherited`).
    Event `rights.block_changed` with before and after; the block's copies on the clips cut
    from the asset follow (`inherited.follow_changed`)."""
    _require_manager(actor, asset)
    row = get_block(session, asset, block_id)
    inherited.refuse_edit(session, row)
    if not isinstance(changes, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_rights_block",
                              details={"errors": [{"field": "", "code": "not_an_object",
                                                   "message": "must be an object", "params": {}}]})
    before = blocks_json(session, [row])[0]
    merged = {k: v for k, v in before.items() if k not in ("id", "asset_id")}
    if merged.get("contract") is None:
        merged.pop("contract")
    merged.update(changes)
    values = _validated(session, asset, merged)
    with session.no_autoflush:
        for k, v in values.items():
            setattr(row, k, v)
        session.flush()
        try:
            _check_exclusivity(session, asset, row)
        except Conflict:
            session.expire(row)  # the caller rolls back; nothing half-way stays in this session
            raise
    after = blocks_json(session, [row])[0]
    if after != before:
        events.record(session, actor_id=actor.id, action="rights.block_changed", subject_type="asset",
                      subject_id=asset.id, before=before, after=after)
        INDEX_ASSET.send(session, asset.id)
        inherited.follow_changed(session, asset, row, actor.id)
    session.flush()
    return row


def delete_block(session: Session, asset: Asset, block_id: int, actor: User) -> None:
    """Remove a block; Event `rights.block_deleted` keeps what it said. Its copies on the clips
    cut from the asset go too (`inherited.follow_deleted`); 409 `inherited_block` for a clip's
    copy of its master's block."""
    _require_manager(actor, asset)
    row = get_block(session, asset, block_id)
    inherited.refuse_edit(session, row)
    inherited.follow_deleted(session, asset, row.id, actor.id)
    before = blocks_json(session, [row])[0]
    session.delete(row)
    events.record(session, actor_id=actor.id, action="rights.block_deleted", subject_type="asset",
                  subject_id=asset.id, before=before)
    INDEX_ASSET.send(session, asset.id)
    session.flush()


def assets_opening_or_closing(session: Session, day: date) -> list[str]:
    """Ids of the assets (sorted) with a block whose window starts on `day` or whose last
    day (`end`, included) was the day before, or with a holdback whose `not_before` is `day`:
    what is open on `day` differs from the day before only for them."""
    by_window = select(RightsBlock.asset_id).where(or_(RightsBlock.start_date == day,
                                                       RightsBlock.end_date == day_before(day)))
    # Holdbacks are JSON; the text match only narrows what Python then checks.
    maybe_held = session.execute(select(RightsBlock.asset_id, RightsBlock.holdbacks)
                                 .where(cast(RightsBlock.holdbacks, String).contains(day.isoformat())))
    held = {asset_id for asset_id, holdbacks in maybe_held
            if any(h.get("not_before") == day.isoformat() for h in holdbacks or ())}
    return sorted(set(session.scalars(by_window.distinct())) | held)


# ---- avails ----------------------------------------------------------------------------------

def find_organisation(session: Session, value: str) -> Organisation:
    """An organisation by id or by exact name; 404 `organisation_not_found`."""
    org = session.get(Organisation, int(value)) if value.isdigit() and len(value) < 10 else None
    if org is None:
        org = session.scalar(select(Organisation).where(Organisation.name == value))
    if org is None:
        raise NotFound(f"No organisation {value[:100]!r}.", code="organisation_not_found")
    return org


def avails_request(asset: Asset, org: Organisation, platform: str, territory: str, start: date, end: date,
                   segment: tuple[float, float] | None = None, preview: bool = False) -> avails.AvailsRequest:
    timeline = Timeline.of(asset.technical, asset.kind)
    return avails.AvailsRequest(org.id, org.country, platform, territory, start, end, segment,
                                asset_duration(asset), asset.organisation_id, preview,
                                timeline.label_at if timeline is not None else None)


def check_avails(session: Session, asset: Asset, viewer: User, org: Organisation | None, *, platform: str,
                 territory: str, start: date, end: date,
                 segment: tuple[float, float] | None = None) -> avails.AvailsDecision:
    """The engine's answer for `org` (default: the viewer's), for `segment` (in, out seconds
    from the asset's first frame, `segment_seconds`) or the whole asset. Asking for another
    organisation than one's own needs to manage the asset's rights (docs/api.md, avails):
    anyone else, a rights manager of another organisation included, is refused with 403
    `not_rights_manager`, details {"action": "avails_other_organisation", "roles", "role",
    "organisation" (the one asked for), "asset_organisation", "own_organisation"}, its message
    naming both organisations: the reason is whom was asked for, not the role alone."""
    org = org or viewer.organisation
    if org.id != viewer.organisation_id and not can_manage(viewer, asset):
        owner = asset.organisation.name if asset.organisation else None
        own = viewer.organisation.name if viewer.organisation else None
        raise Forbidden(f"Only a rights manager of the asset's organisation ({owner}) or an administrator may ask "
                        f"about the avails of another organisation than their own; you asked for {org.name}, and "
                        f"your organisation is {own}.", code="not_rights_manager",
                        details={"action": "avails_other_organisation", "roles": ["rights_manager", "admin"],
                                 "role": viewer.role, "organisation": org.name, "asset_organisation": owner,
                                 "own_organisation": own})
    return avails.decide(avails_request(asset, org, platform, territory, start, end, segment),
                         engine_blocks(session, asset.id))



def grid(session: Session, asset: Asset) -> dict:
    """`archive.rights.grid.avails_grid` of the asset's blocks, organisations by name
    (all members: `*`)."""
    blocks = engine_blocks(session, asset.id)
    names = _org_names(session, {o for b in blocks for o in b.licensees.organisations})
    return avails_grid(blocks, lambda o: names.get(o, str(o)))
