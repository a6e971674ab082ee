"""What the web pages show of rights: the blocks, the avails grid and the credit lines on the
asset page, the rights editor's form, and the usage declaration before an original download.

Every sentence is in the page's language: reasons and field errors are translated by code
(`archive.web.messages`), with the engine's English kept for a code the table does not know.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from archive.access.declarations import FIELDS as DECLARATION_FIELDS
from archive.access.declarations import clean_declaration, require_complete
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.errors import ApiError
from archive.rights import contracts, services
from archive.rights.avails import PLATFORMS, WORLD
from archive.web import messages
from archive.web.present import BLOCK_KIND_LABELS, PLATFORM_LABELS, world_name

STATE_LABELS = {"open": _l("open"), "exclusive": _l("exclusive"), "restricted": _l("restricted"),
                "none": _l("not cleared")}
ALL_MEMBERS = _l("all members")
_SPLIT = re.compile(r"[,;\n]+")


def needs_declaration(user: User, asset: Asset) -> bool:
    """Whether the original's download link goes through the declaration form."""
    return user.role != "admin" and user.organisation_id != asset.organisation_id


def _licensees(block: dict) -> str:
    lic = block["licensees"]
    if lic["all_members"]:
        return str(ALL_MEMBERS)
    return ", ".join(lic["organisations"] + lic["countries"])


def credit_lines(blocks: list[dict], lang: str) -> list[str]:
    """Every credit line of the grants, in the page's language where given (else any)."""
    out: list[str] = []
    for b in blocks:
        credit = (b["conditions"] or {}).get("credit") or {}
        line = credit.get(lang) or next(iter(credit.values()), None)
        if b["kind"] == "grant" and line and line not in out:
            out.append(line)
    return out


def territory_label(code: str, lang: str) -> str:
    """A territory as the rights section shows it: WORLD as the page's word for the whole world
    (CLDR's region 001 through Babel, capitalised: "Dünya", "World"), an ISO 3166-1 code as it is. The API
    and the editor keep the token WORLD."""
    if code != WORLD:
        return code
    return world_name(lang)


def block_view(block: dict, lang: str) -> dict[str, Any]:
    """A block (`archive.rights.services.block_json`) with what the pages show of it in `lang`:
    `kind_label`, `licensees_text` ("all members" in words), `platform_labels`, `credit_text`,
    `territories_text` and `exclude_territories_text` (WORLD as the page's word)."""
    return {**block, "kind_label": str(BLOCK_KIND_LABELS[block["kind"]]), "licensees_text": _licensees(block),
            "platform_labels": [str(PLATFORM_LABELS[p]) for p in block["platforms"]],
            "credit_text": ((block["conditions"] or {}).get("credit") or {}).get(lang),
            "territories_text": ", ".join(territory_label(t, lang) for t in block["territories"]),
            "exclude_territories_text": ", ".join(territory_label(t, lang) for t in block["exclude_territories"])}


def asset_rights(session: Session, user: User, asset: Asset, lang: str) -> dict[str, Any]:
    rows = services.listed_json(session, asset)
    blocks = [block_view(b, lang) for b in rows]
    grid = services.grid(session, asset)
    for platform, row in grid["cells"].items():
        for cells in row.values():
            for cell in cells:
                names = [str(ALL_MEMBERS) if x == "*" else x for x in cell["licensees"]]
                cell["label"] = str(STATE_LABELS[cell["state"]]) + (f": {', '.join(names)}" if names and
                                                                     cell["state"] != "none" else "")
    can_manage = services.can_manage(user, asset)
    return {"blocks": blocks, "grid": grid, "platform_labels": {k: str(v) for k, v in PLATFORM_LABELS.items()},
            "territory_labels": {t: territory_label(t, lang) for t in grid["territories"]},
            "credits": credit_lines(rows, lang), "can_manage": can_manage,
            "needs_declaration": needs_declaration(user, asset),
            # What a block of this asset may cite: its organisation's contracts.
            "contracts": contracts.list_contracts(session, user, asset.organisation_id) if can_manage else []}


# ---- the rights editor ----------------------------------------------------------------------

def _items(form: Mapping[str, str], name: str) -> list[str]:
    return [v.strip() for v in _SPLIT.split(form.get(name) or "") if v.strip()]


def block_from_form(form) -> dict[str, Any]:
    """The API's block shape from the editor's fields (lists comma-separated)."""
    credit = {lang: (form.get(f"credit_{lang}") or "").strip() for lang in ("tr", "az", "en")}
    conditions: dict[str, Any] = {"credit": {k: v for k, v in credit.items() if v}} if any(credit.values()) else {}
    clip = (form.get("max_clip_seconds") or "").strip()
    if clip:
        conditions["max_clip_seconds"] = int(clip) if clip.isdigit() and len(clip) < 7 else clip
    for flag in ("no_modification", "preview_only"):
        if form.get(flag):
            conditions[flag] = True
    seg_in, seg_out = (form.get("segment_in") or "").strip(), (form.get("segment_out") or "").strip()
    return {
        "kind": form.get("kind") or None,
        "licensees": {"organisations": _items(form, "organisations"),
                      "countries": [c.upper() for c in _items(form, "countries")],
                      "all_members": bool(form.get("all_members"))},
        "territories": [t.upper() for t in _items(form, "territories")],
        "exclude_territories": [t.upper() for t in _items(form, "exclude_territories")],
        "platforms": form.getlist("platforms") if hasattr(form, "getlist") else _items(form, "platforms"),
        "start": (form.get("start") or "").strip() or None, "end": (form.get("end") or "").strip() or None,
        "exclusive": bool(form.get("exclusive")),
        "segment": {"in": seg_in, "out": seg_out} if seg_in or seg_out else None,
        "conditions": conditions, "contract": form.get("contract") or None,
    }


def error_lines(exc: ApiError) -> list[str]:
    """A refused change as sentences in the page's language (one per field error)."""
    if exc.status == 422:
        return [messages.field_error(e) for e in messages.field_errors(exc.code, exc.message, exc.details)]
    return [messages.api_error(exc.code, exc.message, exc.status, exc.details)]


# ---- the declaration before an original download ------------------------------------------

def reason_text(reason: Mapping[str, Any]) -> str:
    return messages.rights_reason(reason)


def declaration_page(session: Session, user: User, asset: Asset, args: Mapping[str, str],
                     today: date | None = None) -> dict[str, Any]:
    """The form, and when it was sent: its errors, or the engine's decision with the reasons
    and conditions, and the download URL that carries the declaration."""
    raw = {k: args.get(k) for k in DECLARATION_FIELDS if args.get(k) not in (None, "")}
    page: dict[str, Any] = {"values": raw, "platforms": [(p, str(PLATFORM_LABELS[p])) for p in PLATFORMS],
                            "errors": [], "decision": None, "download": None}
    if not args.get("declared"):
        return page
    try:
        declaration = require_complete(clean_declaration(raw) or {}, today)
    except ApiError as exc:
        page["errors"] = error_lines(exc)
        return page
    decision = services.check_avails(session, asset, user, None, platform=declaration["platform"],
                                     territory=declaration["territory"],
                                     start=date.fromisoformat(declaration["from"]),
                                     end=date.fromisoformat(declaration["to"]))
    page["decision"] = {"outcome": decision.outcome, "allowed": decision.allowed,
                        "reasons": [reason_text(r) for r in decision.reasons], "blocks": decision.blocks,
                        "credit": (decision.conditions.get("credit") or {}),
                        "conditions": decision.conditions}
    if decision.allowed:
        page["download"] = f"/api/v1/assets/{asset.id}/download?" + urlencode({"rendition": "original", **declaration})
    return page
