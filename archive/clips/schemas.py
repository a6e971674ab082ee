"""Checking a clip request: `{"in", "out", "mode", "declaration"}` against the master's timeline.

`in` and `out` are SMPTE timecodes of the master (`HH:MM:SS:FF`, drop-frame `HH:MM:SS;FF` on
a drop-frame master only; its start timecode counts, SMPTE ST 12-1) or seconds from its first
frame (a number). `in` names the first frame of the clip, `out` the frame after its last
(exclusive, as an editor's out mark), so `out` may be the end of the master itself.

Errors are 422 `invalid_clip` with `details.errors`, one {"field", "code", "message", ...} per
problem: `unknown_field`, `required`, `invalid_timecode` (with `reason`: `malformed`,
`hours_out_of_range`, `minutes_out_of_range`, `seconds_out_of_range`, `frame_out_of_range` (with `part`, `value`, `min`, `max`: the field and its range), `drop_frame_rate`, `dropped_label` from
`archive.media.timecode.TimecodeError`, or `drop_frame_mismatch` for `;` on a master whose
timecode does not drop frames and `:` on one whose does), `invalid_seconds`, `out_of_range`
(past the end), `out_before_in`, `invalid_choice` (mode). The declaration is read by
`archive.access.declarations.read_declaration` (422 `invalid_declaration`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.markers.timeline import MAX_LABEL, MAX_SECONDS, PositionError, Timeline, read_position
from archive.validation import entry, raise_entries

FIELDS = ("in", "out", "mode", "declaration")
MODES = ("fast", "accurate")
MAX_TIMECODE = MAX_LABEL  # characters


@dataclass(frozen=True)
class ClipRequest:
    """A checked request: frames from the master's first frame (`out_frame` exclusive), the
    mode, and the values as the client sent them (kept in the lineage)."""

    in_frame: int
    out_frame: int
    mode: str
    requested: dict


def _error(field: str, code: str, message: str, **extra) -> dict:
    return entry(field, code, message, **extra)


def _position(field: str, value: Any, timeline: Timeline, errors: list[dict]) -> int | None:
    try:
        return read_position(timeline, field, value)
    except PositionError as exc:
        errors.append(_error(field, exc.code, exc.message, **exc.params))
        return None


def clean_clip(body: Any, timeline: Timeline) -> ClipRequest:
    """The checked request; raises ValidationError (see the module docstring). The declaration
    is not looked at here."""
    if not isinstance(body, dict):
        raise_entries("invalid_clip", "clip", [_error("body", "not_an_object", "must be an object")])
    errors: list[dict] = []
    unknown = sorted(str(k)[:40] for k in body if k not in FIELDS)[:20]
    if unknown:
        errors.append(_error("body", "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown))
    points = {}
    for field in ("in", "out"):
        if body.get(field) is None:
            errors.append(_error(field, "required", f"{field} is required"))
        else:
            points[field] = _position(field, body[field], timeline, errors)
    mode = body.get("mode", "accurate")
    if mode not in MODES:
        errors.append(_error("mode", "invalid_choice", f"mode must be one of {', '.join(MODES)}", choices=list(MODES)))
    if not errors and points["out"] <= points["in"]:
        errors.append(_error("out", "out_before_in", "out must come after in"))
    raise_entries("invalid_clip", "clip", errors)
    return ClipRequest(points["in"], points["out"], mode, {"in": body["in"], "out": body["out"]})
