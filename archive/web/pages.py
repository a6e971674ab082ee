"""What each page shows, built from the services; the views only render it.

Everything here returns plain data for the templates, which escape every value.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from archive import db
from archive.api.params import ParameterError, parse_int
from archive.assets import services as assets
from archive.assets.models import GENRES
from archive.services import search_backend
from archive.web.forms import COUNTRY_LABELS, GENRE_LABELS, LANGUAGE_LABELS, MetadataForm
from archive.web.present import FIELD_LABELS, STATUS_LABELS, change_rows, stream_rows, technical_rows
from search.interfaces import QueryError, SearchQuery

PER_PAGE = 20
MAX_QUERY = 500
MAX_PAGE = 500
# The facets the list page offers as filters, in the order shown.
FACETS = ("country", "genre", "year", "language")
FACET_TITLES = {"country": _l("Country"), "genre": _l("Genre"), "year": _l("Year"), "language": _l("Language")}
ACTIVE = ("uploading", "processing")
RENDITION_STATUS_LABELS = {"pending": _l("Waiting"), "running": _l("Running"), "ready": _l("Ready"),
                           "failed": _l("Failed")}
RENDITION_LABELS = {"proxy": _l("Viewing copy (MP4)"), "poster": _l("Poster image"), "preview": _l("Preview"),
                    "thumbnail": _l("Thumbnail"), "waveform": _l("Waveform"), "storyboard": _l("Storyboard")}
AUDIO_PROXY_LABEL = _l("Listening copy")
ACTION_LABELS = {"asset.created": _l("Uploaded"), "asset.metadata_changed": _l("Metadata changed"),
                 "asset.ready": _l("Processing finished"), "asset.rejected": _l("Rejected"),
                 "asset.failed": _l("Processing failed"), "asset.duplicate_upload": _l("Uploaded again (duplicate)"),
                 "asset.holding_added": _l("Another organisation holds a copy")}


def lang() -> str:
    return str(get_locale() or "tr")


def genre_options() -> list[tuple[str, Any]]:
    return [(g, GENRE_LABELS[g]) for g in GENRES]


def facet_value_label(facet: str, value: str) -> str:
    if facet == "country":
        return str(COUNTRY_LABELS.get(value, value))
    if facet == "genre":
        return str(GENRE_LABELS.get(value, value))
    if facet == "language":
        return str(LANGUAGE_LABELS.get(value, value))
    return value


# ---- the list/search page ------------------------------------------------------------------

def _url(args: dict[str, list[str]]) -> str:
    pairs = [(k, v) for k, values in args.items() for v in values if v]
    return "?" + urlencode(pairs) if pairs else "?"


def search_page_number(raw: str | None) -> int:
    """The page the URL asks for (archive.api.params.parse_int); anything unusable is page 1."""
    try:
        return parse_int(raw, name="page", default=1, lo=1, hi=MAX_PAGE)
    except ParameterError:
        return 1


def search_page(args: Mapping) -> dict[str, Any]:
    """Run the query the URL asks for; a query the engine cannot read becomes a message, not a 500."""
    text = (args.get("q") or "").replace("\x00", "")[:MAX_QUERY]
    page = search_page_number(args.get("page"))
    filters = {f: [v[:100] for v in args.getlist(f) if v][:20] for f in FACETS}
    filters = {k: v for k, v in filters.items() if v}
    current: dict[str, list[str]] = {"q": [text] if text else [], **filters}
    out: dict[str, Any] = {"q": text, "filters": filters, "hits": [], "total": 0, "facets": [],
                           "page": page, "pages": 0, "error": None}
    try:
        result = search_backend().search(SearchQuery(text=text, filters=filters, page=page,
                                                     per_page=PER_PAGE, lang=lang()))
    except QueryError as exc:
        out["error"] = str(exc)
        return out
    out["total"] = result.total
    out["pages"] = (result.total + PER_PAGE - 1) // PER_PAGE
    out["hits"] = result.hits
    for facet in FACETS:
        counts = result.facets.get(facet) or {}
        chosen = filters.get(facet, [])
        values = []
        # Years read best newest first; other facets by how many hits they hold.
        order = (sorted(counts.items(), reverse=True) if facet == "year"
                 else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        for value, count in order:
            on = value in chosen
            toggled = dict(current)
            toggled[facet] = [v for v in chosen if v != value] if on else [*chosen, value]
            values.append({"value": value, "label": facet_value_label(facet, value), "count": count,
                           "active": on, "url": _url(toggled)})
        # A chosen value with no hits left still shows, so it can be switched off.
        for value in chosen:
            if value not in counts:
                toggled = dict(current)
                toggled[facet] = [v for v in chosen if v != value]
                values.append({"value": value, "label": facet_value_label(facet, value), "count": 0,
                               "active": True, "url": _url(toggled)})
        if values:
            out["facets"].append({"name": facet, "title": FACET_TITLES[facet], "values": values})
    out["prev_url"] = _url({**current, "page": [str(page - 1)]}) if page > 1 else None
    out["next_url"] = _url({**current, "page": [str(page + 1)]}) if page < out["pages"] else None
    out["clear_url"] = _url({"q": current["q"]})
    return out


# ---- the asset page ------------------------------------------------------------------------

def asset_page(user, asset_id: str, formdata=None) -> dict[str, Any]:
    session = db.session()
    asset = assets.get_asset(session, asset_id)
    doc = assets.asset_to_json(asset, lang(), viewer=user)
    meta = doc["metadata"]
    renditions = {r["name"]: r for r in doc["renditions"]}
    can_edit = assets.can_edit(user, asset)
    history = assets.history(session, asset, viewer=user)
    for ev in history:
        ev["label"] = str(ACTION_LABELS.get(ev["action"], ev["action"]))
        ev["changes"] = change_rows(ev["before"], ev["after"])
    return {
        "asset": doc,
        "meta": meta,
        "active": doc["status"] in ACTIVE,
        "status_label": STATUS_LABELS.get(doc["status"], doc["status"]),
        "renditions": [{**r, "label": (AUDIO_PROXY_LABEL if (r["name"], doc["kind"]) == ("proxy", "audio")
                                  else RENDITION_LABELS.get(r["name"], r["name"])),
                        "status_label": RENDITION_STATUS_LABELS.get(r["status"], r["status"]),
                        "percent": progress_percent(r)} for r in doc["renditions"]],
        "proxy_ready": renditions.get("proxy", {}).get("status") == "ready",
        "poster_ready": renditions.get("poster", {}).get("status") == "ready"
                        or renditions.get("preview", {}).get("status") == "ready",
        "poster_name": "poster" if renditions.get("poster", {}).get("status") == "ready" else "preview",
        "technical": technical_rows(doc.get("technical")),
        "streams": stream_rows(doc.get("technical")),
        "description": _localised(meta.get("description")),
        "history": history,
        "can_edit": can_edit,
        "is_admin": user.role == "admin",
        "form": MetadataForm.for_asset(meta, formdata) if can_edit else None,
        "field_labels": FIELD_LABELS,
        "genre_label": GENRE_LABELS.get(meta.get("genre") or "", meta.get("genre")),
        "country_label": COUNTRY_LABELS.get(meta.get("country") or "", meta.get("country")),
        "language_names": [str(LANGUAGE_LABELS.get(c, c)) for c in meta.get("languages") or []],
        "edit_error": None,
        "rendition_status_labels": RENDITION_STATUS_LABELS,
    }


def _localised(values: dict | None) -> str:
    values = values or {}
    for code in (lang(), "en", "tr", "az"):
        if values.get(code):
            return values[code]
    return ""


def progress_percent(rendition: dict) -> int:
    """Progress as a whole percent; a fraction (0..1) or a percent (0..100) both read right."""
    if rendition.get("status") == "ready":
        return 100
    value = float(rendition.get("progress") or 0)
    return int(max(0.0, min(100.0, value * 100 if value <= 1 else value)))


def save_metadata(user, asset_id: str, changes: dict) -> None:
    session = db.session()
    assets.update_metadata(session, assets.get_asset(session, asset_id), changes, user)
