"""Checking a clip request: `{"in", "out", "mode", "declaration"}` against the master's timeline.

`in` and `out` are SMPTE timecodes of the master (`HH:MM:SS:FF`, drop-frame `HH:MM:SS;FF` on
a drop-frame master only; its start timecode counts, SMPTE ST 12-1) or seconds from its first
frame (a number). `in` names the first frame of the clip, `out` the frame after its last
(exclusive, as an editor's out mark), so `out` may be the end of the master itself.

Errors are 422 `invalid_clip` with `details.errors`, one {"field", "code", "message", ...} per
problem: `unknown_field`, `required`, `invalid_timecode` (with `reason`: `malformed`,
`frame_out_of_range`, `drop_frame_rate`, `dropped_label` from
`archive.media.timecode.TimecodeError`, or `drop_frame_mismatch` for `;` on a master whose
timecode does not drop frames and `:` on one whose does), `invalid_seconds`, `out_of_range`
(past the end), `out_before_in`, `invalid_choice` (mode). The declaration is read by
`archive.access.declarations.read_declaration` (422 `invalid_declaration`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from archive.errors import ValidationError
from archive.markers.timeline import Timeline
from archive.media.timecode import TimecodeError

FIELDS = ("in", "out", "mode", "declaration")
MODES = ("fast", "accurate")
MAX_TIMECODE = 32  # characters
MAX_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True)
class ClipRequest:
    """A checked request: frames from the master's first frame (`out_frame` exclusive), the
    mode, and the values as the client sent them (kept in the lineage)."""

    in_frame: int
    out_frame: int
    mode: str
    requested: dict


def _error(field: str, code: str, message: str, **extra) -> dict:
    # The extras at the top (as markers report them) and as `params` (what pages fill in).
    return {"field": field, "code": code, "message": message, **extra, "params": dict(extra)}


def _position(field: str, value: Any, timeline: Timeline, errors: list[dict]) -> int | None:
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
        errors.append(_error(field, "required" if value is None else "invalid_timecode",
                             f"{field} must be a timecode such as 00:00:12:05 or a number of seconds",
                             reason="malformed"))
        return None
    if isinstance(value, str):
        if len(value) > MAX_TIMECODE:
            errors.append(_error(field, "invalid_timecode", f"{field} is not a timecode", reason="malformed"))
            return None
        if (";" in value) != timeline.drop_frame and (";" in value or ":" in value[-3:]):
            expected = "drop-frame (;)" if timeline.drop_frame else "non-drop-frame (:)"
            errors.append(_error(field, "invalid_timecode", f"{field}: the master's timecode is {expected}",
                                 reason="drop_frame_mismatch"))
            return None
        try:
            frames = timeline.position(value)
        except TimecodeError as exc:
            errors.append(_error(field, "invalid_timecode", f"{field}: {exc}", reason=exc.reason))
            return None
    else:
        if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
            errors.append(_error(field, "invalid_seconds", f"{field} must be seconds from the start, 0 or more"))
            return None
        exact = Fraction(str(value)) * timeline.rate
        # `in` is the frame the time falls in; `out` the first frame wholly after the time.
        frames = math.floor(exact) if field == "in" else math.ceil(exact)
    last = timeline.frames
    if last is not None and (frames > last or (field == "in" and frames >= last)):
        errors.append(_error(field, "out_of_range", f"{field} is past the end of the master ({timeline.label(last)})",
                             max=timeline.label(last), max_seconds=round(timeline.seconds(last), 6)))
        return None
    return frames


def clean_clip(body: Any, timeline: Timeline) -> ClipRequest:
    """The checked request; raises ValidationError (see the module docstring). The declaration
    is not looked at here."""
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_clip",
                              details={"errors": [_error("body", "not_an_object", "must be an object")]})
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
    if errors:
        raise ValidationError("The clip is not valid: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
                              code="invalid_clip", details={"errors": errors})
    return ClipRequest(points["in"], points["out"], mode, {"in": body["in"], "out": body["out"]})
