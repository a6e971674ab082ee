"""Segments of an archive asset: `in`/`out` positions as timecodes of the master
(`HH:MM:SS:FF`, drop-frame `HH:MM:SS;FF` when the master's start timecode is, or a clock time
`HH:MM:SS[.fraction]`; its start timecode added), read by `archive.markers.timeline.read_position`
as markers, clips and rights segments are, and checked against the asset's probed length.

Shared by a footage contribution's valuation (`archive.coproduction.valuation`) and a
project's footage links (`archive.coproduction.projects.link_footage`). Mistakes go to the
caller's Checker with the codes `invalid_timecode` {reason}, `required` and `out_of_range`.
"""
from __future__ import annotations

from fractions import Fraction

from archive.assets.models import Asset
from archive.coproduction.schemas import Checker
from archive.markers.timeline import PositionError, Timeline, read_position


def segment_seconds(c: Checker, asset: Asset, start: str | None, end: str | None) -> tuple[Fraction | None, dict | None]:
    """(seconds, {"in", "out"}) of the segment `start`-`end` (already shaped like timecodes;
    either may be None: the start or the end of the asset), or (the whole duration, None)
    when both are None; (None, None) after reporting a mistake to `c`."""
    timeline = Timeline.of(asset.technical, asset.kind)
    technical = asset.technical or {}
    duration = technical.get("duration")
    total = Fraction(str(duration)) if isinstance(duration, (int, float)) and duration > 0 else None
    if start is None and end is None:
        if total is None:
            c.fail("asset_id", "duration_unknown", "The asset's duration is not known yet (it is still being "
                   "processed, or is not audio or video): give in and out, or a fixed amount.")
        return total, None
    if timeline is None:
        c.fail("asset_id", "no_timeline", "The asset has no timeline (it is not audio or video): "
               "give a fixed amount instead of in and out.")
        return None, None
    points: dict[str, Fraction | None] = {}
    for name, raw in (("in", start), ("out", end)):
        if raw is None:
            points[name] = Fraction(0) if name == "in" else total
            continue
        try:
            points[name] = Fraction(read_position(timeline, name, raw, seconds=False)) / timeline.rate
        except PositionError as exc:
            points[name] = None
            c.fail(name, exc.code, exc.message + ".", **exc.params)
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
