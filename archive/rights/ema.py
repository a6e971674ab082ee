"""Avails in the MovieLabs EMA Avails column layout (CSV), for the assets of a search.

Source: the EMA (Entertainment Merchants Association) / MovieLabs "Avails" spreadsheet
template, version 1.7, Movie sheet (https://www.movielabs.com/md/avails/): `EMA_COLUMNS` are
its column names in its order, up to the last one Ortak can fill; the columns Ortak has no
data for (prices, ratings, captions...) are there and empty, so the layout is the template's.

One row per asset × grant × territory × platform. Only grants are avails (a restriction takes
rights away; it is not offered). A grant's territories are expanded: `WORLD` becomes every ISO
3166-1 alpha-2 code (`archive.rights.avails.all_territories`), minus its exclusions, one row
each, as EMA's `Territory` is one ISO 3166-1 code.

What each filled column holds:
- `DisplayName`: the licensor, the asset's organisation (as EMA: "the name of the studio");
- `StoreLanguage`: the first of the asset's languages (`meta.languages`), else the asset
  country's language (TR → tr, AZ → az);
- `Territory`: the ISO 3166-1 alpha-2 code;
- `WorkType`: `Movie` for a video of 40 minutes or more, `Short` for a shorter video,
  `Supplemental` for audio, images and other files (EMA's work types are for video);
- `EntryType`: `Full Extract` (every export is the whole picture of these assets);
- `TitleInternalAlias`: the asset's title (English if it has one, else Turkish, Azerbaijani);
  `TitleDisplayUnlimited`: its title in `StoreLanguage`;
- `LicenseType` (EMA: EST, VOD, SVOD, AVOD, POEST...): `LICENSE_TYPES` maps our platforms:
  `vod` → `VOD` (on demand, per title), `online_news` and `social` → `AVOD` (free to view,
  advertising funded online); `linear_tv`, `theatrical`, `radio`, `archive_internal` have no
  EMA license type (EMA Avails describe digital distribution windows): empty;
- `LicenseRightsDescription`: the Ortak platform (`platform:linear_tv`), then `exclusive`,
  the licensees (`licensee:TRT`, `licensee-country:TR`, `licensee:all members`) and the
  segment (`segment:IN-OUT` seconds) when there are;
- `FormatProfile`: `UHD` (height ≥ 2160), `HD` (≥ 720), `SD` for videos; empty otherwise;
- `Start`, `End`: the grant's window (YYYY-MM-DD, both days included); an open end is `Open`
  (EMA's word); a holdback for this platform and territory moves `Start` to its day;
- `OtherTerms`: the conditions: credit lines (`credit[tr]: ...`), `no modification`,
  `max clip N s`, `preview only`;
- `AvailID`: `ortak:BLOCK:TERRITORY:PLATFORM`; `ContentID`, `AltID`: the asset id;
  `ContractID`: the grant's contract; `ReleaseYear`: `meta.year`; `TotalRunTime`: the
  duration as HH:MM:SS.

Cells a spreadsheet would run as a formula start with an apostrophe (as every Ortak CSV).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.assets.models import Asset
from archive.errors import ApiError
from archive.rights.avails import WORLD, all_territories
from archive.rights.models import RightsBlock
from archive.usage.reports import _cell, _check_viewer

EMA_COLUMNS = (
    "DisplayName", "StoreLanguage", "Territory", "WorkType", "EntryType", "TitleInternalAlias",
    "TitleDisplayUnlimited", "LocalizationType", "LicenseType", "LicenseRightsDescription", "FormatProfile",
    "Start", "End", "PriceType", "PriceValue", "SRP", "Description", "OtherTerms", "OtherInstructions",
    "ContentID", "ProductID", "EncodeID", "AvailID", "Metadata", "AltID", "SuppressionLiftDate",
    "SpecialPreOrderFulfillDate", "ReleaseYear", "ReleaseHistoryOriginal", "ReleaseHistoryPhysicalHV",
    "ExceptionFlag", "RatingSystem", "RatingValue", "RatingReason", "RentalDuration", "WatchDuration",
    "CaptionIncluded", "CaptionExemption", "Any", "ContractID", "ServiceProvider", "TotalRunTime",
)
LICENSE_TYPES = {"vod": "VOD", "online_news": "AVOD", "social": "AVOD", "linear_tv": "", "theatrical": "",
                 "radio": "", "archive_internal": ""}
COUNTRY_LANGUAGE = {"TR": "tr", "AZ": "az"}
MOVIE_SECONDS = 40 * 60
# At most this many rows in one export (a search of many WORLD grants): 400 export_too_large.
MAX_ROWS = 200_000


class ExportTooLarge(ApiError):
    status = 400
    code = "export_too_large"


def _work_type(asset: Asset) -> str:
    duration = (asset.technical or {}).get("duration")
    if asset.kind != "video":
        return "Supplemental"
    return "Movie" if isinstance(duration, (int, float)) and duration >= MOVIE_SECONDS else "Short"


def _format_profile(asset: Asset) -> str:
    height = (asset.technical or {}).get("height")
    if asset.kind != "video" or not isinstance(height, (int, float)):
        return ""
    return "UHD" if height >= 2160 else "HD" if height >= 720 else "SD"


def _run_time(asset: Asset) -> str:
    duration = (asset.technical or {}).get("duration")
    if not isinstance(duration, (int, float)) or duration < 0:
        return ""
    s = int(round(duration))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _language(asset: Asset) -> str:
    langs = (asset.meta or {}).get("languages") or []
    if langs and isinstance(langs[0], str):
        return langs[0]
    return COUNTRY_LANGUAGE.get(asset.country, "")


def _territories(block: RightsBlock) -> list[str]:
    named = set(all_territories()) if WORLD in block.territories else set(block.territories)
    return sorted(named - set(block.exclude_territories))


def _start(block: RightsBlock, platform: str, territory: str) -> date:
    start = block.start_date
    for h in block.holdbacks or []:
        if (not h.get("platforms") or platform in h["platforms"]) and \
                (not h.get("territories") or territory in h["territories"] or WORLD in h["territories"]):
            try:
                start = max(start, date.fromisoformat(h["not_before"]))
            except (KeyError, TypeError, ValueError):
                continue
    return start


def _terms(block: RightsBlock) -> str:
    c = block.conditions or {}
    out = [f"credit[{lang}]: {text}" for lang, text in sorted((c.get("credit") or {}).items())]
    if c.get("no_modification"):
        out.append("no modification")
    if c.get("max_clip_seconds"):
        out.append(f"max clip {c['max_clip_seconds']} s")
    if c.get("preview_only"):
        out.append("preview only")
    return "; ".join(out)


def _rights_description(block: RightsBlock, platform: str, names: dict[int, str]) -> str:
    out = [f"platform:{platform}"]
    if block.exclusive:
        out.append("exclusive")
    out += [f"licensee:{names.get(i, i)}" for i in sorted(block.licensee_organisations)]
    out += [f"licensee-country:{c}" for c in block.licensee_countries]
    if block.all_members:
        out.append("licensee:all members")
    if block.segment_in is not None and block.segment_out is not None:
        out.append(f"segment:{block.segment_in:g}-{block.segment_out:g}")
    return "; ".join(out)


def ema_rows(session: Session, viewer: User, asset_ids: Sequence[str]) -> list[list[Any]]:
    """The rows (EMA_COLUMNS order) for the assets `asset_ids` the viewer may audit (a rights
    manager: their organisation's; an admin: all; the others are left out), in the order of
    `asset_ids`, then by grant, territory, platform.

    Raises Forbidden (wrong_role) for other roles, ExportTooLarge (400) past MAX_ROWS rows."""
    _check_viewer(viewer, "avails_export")
    if not asset_ids:
        return []
    q = select(Asset).where(Asset.id.in_(list(asset_ids)))
    if viewer.role != "admin":
        q = q.where(Asset.organisation_id == viewer.organisation_id)
    assets = {a.id: a for a in session.scalars(q).unique()}
    blocks = list(session.scalars(select(RightsBlock).where(RightsBlock.asset_id.in_(list(assets)),
                                                            RightsBlock.kind == "grant")
                                  .order_by(RightsBlock.id)).unique()) if assets else []
    org_ids = {i for b in blocks for i in b.licensee_organisations}
    names = {o.id: o.name for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))} \
        if org_ids else {}
    by_asset: dict[str, list[RightsBlock]] = {}
    for b in blocks:
        by_asset.setdefault(b.asset_id, []).append(b)
    rows: list[list[Any]] = []
    for asset_id in dict.fromkeys(asset_ids):
        asset = assets.get(asset_id)
        if asset is None:
            continue
        store_lang = _language(asset)
        titles = (asset.meta or {}).get("title") or {}
        common = {"DisplayName": asset.organisation.name if asset.organisation else "",
                  "StoreLanguage": store_lang, "WorkType": _work_type(asset), "EntryType": "Full Extract",
                  "TitleInternalAlias": asset.title("en"),
                  "TitleDisplayUnlimited": titles.get(store_lang) or asset.title(store_lang or None),
                  "FormatProfile": _format_profile(asset), "ContentID": asset.id, "AltID": asset.id,
                  "ReleaseYear": (asset.meta or {}).get("year") or "", "TotalRunTime": _run_time(asset)}
        for block in by_asset.get(asset_id, []):
            terms = _terms(block)
            for territory in _territories(block):
                for platform in sorted(block.platforms):
                    row = dict(common, Territory=territory, LicenseType=LICENSE_TYPES.get(platform, ""),
                               LicenseRightsDescription=_rights_description(block, platform, names),
                               Start=_start(block, platform, territory).isoformat(),
                               End=block.end_date.isoformat() if block.end_date else "Open",
                               OtherTerms=terms, AvailID=f"ortak:{block.id}:{territory}:{platform}",
                               ContractID=block.contract_id or "")
                    rows.append([row.get(c, "") for c in EMA_COLUMNS])
                    if len(rows) > MAX_ROWS:
                        raise ExportTooLarge(f"The export would have more than {MAX_ROWS} rows; narrow the search "
                                             "(fewer assets a page, or filters).", details={"limit": MAX_ROWS})
    return rows


def ema_csv(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header (EMA_COLUMNS) and `rows` as CSV text, in chunks."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(EMA_COLUMNS)
    for n, row in enumerate(rows, 1):
        out.writerow([_cell(v) for v in row])
        if n % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
