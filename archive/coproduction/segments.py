"""Segments of an archive asset: `in`/`out` positions in the file, as HH:MM:SS:FF (frames at
the asset's frame rate, `technical.frame_rate`) or HH:MM:SS[.fraction] (seconds), checked
against the asset's probed duration (`technical.duration`, seconds).

Shared by a footage contribution's valuation (`archive.coproduction.valuation`) and a
project's footage links (`archive.coproduction.projects.link_footage`), so both read a
timecode the same way. Mistakes go to the caller's Checker with the codes `invalid_timecode`
(frames without a frame rate, or a frame count not below it), `required` and `out_of_range`.
"""
from __future__ import annotations

from fractions import Fraction

from archive.assets.models import Asset
from archive.coproduction.schemas import Checker
from archive.media.timecode import parse_rate
from archive.media.timecode import position_seconds as position


def segment_seconds(c: Checker, asset: Asset, start: str | None, end: str | None) -> tuple[Fraction | None, dict | None]:
    """(seconds, {"in", "out"}) of the segment `start`-`end` (already shaped like timecodes;
    either may be None: the start or the end of the asset), or (the whole duration, None)
    when both are None; (None, None) after reporting a mistake to `c`."""
    technical = asset.technical or {}
    fps = parse_rate(technical.get("frame_rate"))
    duration = technical.get("duration")
    total = Fraction(str(duration)) if isinstance(duration, (int, float)) and duration > 0 else None
    if start is None and end is None:
        if total is None:
            c.fail("asset_id", "duration_unknown", "The asset's duration is not known yet (it is still being "
                   "processed, or is not audio or video): give in and out, or a fixed amount.")
        return total, None
    points = {}
    for name, raw in (("in", start), ("out", end)):
        if raw is None:
            points[name] = Fraction(0) if name == "in" else total
            continue
        points[name] = position(raw, fps)
        if points[name] is None:
            c.fail(name, "invalid_timecode", f"{name}: frames need a frame rate below the frame count "
                   f"(the asset's is {technical.get('frame_rate') or 'unknown'}).")
    if points["in"] is None or points["out"] is None:
        if points["out"] is None and end is None:
            c.fail("out", "required", "The asset's duration is not known yet: give out.")
        return None, None
    if points["out"] <= points["in"]:
        c.fail("out", "out_of_range", "out must come after in.", min=start or "00:00:00", max=None)
        return None, None
    if total is not None and points["out"] > total:
        c.fail("out", "out_of_range", "out is past the end of the asset.", min=start or "00:00:00",
               max=f"{float(total):.3f}")
        return None, None
    return points["out"] - points["in"], {"in": start or "00:00:00", "out": end or None}
