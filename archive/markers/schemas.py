"""Checking a marker's body: `{"in": TIMECODE, "out": TIMECODE | null, "text": "..."}`.

Errors are 422 `invalid_marker` with `details.errors`, one {"field", "code", "message", "params"} per
problem: `unknown_field`, `required`, `not_text`, `invalid_timecode` (with `reason` from
`archive.media.timecode.TimecodeError`), `out_of_range` (past the end of the asset), `before_start` (before its start timecode),
`out_before_in`, `empty`, `too_long`, `forbidden_characters`.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from archive.markers.timeline import MAX_LABEL, PositionError, Timeline, read_position
from archive.validation import disguise_error, entry, raise_entries

FIELDS = ("in", "out", "text")
MAX_TEXT = 2000  # characters, after NFC normalisation
MAX_TIMECODE = MAX_LABEL


def _error(field: str, code: str, message: str, **extra) -> dict:
    return entry(field, code, message, **extra)


def _raise(errors: list[dict]) -> None:
    raise_entries("invalid_marker", "marker", errors)


def clean_text(value: Any, errors: list[dict]) -> str | None:
    if not isinstance(value, str):
        errors.append(_error("text", "not_text" if value is not None else "required", "text must be given as text"))
        return None
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if not text:
        errors.append(_error("text", "empty", "text is empty"))
        return None
    if len(text) > MAX_TEXT:
        errors.append(_error("text", "too_long", f"text is longer than {MAX_TEXT} characters",
                             limit=MAX_TEXT, length=len(text)))
        return None
    problem = disguise_error("text", text)
    if problem is not None:
        errors.append(_error("text", problem.code, problem.message, **problem.params))
        return None
    return text


def _position(field: str, value: Any, timeline: Timeline, errors: list[dict]) -> int | None:
    # A marker takes timecode labels only (no seconds); `in` must name a frame of the asset,
    # `out` (exclusive) may be the end itself.
    try:
        return read_position(timeline, field, value, seconds=False)
    except PositionError as exc:
        errors.append(_error(field, exc.code, exc.message, **exc.params))
        return None


def clean_marker(body: Any, timeline: Timeline, current: dict | None = None) -> dict:
    """{"in_frame", "out_frame", "text"} from a request body; `current` (the marker's values,
    for an edit) fills what the body leaves out. Raises ValidationError (see above)."""
    if not isinstance(body, dict):
        raise_entries("invalid_marker", "marker", [_error("body", "not_an_object", "must be an object")])
    errors: list[dict] = []
    unknown = sorted(str(k)[:40] for k in body if k not in FIELDS)
    if unknown:
        errors.append(_error("body", "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown))
    out = dict(current or {})
    if "in" in body or current is None:
        if body.get("in") is None:
            errors.append(_error("in", "required", "in is required"))
        else:
            out["in_frame"] = _position("in", body["in"], timeline, errors)
    if "out" in body:
        out["out_frame"] = None if body["out"] is None else _position("out", body["out"], timeline, errors)
    out.setdefault("out_frame", None)
    if "text" in body or current is None:
        out["text"] = clean_text(body.get("text"), errors)
    if not errors and out["out_frame"] is not None and out["out_frame"] <= out["in_frame"]:
        errors.append(_error("out", "out_before_in", "out must come after in"))
    _raise(errors)
    return out
