"""Stored values made readable: technical metadata rows and the before/after of history events."""
from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from archive.web.forms import COUNTRY_LABELS, GENRE_LABELS, LANGUAGE_LABELS
from archive.web.i18n import format_decimal_size

FIELD_LABELS = {"title": _l("Title"), "description": _l("Description"), "genre": _l("Genre"),
                "keywords": _l("Keywords"), "people": _l("People"), "places": _l("Places"),
                "recorded": _l("Recorded"), "languages": _l("Spoken languages"),
                "organisation": _l("Organisation"), "country": _l("Country"), "filename": _l("File name"),
                "size": _l("Size"), "sha256": "SHA-256", "status": _l("Status"), "renditions": _l("Renditions"),
                "meta": _l("Metadata"), "error": _l("Reason"), "reason_code": _l("Reason code")}
STATUS_LABELS = {"uploading": _l("Uploading"), "processing": _l("Processing"), "ready": _l("Ready"),
                 "rejected": _l("Rejected"), "failed": _l("Failed")}
# Keys the probe stores that the rows below already show in a friendlier form.
_SHOWN = {"container", "container_long", "duration", "bit_rate", "video_codec", "width", "height",
          "display_width", "display_height", "rotation", "frame_rate", "frame_rate_float", "pix_fmt",
          "interlaced", "audio_codec", "audio_channels", "audio_sample_rate", "start_timecode",
          "decode_warnings", "kind"}


def format_duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:05.2f}"


def technical_rows(t: Any) -> list[tuple[str, str]]:
    """(label, value) rows for the probe's result; keys we do not know keep their own name."""
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
            add(key.replace("_", " "), value)
    return [(str(label), str(value)) for label, value in rows]


def change_rows(before: dict | None, after: dict | None) -> list[dict[str, str]]:
    before, after = before or {}, after or {}
    return [{"field": str(FIELD_LABELS.get(key, key)), "before": show(key, before.get(key)),
             "after": show(key, after.get(key))}
            for key in sorted(set(before) | set(after))]


def show(key: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if key == "size" and isinstance(value, int):
        return format_decimal_size(value)
    if key == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    labels = {"genre": GENRE_LABELS, "country": COUNTRY_LABELS, "languages": LANGUAGE_LABELS}.get(key)
    if labels and isinstance(value, str):
        return str(labels.get(value, value))
    if isinstance(value, dict):
        return "; ".join(f"{FIELD_LABELS.get(k, k)}: {show(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(show(key, v) for v in value)
    return str(value)
