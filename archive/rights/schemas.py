"""The shape of a rights block (API.md `POST /api/v1/assets/{id}/rights`), checked field by field.

    {"kind": "grant"|"restriction",
     "licensees": {"organisations": ["ORG NAME"], "countries": ["TR"], "all_members": false},
     "territories": ["TR"|"WORLD"], "exclude_territories": [], "platforms": ["linear_tv"],
     "start": "2027-01-01", "end": "2027-12-31"|null, "exclusive": false,
     "segment": {"in": "00:01:00:00", "out": "00:02:00:00"}|null,
     "holdbacks": [{"not_before": "2027-06-01", "platforms": ["vod"], "territories": ["AZ"]}],
     "conditions": {"credit": {"tr": "...", "az": "..."}, "max_clip_seconds": 60,
                    "no_modification": false, "preview_only": false},
     "contract": CONTRACT_ID|null}

`block_errors` returns (cleaned values, [FieldError]); the services add what only the
database knows (unknown organisations and contracts, a segment past the asset's end, an
exclusive conflict) and raise one ValidationError (422 `invalid_rights_block`). Field codes
beside the co-production ones (`not_an_object`, `unknown_field`, `required`, `not_text`,
`too_long`, `invalid_date`, `out_of_range`, `not_a_list`, `unknown_language`):
`unknown_territory`, `unknown_platform`, `unknown_country`, `window_reversed`,
`not_a_boolean`, `not_a_number`, `no_licensees`, `invalid_timecode`, `segment_reversed`.
"""
from __future__ import annotations

import re
from typing import Any

from archive.validation import Checker, timecode_problem
from archive.rights.avails import KINDS, PLATFORMS, WORLD, is_territory

BLOCK_FIELDS = ("kind", "licensees", "territories", "exclude_territories", "platforms", "start", "end",
                "exclusive", "segment", "holdbacks", "conditions", "contract")
LICENSEE_FIELDS = ("organisations", "countries", "all_members")
CONDITION_FIELDS = ("credit", "max_clip_seconds", "no_modification", "preview_only")
HOLDBACK_FIELDS = ("not_before", "platforms", "territories")
MAX_LIST = 300  # every country of the world fits
MAX_HOLDBACKS = 20
MAX_CREDIT = 300
MAX_CLIP_SECONDS = 24 * 3600


def _flag(c: Checker, value: Any, path: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        c.fail(path, "not_a_boolean", f"{path} must be true or false.")
        return False
    return value


def _codes(c: Checker, value: Any, path: str, *, kind: str, required: bool = False) -> list[str]:
    items = c.items(value, path, MAX_LIST)
    if items is None:
        return []
    out: list[str] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if kind == "platform":
            if item not in PLATFORMS:
                c.fail(where, "unknown_platform", f"{where} must be one of {', '.join(PLATFORMS)}.",
                       choices=list(PLATFORMS))
                continue
        elif kind == "territory":
            code = item.upper() if isinstance(item, str) and item.isascii() else None
            if code is None or not is_territory(code):
                c.fail(where, "unknown_territory",
                       f"{where} must be an ISO 3166-1 alpha-2 code such as TR, AZ, or WORLD.")
                continue
            item = code
        elif kind == "country":
            item = c.country(item, where) if isinstance(item, str) else c.fail(
                where, "unknown_country", f"{where} must be an ISO 3166-1 alpha-2 country code.")
            if item is None:
                continue
        if item not in out:
            out.append(item)
    if required and not out and not any(e.field.startswith(path) for e in c.errors):
        c.fail(path, "required", f"{path} needs at least one entry.")
    return sorted(out)


def _segment(c: Checker, value: Any) -> dict | None:
    if value is None:
        return None
    if c.object(value, "segment", ("in", "out"), ("in", "out")) is None:
        return None
    out = {}
    for name in ("in", "out"):
        raw = value.get(name)
        if raw is None:
            continue
        problem = timecode_problem(raw)
        if problem is not None and problem.reason == "malformed":
            c.fail(f"segment.{name}", "invalid_timecode",
                   f"segment.{name} must be a timecode of the master: HH:MM:SS:FF, HH:MM:SS;FF or HH:MM:SS.fff.",
                   reason="malformed")
            continue
        if problem is not None:
            c.fail(f"segment.{name}", "invalid_timecode", f"segment.{name}: {problem}", reason=problem.reason,
                   **problem.params)
            continue
        out[name] = raw
    return out if len(out) == 2 else None


def _conditions(c: Checker, value: Any) -> dict:
    if value is None:
        return {}
    if c.object(value, "conditions", CONDITION_FIELDS) is None:
        return {}
    out: dict[str, Any] = {}
    if value.get("credit") is not None:
        credit = c.localised(value["credit"], "conditions.credit", MAX_CREDIT)
        if credit:
            out["credit"] = credit
    clip = value.get("max_clip_seconds")
    if clip is not None:
        if isinstance(clip, bool) or not isinstance(clip, (int, float)):
            c.fail("conditions.max_clip_seconds", "not_a_number", "conditions.max_clip_seconds must be a number.")
        elif not 0 < clip <= MAX_CLIP_SECONDS:
            c.fail("conditions.max_clip_seconds", "out_of_range",
                   f"conditions.max_clip_seconds must be more than 0 and at most {MAX_CLIP_SECONDS}.",
                   min=0, max=MAX_CLIP_SECONDS)
        else:
            out["max_clip_seconds"] = clip
    for name in ("no_modification", "preview_only"):
        if _flag(c, value.get(name), f"conditions.{name}"):
            out[name] = True
    return out


def _holdbacks(c: Checker, value: Any) -> list[dict]:
    items = c.items(value, "holdbacks", MAX_HOLDBACKS)
    out = []
    for i, item in enumerate(items or []):
        path = f"holdbacks[{i}]"
        if c.object(item, path, HOLDBACK_FIELDS, ("not_before",)) is None:
            continue
        day = c.any_date(item.get("not_before"), f"{path}.not_before")
        platforms = _codes(c, item.get("platforms"), f"{path}.platforms", kind="platform")
        territories = _codes(c, item.get("territories"), f"{path}.territories", kind="territory")
        if day is not None:
            out.append({"not_before": day.isoformat(), "platforms": platforms, "territories": territories})
    return out


def block_errors(data: Any) -> tuple[dict[str, Any], list]:
    """The cleaned block (licensee organisations still as names) and every error found."""
    c = Checker()
    if c.object(data, "", BLOCK_FIELDS, ("kind", "licensees", "territories", "platforms", "start")) is None:
        return {}, c.errors
    out: dict[str, Any] = {"kind": c.choice(data.get("kind"), "kind", KINDS)}
    lic = data.get("licensees")
    orgs: list[str] = []
    countries: list[str] = []
    all_members = False
    if lic is not None and c.object(lic, "licensees", LICENSEE_FIELDS) is not None:
        for i, name in enumerate(c.items(lic.get("organisations"), "licensees.organisations", 100) or []):
            cleaned = c.text(name, f"licensees.organisations[{i}]", 200, required=True)
            if cleaned and cleaned not in orgs:
                orgs.append(cleaned)
        countries = _codes(c, lic.get("countries"), "licensees.countries", kind="country")
        all_members = _flag(c, lic.get("all_members"), "licensees.all_members")
        if not (orgs or countries or all_members) and not any(e.field.startswith("licensees") for e in c.errors):
            c.fail("licensees", "no_licensees",
                   "licensees must name an organisation, a country, or all_members: true.")
    out["licensees"] = {"organisations": sorted(orgs), "countries": countries, "all_members": all_members}
    out["territories"] = _codes(c, data.get("territories"), "territories", kind="territory", required=True)
    out["exclude_territories"] = _codes(c, data.get("exclude_territories"), "exclude_territories",
                                        kind="territory")
    if WORLD in out["exclude_territories"]:
        c.fail("exclude_territories", "unknown_territory", "exclude_territories cannot exclude WORLD.")
    out["platforms"] = _codes(c, data.get("platforms"), "platforms", kind="platform", required=True)
    out["start"] = c.any_date(data.get("start"), "start")
    out["end"] = c.any_date(data.get("end"), "end")
    if out["start"] and out["end"] and out["end"] < out["start"]:
        c.fail("end", "window_reversed", "end is before start.", start=out["start"].isoformat(),
               end=out["end"].isoformat())
    out["exclusive"] = _flag(c, data.get("exclusive"), "exclusive")
    if out["exclusive"] and out["kind"] == "restriction":
        c.fail("exclusive", "invalid_choice", "Only a grant can be exclusive.", choices=[False])
    out["segment"] = _segment(c, data.get("segment"))
    out["holdbacks"] = _holdbacks(c, data.get("holdbacks"))
    out["conditions"] = _conditions(c, data.get("conditions"))
    out["contract"] = c.text(data.get("contract"), "contract", 64)
    return out, c.errors
