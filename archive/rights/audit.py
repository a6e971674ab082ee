"""Rights as rights managers audit them: grants about to expire, and uses outside rights.

Who sees what (as the usage log, `archive.usage.reports`): a rights manager the blocks and
uses of their own organisation's assets, an admin all of them; anyone else is refused
(Forbidden `wrong_role`).

- `expiring(days)`: the grants whose window ends within `days` days from today (today
  included: a grant ending today has 0 days left). Restrictions are not listed: a
  restriction that ends opens rights, it does not take any away.
- `outside_rights()`: the allowed uses (usage records with decision `allowed` or
  `allowed_with_conditions`) whose declared air dates (the declaration's `from`..`to`,
  both days included) are not covered by the windows of the blocks that cleared them (the
  `blocks` of the record's `cleared` reason, written by the avails engine, `archive.rights.avails`),
  or that were recorded against blocks since changed (`updated_at` after the use) or deleted,
  or that a restriction of the asset now covers (`restricted`): the avails engine asked again
  with the asset's current blocks about the use as declared (organisation, platform, territory,
  air dates, segment) names it, whichever block it is — one added after the use, as much as
  one changed. Uses the gate allowed without blocks (the contributing organisation's own assets, admins:
  reasons `own_asset`, `admin`) are no use of someone else's rights and are not listed.

Both are read only. CSV cells a spreadsheet would run as a formula start with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.assets.models import Asset
from archive.rights import avails
from archive.rights.models import RightsBlock
from archive.rights.services import asset_duration, engine_blocks_of
from archive.usage.models import UsageRecord
from archive.usage.reports import AUDIT_ROLES, _cell, _check_viewer
from archive.validation import day_after, day_before

MAX_DAYS = 3650
ALLOWED_DECISIONS = ("allowed", "allowed_with_conditions")
EXPIRING_CSV_COLUMNS = ("block_id", "asset_id", "asset_title", "licensees", "platforms", "territories",
                        "exclude_territories", "start", "end", "days_left", "exclusive", "contract")
OUTSIDE_CSV_COLUMNS = ("usage_id", "at", "asset_id", "asset_title", "organisation", "country", "platform",
                       "territory", "from", "to", "blocks", "problems", "uncovered", "restricting_blocks",
                       "restricted")
# Why a use is outside rights.
OUTSIDE_WINDOW, BLOCK_CHANGED, BLOCK_DELETED = "outside_window", "block_changed", "block_deleted"
RESTRICTED = "restricted"
PROBLEMS = (OUTSIDE_WINDOW, BLOCK_CHANGED, BLOCK_DELETED, RESTRICTED)

__all__ = ["AUDIT_ROLES", "MAX_DAYS", "expiring", "expiring_csv", "outside_rights", "outside_rights_csv",
           "OutsideUse"]


def _scoped(q, viewer: User):
    _check_viewer(viewer)
    if viewer.role != "admin":
        q = q.where(Asset.organisation_id == viewer.organisation_id)
    return q


def _licensee_names(session: Session, blocks: Sequence[RightsBlock]) -> dict[int, str]:
    ids = {i for b in blocks for i in b.licensee_organisations}
    if not ids:
        return {}
    return {o.id: o.name for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def licensees_text(block: RightsBlock, names: dict[int, str]) -> list[str]:
    """The licensees as words: organisation names, then `country:XX`, then `all members`."""
    out = sorted(names.get(i, str(i)) for i in block.licensee_organisations)
    out += [f"country:{c}" for c in block.licensee_countries]
    if block.all_members:
        out.append("all members")
    return out


def expiring_blocks(session: Session, today: date, days: int,
                    organisation_id: int | None = None) -> list[tuple[RightsBlock, Asset]]:
    """(grant, its asset) for every grant whose window ends in today..today+days, soonest first;
    of one organisation's assets, or of all (None). No role check: the notification check's."""
    q = (select(RightsBlock, Asset).join(Asset, Asset.id == RightsBlock.asset_id)
         .where(RightsBlock.kind == "grant", RightsBlock.end_date.is_not(None),
                RightsBlock.end_date >= today, RightsBlock.end_date <= today + timedelta(days=days))
         .order_by(RightsBlock.end_date, RightsBlock.id))
    if organisation_id is not None:
        q = q.where(Asset.organisation_id == organisation_id)
    return [(b, a) for b, a in session.execute(q).unique()]


def expiring(session: Session, viewer: User, days: int, today: date, lang: str | None = None) -> dict[str, Any]:
    """{"days", "today", "items": [{"block": id, "asset": {"id", "title"}, "licensees": [text],
    "platforms", "territories", "exclude_territories", "start", "end", "days_left", "exclusive",
    "contract"}]} for the grants the viewer may audit, soonest end first.

    `days`: 0..MAX_DAYS (the caller checks it). Raises Forbidden (wrong_role)."""
    _check_viewer(viewer)
    rows = expiring_blocks(session, today, days, None if viewer.role == "admin" else viewer.organisation_id)
    names = _licensee_names(session, [b for b, _ in rows])
    items = [{"block": b.id, "asset": {"id": a.id, "title": a.title(lang)}, "licensees": licensees_text(b, names),
              "platforms": list(b.platforms), "territories": list(b.territories),
              "exclude_territories": list(b.exclude_territories), "start": b.start_date.isoformat(),
              "end": b.end_date.isoformat(), "days_left": (b.end_date - today).days, "exclusive": b.exclusive,
              "contract": b.contract_id} for b, a in rows]
    return {"days": days, "today": today.isoformat(), "items": items}


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(columns)
    for row in rows:
        out.writerow([_cell(v) for v in row])
    return buf.getvalue()


def expiring_csv(data: dict[str, Any]) -> str:
    """`expiring`'s answer as CSV, columns EXPIRING_CSV_COLUMNS (lists joined by a space)."""
    return _csv(EXPIRING_CSV_COLUMNS, (
        (i["block"], i["asset"]["id"], i["asset"]["title"], "; ".join(i["licensees"]), " ".join(i["platforms"]),
         " ".join(i["territories"]), " ".join(i["exclude_territories"]), i["start"], i["end"], i["days_left"],
         "yes" if i["exclusive"] else "no", i["contract"]) for i in data["items"]))


@dataclass(frozen=True)
class OutsideUse:
    """One use outside rights: the record, and what is wrong — `problems` (OUTSIDE_WINDOW,
    BLOCK_CHANGED, BLOCK_DELETED, RESTRICTED), the blocks concerned, `uncovered` (the declared
    days no cleared block's current window covers, as [first, last] ISO date pairs), and the
    restrictions that now cover the use with the declared days they cover (`restricted`)."""

    record: UsageRecord
    asset: Asset
    organisation: Organisation
    blocks: tuple[int, ...]
    problems: tuple[str, ...]
    changed: tuple[int, ...]
    deleted: tuple[int, ...]
    uncovered: tuple[tuple[str, str], ...]
    restricting: tuple[int, ...] = ()
    restricted: tuple[tuple[str, str], ...] = ()


def cleared_by(reasons: Any) -> tuple[int, ...]:
    """The block ids of the `cleared` reason the avails engine wrote (empty when none)."""
    ids: list[int] = []
    for r in reasons or []:
        if isinstance(r, dict) and r.get("code") == "cleared":
            ids += [i for i in r.get("blocks") or [] if type(i) is int and 0 < i < 2**63]
    return tuple(sorted(set(ids)))


def _uncovered(start: date, end: date, windows: list[tuple[date, date | None]]) -> list[tuple[str, str]]:
    """The parts of start..end (days included) outside every window, as ISO [first, last] pairs."""
    gaps: list[tuple[str, str]] = []
    day = start
    for w_start, w_end in sorted(windows):
        if day > end:
            break
        if w_end is not None and w_end < day:
            continue
        if w_start > day:
            gaps.append((day.isoformat(), min(end, day_before(w_start)).isoformat()))
        if w_end is None:
            return gaps
        if w_end >= date.max:
            return gaps
        day = max(day, day_after(w_end))
    if day <= end:
        gaps.append((day.isoformat(), end.isoformat()))
    return gaps


def _segment(rec: UsageRecord) -> tuple[float, float] | None:
    seg = rec.segment if isinstance(rec.segment, dict) else None
    points = [seg.get(k) for k in ("in", "out")] if seg else []
    if len(points) == 2 and all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in points) \
            and 0 <= points[0] < points[1]:
        return float(points[0]), float(points[1])
    return None


def _restrictions_now(rec: UsageRecord, asset: Asset, org: Organisation, start: date, end: date,
                      current: Sequence[avails.Block]) -> tuple[tuple[int, ...], list[tuple[str, str]]]:
    """The restrictions among the asset's `current` blocks that the engine finds over the use as
    declared, and the declared days they cover ([first, last] ISO pairs, merged)."""
    d = rec.declaration or {}
    platform, territory = d.get("platform"), d.get("territory")
    if not isinstance(platform, str) or not isinstance(territory, str) or not avails.is_territory(territory):
        return (), []
    request = avails.AvailsRequest(org.id, org.country, platform, territory, start, end, _segment(rec),
                                   asset_duration(asset), asset.organisation_id)
    decision = avails.decide(request, current)
    ids: set[int] = set()
    days: list[tuple[date, date]] = []
    for reason in decision.reasons:
        if reason.get("code") != "restricted":
            continue
        ids.update(reason.get("blocks") or ())
        for period in reason["scope"]["periods"]:
            days.append((date.fromisoformat(period["from"]), date.fromisoformat(period["to"] or end.isoformat())))
    merged: list[list[date]] = []
    for lo, hi in sorted(days):
        if merged and lo <= day_after(merged[-1][1]):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple(sorted(ids)), [(lo.isoformat(), hi.isoformat()) for lo, hi in merged]


def _judge(rec: UsageRecord, asset: Asset, org: Organisation, blocks: dict[int, RightsBlock],
           current: Sequence[avails.Block] = ()) -> OutsideUse | None:
    ids = cleared_by(rec.reasons)
    if not ids:
        return None
    d = rec.declaration or {}
    deleted = tuple(i for i in ids if i not in blocks)
    changed = tuple(i for i in ids if i in blocks and blocks[i].updated_at > rec.at)
    uncovered: list[tuple[str, str]] = []
    restricting: tuple[int, ...] = ()
    restricted: list[tuple[str, str]] = []
    try:
        start, end = date.fromisoformat(d["from"]), date.fromisoformat(d["to"])
    except (KeyError, TypeError, ValueError):
        start = end = None
    if start is not None and end is not None and start <= end:
        uncovered = _uncovered(start, end, [(blocks[i].start_date, blocks[i].end_date) for i in ids if i in blocks])
        restricting, restricted = _restrictions_now(rec, asset, org, start, end, current)
    problems = tuple(p for p, hit in ((OUTSIDE_WINDOW, uncovered), (BLOCK_CHANGED, changed),
                                      (BLOCK_DELETED, deleted), (RESTRICTED, restricting)) if hit)
    if not problems:
        return None
    return OutsideUse(rec, asset, org, ids, problems, changed, deleted, tuple(uncovered), restricting,
                      tuple(restricted))


def find_outside_rights(session: Session, organisation_id: int | None = None,
                        after_id: int = 0) -> Iterator[OutsideUse]:
    """Every allowed use outside rights (oldest first), of one organisation's assets or of all
    (None), with a record id above `after_id`. Streams the records; no role check."""
    q = (select(UsageRecord, Asset, Organisation).join(Asset, Asset.id == UsageRecord.asset_id)
         .join(Organisation, Organisation.id == UsageRecord.organisation_id)
         .where(UsageRecord.decision.in_(ALLOWED_DECISIONS), UsageRecord.id > after_id)
         .order_by(UsageRecord.id).execution_options(yield_per=500))
    if organisation_id is not None:
        q = q.where(Asset.organisation_id == organisation_id)
    batch: list[tuple[UsageRecord, Asset, Organisation]] = []

    def judge(rows):
        wanted = {i for rec, _, _ in rows for i in cleared_by(rec.reasons)}
        blocks = {b.id: b for b in session.scalars(select(RightsBlock).where(RightsBlock.id.in_(wanted)))} \
            if wanted else {}
        # Every block of the assets, as the engine sees them: a restriction added since the
        # use is none of the blocks that cleared it.
        current = engine_blocks_of(session, {asset.id for rec, asset, _ in rows if cleared_by(rec.reasons)})
        for rec, asset, org in rows:
            found = _judge(rec, asset, org, blocks, current.get(asset.id, ()))
            if found is not None:
                yield found

    for rec, asset, org in session.execute(q):
        batch.append((rec, asset, org))
        if len(batch) == 500:
            yield from judge(batch)
            batch = []
    if batch:
        yield from judge(batch)


def outside_json(o: OutsideUse, lang: str | None = None) -> dict[str, Any]:
    d = o.record.declaration or {}
    return {"usage_id": o.record.id, "at": o.record.at.isoformat(),
            "asset": {"id": o.asset.id, "title": o.asset.title(lang)},
            "organisation": {"id": o.organisation.id, "name": o.organisation.name,
                             "country": o.organisation.country},
            "declaration": {k: d.get(k) for k in ("platform", "territory", "from", "to")},
            "blocks": list(o.blocks), "problems": list(o.problems), "changed_blocks": list(o.changed),
            "deleted_blocks": list(o.deleted), "uncovered": [list(u) for u in o.uncovered],
            "restricting_blocks": list(o.restricting), "restricted": [list(r) for r in o.restricted]}


def outside_rights(session: Session, viewer: User, *, page: int = 1, per_page: int = 50,
                   lang: str | None = None) -> dict[str, Any]:
    """{"total", "page", "per_page", "items": [{"usage_id", "at", "asset", "organisation",
    "declaration" {platform, territory, from, to}, "blocks", "problems", "changed_blocks",
    "deleted_blocks", "uncovered": [[first, last]], "restricting_blocks", "restricted": [[first,
    last]]}]}, newest first. Raises Forbidden (wrong_role)."""
    _check_viewer(viewer)
    found = list(find_outside_rights(session, None if viewer.role == "admin" else viewer.organisation_id))
    found.reverse()
    items = [outside_json(o, lang) for o in found[(page - 1) * per_page: page * per_page]]
    return {"total": len(found), "page": page, "per_page": per_page, "items": items}


def outside_rights_csv(session: Session, viewer: User, lang: str | None = None) -> str:
    """Every use outside rights the viewer may audit, oldest first, columns OUTSIDE_CSV_COLUMNS."""
    _check_viewer(viewer)
    rows = []
    for o in find_outside_rights(session, None if viewer.role == "admin" else viewer.organisation_id):
        j = outside_json(o, lang)
        d = j["declaration"]
        rows.append((j["usage_id"], j["at"], j["asset"]["id"], j["asset"]["title"], j["organisation"]["name"],
                     j["organisation"]["country"], d["platform"], d["territory"], d["from"], d["to"],
                     " ".join(map(str, j["blocks"])), " ".join(j["problems"]),
                     " ".join(f"{a}..{b}" for a, b in j["uncovered"]),
                     " ".join(map(str, j["restricting_blocks"])),
                     " ".join(f"{a}..{b}" for a, b in j["restricted"])))
    return _csv(OUTSIDE_CSV_COLUMNS, rows)
