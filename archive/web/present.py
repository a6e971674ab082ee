"""Stored values made readable: technical metadata rows, the before/after of history events, people."""
from __future__ import annotations

import functools
import gettext
import re
from typing import Any, Mapping

import pycountry
from babel import Locale, UnknownLocaleError
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from archive.web.forms import COUNTRY_LABELS, GENRE_LABELS, LANGUAGE_LABELS
from archive.web.i18n import format_decimal_size

FIELD_LABELS = {"title": _l("Title"), "description": _l("Description"), "genre": _l("Genre"),
                "keywords": _l("Keywords"), "people": _l("People"), "places": _l("Places"),
                "recorded": _l("Recorded"), "languages": _l("Spoken languages"),
                "organisation": _l("Organisation"), "country": _l("Country"), "filename": _l("File name"),
                "size": _l("Size"), "sha256": "SHA-256", "status": _l("Status"), "renditions": _l("Renditions"),
                "step": _l("Step"),
                "meta": _l("Metadata"), "error": _l("Reason"), "reason_code": _l("Reason code"),
                # Marker events (archive.markers): which marker, its in and out timecodes, its text.
                "marker": _l("Marker"), "in": _l("In"), "out": _l("Out"), "text": _l("Text"),
                # A usage declaration's fields (archive.access.declarations), as its forms label them.
                "platform": _l("Platform"), "territory": _l("Territory"), "from": _l("First air date"),
                "to": _l("Last air date"), "purpose": _l("Purpose"), "programme": _l("Programme"),
                # An export that went out without content credentials (archive.provenance.credentials).
                "export": _l("Export"), "reason": _l("Reason"),
                # A rights block (archive.rights.services.block_json) and its copy on a clip.
                "kind": _l("Kind"), "licensees": _l("Licensees"), "organisations": _l("Organisations"),
                "countries": _l("Countries"), "all_members": _l("all members"), "territories": _l("Territories"),
                "exclude_territories": _l("Excluded territories"), "platforms": _l("Platforms"),
                "start": _l("Start"), "end": _l("End"), "exclusive": _l("Exclusive"), "segment": _l("Segment"),
                "holdbacks": _l("Holdbacks"), "conditions": _l("Conditions"), "credit": _l("Credit:"),
                "max_clip_seconds": _l("Longest clip (seconds)"), "no_modification": _l("No modification"),
                "preview_only": _l("Preview only"), "contract": _l("Contract"),
                "inherited_from": _l("Inherited from block"), "asset_id": _l("Asset id"),
                # An upload's ingest, a clip's request (archive.clips.services), a copy of the
                # master's block on a clip (archive.rights.inherited), a repeated upload.
                "upload_id": _l("Upload id"), "source_id": _l("Source asset"), "mode": _l("Mode"),
                "usage_record_id": _l("Usage record"), "block": _l("Rights block"),
                "from_asset": _l("From asset"), "from_block": _l("From block"), "holding": _l("Copy"),
                # What a duplicate upload carried to the asset that held its bytes
                # (archive.ingest.carry_over), and the transcripts and markers it moved.
                "placeholder_id": _l("Upload's own asset"), "from_upload_asset": _l("From the upload's asset"),
                "carried_over": _l("Carried over"), "applied": _l("Applied"), "not_applied": _l("Not applied"),
                "kept": _l("Kept (not applied)"), "what": _l("What"), "value": _l("Value"),
                "values": _l("Values"), "lang": _l("Language"), "format": _l("Format"), "cues": _l("Cues"),
                "segments": _l("Cues"), "id": _l("Id"), "blocks": _l("Blocks"), "in_frame": _l("In (frame)"),
                "out_frame": _l("Out (frame)"), "rate": _l("Frame rate"),
                # The probe's correction of a declared type (asset.content_type_corrected).
                "content_type": _l("Media type"), "container": _l("Container")}
# A clip's cut (archive.clips.schemas modes) and what a repeated upload did
# (archive.ingest.services HOLDING_ADDED, ALREADY_HELD, OWN_ASSET), as the history shows them.
MODE_LABELS = {"fast": _l("Fast (from the keyframe)"), "accurate": _l("Frame-accurate")}
HOLDING_LABELS = {"added": _l("copy recorded"), "already_held": _l("the organisation holds a copy already"),
                  "own_asset": _l("the organisation's own asset")}
# What a duplicate upload's report names (archive.ingest.carry_over): the things, where they
# went, and why one was not applied.
CARRIED_LABELS = {"transcript": _l("Transcript"), "marker": _l("Marker"), "rights_block": _l("Rights block"),
                  "asset": _l("the asset"), "holding": _l("the organisation's copy"),
                  "conflict": _l("another value is there"), "not_your_asset": _l("another organisation's asset"),
                  "exclusive_conflict": _l("an exclusive grant there excludes it"),
                  "too_many": _l("the asset has as many as it may"),
                  "cue_past_end": _l("a cue starts after the recording ends")}
# A carried-over entry ({"what", "to", ...}) names where it went by "to", which elsewhere is a
# declaration's last air date (FIELD_LABELS).
CARRIED_FIELD_LABELS = {**FIELD_LABELS, "to": _l("To")}
# Platforms and block kinds as the rights pages name them (archive.rights.pages uses these).
PLATFORM_LABELS = {"linear_tv": _l("Linear TV"), "vod": _l("Video on demand"), "online_news": _l("Online news"),
                   "social": _l("Social media"), "theatrical": _l("Cinema"), "radio": _l("Radio"),
                   "archive_internal": _l("Internal archive use")}
BLOCK_KIND_LABELS = {"grant": _l("Grant"), "restriction": _l("Restriction")}
# What an export names (archive.provenance.credentials.note_unsigned's `export`, "clip:<id>",
# "basket:<id>"), in the page's language.
EXPORT_LABELS = {"clip": _l("Clip %(id)s"), "basket": _l("Basket %(id)s")}
# A user without a name (archive.web.messages gives it to the scripts as `person_unnamed`).
PERSON_UNNAMED = _l("a user of %(organisation)s")
STATUS_LABELS = {"uploading": _l("Uploading"), "processing": _l("Processing"), "ready": _l("Ready"),
                 "rejected": _l("Rejected"), "failed": _l("Failed")}
# Keys the probes store that have a row of their own under a label (an image's, archive.media.images).
TECHNICAL_LABELS = {"mode": _l("Colour mode"), "content_type": _l("Media type"), "major_brand": _l("MP4 brand"),
                    "exif_orientation": _l("EXIF orientation"),
                    "video_frames": _l("Video frames")}
# Keys the probe stores that the rows below already show in a friendlier form.
_SHOWN = {"container", "container_long", "duration", "bit_rate", "video_codec", "width", "height",
          "display_width", "display_height", "rotation", "frame_rate", "frame_rate_float", "pix_fmt",
          "interlaced", "audio_codec", "audio_channels", "audio_sample_rate", "start_timecode",
          "decode_warnings", "kind", "bit_depth", "color_primaries", "color_transfer", "color_space",
          "color_range", "hdr", "audio_tracks", "streams"}
HDR_NAMES = {"pq": "HDR · PQ (SMPTE ST 2084)", "hlg": "HDR · HLG (ARIB STD-B67)"}
# ffmpeg's colour names (ITU-T H.273) as the standards write them; others are shown as they are.
_COLOUR_NAMES = {"smpte2084": "PQ", "arib-std-b67": "HLG", "bt2020nc": "BT.2020 NCL", "bt2020c": "BT.2020 CL",
                 "bt2020-10": "BT.2020 (10-bit)", "bt2020-12": "BT.2020 (12-bit)", "iec61966-2-1": "sRGB"}


def person_name(person: Mapping[str, Any] | None) -> str:
    """How the pages name a user given as `archive.assets.services.person_json`: "Ayşe Yılmaz
    (TRT)", or for a user without a name "a user of TRT" in the page's language (never the
    e-mail address, which only the `person` macro adds, where `person_json` gave it); "—" for
    nobody. messages.js `person()` says the same for the scripts."""
    if not person:
        return "—"
    org = person.get("organisation") or {}
    org_name = org.get("name") if isinstance(org, Mapping) else None
    if person.get("name"):
        return f"{person['name']} ({org_name})" if org_name else str(person["name"])
    return str(PERSON_UNNAMED) % {"organisation": org_name or "—"}


def format_duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:05.2f}"


def technical_rows(t: Any) -> list[tuple[str, str]]:
    """(label, value) rows for the probe's result, labelled in the page's language (every key a
    probe of this version stores has a row or a label in TECHNICAL_LABELS); a key we do not
    know (a record of another version) keeps its own name."""
    if not isinstance(t, dict):
        return []
    rows: list[tuple[Any, Any]] = []

    def add(label, value):
        if value not in (None, "", [], ()):
            rows.append((label, value))

    add(_l("Container"), t.get("container_long") or t.get("container"))
    if isinstance(t.get("duration"), (int, float)):
        add(_l("Duration"), format_duration(t["duration"]))
    if isinstance(t.get("bit_rate"), (int, float)):
        add(_l("Bit rate"), f"{format_decimal(round(t['bit_rate'] / 1000))} kb/s")
    add(_l("Video codec"), t.get("video_codec"))
    if t.get("width") and t.get("height"):
        add(_l("Resolution"), f"{t['width']} × {t['height']}")
        if (t.get("display_width"), t.get("display_height")) not in ((None, None), (t["width"], t["height"])):
            add(_l("Display size"), f"{t.get('display_width')} × {t.get('display_height')}")
    if t.get("frame_rate_float"):
        add(_l("Frame rate"), f"{format_decimal(round(float(t['frame_rate_float']), 3))} fps")
    elif t.get("frame_rate"):
        add(_l("Frame rate"), t["frame_rate"])
    add(_l("Pixel format"), t.get("pix_fmt"))
    if t.get("video_codec"):
        add(_l("Scan"), _l("Interlaced") if t.get("interlaced") else _l("Progressive"))
    if t.get("rotation"):
        add(_l("Rotation"), f"{t['rotation']}°")
    if isinstance(t.get("bit_depth"), int) and t.get("video_codec"):
        add(_l("Bit depth"), _("%(bits)d-bit", bits=t["bit_depth"]))
    if t.get("video_codec") and "hdr" in t:  # records probed before HDR was read do not say
        add(_l("Dynamic range"), HDR_NAMES.get(t["hdr"], "SDR"))
    add(_l("Colour"), colour_text(t))
    add(_l("Audio codec"), t.get("audio_codec"))
    add(_l("Audio channels"), t.get("audio_channels"))
    if t.get("audio_sample_rate"):
        add(_l("Sample rate"), f"{format_decimal(t['audio_sample_rate'])} Hz")
    add(_l("Start timecode"), t.get("start_timecode"))
    warnings = t.get("decode_warnings")
    if warnings:
        add(_l("Decode warnings"), "; ".join(str(w) for w in warnings))
    for key, value in t.items():
        if key not in _SHOWN and not isinstance(value, (dict, list)):
            add(TECHNICAL_LABELS.get(key) or key.replace("_", " "), value)
    return [(str(label), str(value)) for label, value in rows]


def colour_name(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if value in _COLOUR_NAMES:
        return _COLOUR_NAMES[value]
    match = re.fullmatch(r"bt(\d+)", value)
    return f"BT.{match.group(1)}" if match else value


def colour_text(t: dict) -> str | None:
    """'BT.2020 · PQ · BT.2020 NCL · limited range': primaries, transfer, matrix, range."""
    parts = [colour_name(t.get(k)) for k in ("color_primaries", "color_transfer", "color_space")]
    ranges = {"tv": _("limited range"), "pc": _("full range")}
    parts.append(ranges.get(t.get("color_range")) if isinstance(t.get("color_range"), str) else None)
    shown = [p for p in parts if p]
    return " · ".join(shown) if shown else None


def _number(value: float) -> str:
    return format_decimal(round(value, 3))


@functools.lru_cache(maxsize=16)
def _locale(locale: str) -> Locale | None:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


@functools.lru_cache(maxsize=64)
def _iso_catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _iso_name(primary: str, locale: str) -> str | None:
    language = (pycountry.languages.get(alpha_2=primary) if len(primary) == 2
                else pycountry.languages.get(alpha_3=primary))
    record, domain = ((language, "iso639-3") if language is not None
                      else (pycountry.language_families.get(alpha_3=primary), "iso639-5"))
    if record is None:
        return None
    return _iso_catalogue(domain, locale.replace("-", "_").split("_")[0]).gettext(record.name)


def language_name(code: Any, locale: str) -> str | None:
    """The name of an RFC 5646 language tag ('az', 'ast', 'en-US') in `locale` ('tr', 'az', 'en').

    CLDR's name (Babel) first, else pycountry's translation of the ISO 639-3/639-5 name, else
    that English name; None for what names no language (qaa–qtz, junk).
    'az' in 'tr' → 'Azerbaycan dili', 'tr' in 'az' → 'türk', 'en-US' in 'en' → 'English (United States)'.
    """
    if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{4})?(-([A-Z]{2}|\d{3}))?", code):
        return None
    parts = code.split("-")
    primary = parts[0]
    region = parts[-1] if len(parts) > 1 and len(parts[-1]) != 4 else None
    where = _locale(locale)
    name = where.languages.get(primary) if where is not None else None
    if name is None:
        name = _iso_name(primary, locale)
    if name is None:
        return None
    if region and where is not None and region in where.territories:
        name = f"{name} ({where.territories[region]})"
    return name


def language_text(stream: dict) -> str | None:
    """'Azerbaijani (aze)' in the page's language; the tag as given when it names no language."""
    raw = stream.get("language") if isinstance(stream.get("language"), str) else None
    name = language_name(stream.get("language_code"), str(get_locale() or "en"))
    if name:
        return f"{name} ({raw})" if raw else name
    return raw if raw and raw.lower() != "und" else None


def _flags(stream: dict) -> list[str]:
    flags = []
    if stream.get("default") is True:
        flags.append(_("default"))
    if stream.get("forced") is True:
        flags.append(_("forced"))
    if stream.get("hearing_impaired") is True:
        flags.append(_("for the hard of hearing"))
    return flags


def _codec(stream: dict) -> str | None:
    codec = stream.get("codec")
    if not isinstance(codec, str):
        return None
    profile = stream.get("profile")
    return f"{codec.upper()} {profile}" if isinstance(profile, str) and profile else codec.upper()


def _video_parts(s: dict) -> list[str | None]:
    parts = [_codec(s)]
    if s.get("width") and s.get("height"):
        parts.append(f"{s['width']} × {s['height']}")
    if isinstance(s.get("frame_rate_float"), (int, float)) and not s.get("cover_art"):
        parts.append(f"{_number(s['frame_rate_float'])} fps")
    if isinstance(s.get("bit_depth"), int):
        parts.append(_("%(bits)d-bit", bits=s["bit_depth"]))
    if s.get("interlaced"):
        parts.append(str(_l("Interlaced")))
    if s.get("hdr") in HDR_NAMES:
        parts.append(HDR_NAMES[s["hdr"]])
    parts.append(colour_name(s.get("color_primaries")))
    if s.get("closed_captions"):
        parts.append(_("closed captions"))
    return parts


def _audio_parts(s: dict) -> list[str | None]:
    parts = [_codec(s)]
    if isinstance(s.get("channels"), int):
        channels = _("%(count)d ch", count=s["channels"])
        layout = s.get("channel_layout")
        parts.append(f"{channels} ({layout})" if isinstance(layout, str) and layout else channels)
    if isinstance(s.get("sample_rate"), int):
        parts.append(f"{_number(s['sample_rate'] / 1000)} kHz")
    return parts


def _other_parts(s: dict) -> list[str | None]:
    parts = [_codec(s)]
    if isinstance(s.get("timecode"), str):
        parts.append(_("timecode %(timecode)s", timecode=s["timecode"]))
    if isinstance(s.get("filename"), str):
        mimetype = s.get("mimetype")
        parts.append(f"{s['filename']} ({mimetype})" if isinstance(mimetype, str) else s["filename"])
    return parts


_STREAM_LABELS = {"video": lambda n: _("Video %(number)d", number=n),
                  "audio": lambda n: _("Audio %(number)d", number=n),
                  "subtitle": lambda n: _("Subtitles %(number)d", number=n),
                  "data": lambda n: _("Data %(number)d", number=n),
                  "attachment": lambda n: _("Attachment %(number)d", number=n)}


def stream_rows(t: Any) -> list[tuple[str, str]]:
    """One (label, summary) row per stream of `technical["streams"]`, numbered per type:
    ('Audio 2', 'AAC LC, 2 ch (stereo), 48 kHz, Azerbaijani (aze), “Dublaj”, default')."""
    streams = t.get("streams") if isinstance(t, dict) else None
    if not isinstance(streams, list):
        return []
    rows, counts = [], {}
    for s in streams:
        if not isinstance(s, dict) or s.get("type") not in _STREAM_LABELS:
            continue
        kind = s["type"]
        if kind == "video" and s.get("cover_art"):
            label = _("Cover art")
        else:
            counts[kind] = counts.get(kind, 0) + 1
            label = _STREAM_LABELS[kind](counts[kind])
        parts = (_video_parts(s) if kind == "video" else _audio_parts(s) if kind == "audio" else _other_parts(s))
        if kind in ("audio", "subtitle", "video"):
            parts.append(language_text(s) if kind != "video" else None)
        if isinstance(s.get("title"), str) and s["title"]:
            parts.append(f"“{s['title']}”")
        if kind in ("audio", "subtitle"):
            parts.extend(_flags(s))
        rows.append((str(label), ", ".join(str(p) for p in parts if p) or "—"))
    return rows


def export_label(export: Any) -> str:
    """"clip:3f2a…" → "Klip 3f2a…" in the page's language; another value as it is."""
    kind, _sep, ident = str(export or "").partition(":")
    template = EXPORT_LABELS.get(kind)
    return str(template) % {"id": ident} if template is not None and ident else str(export or "—")


def world_name(locale: str) -> str:
    """The word for the whole world (the territory token WORLD, archive.rights.avails) in
    `locale`: CLDR's region 001 through Babel, capitalised ("Dünya", "World")."""
    where = _locale(locale)
    name = where.territories.get("001", "WORLD") if where is not None else "WORLD"
    return name[:1].upper() + name[1:]


# History fields whose values are territories (a rights block's, a usage declaration's).
_TERRITORY_FIELDS = {"territories", "exclude_territories", "territory"}


def change_rows(before: dict | None, after: dict | None) -> list[dict[str, str]]:
    before, after = before or {}, after or {}
    return [{"field": str(FIELD_LABELS.get(key, key)), "before": show(key, before.get(key)),
             "after": show(key, after.get(key))}
            for key in sorted(set(before) | set(after))]


# A rendition's name (archive.media.renditions) as the pages say it: the renditions table, the
# usage rows, the history's "Renditions" of a finished processing.
RENDITION_LABELS = {"proxy": _l("Viewing copy (MP4)"), "poster": _l("Poster image"), "preview": _l("Preview"),
                    "thumbnail": _l("Thumbnail"), "waveform": _l("Waveform"), "storyboard": _l("Storyboard"),
                    "hls": _l("Streaming copy (HLS)"), "fingerprints": _l("Fingerprints (reverse lookup)")}
# A pipeline step's name (archive.ingest.steps, `Step.name`): the history's "Step" of a processing.
STEP_LABELS = {"probe": _l("Reading the file"), "renditions": _l("Making the copies"),
               "fingerprints": _l("Fingerprints (reverse lookup)"), "index": _l("Search index"),
               "credentials": _l("Content credentials")}


# The labels of a history field's coded values (a code without one is shown as it is).
_VALUE_LABELS = {"genre": GENRE_LABELS, "country": COUNTRY_LABELS, "languages": LANGUAGE_LABELS,
                 "platform": PLATFORM_LABELS, "platforms": PLATFORM_LABELS, "kind": BLOCK_KIND_LABELS,
                 "mode": MODE_LABELS, "holding": HOLDING_LABELS, "what": {**FIELD_LABELS, **CARRIED_LABELS},
                 "to": CARRIED_LABELS, "reason": CARRIED_LABELS, "lang": LANGUAGE_LABELS,
                 "renditions": RENDITION_LABELS, "step": STEP_LABELS}


def show(key: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if key == "size" and isinstance(value, int):
        return format_decimal_size(value)
    if key == "export":
        return export_label(value)
    if key in _TERRITORY_FIELDS and value == "WORLD":
        return world_name(str(get_locale() or "en"))
    if key == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = _VALUE_LABELS.get(key)
    if labels and isinstance(value, str):
        return str(labels.get(value, value))
    if isinstance(value, dict):
        names = CARRIED_FIELD_LABELS if "what" in value else FIELD_LABELS
        return "; ".join(f"{names.get(k, k)}: {show(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(show(key, v) for v in value)
    return str(value)
