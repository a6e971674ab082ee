"""What each page shows, built from the services; the views only render it.

Everything here returns plain data for the templates, which escape every value.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

from babel import Locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from archive import db
from archive.api.params import ParameterError, int_param, parse_int, str_param
from archive.api.search_params import MAX_PER_PAGE
from archive.api.search_params import MAX_QUERY as API_MAX_QUERY
from archive.api.search_params import cleared_for, page_param, search_query
from archive.assets import services as assets
from archive.assets.models import GENRES
from archive.assets.schemas import LANGS, LOCALISED
from archive.clips import pages as clip_pages
from archive.backends import search_backend
from archive.coproduction import pages as coproduction_pages
from archive.coproduction import projects as coproduction_projects
from archive.errors import ApiError
from archive.notifications import services as notifications
from archive.provenance import credential_pages, fixity
from archive.provenance.credentials import NOT_SIGNED
from archive.rights import pages as rights_pages
from archive.rights.avails import PLATFORMS, WORLD, all_territories
from archive.transcripts import services as transcripts
from archive.web import messages
from archive.web.player import labels as player_labels
from archive.web.player import player as player_settings
from archive.web.forms import COUNTRY_LABELS, GENRE_LABELS, LANGUAGE_LABELS, MetadataForm
from archive.web.present import (CARRIED_LABELS, FIELD_LABELS, RENDITION_LABELS, STATUS_LABELS, change_rows,
                                 stream_rows, technical_rows)
from search import collation
from search.interfaces import SORTS, QueryError, SearchQuery

PER_PAGE = 20
MAX_QUERY = API_MAX_QUERY
MAX_PAGE = 500  # of a database listing (my uploads)
# The facets the list page offers as filters, in the order shown.
FACETS = ("country", "organisation", "genre", "decade", "year", "language", "meta_language", "kind", "duration",
          "transcript", "project", "status")
FACET_TITLES = {"country": _l("Country"), "organisation": _l("Organisation"), "genre": _l("Genre"),
                "decade": _l("Decade"), "year": _l("Year"), "language": _l("Spoken language"),
                # Not "Kind": Turkish says it and "Genre" with one word (Tür), two facets under one heading.
                "meta_language": _l("Described in"), "kind": _l("Media type"), "duration": _l("Duration"),
                "transcript": _l("Transcript"), "project": _l("Co-production"), "status": _l("Status")}
# The recording dates the page's search is narrowed to (YYYY, YYYY-MM or YYYY-MM-DD).
DATE_ARGS = ("recorded_from", "recorded_to")
# How a refused parameter (archive.web.messages.parameter_error) is named on the search page.
PARAMETER_LABELS = {**FACET_TITLES, "q": _l("The search text"), "per_page": _l("Results per page")}
KIND_LABELS = {"video": _l("Video"), "audio": _l("Audio"), "image": _l("Image"), "other": _l("Other file")}
DURATION_LABELS = {"0-1": _l("Under a minute"), "1-5": _l("1–5 minutes"), "5-20": _l("5–20 minutes"),
                   "20-60": _l("20–60 minutes"), "60+": _l("An hour or more")}
TRANSCRIPT_LABELS = {"yes": _l("With subtitles or transcript"), "no": _l("Without")}
SORT_LABELS = {"relevance": _l("Best match"), "-recorded": _l("Recorded: newest first"),
               "recorded": _l("Recorded: oldest first"), "-created": _l("Uploaded: newest first"),
               "created": _l("Uploaded: oldest first"), "-duration": _l("Longest first"),
               "duration": _l("Shortest first"), "title": _l("Title: A to Z"), "-title": _l("Title: Z to A")}
VIEWS = ("list", "grid")
# Values of the URL that are not facets, kept by every link the page makes (the permalink).
STATE = ("q", "sort", "view", "recorded_from", "recorded_to")
ACTIVE = ("uploading", "processing")
# Renditions a result card may show as its picture, best first; a kind without one gets an icon.
CARD_PICTURES = ("poster", "preview", "thumbnail")
# The flash category of "Saved.": shown beside the edit form, not at the top of the page.
SAVED = "saved"
RENDITION_STATUS_LABELS = {"pending": _l("Waiting"), "running": _l("Running"), "ready": _l("Ready"),
                           "failed": _l("Failed")}
AUDIO_PROXY_LABEL = _l("Listening copy")
ACTION_LABELS = {"credentials.not_signed": _l("Exported without content credentials"),
                 "asset.upload_started": _l("Upload started"), "asset.upload_removed": _l("Upload removed"),
                 "asset.created": _l("Uploaded"), "asset.metadata_changed": _l("Metadata changed"),
                 "asset.ready": _l("Processing finished"), "asset.rejected": _l("Rejected"),
                 "asset.failed": _l("Processing failed"),
                 "asset.content_type_corrected": _l("File type corrected from its content"),
                 "asset.interrupted": _l("Processing interrupted (the worker stopped); it starts again"),
                 "asset.duplicate_upload": _l("Uploaded again (duplicate)"),
                 "asset.holding_added": _l("Another organisation holds a copy"),
                 "asset.upload_merged": _l("Uploaded again: what was typed for the copy carried over"),
                 "marker.added": _l("Marker added"), "marker.changed": _l("Marker changed"),
                 "marker.removed": _l("Marker removed"), "asset.clip_requested": _l("Clip exported"),
                 "rights.block_inherited": _l("Rights block inherited from the source"),
                 "rights.block_created": _l("Rights block added"), "rights.block_changed": _l("Rights block changed"),
                 "rights.block_deleted": _l("Rights block removed"),
                 "transcript.added": _l("Transcript added"), "transcript.replaced": _l("Transcript replaced"),
                 "transcript.removed": _l("Transcript removed"),
                 "transcript.rejected": _l("Transcript removed: a cue starts after the end of the recording")}
# A usage record's action (archive.usage.services.ACTIONS) and what it read ("original", a
# rendition's name, "clip"): the provenance page's usage rows (`usage_label`).
USAGE_ACTION_LABELS = {"download": _l("Downloaded"), "clip": _l("Clip exported"), "stream": _l("Viewed"),
                       "bag": _l("Exported for deposit")}
USAGE_READ_LABELS = {"original": _l("Original")}


def usage_label(action: str | None, what: str | None) -> str:
    """"Downloaded · Original", "Clip exported" (a clip reads a clip: said once), in the page's
    language; an unknown code as it is."""
    doing = str(USAGE_ACTION_LABELS.get(action or "", action or "—"))
    if not what or what == action:
        return doing
    read = USAGE_READ_LABELS.get(what) or RENDITION_LABELS.get(what) or what
    return f"{doing} · {read}"


def unread_notifications(user) -> int:
    """How many unread notifications the logged-in user has (0 for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications.unread_count(db.session(), user)


def lang() -> str:
    return str(get_locale() or "tr")


def genre_options() -> list[tuple[str, Any]]:
    return [(g, GENRE_LABELS[g]) for g in GENRES]


FIXED_LABELS = {"country": COUNTRY_LABELS, "genre": GENRE_LABELS, "language": LANGUAGE_LABELS,
                "meta_language": LANGUAGE_LABELS, "kind": KIND_LABELS, "duration": DURATION_LABELS,
                "transcript": TRANSCRIPT_LABELS, "status": STATUS_LABELS}


def facet_labels(values: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """{facet: {value: label}} for the values shown (`values`: facet → iterable of values):
    fixed tables in the page's language; the projects' titles in one query for all of them."""
    out: dict[str, dict[str, str]] = {}
    projects = sorted({v for v in values.get("project") or ()})
    project_titles = coproduction_projects.titles(db.session(), projects, lang()) if projects else {}
    for facet, shown in values.items():
        labels = out.setdefault(facet, {})
        for value in shown:
            if facet == "project":
                labels[value] = project_titles.get(value, value)
            elif facet == "decade":
                labels[value] = f"{value}–{value[:3]}9" if len(value) == 4 and value.isdigit() else value
            else:
                labels[value] = str(FIXED_LABELS.get(facet, {}).get(value, value))
    return out


def facet_value_label(facet: str, value: str) -> str:
    """One value's label (facet_labels for many: it asks the database once for all projects)."""
    return facet_labels({facet: [value]})[facet][value]


# ---- the list/search page ------------------------------------------------------------------

def _url(args: dict[str, list[str]]) -> str:
    pairs = [(k, v) for k, values in args.items() for v in values if v]
    return "?" + urlencode(pairs) if pairs else "?"


def listing_page_number(raw: str | None) -> int:
    """The page of a database listing (my uploads) the URL asks for, 1 to MAX_PAGE
    (archive.api.params.parse_int); anything unusable is page 1. The search page's own page
    number is the API's rule (archive.api.search_params.page_param)."""
    return _lenient(lambda: parse_int(raw, name="page", default=1, lo=1, hi=MAX_PAGE), 1)


def territory_options(locale: str) -> list[tuple[str, str]]:
    """(code, name in `locale`) of WORLD and every ISO 3166-1 territory, by name in the
    alphabet of `locale` (CLDR names via Babel, ICU collation: Belçika before Belize in Turkish)."""
    names = Locale.parse(locale).territories
    return [(WORLD, names.get("001", WORLD))] + sorted(((c, names.get(c, c)) for c in all_territories()),
                                                       key=lambda item: collation.full_key(item[1], locale))


def cleared_choice(args: Mapping, user) -> tuple[str | None, str]:
    """(platform or None, territory) of the page's "cleared for me" selects; a value that is
    not one of the choices is the default (no platform; the user's country)."""
    platform = args.get("platform") or None
    territory = args.get("territory") or ""
    if platform not in PLATFORMS:
        platform = None
    if territory != WORLD and territory not in all_territories():
        territory = user.organisation.country
    return platform, territory


def _lenient(read, default):
    """`read()`, or `default` when it refuses its parameter (ParameterError)."""
    try:
        return read()
    except ParameterError:
        return default


def _search_args(args: Mapping, page: int, sort: str) -> MultiDict:
    """The page URL's search parameters as archive.api.search_params.search_query reads them:
    q, the facets, the recording dates and `per_page` as given (PER_PAGE when absent, so the
    API's bounds refuse a bad one); `page` and `sort` already read. The page's own parameters
    (view, platform, territory) stay out."""
    pairs = [(k, v) for k in ("q", *FACETS, *DATE_ARGS) for v in args.getlist(k)]
    per_page = args.get("per_page")
    return MultiDict(pairs + [("page", str(page)), ("sort", sort),
                              ("per_page", str(PER_PAGE) if per_page is None else per_page)])


def search_page(args: Mapping, user=None) -> dict[str, Any]:
    """Run the query the URL asks for; a query the engine cannot read becomes a message, not a 500.
    With `user`, the "cleared for me" selects (`platform`, `territory`) filter and count, and
    the user's organisation's assets that are not ready yet are found too (admins: all).

    Every choice is in the URL (q, facets, sort, view, recorded_from/to, page, platform,
    territory), so the address is the search's permalink; a sort, view, page or "cleared for
    me" value that is not a choice falls back to the default. The rest is read by the API's own
    rule (archive.api.search_params.search_query): a value it refuses (400 `invalid_parameter`:
    `q` over MAX_QUERY characters, `kind=movie`, `recorded_from=abcd`) is said in one sentence
    in the page's language (messages.parameter_error; a refused date as the engine's
    `invalid_date`), as a query the engine cannot read is, not searched as something else."""
    text = (args.get("q") or "").replace("\x00", "")[:MAX_QUERY]
    # Hits a page within the API's bounds (1 to MAX_PER_PAGE); a value out of them is refused
    # below by search_query, as the API refuses it, and said in the page's language.
    per_page = _lenient(lambda: int_param("per_page", PER_PAGE, 1, MAX_PER_PAGE, args=args), PER_PAGE)
    page = _lenient(lambda: page_param(per_page, args), 1)
    sort = _lenient(lambda: str_param("sort", choices=SORTS, args=args), None) or "relevance"
    query: SearchQuery | None = None
    refused: ParameterError | None = None
    try:
        query = search_query(lang(), user, args=_search_args(args, page, sort))
        filters = query.filters
    except ParameterError as exc:
        refused = exc
        filters = {f: [v[:100] for v in args.getlist(f) if v][:20] for f in FACETS}
        filters = {k: v for k, v in filters.items() if v}
    view = args.get("view") if args.get("view") in VIEWS else "list"
    dates = {k: (args.get(k) or "").strip()[:10] for k in DATE_ARGS}
    platform, territory = cleared_choice(args, user) if user is not None else (None, "")
    current: dict[str, list[str]] = {"q": [text] if text else [], **filters,
                                     "sort": [sort] if sort != "relevance" else [],
                                     "view": [view] if view != "list" else [],
                                     "per_page": [str(per_page)] if per_page != PER_PAGE else [],
                                     **{k: [v] if v else [] for k, v in dates.items()},
                                     "platform": [platform] if platform else [],
                                     "territory": [territory] if user is not None else []}
    out: dict[str, Any] = {"q": text, "filters": filters, "hits": [], "total": 0, "facets": [],
                           "page": page, "per_page": per_page, "default_per_page": PER_PAGE, "pages": 0,
                           "error": None, "cleared": None,
                           "sort": sort, "view": view, "dates": dates, "did_you_mean": None,
                           "sorts": [(k, str(v)) for k, v in SORT_LABELS.items()],
                           "views": [{"name": v, "active": v == view,
                                      "url": _url({**current, "view": [v] if v != "list" else [], "page": []})}
                                     for v in VIEWS],
                           "permalink": _url({**current, "page": [str(page)] if page > 1 else []})}
    if user is not None:
        labels = {k: str(v) for k, v in rights_pages.PLATFORM_LABELS.items()}
        options = territory_options(lang())
        out["cleared"] = {"platform": platform, "territory": territory, "counts": [],
                          "platforms": [(p, labels[p]) for p in PLATFORMS], "territories": options,
                          "territory_label": dict(options).get(territory, territory)}
    if user is not None and getattr(user, "role", None) in ("rights_manager", "admin"):
        # The same search as the API reads it: this page's hits, in the EMA Avails layout.
        ema = [("q", text)] if text else []
        ema += [(k, v) for k, vs in filters.items() for v in vs] + [("page", page), ("per_page", per_page)]
        if platform and territory:
            ema.append(("cleared", f"{platform}:{territory}"))
        out["ema_url"] = "/api/v1/avails/ema?" + urlencode(ema + [("lang", lang())])
    if refused is not None:
        if refused.details.get("parameter") in DATE_ARGS:
            # Said as the search says an impossible date: one sentence for every refused date.
            out["error"] = messages.query_error("invalid_query", refused.message, "invalid_date")
        else:
            out["error"] = messages.parameter_error(refused.sentence, refused.values, refused.message,
                                                    labels=PARAMETER_LABELS, choice_labels=FIXED_LABELS)
        return out
    try:
        result = search_backend().search(replace(
            query, cleared=cleared_for(user, platform, territory) if user is not None else None))
    except QueryError as exc:
        out["error"] = messages.query_error(exc.code, str(exc), exc.reason, exc.params)
        return out
    out["total"] = result.total
    out["pages"] = (result.total + per_page - 1) // per_page
    out["hits"] = result_cards(result.hits)
    suggested = getattr(result, "did_you_mean", None)
    if suggested:
        out["did_you_mean"] = {"text": suggested, "url": _url({**current, "q": [suggested], "page": []})}
    labels = facet_labels({f: set(result.facets.get(f) or {}) | set(filters.get(f, [])) for f in FACETS})
    for facet in FACETS:
        counts = result.facets.get(facet) or {}
        if facet == "status" and set(counts) <= {"ready"} and not filters.get("status"):
            continue  # only an organisation's own unfinished assets make this a choice
        chosen = filters.get(facet, [])
        values = []
        # Years and decades read best newest first; other facets by how many hits they hold.
        order = (sorted(counts.items(), reverse=True) if facet in ("year", "decade")
                 else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        for value, count in order:
            on = value in chosen
            toggled = dict(current)
            toggled[facet] = [v for v in chosen if v != value] if on else [*chosen, value]
            values.append({"value": value, "label": labels[facet].get(value, value), "count": count,
                           "active": on, "url": _url(toggled)})
        # A chosen value with no hits left still shows, so it can be switched off.
        for value in chosen:
            if value not in counts:
                toggled = dict(current)
                toggled[facet] = [v for v in chosen if v != value]
                values.append({"value": value, "label": labels[facet].get(value, value), "count": 0,
                               "active": True, "url": _url(toggled)})
        if values:
            out["facets"].append({"name": facet, "title": FACET_TITLES[facet], "values": values})
    if out["cleared"] is not None:
        counts = result.facets.get("cleared") or {}
        for p, label in out["cleared"]["platforms"]:
            on = p == platform
            if counts.get(p) or on:
                out["cleared"]["counts"].append({"value": p, "label": label, "count": counts.get(p, 0), "active": on,
                                                 "url": _url({**current, "platform": [] if on else [p]})})
    out["prev_url"] = _url({**current, "page": [str(page - 1)]}) if page > 1 else None
    out["next_url"] = _url({**current, "page": [str(page + 1)]}) if page < out["pages"] else None
    out["clear_url"] = _url({k: current[k] for k in ("q", "sort", "view")})
    out["has_filters"] = bool(filters or platform or any(dates.values()))
    return out


def _duration_label(seconds) -> str | None:
    """h:mm:ss or m:ss of a length in seconds; None when unknown."""
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        return None
    total = int(round(seconds))
    h, m, sec = total // 3600, total // 60 % 60, total % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _segment_cards(asset_id: str, segments: list[dict]) -> list[dict[str, Any]]:
    out = []
    for seg in segments:
        seconds = seg.get("in_seconds")
        at = f"?t={seconds:g}" if isinstance(seconds, (int, float)) else ""
        out.append({"in": seg.get("in") or (_duration_label(seconds) if seconds else "0:00"),
                    "seconds": seconds, "text": seg.get("text") or "",
                    "highlight": Markup(seg["highlight"]) if seg.get("highlight") else None,
                    "url": f"/assets/{asset_id}{at}", "source": seg.get("source"),
                    "lang": seg.get("lang")})
    return out


def result_cards(hits) -> list[dict[str, Any]]:
    """The hits with what their cards show: the picture rendition that is ready (None when
    there is none, so no request is made for a picture that would 404), the kind for the
    icon, and the status while the asset is not ready."""
    known = assets.summaries(db.session(), [h.id for h in hits], lang())
    cards = []
    for hit in hits:
        doc = known.get(hit.id) or {}
        ready = {r["name"] for r in doc.get("renditions") or [] if r.get("status") == "ready"}
        status = doc.get("status")
        meta = doc.get("metadata") or {}
        highlights = getattr(hit, "highlights", None) or {}
        cards.append({"id": hit.id, "title": hit.title, "snippet": hit.snippet, "kind": doc.get("kind"),
                      "kind_label": KIND_LABELS.get(doc.get("kind") or "", doc.get("kind")),
                      "title_html": Markup(highlights["title"]) if highlights.get("title") else None,
                      "snippet_html": Markup(highlights["description"]) if highlights.get("description") else None,
                      "picture": next((name for name in CARD_PICTURES if name in ready), None),
                      "storyboard": "storyboard" in ready,
                      "duration": _duration_label(doc.get("duration")), "recorded": meta.get("recorded"),
                      "organisation": meta.get("organisation"),
                      "country": str(COUNTRY_LABELS.get(meta.get("country") or "", meta.get("country") or "")) or None,
                      "segments": _segment_cards(hit.id, list(getattr(hit, "segments", None) or [])),
                      "status": status if status and status != "ready" else None,
                      "status_label": STATUS_LABELS.get(status or "", status)})
    return cards


# ---- my uploads ----------------------------------------------------------------------------

def my_uploads_page(user, args: Mapping) -> dict[str, Any]:
    """The caller's own assets in every status, newest first, from the database (the search
    index holds only what is ready), with the progress of those still being processed."""
    page = listing_page_number(args.get("page"))
    listing = assets.list_assets(db.session(), page, PER_PAGE, uploader_id=user.id, viewer=user, lang=lang())
    items = []
    for doc in listing["items"]:
        reason = messages.asset_error(doc.get("error_code"), doc.get("error")) \
            if doc["status"] in ("rejected", "failed") else None
        items.append({**doc, "status_label": STATUS_LABELS.get(doc["status"], doc["status"]),
                      "active": doc["status"] in ACTIVE, "percent": overall_percent(doc),
                      "reason": reason})
    pages = (listing["total"] + PER_PAGE - 1) // PER_PAGE
    return {"items": items, "total": listing["total"], "page": page, "pages": pages,
            "any_active": any(i["active"] for i in items), "per_page": PER_PAGE,
            "prev_url": f"?page={page - 1}" if page > 1 else None,
            "next_url": f"?page={page + 1}" if page < pages else None}


def upload_percent(doc: dict) -> int:
    """How much of an uploading asset's file has arrived, in whole percent (0 without an upload)."""
    upload = doc.get("upload") or {}
    return int(100 * min(1.0, max(0.0, float(upload.get("progress") or 0.0))))


def overall_percent(doc: dict) -> int:
    """An asset's progress: for one still uploading, how much of its file has arrived
    (`upload_percent`); else the mean of its renditions' (0 before any exists)."""
    if doc.get("status") == "ready":
        return 100
    if doc.get("status") == "uploading":
        return upload_percent(doc)
    rends = doc.get("renditions") or []
    return int(sum(progress_percent(r) for r in rends) / len(rends)) if rends else 0


# ---- the asset page ------------------------------------------------------------------------

def asset_page(user, asset_id: str, formdata=None) -> dict[str, Any]:
    session = db.session()
    asset = assets.get_asset(session, asset_id, viewer=user)
    doc = assets.asset_to_json(asset, lang(), viewer=user)
    meta = doc["metadata"]
    renditions = {r["name"]: r for r in doc["renditions"]}
    can_edit = assets.can_edit(user, asset)
    history = assets.history(session, asset, viewer=user)
    for ev in history:
        ev["label"] = str(ACTION_LABELS.get(ev["action"], ev["action"]))
        ev["changes"] = change_rows(ev["before"], _translated_reason(ev["after"], ev["action"]))
    return {
        "asset": doc,
        "meta": meta,
        "active": doc["status"] in ACTIVE,
        "upload_percent": upload_percent(doc),
        "status_label": STATUS_LABELS.get(doc["status"], doc["status"]),
        "renditions": [{**r, "label": rendition_label(r["name"], doc["kind"]),
                        "status_label": RENDITION_STATUS_LABELS.get(r["status"], r["status"]),
                        "percent": progress_percent(r), "error_shown": rendition_error(r.get("error"))}
                       for r in doc["renditions"]],
        # Served while a re-make runs (or after one failed): what has a URL can be shown.
        "proxy_ready": bool(renditions.get("proxy", {}).get("url")),
        "poster_ready": bool(renditions.get("poster", {}).get("url") or renditions.get("preview", {}).get("url")),
        "poster_name": "poster" if renditions.get("poster", {}).get("url") else "preview",
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
        "edit_errors": None,
        "reason": (messages.asset_error(doc.get("error_code"), doc.get("error"))
                   if doc["status"] in ("rejected", "failed") else None),
        "rendition_status_labels": RENDITION_STATUS_LABELS,
        "projects": coproduction_pages.asset_projects(user, asset.id, lang()),
        "rights": rights_pages.asset_rights(session, user, asset, lang()),
        "rights_errors": None,
        "player": player_settings(doc, lang()),
        "player_labels": player_labels(),
        "hls_ready": bool(renditions.get("hls", {}).get("entry") or renditions.get("hls", {}).get("live")),
        "hls_live": bool(renditions.get("hls", {}).get("live")),
        "clips": [{**c, "status_label": STATUS_LABELS.get(c["status"], c["status"])}
                  for c in clip_pages.clips_list(session, asset, lang(), user)],
        "clip_source": clip_pages.source_link(session, asset, lang()),
        "transcripts": transcript_rows(session, asset),
        "transcript_langs": transcript_languages(),
        "fixity_damage": fixity_damage(fixity.check_json(r) for r in
                                       fixity.latest_checks(session, asset_id=asset.id, failed_only=True)),
    }


FIXITY_DAMAGE_LABELS = {"fail": _l("changed since it was stored"), "missing": _l("missing from storage")}


def fixity_damage(checks: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Of the latest fixity checks of an asset's stored files (`archive.provenance.fixity.check_json`
    shape, as the provenance document lists them), those that did not pass, the original first,
    each with "file" and "problem" in the page's language, "outcome" and "at" (ISO 8601): what
    the asset and provenance pages warn about."""
    rows = []
    for c in sorted((c for c in checks if c["outcome"] != "pass"), key=lambda c: c["object"]["kind"] != "original"):
        o = c["object"]
        name = (str(_l("The original")) if o["kind"] == "original"
                else f"{RENDITION_LABELS.get(o['rendition'], o['rendition'])} · {o['path']}")
        rows.append({"file": name, "outcome": c["outcome"], "at": c["at"],
                     "problem": str(FIXITY_DAMAGE_LABELS.get(c["outcome"], c["outcome"]))})
    return rows


_UNFINISHED = re.compile(r"Rendering did not finish after (\d+) attempts\.")


def rendition_error(error: str | None) -> dict[str, str] | None:
    """A rendition's stored `error` as a page shows it: {"text", "lang"}. The sentence the
    recovery writes (`archive.ingest.recovery`: rendering did not finish after N attempts) in
    the page's language; any other (a tool's own words) as recorded, marked `lang` "en"; None
    without an error."""
    if not error:
        return None
    unfinished = _UNFINISHED.fullmatch(error)
    if unfinished:
        return {"text": _("Rendering did not finish after %(num)s attempts.", num=format_decimal(int(unfinished[1]))),
                "lang": lang()}
    return {"text": error, "lang": "en"}


TRANSCRIPT_LINES_SHOWN = 500


def transcript_languages() -> list[tuple[str, str]]:
    """(code, label in the page's language) of the languages a transcript is given in on the
    asset and upload pages."""
    return [(c, str(LANGUAGE_LABELS.get(c, c))) for c in LANGS]


def upload_page() -> dict[str, Any]:
    """The upload page's choices: genres, the transcript languages and their size limit (bytes);
    `carried_labels`: {key: text} naming what a duplicate upload's `carried_over` report holds
    (metadata fields, languages, the things, where they went, why not: present.CARRIED_LABELS)."""
    labels = {k: str(v) for k, v in FIELD_LABELS.items()
              if k in ("title", "description", "genre", "keywords", "people", "places", "recorded", "languages")}
    labels.update({k: str(v) for k, v in CARRIED_LABELS.items()})
    labels.update({"lang_" + k: str(v) for k, v in LANGUAGE_LABELS.items()})
    return {"genres": genre_options(), "transcript_langs": transcript_languages(),
            "transcript_max": transcripts.MAX_BYTES, "carried_labels": labels}


def transcript_rows(session, asset) -> list[dict[str, Any]]:
    """The asset's transcripts with their first TRANSCRIPT_LINES_SHOWN cues (the API has all)."""
    rows = []
    for t in transcripts.transcripts_of(session, asset.id):
        row = transcripts.transcript_json(t, asset)
        row["more"] = max(0, len(row["segments"]) - TRANSCRIPT_LINES_SHOWN)
        row["segments"] = row["segments"][:TRANSCRIPT_LINES_SHOWN]
        row["lang_label"] = str(LANGUAGE_LABELS.get(t.lang, t.lang))
        rows.append(row)
    return rows


def rendition_label(name: str, kind: str | None = None) -> str:
    """How the pages name a rendition ("proxy" → "Viewing copy (MP4)", an audio asset's proxy
    "Listening copy") in the page's language; an unknown name as it is."""
    if (name, kind) == ("proxy", "audio"):
        return str(AUDIO_PROXY_LABEL)
    return str(RENDITION_LABELS.get(name, name))


def _translated_reason(after: dict | None, action: str | None = None) -> dict | None:
    """A rejection or failure event says why in English with a code beside it: shown as the
    reason in the page's language (the English stays for a code the table does not know). An
    export that went out without content credentials (`credentials.not_signed`: `reason_code`,
    `detail`, `reason`) shows one translated reason, its English only where no sentence says it."""
    if action == NOT_SIGNED and isinstance(after, dict):
        shown = {k: v for k, v in after.items() if k not in ("reason_code", "detail", "reason")}
        shown["reason"] = credential_pages.unsigned_text(after.get("reason_code"), after.get("detail"),
                                                         after.get("reason"))
        return shown
    if not isinstance(after, dict) or after.get("reason_code") not in messages.ASSET_ERRORS:
        return after
    shown = {k: v for k, v in after.items() if k != "reason_code"}
    shown["error"] = str(messages.ASSET_ERRORS[after["reason_code"]])
    return shown


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
    assets.update_metadata(session, assets.get_asset(session, asset_id, viewer=user), changes, user)


# ---- errors of the edit form ----------------------------------------------------------------

_FORM_FIELDS = ("genre", "recorded", "languages", "keywords", "people", "places", "organisation", "country")


def form_target(path: str | None) -> str | None:
    """The id of the form control an error's field path belongs to: "title.tr" → "title_tr",
    "keywords[2]" → "keywords", "title" → "title" (the fieldset); None for no control."""
    parts = [p for p in re.split(r"[.\[\]]", path or "") if p]
    if not parts:
        return None
    if parts[0] in LOCALISED:
        return f"{parts[0]}_{parts[1]}" if len(parts) > 1 and parts[1] in LANGS else parts[0]
    return parts[0] if parts[0] in _FORM_FIELDS else None


def edit_errors(*, form=None, error: ApiError | None = None) -> dict[str, Any]:
    """Every error of a failed edit, translated: {"by_field": {control id: [text]},
    "summary": [{"target": control id | None, "text"}]} (summary in the order reported)."""
    by_field: dict[str, list[str]] = {}
    summary: list[dict[str, Any]] = []

    def add(target: str | None, text: str) -> None:
        summary.append({"target": f"{target}_{LANGS[0]}" if target in LOCALISED else target, "text": text})
        if target:
            by_field.setdefault(target, []).append(text)

    if form is not None:
        for name, errors in form.errors.items():  # WTForms' own, already in the page's language
            for text in errors:
                add(name if name in _FORM_FIELDS else None, str(text))
    if error is not None:
        if error.status == 422:
            for entry in messages.field_errors(error.code, error.message, error.details):
                add(form_target(entry.get("field")), messages.field_error(entry))
        else:
            add(None, messages.api_error(error.code, error.message, error.status, error.details))
    return {"by_field": by_field, "summary": summary}
