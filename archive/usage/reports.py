"""The usage log as rights managers read it: filtered lists, CSV, and the figures of the audit charts.

Who sees what: a rights manager sees the uses of their own organisation's assets (whoever used
them) and, asked for (`scope`), the uses made by their own organisation (whatever the asset);
an admin sees every use. Every record listed is one `archive.usage.services.may_read_usage`
lets the viewer read. Filters (all optional, combined with AND):
- `scope`: whose records, relative to the viewer's organisation (SCOPES): `assets` the uses of
  its assets (a rights manager's default), `organisation` the uses it made, `both` either;
  none for an admin is every record;
- `asset`: one asset id;
- `organisation`: the organisation that used it (name or id);
- `country`: that organisation's country (TR, AZ);
- `platform`: the platform declared with the use (API.md's platforms);
- `start`, `end`: dates (UTC, both included) of the use.

The log itself is never changed here (or anywhere: the table refuses UPDATE and DELETE).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from archive.access.declarations import PLATFORMS
from archive.accounts.models import COUNTRIES, Organisation, User
from archive.assets.models import Asset
from archive.assets.services import person_json, valid_asset_id
from archive.errors import NotFound, WrongRole
from archive.validation import day_after
from archive.usage.models import UsageRecord

AUDIT_ROLES = ("rights_manager", "admin")
# `scope`: the uses of the viewer's organisation's assets, the uses it made, or either.
SCOPES = ("assets", "organisation", "both")
TOP_ASSETS = 10
CSV_COLUMNS = ("id", "at", "asset_id", "asset_title", "organisation", "country", "user", "action", "rendition",
               "platform", "territory", "from", "to", "purpose", "programme", "decision", "segment_in", "segment_out",
               "share_link_id", "hash")
# The organisation that used the asset (beside the asset's own organisation).
USER_ORG = aliased(Organisation, name="user_org")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class UsageFilter:
    asset_id: str | None = None
    organisation: str | None = None  # name or id, as the client wrote it
    country: str | None = None
    platform: str | None = None
    start: date | None = None
    end: date | None = None
    scope: str | None = None  # one of SCOPES; None: "assets" for a rights manager, all for an admin


def _check_viewer(viewer: User, action: str = "usage_log") -> None:
    """403 `wrong_role` (refusing `action`) unless the viewer is a rights manager or an admin."""
    if viewer.role not in AUDIT_ROLES:
        raise WrongRole(action, AUDIT_ROLES, viewer.role)


def _organisation_id(session: Session, name_or_id: str) -> int:
    org = None
    if name_or_id.isascii() and name_or_id.isdigit() and len(name_or_id) < 10:
        org = session.get(Organisation, int(name_or_id))
    if org is None:
        org = session.scalar(select(Organisation).where(Organisation.name == name_or_id))
    if org is None:
        raise NotFound(f"No organisation {name_or_id[:80]!r}.", code="organisation_not_found",
                       details={"parameter": "org"})
    return org.id


def _platform():
    return UsageRecord.declaration["platform"].as_string()


def _query(session: Session, viewer: User, f: UsageFilter, *columns) -> Any:
    """A select of `columns` over the usage records `viewer` may see that match `f` (joined with
    their asset and `USER_ORG`, the organisation that used it)."""
    _check_viewer(viewer)
    q = (select(*columns).select_from(UsageRecord)
         .join(Asset, Asset.id == UsageRecord.asset_id)
         .join(USER_ORG, USER_ORG.id == UsageRecord.organisation_id))
    scope = f.scope or (None if viewer.role == "admin" else "assets")
    ours_asset = Asset.organisation_id == viewer.organisation_id
    ours_use = UsageRecord.organisation_id == viewer.organisation_id
    if scope == "assets":
        q = q.where(ours_asset)
    elif scope == "organisation":
        q = q.where(ours_use)
    elif scope == "both":
        q = q.where(or_(ours_asset, ours_use))
    if f.asset_id is not None:
        # An id that cannot be an asset matches nothing (and never reaches SQL as odd text).
        q = q.where(UsageRecord.asset_id == (f.asset_id if valid_asset_id(f.asset_id) else ""))
    if f.organisation is not None:
        q = q.where(UsageRecord.organisation_id == _organisation_id(session, f.organisation))
    if f.country is not None:
        q = q.where(USER_ORG.country == f.country)
    if f.platform is not None:
        q = q.where(_platform() == f.platform)
    if f.start is not None:
        q = q.where(UsageRecord.at >= datetime.combine(f.start, time.min, tzinfo=timezone.utc))
    if f.end is not None:
        q = q.where(UsageRecord.at < datetime.combine(day_after(f.end), time.min, tzinfo=timezone.utc))
    return q


def _record_json(rec: UsageRecord, asset: Asset, org: Organisation, user: User | None, viewer: User,
                 lang: str | None) -> dict[str, Any]:
    return {"id": rec.id, "at": rec.at.isoformat(),
            "asset": {"id": asset.id, "title": asset.title(lang)},
            "organisation": {"id": org.id, "name": org.name, "country": org.country},
            "user": person_json(user, viewer), "action": rec.action, "rendition": rec.rendition,
            "declaration": rec.declaration, "decision": rec.decision, "reasons": rec.reasons,
            "conditions": rec.conditions, "segment": rec.segment, "share_link_id": rec.share_link_id,
            "hash": rec.hash}


def usage_page(session: Session, viewer: User, f: UsageFilter, *, page: int = 1, per_page: int = 50,
               lang: str | None = None) -> dict[str, Any]:
    """{"total", "page", "per_page", "items": [record JSON]}, newest first.

    Raises Forbidden (wrong_role) for a caller who is neither rights manager nor admin, NotFound
    (organisation_not_found) for an `organisation` filter that names none.
    """
    total = session.scalar(_query(session, viewer, f, func.count(UsageRecord.id))) or 0
    rows = session.execute(_query(session, viewer, f, UsageRecord, Asset, USER_ORG, User)
                           .join(User, User.id == UsageRecord.user_id)
                           .order_by(UsageRecord.id.desc()).offset((page - 1) * per_page).limit(per_page)).unique()
    items = [_record_json(rec, asset, org, user, viewer, lang) for rec, asset, org, user in rows]
    return {"total": total, "page": page, "per_page": per_page, "items": items}


def _segment_end(rec: UsageRecord, end: str) -> Any:
    """The record's segment in or out (a timecode label or seconds, as the read named it), or None."""
    return rec.segment.get(end) if isinstance(rec.segment, dict) else None


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def usage_csv(session: Session, viewer: User, f: UsageFilter, lang: str | None = None) -> Iterator[str]:
    """The matching records as CSV text (a header, then one line a record, oldest first), in
    chunks, streaming the rows: constant memory however long the log. Cells a spreadsheet
    would run as a formula start with an apostrophe. Checks the caller and filters before
    the first chunk (Forbidden, NotFound as `usage_page`)."""
    q = (_query(session, viewer, f, UsageRecord, Asset, USER_ORG, User)
         .join(User, User.id == UsageRecord.user_id).order_by(UsageRecord.id)
         .execution_options(yield_per=1000))

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow(CSV_COLUMNS)
        result = session.execute(q)
        try:
            for n, (rec, asset, org, user) in enumerate(result, 1):
                d = rec.declaration or {}
                who = person_json(user, viewer)
                name = (who or {}).get("name") or (who or {}).get("email") or f"a user of {org.name}"
                out.writerow([_cell(v) for v in (
                    rec.id, rec.at.isoformat(), asset.id, asset.title(lang), org.name, org.country, name,
                    rec.action, rec.rendition, d.get("platform"), d.get("territory"), d.get("from"), d.get("to"),
                    d.get("purpose"), d.get("programme"), rec.decision, _segment_end(rec, "in"),
                    _segment_end(rec, "out"), rec.share_link_id, rec.hash)])
                if n % 500 == 0:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
        finally:
            result.close()
        yield buf.getvalue()

    return lines()


def _month(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", UsageRecord.at), "YYYY-MM")
    return func.strftime("%Y-%m", UsageRecord.at)


def summary(session: Session, viewer: User, f: UsageFilter, lang: str | None = None) -> dict[str, Any]:
    """The audit charts' figures over the matching records: {"total", "by_month_country":
    [{"month": "YYYY-MM", "country", "uses"}], "top_assets": [{"id", "title", "uses"}] (at most
    10), "platforms": [{"platform" (null: none declared), "uses"}], "organisations":
    [{"id", "name", "country", "uses"}]}."""
    uses = func.count(UsageRecord.id).label("uses")
    month = _month(session).label("month")
    by_month = session.execute(_query(session, viewer, f, month, USER_ORG.country, uses)
                               .group_by(month, USER_ORG.country).order_by(month, USER_ORG.country)).all()
    top = session.execute(_query(session, viewer, f, UsageRecord.asset_id, uses)
                          .group_by(UsageRecord.asset_id).order_by(uses.desc(), UsageRecord.asset_id)
                          .limit(TOP_ASSETS)).all()
    titles = {a.id: a.title(lang) for a in session.scalars(
        select(Asset).where(Asset.id.in_([r.asset_id for r in top])))} if top else {}
    platform = _platform().label("platform")
    platforms = session.execute(_query(session, viewer, f, platform, uses).group_by(platform)
                                .order_by(uses.desc())).all()
    orgs = session.execute(_query(session, viewer, f, USER_ORG.id, USER_ORG.name, USER_ORG.country, uses)
                           .group_by(USER_ORG.id, USER_ORG.name, USER_ORG.country)
                           .order_by(uses.desc(), USER_ORG.name)).all()
    return {"total": sum(r.uses for r in orgs),
            "by_month_country": [{"month": r.month, "country": r.country, "uses": r.uses} for r in by_month],
            "top_assets": [{"id": r.asset_id, "title": titles.get(r.asset_id, r.asset_id), "uses": r.uses}
                           for r in top],
            "platforms": [{"platform": r.platform, "uses": r.uses} for r in platforms],
            "organisations": [{"id": r.id, "name": r.name, "country": r.country, "uses": r.uses} for r in orgs]}


def valid_choices() -> dict[str, tuple[str, ...]]:
    """The closed sets of the filters (for parameter checks)."""
    return {"country": COUNTRIES, "platform": PLATFORMS, "scope": SCOPES}
