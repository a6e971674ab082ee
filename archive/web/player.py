"""What the asset page's player needs: the renditions it plays and draws, the timeline
(frame rate, start timecode), the markers API, and every label in the page's language.

HLS (`hls/master.m3u8`) is played by hls.js, or natively where the browser has HLS and no
Media Source Extensions; without an `hls` rendition the MP4 proxy plays. An `hls` rendition
still being made (`live`) is played from its published master playlist, from the start,
with a note that the asset is still being processed. The storyboard
(`storyboard/storyboard.vtt`) gives the thumbnails over the timeline; the waveform
(`waveform/waveform.json`, `waveform_{n}.json` for the n-th audio track) is drawn under it.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from archive.assets.services import rendition_file_url
from archive.markers.timeline import Timeline
from archive.web.present import language_name

# Languages the audio-track menu can always name (besides those the master's tracks carry).
KNOWN_LANGUAGES = ("tr", "az", "en", "ru", "de", "fr", "ar", "fa", "ka")
LABELS = {
    "quality": _l("Quality"), "auto": _l("Auto"), "audio": _l("Audio track"), "track": _l("Track %(n)s"),
    "play": _l("Play"), "pause": _l("Pause"), "frame_back": _l("Back one frame"),
    "frame_forward": _l("Forward one frame"), "set_in": _l("Set in point"), "set_out": _l("Set out point"),
    "clear_points": _l("Clear in and out"), "timeline": _l("Timeline"), "in_point": _l("In"),
    "out_point": _l("Out"), "no_markers": _l("No markers yet."), "delete": _l("Delete"),
    "seek_to": _l("Go to %(tc)s"), "marker_added": _l("Marker added."), "marker_deleted": _l("Marker deleted."),
    "marker_failed": _l("The marker was not saved: %(reason)s"), "shuttle": _l("Speed %(rate)s×"),
    "reverse": _l("Reverse %(rate)s×"), "zoom_in": _l("Zoom in"), "zoom_out": _l("Zoom out"),
    "zoom_reset": _l("Fit"), "waveform": _l("Waveform"), "hls_failed": _l("The stream could not be played; "
                                                                            "playing the viewing copy instead."),
    "live": _l("This asset is still being processed: you are watching the part made so far, and the rest "
               "follows as it is made."),
    "live_done": _l("Processing is complete: the whole asset can be played."),
}


def labels() -> dict[str, str]:
    return {key: str(value) for key, value in LABELS.items()}


def language_names(technical: dict | None, locale: str) -> dict[str, str]:
    """{RFC 5646 code: name in `locale`} for the known languages and the master's audio tracks."""
    codes = list(KNOWN_LANGUAGES)
    for stream in (technical or {}).get("streams") or []:
        code = stream.get("language_code") if isinstance(stream, dict) else None
        if isinstance(code, str) and code not in codes:
            codes.append(code)
    names = {}
    for code in codes:
        name = language_name(code, locale)
        if name:
            names[code] = name[:1].upper() + name[1:]
    return names


def audio_tracks(technical: dict | None) -> list[dict[str, str | None]]:
    """[{"lang": RFC 5646 code or None, "title": the track's title or None}] for each audio
    track of the HLS ladder, in the master playlist's order (every audio stream with a codec,
    in container order; a record probed before streams were kept: its one track, untagged).
    The player names its menu entries with them, in the page's language."""
    technical = technical or {}
    streams = [s for s in technical.get("streams") or [] if isinstance(s, dict)]
    tracks = [s for s in streams if s.get("type") == "audio" and s.get("codec")
              and isinstance(s.get("index"), int) and s["index"] >= 0]
    if not tracks and not streams and technical.get("audio_codec"):
        return [{"lang": None, "title": None}]
    out = []
    for s in tracks:
        title = "".join(ch for ch in str(s.get("title") or "") if ch.isprintable()).strip()[:100]
        lang = s.get("language_code")
        out.append({"lang": lang if isinstance(lang, str) and lang else None, "title": title or None})
    return out


def _file_url(asset_id: str, renditions: dict[str, dict], name: str) -> str | None:
    r = renditions.get(name) or {}
    if not r.get("entry") or not r.get("file_count"):
        return None
    return rendition_file_url(asset_id, name, r["entry"])


def player(doc: dict[str, Any], locale: str) -> dict[str, Any]:
    """The player's settings for the page (a JSON data attribute): kind, sources, timeline."""
    renditions = {r["name"]: r for r in doc["renditions"]}
    timeline = Timeline.of(doc.get("technical"), doc.get("kind"))
    return {
        "kind": doc.get("kind"),
        # A ladder still being made plays what has been published (`live_url`, EVENT playlists).
        "hls": _file_url(doc["id"], renditions, "hls") or (renditions.get("hls") or {}).get("live_url"),
        "live": bool((renditions.get("hls") or {}).get("live")),
        "storyboard": _file_url(doc["id"], renditions, "storyboard"),
        "waveform": _file_url(doc["id"], renditions, "waveform"),
        "timeline": timeline.as_json() if timeline else None,
        "markers": f"/api/v1/assets/{doc['id']}/markers",
        "languages": language_names(doc.get("technical"), locale),
        "audio_tracks": audio_tracks(doc.get("technical")),
    }
